"""Outbox handlers (outbox.registry): take ids, load, call one service."""

from outbox.registry import handler

from . import services


@handler("reporting.report_pdf")
def render_report_pdf(pdf_id: int) -> str:
    """Idempotent: a PDF already made is not made again; one abandoned by a lost worker is taken over."""
    return services.report_pdf_render(pdf_id=pdf_id).status
