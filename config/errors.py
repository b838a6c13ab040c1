"""The page for a request that met the database away (a restart, a failover): 503, "try again".

Django turns any exception a view or middleware raises into a call to handler500; this one answers 503 with
a page that needs no database (no user, no navigation: the request's user cannot be looked up) when the
database could not be reached, and leaves everything else to the 500 page.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


def database_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, (OperationalError, InterfaceError))


def unavailable_response(request) -> HttpResponse:
    """The styled 503 page. Renders without a request context: context processors would ask the database."""
    nonce = getattr(request, "_csp_nonce", None)
    body = render_to_string("503.html", {"csp_nonce": "" if nonce is None else str(nonce), "request": None})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs):
    import sys

    exception = sys.exc_info()[1]
    if database_unavailable(exception):
        logger.warning("Database unavailable during %s %s (%s): answered 503", request.method, request.path,
                       type(exception).__name__)
        return unavailable_response(request)
    return defaults.server_error(request, *args, **kwargs)
