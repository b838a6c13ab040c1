"""Celery entry points: the outbox handler "webhooks.deliver" (webhooks.services) and the retry sweep (beat)."""

from celery import shared_task

from . import services


@shared_task(name="webhooks.tasks.retry_due", acks_late=True, ignore_result=True)
def retry_due() -> int:
    return services.deliveries_retry_due()
