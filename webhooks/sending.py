"""Sending one delivery over HTTPS, signed as Standard Webhooks says (webhook-id, webhook-timestamp,
webhook-signature), with the `standardwebhooks` package.

Only https:// is sent to. No redirect is followed (a redirect could lead anywhere). Addresses on this machine or a
private network are refused unless WEBHOOK_ALLOW_LOCAL_ADDRESSES is on (the tests' receiver is on 127.0.0.1). What
is recorded of an attempt is its status code, its time and the kind of error: never what the receiver answered.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from standardwebhooks.webhooks import Webhook

from .models import Event


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


def payload(event: Event) -> dict:
    """Standard Webhooks' shape: type, timestamp and data (references, times and links: never names)."""
    at = event.occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return {
        "type": event.type,
        "timestamp": at,
        "data": {"reference": event.reference, "occurred_at": at, "link": settings.SITE_URL + event.link,
                 **event.data},
    }


def body_of(event: Event) -> str:
    return json.dumps(payload(event), separators=(",", ":"), sort_keys=True)


def signed_headers(*, secret: str, message_id: str, body: str, now: dt.datetime) -> dict[str, str]:
    now = now.astimezone(dt.UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
        "content-type": "application/json",
        "user-agent": "Managing-Allegations-Webhooks/1",
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx is then an HTTPError, recorded as such


def _opener():
    context = ssl.create_default_context(cafile=settings.WEBHOOK_CA_FILE or None)
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirects())


def address_refused(url: str) -> str:
    """Why this address is not sent to ("" if it may be)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return "Not an https address"
    if settings.WEBHOOK_ALLOW_LOCAL_ADDRESSES:
        return ""
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return "Address not found"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return "Address on a private network refused"
    return ""


def send(*, url: str, secret: str, event: Event, now: dt.datetime) -> Outcome:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    refused = address_refused(url)
    if refused:
        return Outcome(False, None, refused, 0)
    body = body_of(event)
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers=signed_headers(secret=secret, message_id=event.message_id, body=body,
                                                            now=now))
    try:
        with _opener().open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            code = response.status
            response.read(1024)  # read a little and drop it: the answer's content is never kept
    except urllib.error.HTTPError as error:
        code = error.code
        error.close()
        kind = "Redirect not followed" if 300 <= code < 400 else f"HTTP {code}"
        return Outcome(False, code, kind, took())
    except urllib.error.URLError as error:
        return Outcome(False, None, _kind(error.reason), took())
    except (TimeoutError, OSError) as error:
        return Outcome(False, None, _kind(error), took())
    if 200 <= code < 300:
        return Outcome(True, code, "", took())
    return Outcome(False, code, f"HTTP {code}", took())


def _kind(reason) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "Certificate not trusted"
    if isinstance(reason, ssl.SSLError):
        return "TLS error"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "Timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "Connection refused"
    if isinstance(reason, socket.gaierror):
        return "Address not found"
    if isinstance(reason, ConnectionError):
        return "Connection failed"
    return type(reason).__name__[:80] if not isinstance(reason, str) else "Connection failed"
