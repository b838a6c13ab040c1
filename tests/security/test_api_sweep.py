"""The break-in sweep for the partner API (issue 20 §3): every API operation, filled with agency A's references,
called by every persona's API client (its agency and role, with every scope that role may have).

- Without a token: 401, a problem, nothing written.
- A client with no business with agency A (another LADO service's, agency B's, the police's on a case not shared
  with them): 404 on agency A's references, the same answer as for a reference that does not exist, and a write
  of theirs writes nothing. A client without the operation's scope (the analyst's): 403 for any reference alike.
- The LADO service's and agency A's clients read agency A's records.
- Nobody ever gets a 500.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Role
from api import services as api_services
from tests.api.helpers import PERSONA_CLIENTS, bearer

from .urls import MISSING, all_routes, fill
from .writes import written_since, writes

pytestmark = pytest.mark.django_db

# The operations (not the token endpoint, the schema or its documentation page).
API_ROUTES = [r for r in all_routes() if r.name.startswith("api:") and r.name not in ("api:token", "api:schema", "api:docs")]
# Who reads agency A's records: its LADO service and agency A itself.
INSIDERS = {"lado_officer", "lado_manager", "agency_a_manager", "agency_a_viewer"}
OUTSIDERS = {"other_officer", "agency_b_outsider", "police_user"}
NO_SCOPE = {"analyst"}  # figures only
# The throttle's counter (the cache table) and the access log of a read are written by any call; a refusal
# must write nothing else.
IGNORED = ("django_cache",)


@pytest.fixture(scope="module")
def clients(sweep_world, django_db_blocker):
    world = sweep_world
    made = {}
    with django_db_blocker.unblock():
        for persona, (agency_key, role) in PERSONA_CLIENTS.items():
            made[persona] = bearer(api_services.api_client_create(
                actor=world.people["lado_manager"].__class__.objects.filter(is_superuser=True).first(),
                name=f"{persona} system", agency=world.agencies[agency_key], role=role,
                scopes=sorted(api_services.SCOPES_FOR_ROLE[role])))
    return made


def _url(route, world, *, missing=False) -> str:
    kwargs = fill(route, world)
    if missing:
        kwargs = {k: {"reference": "MAS-2000-99999", "action": "MAS-2000-99999-A1",
                      "meeting": "MAS-2000-99999-M1"}.get(k, MISSING) for k in kwargs}
    return reverse(route.name, kwargs=kwargs)


def _writes():
    return {k: v for k, v in writes().items() if not k.startswith(IGNORED)}


def _written(before):
    return {k: v for k, v in written_since(before).items() if not k.startswith(IGNORED)}


def test_the_sweep_reaches_every_api_operation():
    names = {r.name for r in API_ROUTES}
    assert {"api:referral_list", "api:referral_detail", "api:case_list", "api:case_detail", "api:action_list",
            "api:action_detail", "api:action_done", "api:action_progress", "api:meeting_list", "api:meeting_detail", "api:meeting_calendar",
            "api:figures", "api:export"} <= names


@pytest.mark.parametrize("route", API_ROUTES, ids=[r.name for r in API_ROUTES])
def test_every_api_operation_for_every_persona_client(world, clients, route):
    url = _url(route, world)
    about_a = bool(route.params)
    reads = hasattr(route.callback.cls, "get")  # an operation that only writes (POST): 405 to a GET, for anyone
    problems = []
    before = _writes()
    anonymous = Client().get(url)
    if anonymous.status_code != 401 or anonymous["Content-Type"] != "application/problem+json":
        problems.append(f"GET {url} without a token: {anonymous.status_code}")
    if Client().post(url, "{}", content_type="application/json").status_code != 401:
        problems.append(f"POST {url} without a token: not 401")
    if _written(before):
        problems.append(f"calls without a token wrote {_written(before)}")
    for persona, client in clients.items():
        response = client.get(url)
        status = response.status_code
        if status >= 500:
            problems.append(f"GET {url} as {persona}'s client: {status}")
        if about_a:
            missing = client.get(_url(route, world, missing=True)).status_code
            if not reads and status != (403 if persona in NO_SCOPE else 405):
                problems.append(f"GET {url} as {persona}'s client: {status}, expected 405")
            if reads and persona in INSIDERS and status != 200:
                problems.append(f"GET {url} as {persona}'s client: {status}, expected 200")
            if reads and persona in OUTSIDERS and status != 404:
                problems.append(f"GET {url} as {persona}'s client: {status}, expected 404")
            if reads and persona in NO_SCOPE and status != 403:
                problems.append(f"GET {url} as {persona}'s client: {status}, expected 403 (no scope)")
            if persona not in INSIDERS and status != missing:
                problems.append(f"GET {url} as {persona}'s client: {status}, but {missing} for a missing reference")
        elif persona in OUTSIDERS | NO_SCOPE and status == 200 and response["Content-Type"] == "application/json":
            references = {row.get("reference") for row in response.json().get("results", [])}
            if world.referral.reference in references:
                problems.append(f"GET {url} as {persona}'s client lists agency A's {world.referral.reference}")
        if about_a and persona not in INSIDERS:
            for method in ("post", "put", "patch", "delete"):
                before = _writes()
                answer = getattr(client, method)(url, "{}", content_type="application/json")
                if answer.status_code not in (403, 404, 405):
                    problems.append(f"{method.upper()} {url} as {persona}'s client: {answer.status_code}")
                if _written(before):
                    problems.append(f"{method.upper()} {url} as {persona}'s client wrote {_written(before)}")
        if not about_a and persona in NO_SCOPE:
            before = _writes()
            answer = client.post(url, "{}", content_type="application/json")
            if answer.status_code not in (403, 405):
                problems.append(f"POST {url} as {persona}'s client (no scope): {answer.status_code}")
            if _written(before):
                problems.append(f"POST {url} as {persona}'s client wrote {_written(before)}")
    assert not problems, "\n".join(problems)
