"""Errors as RFC 9457 problem details (application/problem+json), with a message per field.

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "The referral has 2 errors.", "instance": "/api/v1/referrals/",
     "errors": [{"field": "family_name", "message": "Enter the person's last name."}]}

Field messages are the referral form's own words (the API binds the same form)."""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_JSON = "application/problem+json"


class FieldError(serializers.Serializer):
    field = serializers.CharField(help_text="The field, as named in the request (children[0].given_name for a "
                                            "person's); \"\" for the request as a whole")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(default="about:blank")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = FieldError(many=True, required=False)


def _flatten(detail, prefix="") -> list[dict]:
    """DRF's nested error detail → [{"field", "message"}]."""
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            out += _flatten(value, f"{prefix}.{name}" if prefix and name else (prefix or name))
    elif isinstance(detail, list):
        if detail and all(isinstance(d, (dict, list)) for d in detail):
            for index, value in enumerate(detail):
                out += _flatten(value, f"{prefix}[{index}]")
        else:
            for value in detail:
                out += _flatten(value, prefix)
    else:
        out.append({"field": prefix, "message": str(detail)})
    return out


def problem(status: int, detail: str, *, request=None, errors: list[dict] | None = None, headers=None) -> Response:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail,
            "instance": request.path if request is not None else ""}
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status, headers=headers, content_type=PROBLEM_JSON)


class Invalid(exceptions.ValidationError):
    """Field messages ready to send: [{"field": ..., "message": ...}]."""

    def __init__(self, errors: list[dict], detail: str | None = None):
        self.errors = errors
        self.summary = detail or (f"The request has {len(errors)} error{'s' if len(errors) != 1 else ''}.")
        super().__init__(self.summary)


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        exc = Invalid(_flatten(detail))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found: there is nothing with that reference that this client may see.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or exceptions.PermissionDenied.default_detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a fault: Django's 500
    if isinstance(exc, Invalid):
        errors, detail = exc.errors, exc.summary
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = f"The request has {len(errors)} error{'s' if len(errors) != 1 else ''}."
    else:
        errors = None
        detail = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else "; ".join(
            m["message"] for m in _flatten(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        detail = f"Too many requests from this client: try again in {exc.wait and int(exc.wait + 0.999) or 1} seconds."
    headers = {k: v for k, v in response.headers.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    return problem(response.status_code, detail, request=request, errors=errors, headers=headers)
