"""Celery entry points and outbox handlers: take ids, load, call one service."""

from celery import shared_task

from outbox.registry import handler

from deadlines.tasks import chase_deadlines as deadlines_chase

from . import notifications


@handler("allegations.referral_received")
def notify_new_referral(referral_id: int) -> int:
    return notifications.referral_received_notify(referral_id=referral_id)


@shared_task(name="allegations.tasks.chase_deadlines", acks_late=True, ignore_result=True)
def chase_deadlines_old_name(batch: int = 500) -> dict:
    """The sweep's old task name, kept for one release so a trigger queued before the move still runs
    (deadlines.tasks.chase_deadlines is the one beat sends now). Remove in the release after."""
    return deadlines_chase(batch=batch)
