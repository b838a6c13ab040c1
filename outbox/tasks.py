"""Celery entry points of the outbox: run one message; relay what is not done (beat)."""

from celery import shared_task

from . import delivery, notify, services  # noqa: F401 (delivery registers the "outbox.deliver" handler)


# The slowest handler is a large PDF: time limits for it (a soft one the renderers catch and record as failed).
TIME_LIMIT = 180
SOFT_TIME_LIMIT = 150


# acks_late: a message taken by a worker that dies is delivered again. Not rejected back to the queue when
# the worker is lost: the relay hands the message over again, and counts (a message that kills every
# worker that runs it is given up, not run forever).
@shared_task(acks_late=True, reject_on_worker_lost=False, ignore_result=True, time_limit=TIME_LIMIT,
             soft_time_limit=SOFT_TIME_LIMIT)
def deliver(message_id: int) -> str:
    return services.message_run(message_id=message_id)


# A sweep's batch of e-mails (services.messages_add), or the relay's: one Celery message for all of them, run in one
# transaction and sent through one mail connection as its last step (services.messages_run): a worker lost before
# the commit leaves them all to the relay, and can repeat at most the e-mails it had sent; the time limits are a
# single message's times ten.
@shared_task(acks_late=True, reject_on_worker_lost=False, ignore_result=True, time_limit=TIME_LIMIT * 10,
             soft_time_limit=SOFT_TIME_LIMIT * 10)
def deliver_many(message_ids: list[int]) -> list[str]:
    return services.messages_run(message_ids=message_ids)


@shared_task(ignore_result=True)
def relay() -> int:
    """Beat runs this every OUTBOX_RELAY_SECONDS. Safe to run twice or at the same time."""
    return services.messages_relay()


@shared_task(ignore_result=True)
def poll_notify() -> int:
    """Beat runs this every 10 minutes: receipts from GOV.UK Notify for deliveries still waiting for one."""
    return notify.notify_poll()
