"""GOV.UK Notify: an e-mail backend, its delivery receipts, and a check that every kind of e-mail has a template.

Chosen by settings: `EMAIL_BACKEND=outbox.notify.NotifyBackend` with `NOTIFY_API_KEY` (a secret: the key itself,
or `NOTIFY_API_KEY_FILE` naming a file that holds it) and `NOTIFY_TEMPLATES`, a JSON object giving the id of a
Notify e-mail template for each kind of e-mail ({"referral_received": "<template id>", ...}). The usual template
has the subject `((subject))` and the body `((body))`; `((link))` is also given (the first link in the body), for
a template that shows it as a button. The product renders the subject and the text itself (templates/**/email/),
so a Notify template decides only the look.

Each message goes with Notify's `reference` set to the delivery's id, and the notification id Notify returns is
set on the message as `provider_reference`: outbox.delivery.delivery_send records it and leaves the delivery
"sending" until a receipt says delivered or failed (the callback in outbox/views.py, or the beat job
`notify_poll` here when callbacks are not set up).

Attachments: Notify sends no attachments, only a link to download a file it keeps (prepare_upload), of the types
below, up to 2 MB, and only after the recipient confirms their e-mail address. A file of those types is given to
the template as `((file_1))`, `((file_2))`... (the kind's Notify template must show them). A calendar file (.ics)
is not a type Notify accepts: with Notify it is left out, and the e-mail's text carries the date, time and place.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from .delivery import DELIVERY_HEADER, KIND_HEADER, DeliveryRejected, delivery_receipt, kinds
from .models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

BACKEND = "outbox.notify.NotifyBackend"
DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
# The file types Notify sends by link (its documentation: "Send a file by email").
FILE_TYPES = {
    "application/pdf", "text/csv", "text/plain", "application/json", "application/rtf", "text/rtf",
    "application/vnd.oasis.opendocument.text", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "image/jpeg", "image/png",
}
LINK = re.compile(r"https?://\S+")


class NotifyTemplateMissing(DeliveryRejected, ImproperlyConfigured):
    """A kind of e-mail with no Notify template in NOTIFY_TEMPLATES (`manage.py check` names them all): the
    delivery is recorded as failed, with this said, rather than waiting for ever."""


class NotifyUnavailable(ConnectionError):
    """Notify could not be reached or answered 5xx or 429: an OSError, so the outbox tries again later."""


def notify_options() -> dict | None:
    """The options of the default mailer when it is Notify, else None."""
    mailer = getattr(settings, "MAILERS", {}).get("default", {})
    return mailer.get("OPTIONS", {}) if mailer.get("BACKEND") == BACKEND else None


def client(options: dict):
    from notifications_python_client.notifications import NotificationsAPIClient

    return NotificationsAPIClient(options["api_key"], base_url=options.get("base_url") or DEFAULT_BASE_URL,
                                  timeout=options.get("timeout", 30))


def _raise_for(error) -> None:
    """Turn the client's error into ours: one worth trying again, or a refusal (never its text: it may quote
    the address)."""
    from notifications_python_client.errors import APIError

    if isinstance(error, APIError):
        if error.status_code >= 500 or error.status_code == 429:
            raise NotifyUnavailable(f"GOV.UK Notify answered {error.status_code}") from error
        raise DeliveryRejected(f"Refused by GOV.UK Notify ({error.status_code})") from error
    raise error


class NotifyBackend(BaseEmailBackend):
    """Sends each message through GOV.UK Notify, with the template of its kind (the X-Managing-Allegations-Kind
    header that outbox.delivery.email_for sets)."""

    def __init__(self, *, api_key: str = "", templates: dict | None = None, base_url: str = DEFAULT_BASE_URL,
                 timeout: int = 30, reply_to_id: str = "", **kwargs):
        super().__init__(**kwargs)
        if not api_key:
            raise ImproperlyConfigured("GOV.UK Notify is the e-mail backend but NOTIFY_API_KEY is not set.")
        self.options = {"api_key": api_key, "base_url": base_url, "timeout": timeout}
        self.templates = templates or {}
        self.reply_to_id = reply_to_id
        self.client = None

    def open(self):
        if self.client is None:
            self.client = client(self.options)
            return True
        return False

    def close(self):
        self.client = None

    def template_for(self, kind: str) -> str:
        template_id = self.templates.get(kind)
        if not template_id:
            logger.error("No GOV.UK Notify template for e-mails of kind %r: add its id to NOTIFY_TEMPLATES", kind)
            raise NotifyTemplateMissing(f"No GOV.UK Notify template for {kind[:60]} e-mails (NOTIFY_TEMPLATES)")
        return template_id

    def personalisation(self, message) -> dict:
        from notifications_python_client import prepare_upload

        found = LINK.search(message.body or "")
        values = {"subject": message.subject, "body": message.body, "link": found.group(0) if found else ""}
        files = 0
        for attachment in message.attachments:
            filename, content, mimetype = (attachment if isinstance(attachment, tuple)
                                           else (attachment.get_filename(), attachment.get_payload(decode=True),
                                                 attachment.get_content_type()))
            mimetype = (mimetype or "").split(";")[0].strip()
            if mimetype not in FILE_TYPES:
                logger.info("A %s file is not sent through GOV.UK Notify (%s e-mail)", mimetype or "untyped",
                            message.extra_headers.get(KIND_HEADER, "?"))
                continue
            files += 1
            data = content.encode() if isinstance(content, str) else content
            values[f"file_{files}"] = prepare_upload(io.BytesIO(data), filename=filename,
                                                     confirm_email_before_download=True)
        return values

    def send_messages(self, email_messages) -> int:
        from notifications_python_client.errors import APIError

        sent = 0
        opened = self.open()
        try:
            for message in email_messages:
                template_id = self.template_for(message.extra_headers.get(KIND_HEADER, ""))
                for address in message.to:
                    try:
                        answer = self.client.send_email_notification(
                            email_address=address, template_id=template_id,
                            personalisation=self.personalisation(message),
                            reference=message.extra_headers.get(DELIVERY_HEADER) or None,
                            email_reply_to_id=self.reply_to_id or None,
                        )
                    except (APIError, OSError) as error:
                        if self._fail_silently:
                            continue
                        _raise_for(error)
                    message.provider_reference = answer["id"]
                    sent += 1
        finally:
            if opened:
                self.close()
        return sent


@checks.register(checks.Tags.compatibility)
def check_notify_templates(app_configs=None, **kwargs):
    """At start-up: with Notify as the backend, every kind of e-mail the product sends has a template."""
    options = notify_options()
    if options is None:
        return []
    errors = []
    if not options.get("api_key"):
        errors.append(checks.Error("GOV.UK Notify is the e-mail backend but NOTIFY_API_KEY is not set.",
                                   id="outbox.E001"))
    missing = [kind for kind in kinds() if not (options.get("templates") or {}).get(kind)]
    if missing:
        errors.append(checks.Error(
            f"GOV.UK Notify has no template for these kinds of e-mail: {', '.join(missing)}.",
            hint="Give NOTIFY_TEMPLATES a template id for each, as JSON: {\"kind\": \"template id\", ...}.",
            id="outbox.E002"))
    return errors


def notify_poll(*, now: dt.datetime | None = None, after_minutes: int | None = None, batch: int = 200) -> int:
    """Ask Notify what became of deliveries still "sending" a while after they were sent (for when its callbacks
    are not set up, or one was lost). Returns how many receipts were recorded."""
    options = notify_options()
    if options is None or not options.get("api_key"):
        return 0
    now = now or timezone.now()
    after = dt.timedelta(minutes=settings.NOTIFY_POLL_AFTER_MINUTES if after_minutes is None else after_minutes)
    with transaction.atomic():
        references = list(Delivery.objects.filter(status=DeliveryStatus.SENDING, sent_at__lte=now - after)
                          .exclude(provider_reference="").order_by("sent_at", "pk")
                          .values_list("provider_reference", flat=True)[:batch])
    if not references:
        return 0
    from notifications_python_client.errors import APIError

    api = client(options)
    recorded = 0
    for reference in references:
        try:
            answer = api.get_notification_by_id(reference)
        except (APIError, OSError) as error:
            logger.warning("GOV.UK Notify status not read (%s): tried again at the next poll", type(error).__name__)
            continue
        at = _when(answer.get("completed_at") or answer.get("sent_at"))
        recorded += delivery_receipt(reference=reference, status=answer.get("status", ""), at=at) is not None
    return recorded


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
