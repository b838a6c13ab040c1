"""Celery entry points of the statutory clock: take ids, load, call one service."""

from celery import shared_task

from . import chasing


@shared_task(acks_late=True, ignore_result=True)
def chase_deadlines(batch: int = 500) -> dict:
    """Beat runs this every minute (CELERY_BEAT_SCHEDULE). Safe to run twice or at the same time."""
    return chasing.sweep(batch=batch)
