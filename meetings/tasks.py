"""Celery entry points: take ids, load, call one service."""

from celery import shared_task

from . import notifications, services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_minutes_circulated(version_id: int) -> int:
    return notifications.minutes_circulated_notify(version_id=version_id)


@shared_task(
    acks_late=True, reject_on_worker_lost=True,
    time_limit=services.PDF_RENDER_TIME_LIMIT, soft_time_limit=services.PDF_RENDER_SOFT_TIME_LIMIT,
)
def render_minutes_pdf(pdf_id: int) -> str:
    """Idempotent: a PDF already made is not made again; one abandoned by a lost worker is taken over."""
    return services.minutes_pdf_render(pdf_id=pdf_id).status


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_guest_invitation(guest_access_id: int) -> bool:
    return notifications.guest_invitation_send(guest_access_id=guest_access_id)
