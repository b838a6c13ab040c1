"""Celery entry points of the outbox: run one message; relay what is not done (beat)."""

from celery import shared_task

from . import services


# acks_late: a message taken by a worker that dies is delivered again. Not rejected back to the queue when
# the worker is lost: the relay hands the message over again, and counts (a message that kills every
# worker that runs it is given up, not run forever).
# The slowest handler is a large PDF: time limits for it (a soft one the renderers catch and record).
@shared_task(acks_late=True, reject_on_worker_lost=False, ignore_result=True, time_limit=180, soft_time_limit=150)
def deliver(message_id: int) -> str:
    return services.message_run(message_id=message_id)


@shared_task(ignore_result=True)
def relay() -> int:
    """Beat runs this every OUTBOX_RELAY_SECONDS. Safe to run twice or at the same time."""
    return services.messages_relay()
