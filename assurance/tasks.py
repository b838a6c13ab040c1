"""Celery entry points of assurance rounds."""

from celery import shared_task

from . import chasing


@shared_task(acks_late=True, ignore_result=True)
def chase_rounds(batch: int = 200) -> dict:
    """Beat runs this every hour (CELERY_BEAT_SCHEDULE). Safe to run twice or at the same time."""
    return chasing.sweep(batch=batch)
