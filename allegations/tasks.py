"""Celery entry points: take ids, load, call one service."""

from celery import shared_task

from . import notifications


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_new_referral(referral_id: int) -> int:
    return notifications.referral_received_notify(referral_id=referral_id)
