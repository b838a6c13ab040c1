"""Celery entry points: take ids, load, call one service."""

from celery import shared_task

from . import notifications


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_minutes_circulated(version_id: int) -> int:
    return notifications.minutes_circulated_notify(version_id=version_id)
