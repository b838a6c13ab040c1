"""Pages of the product itself rather than of one app."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .mail import mailbox_read


@require_GET
def dev_mail(request, name: str = ""):
    """E-mails sent to you (development only, DEBUG on): the files of the development mailbox
    (config.mail) addressed to the signed-in person, so someone trying the demo as a persona can open
    that persona's link-only e-mails. Behind sign-in like every page; never there in production (DEBUG
    off, and e-mail goes by SMTP)."""
    if not settings.DEBUG:
        raise Http404
    address = (request.user.email or "").lower()
    messages = [m for m in mailbox_read(settings.DEV_MAIL_DIR) if address and address in (m["to"] or "").lower()]
    if name:
        chosen = next((m for m in messages if m["name"] == name), None)
        if chosen is None:
            raise Http404
        return render(request, "dev_mail_message.html", {"message": chosen})
    return render(request, "dev_mail.html", {"mails": messages, "folder": settings.DEV_MAIL_DIR})
