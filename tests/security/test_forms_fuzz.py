"""Property-based tests of the main forms (hypothesis): the referral form, triage and the initial
discussion, every case action and strand, and the meeting forms, posted with arbitrary text, unicode,
NUL characters, huge values, wrong types and unexpected fields. Never a 500, and when the input is
refused (anything but the redirect of a saved form) nothing at all is written.

The fields posted are read from the form on the page itself, so a field added later is fuzzed too.
(The import parser has its own property tests: tests/interchange/test_garbled.py.)"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allegations.views import CASE_ACTIONS
from allegations.models import Strand
from tests.allegations.factories import discuss, make_referral

from .writes import written_since, writes

pytestmark = pytest.mark.django_db

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


class _Form(HTMLParser):
    """The named fields of the page's forms, with the values their options offer."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, set[str]] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag in ("input", "textarea", "select") and name and name != "csrfmiddlewaretoken":
            self.fields.setdefault(name, set())
            if tag == "input" and a.get("value") is not None and a.get("type") in ("radio", "checkbox", "hidden"):
                self.fields[name].add(a["value"])
            if tag == "select":
                self._select = name
        if tag == "option" and self._select and a.get("value") is not None:
            self.fields[self._select].add(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def fields_of(client, url) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    parser = _Form()
    parser.feed(response.content.decode())
    assert parser.fields, f"no form on {url}"
    return {name: sorted(values) for name, values in parser.fields.items()}


TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
NASTY = st.sampled_from([
    "", " ", "\x00", "abc\x00def", "x" * 100_000, "9" * 400, "-1", "0", "1e309", "NaN", "2024-02-30", "31/12/9999",
    "0001-01-01", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "\u202e\u200b\ufeff", "😀" * 500,
    "MAS-2026-00001", "MAS-2026-99999", "2147483648", "-2147483649", "true", "on", "[]", "{}",
])


def _value(options):
    choices = [TEXT, NASTY, st.integers(min_value=-(2**63), max_value=2**63).map(str),
               st.dates().map(lambda d: d.isoformat())]
    if options:
        choices.append(st.sampled_from(options))
    return st.one_of(*choices)


def posts(fields: dict[str, list[str]]):
    """Every field, some left out, one or two values each, and now and then a field no form has."""
    per_field = {name: st.one_of(st.none(), _value(options), st.lists(_value(options), min_size=2, max_size=3))
                 for name, options in fields.items()}
    extra = st.dictionaries(st.sampled_from(["id", "pk", "status", "lado_service", "referral", "actor", "is_superuser"]),
                            NASTY, max_size=2)
    return st.tuples(st.fixed_dictionaries(per_field), extra).map(
        lambda pair: {k: v for k, v in {**pair[0], **pair[1]}.items() if v is not None})


def _check(client, url, data):
    example = transaction.atomic()
    example._from_testcase = True  # each example rolled back like a test; durable services may nest in it
    with example:
        before = writes()
        response = client.post(url, data)
        status = response.status_code
        written = written_since(before)
        transaction.set_rollback(True)
    assert status < 500, f"POST {url} {data!r}: {status}"
    if status != 302:
        assert written == {}, f"POST {url} refused ({status}) but wrote {written}"


def _fuzz(client, url):
    fields = fields_of(client, url)

    @SETTINGS
    @given(data=posts(fields))
    def run(data):
        _check(client, url, data)

    run()


def test_referral_form(world, login):
    _fuzz(login(world.people["agency_a_manager"]), reverse("allegations:referral_create"))


def test_initial_discussion_and_triage(world, login):
    officer = world.people["lado_officer"]
    fresh = make_referral(actor=world.people["agency_a_manager"], lado_service=world.agencies["lado_service"],
                          agency=world.agencies["agency_a"], given="Fuzz", family="Test")
    client = login(officer)
    _fuzz(client, reverse("allegations:referral_discussion", args=[fresh.reference]))
    discussed = discuss(fresh, officer)
    _fuzz(client, reverse("allegations:referral_decision", args=[discussed.reference]))


@pytest.mark.parametrize("action", sorted(CASE_ACTIONS))
def test_case_actions(world, login, action):
    _fuzz(login(world.people["lado_officer"]), reverse("allegations:case_action", args=[world.referral.reference, action]))


@pytest.mark.parametrize("kind", Strand.Kind.values)
def test_strands(world, login, kind):
    _fuzz(login(world.people["lado_officer"]), reverse("allegations:strand_edit", args=[world.referral.reference, kind]))


@pytest.mark.parametrize("name", ["meetings:meeting_schedule", "meetings:action_create"])
def test_case_meeting_forms(world, login, name):
    _fuzz(login(world.people["lado_officer"]), reverse(name, args=[world.referral.reference]))


@pytest.mark.parametrize("name", ["meetings:invitation_create", "meetings:meeting_action_create",
                                  "meetings:minutes_edit", "meetings:attendance"])
def test_meeting_forms(world, login, name):
    _fuzz(login(world.people["lado_officer"]), reverse(name, args=[world.meeting.pk]))


@pytest.mark.parametrize("name", ["governance:retention_rules", "governance:deletion_request",
                                  "governance:deletion_decide", "governance:sar_detail"])
def test_governance_forms(world, login, name):
    args = {"governance:deletion_request": [world.referral.reference],
            "governance:deletion_decide": [world.deletion_request.pk], "governance:sar_detail": [world.sar.pk]}
    client = login(world.people["lado_manager"])
    if name == "governance:deletion_decide":  # the world's request is the manager's own: a second manager decides
        from agencies.models import Role
        from tests.agencies.factories import UserFactory, member

        client = login(member(UserFactory(username="manager.two"), world.agencies["lado_service"], Role.LADO_MANAGER))
    _fuzz(client, reverse(name, args=args.get(name, [])))


def test_notice_preferences_form(world, login):
    """Each person's e-mail choices (agencies.views.notice_preferences): refused input keeps what they had."""
    _fuzz(login(world.people["agency_a_manager"]), reverse("notice_preferences"))


def test_notify_receipts_take_any_body_without_a_500(client, settings):
    """GOV.UK Notify's receipts (outbox.views.notify_receipt) with the right token and any body: never a 500,
    and a body that is not a receipt writes nothing."""
    settings.NOTIFY_CALLBACK_TOKEN = "fuzz-token"
    url = reverse("outbox:notify_receipt")

    @SETTINGS
    @given(body=st.one_of(TEXT, NASTY, st.dictionaries(st.sampled_from(["id", "status", "reference", "completed_at"]),
                                                        st.one_of(TEXT, NASTY, st.integers(), st.none()), max_size=4)
                          .map(lambda d: __import__("json").dumps(d))))
    def run(body):
        before = writes()
        response = client.post(url, data=body, content_type="application/json",
                                HTTP_AUTHORIZATION="Bearer fuzz-token")
        assert response.status_code in (200, 204, 400), f"POST {body!r}: {response.status_code}"
        assert written_since(before) == {}  # no delivery has any of these references

    run()
