"""The generated authorization sweep: every URL pattern of every app (admin and static files aside), its
parameters filled with agency A's records, requested by every persona.

- Anonymous visitors are sent to sign in (unless the view is marked login_not_required).
- People with no business with agency A (agency B's manager, another LADO service's officer, the analyst)
  never get a 200 on agency A's records: 404 (or 405 for a method a URL never accepts), for reading and
  for writing, and a POST of theirs writes nothing.
- Nobody ever gets a 500.

It sits on top of the explicit matrices (tests/allegations/test_permissions.py, tests/meetings/...), which
say exactly what each persona gets; this one cannot be forgotten when a URL is added.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .conftest import OUTSIDERS, PERSONAS
from .urls import MISSING, NoFiller, all_routes, fill
from .writes import written_since, writes

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
# Records a persona of OUTSIDERS legitimately owns: the analyst asks for the annual report's PDFs and
# runs assurance rounds. Everything else in the world belongs to agency A and its LADO service.
OWNED_BY = {"analyst": ("reporting:", "assurance:")}


def url_of(route, world) -> str:
    kwargs = fill(route, world)
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    path = route.route
    for key, value in kwargs.items():
        path = re.sub(rf"<(?:\w+:)?{key}>", quote(str(value)), path)
    return "/" + path


def _client(login, world, persona) -> Client:
    return Client() if persona == "anonymous" else login(world.people[persona])


def _about_agency_a(route, world) -> bool:
    """The URL names one of agency A's records (a filled parameter that is not a throwaway)."""
    if not route.params or route.public:
        return False
    values = fill(route, world).values()
    return MISSING not in values and route.name.split(":")[0] not in ("accounts",)


def test_the_sweep_finds_every_app():
    names = {r.name.split(":")[0] for r in ROUTES if ":" in r.name}
    assert {"allegations", "meetings", "reporting", "governance", "records", "providers", "assurance"} <= names
    assert len(ROUTES) > 80


@pytest.mark.parametrize("route", ROUTES, ids=[str(r) for r in ROUTES])
def test_every_url_for_every_persona(world, login, route):
    try:
        url = url_of(route, world)
    except NoFiller as error:
        pytest.fail(str(error))
    record = _about_agency_a(route, world)
    problems = []
    for persona in PERSONAS:
        client = _client(login, world, persona)
        response = client.get(url)
        status = response.status_code
        if status >= 500:
            problems.append(f"GET {url} as {persona}: {status}")
        if persona == "anonymous" and not route.public:
            if status != 302 or not urlparse(response.url).path.startswith(settings.LOGIN_URL):
                problems.append(f"GET {url} anonymously: {status}, not sent to sign in")
        owns = any(route.name.startswith(p) for p in OWNED_BY.get(persona, ()))
        if record and persona in OUTSIDERS and not owns:
            if status not in (404, 405):
                problems.append(f"GET {url} as {persona}: {status}, expected 404")
            before = writes()
            posted = client.post(url, {"reason": "x", "decision": "approve"})
            written = written_since(before)
            if posted.status_code not in (404, 405):
                problems.append(f"POST {url} as {persona}: {posted.status_code}, expected 404")
            if written:
                problems.append(f"POST {url} as {persona} wrote {written}")
    assert not problems, "\n".join(problems)


def test_the_sweep_reaches_agency_a_records_of_every_app(world):
    about = [r for r in ROUTES if _about_agency_a(r, world)]
    apps_reached = {r.name.split(":")[0] for r in about}
    assert {"allegations", "meetings", "providers", "assurance", "governance"} <= apps_reached
    assert len(about) > 50


def test_a_parameter_without_a_filler_fails_with_how_to_add_one(world):
    from .urls import Route

    new = Route(route="things/<int:thing_pk>/", name="new_app:thing", params=("thing_pk",), callback=lambda r: None)
    with pytest.raises(NoFiller, match=r"add a line for it to FILLERS in tests/security/urls.py"):
        fill(new, world)
