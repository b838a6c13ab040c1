"""Celery entry points and outbox handlers: take ids, load, call one service."""

from celery import shared_task

from outbox.registry import handler

from . import chasing, notifications


@handler("allegations.referral_received")
def notify_new_referral(referral_id: int) -> int:
    return notifications.referral_received_notify(referral_id=referral_id)


@shared_task(acks_late=True, ignore_result=True)
def chase_deadlines(batch: int = 500) -> dict:
    """Beat runs this every minute (CELERY_BEAT_SCHEDULE). Safe to run twice or at the same time."""
    return chasing.sweep(batch=batch)
