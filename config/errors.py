"""Error pages people can act on (issue 11 §3): 400, 403, 404, 500 and the CSRF failure, all in the
GOV.UK layout of templates/errors/_layout.html, with the navigation (for a signed-in person) and a way back.

- 404 never says whether a record exists: a record the person may not see is "not found" like one that
  does not exist.
- 403 for a page the person's role cannot use (a refusal that names the roles that can, `role_names`:
  agencies.access.RoleRefused) lists those roles and whom to ask; any other 403 shows the refusal's own
  words when it has some.
- 500 is rendered without the request: no database, no session, no user (the error may be theirs).
- 503 when the database could not be reached (a restart, a failover): "try again", with Retry-After, also
  rendered without the request (issue 14 §3).
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import DisallowedHost
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10

# Whom to ask for a role: they give roles (Django's administration) or know who should.
ASK = "your LADO service manager or the partnership administrator"


def _back_url(request) -> str:
    """The page the person came from, when it is one of ours (for a form refused, the form's own page)."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 of a request for a host that is not ours
        return ""
    return referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()) else ""


def _render(request, template_name: str, status: int, **context) -> HttpResponse:
    body = loader.render_to_string(template_name, {"back_url": _back_url(request), "ask": ASK, **context}, request)
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _render(request, "400.html", 400)


def permission_denied(request, exception=None):
    role_names = getattr(exception, "role_names", None)  # agencies.access.RoleRefused (config imports no app)
    if role_names:
        return _render(request, "403.html", 403, roles=role_names)
    return _render(request, "403.html", 403, roles=[], message=str(exception or ""))


def page_not_found(request, exception=None):
    return _render(request, "404.html", 404)


def database_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, (OperationalError, InterfaceError))


def unavailable_response(request) -> HttpResponse:
    """The styled 503 page. Renders without a request context: context processors would ask the database."""
    nonce = getattr(request, "_csp_nonce", None)
    body = loader.render_to_string("503.html", {"csp_nonce": "" if nonce is None else str(nonce), "request": None})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """No request to the template: its context processors would read the session, the user and the database.
    A database that could not be reached is a 503 "try again", not a 500."""
    exception = sys.exc_info()[1]
    if database_unavailable(exception):
        logger.warning("Database unavailable during %s %s (%s): answered 503", request.method, request.path,
                       type(exception).__name__)
        return unavailable_response(request)
    nonce = getattr(request, "_csp_nonce", None)
    body = loader.get_template("500.html").render({"csp_nonce": nonce, "ask": ASK})
    return HttpResponse(body, status=500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without its security token (often a page left open too long)."""
    return _render(request, "errors/csrf.html", 403)
