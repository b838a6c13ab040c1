"""Celery entry points: take ids, load, call one service."""

from celery import shared_task

from . import chasing, notifications


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_new_referral(referral_id: int) -> int:
    return notifications.referral_received_notify(referral_id=referral_id)


@shared_task(acks_late=True, ignore_result=True)
def chase_deadlines(batch: int = 500) -> dict:
    """Beat runs this every minute (CELERY_BEAT_SCHEDULE). Safe to run twice or at the same time."""
    return chasing.sweep(batch=batch)
