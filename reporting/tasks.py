"""Celery entry points: take ids, load, call one service."""

from celery import shared_task

from . import services


@shared_task(
    acks_late=True, reject_on_worker_lost=True,
    time_limit=services.PDF_RENDER_TIME_LIMIT, soft_time_limit=services.PDF_RENDER_SOFT_TIME_LIMIT,
)
def render_report_pdf(pdf_id: int) -> str:
    """Idempotent: a PDF already made is not made again; one abandoned by a lost worker is taken over."""
    return services.report_pdf_render(pdf_id=pdf_id).status
