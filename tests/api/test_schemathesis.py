"""The API against its own OpenAPI schema (issue 20 §3): schemathesis generates requests for every operation,
a bounded number of examples each (valid ones, invalid ones, and real references of the client's agency), and
checks that none gets a 500 and that every response (status, content type, headers, body) is the one the
schema describes. Requests go to the WSGI application in this process, inside the test's transaction."""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agencies.models import Role
from tests.allegations.factories import make_case, make_referral

from .helpers import bearer, make_client

pytestmark = pytest.mark.django_db

EXAMPLES = 12  # per operation and mode: bounded, so the test takes a minute or two
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON, as a client reads it (drf-spectacular's dict holds lazy strings and OrderedDicts).
    import json

    from rest_framework.utils.encoders import JSONEncoder

    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, cls=JSONEncoder)))
    loaded.app = get_wsgi_application()
    loaded.location = "/api/v1/schema/"
    return loaded


@contextlib.contextmanager
def connections_kept():
    """The WSGI application closes the database connection around each request (request_started and
    request_finished), which would end the test's transaction: kept open here, as Django's own test client keeps
    it (which connects them again after each of its requests, so this wraps only schemathesis's calls)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(operation, token: str, *, mode, path_parameters=None):
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def test_every_operation_answers_as_its_schema_says(settings, lado_service, agency_a, agency_a_manager, lado_officer):
    settings.API_REQUESTS_PER_MINUTE = 100_000
    case = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                  agency=agency_a))
    tokens = {
        "agency": bearer(make_client(agency_a, Role.SENIOR_MANAGER)).defaults["HTTP_AUTHORIZATION"].split()[1],
        "lado": bearer(make_client(lado_service, Role.LADO_MANAGER)).defaults["HTTP_AUTHORIZATION"].split()[1],
    }
    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:
        if "oauth" in operation.path or operation.path.endswith(("/schema/", "/docs/")):
            continue
        for who, token in tokens.items():
            with connections_kept():
                _run(operation, token, mode=GenerationMode.POSITIVE)
                if operation.method.upper() in ("POST", "PATCH"):  # invalid bodies (a GET has little to break)
                    _run(operation, token, mode=GenerationMode.NEGATIVE)
                if "{reference}" in operation.path:
                    _run(operation, token, mode=GenerationMode.POSITIVE,
                         path_parameters={"reference": case.referral.reference})
