"""Outbox handlers (outbox.registry): take ids, load, call one service. Each is safe to run twice."""

from outbox.registry import handler

from . import notifications, services


@handler("meetings.minutes_circulated")
def notify_minutes_circulated(version_id: int) -> int:
    """Asked for by circulations made before each recipient had a delivery of their own (meetings.deliveries):
    those have their deliveries now, so this sends nothing more."""
    return 0


@handler("meetings.minutes_pdf")
def render_minutes_pdf(pdf_id: int) -> str:
    """Idempotent: a PDF already made is not made again; one abandoned by a lost worker is taken over."""
    return services.minutes_pdf_render(pdf_id=pdf_id).status


@handler("meetings.guest_invitation")
def send_guest_invitation(guest_access_id: int) -> bool:
    return notifications.guest_invitation_send(guest_access_id=guest_access_id)
