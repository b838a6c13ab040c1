"""Paging by cursor (keyset): each page is one query however deep it is, and a record added while a client
pages never makes it see a row twice. The cursor is opaque to clients (base64 of the last row's sort key)."""

from __future__ import annotations

import base64
import binascii
import json
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError as DjangoInvalid
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def _value(instance, path: str):
    for name in path.split("__"):
        instance = getattr(instance, name)
    return instance


def _encode(values) -> str:
    text = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, count: int) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != count or not all(isinstance(v, (str, int)) for v in values):
        raise ValidationError({"cursor": "This cursor is not valid: use the `next` link of the page before."})
    return values


def after(ordering: tuple[str, ...], values: list) -> Q:
    """Rows after the one whose sort key is `values`, in `ordering` ("-field" for descending)."""
    terms = []
    for i, field in enumerate(ordering):
        name = field.lstrip("-")
        equal = {f.lstrip("-"): values[j] for j, f in enumerate(ordering[:i])}
        terms.append(Q(**equal, **{f"{name}__{'lt' if field.startswith('-') else 'gt'}": values[i]}))
    return reduce(or_, terms)


class KeysetPagination(BasePagination):
    """The view names its sort key (`keyset`, unique: it ends with the primary key)."""

    def paginate_queryset(self, queryset, request, view=None):
        ordering = tuple(view.keyset)
        self.request = request
        try:
            size = int(request.query_params.get("page_size", PAGE_SIZE))
        except ValueError:
            raise ValidationError({"page_size": "Enter a whole number from 1 to 100."}) from None
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError({"page_size": "Enter a whole number from 1 to 100."})
        cursor = request.query_params.get("cursor")
        values = _decode(cursor, len(ordering)) if cursor else None
        try:
            if values is not None:
                queryset = queryset.filter(after(ordering, values))
            rows = list(queryset.order_by(*ordering)[: size + 1])
        except (ValueError, TypeError, DjangoInvalid):  # a cursor whose values the columns cannot read
            raise ValidationError({"cursor": "This cursor is not valid: use the `next` link of the page before."}) from None
        self.next_cursor = _encode([_value(rows[size - 1], f.lstrip("-")) for f in ordering]) if len(rows) > size else None
        return rows[:size]

    def get_next_link(self):
        if self.next_cursor is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "cursor", self.next_cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "description": "The next page, or null on the last page"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "cursor", "required": False, "in": "query", "schema": {"type": "string"},
             "description": "From the `next` link of the page before"},
            {"name": "page_size", "required": False, "in": "query",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE}},
        ]
