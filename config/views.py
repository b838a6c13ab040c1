"""Pages of the product itself rather than of one app."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .mail import mailbox_read


@require_GET
def dev_mail(request, name: str = ""):
    """E-mails sent (development only, DEBUG on): the files of the development mailbox (config.mail),
    so a person trying the demo can open the link-only e-mails. Behind sign-in like every page; never
    there in production (DEBUG off, and e-mail goes by SMTP)."""
    if not settings.DEBUG:
        raise Http404
    messages = mailbox_read(settings.DEV_MAIL_DIR)
    if name:
        chosen = next((m for m in messages if m["name"] == name), None)
        if chosen is None:
            raise Http404
        return render(request, "dev_mail_message.html", {"message": chosen})
    return render(request, "dev_mail.html", {"mails": messages, "folder": settings.DEV_MAIL_DIR})
