"""Who may open and do what: every URL of the meetings app for every persona, and the rules
that decide which minute sections an invitee sees.

Outsiders get 404 whether the meeting exists or not; a 403 only for an action a person may
not take on something they can see; anonymous visitors go to the login page. A URL added to
meetings/urls.py without a row here fails test_every_meetings_url_is_in_the_matrix.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlparse

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone

from agencies.models import AgencyKind, Partnership, Role, Sector
from allegations.models import Case, Event
from meetings import selectors, services
from meetings.models import AccessLevel, Action, Circulation, GuestAccess, Invitation, Meeting
from tests.agencies.factories import AgencyFactory, UserFactory, member
from tests.allegations.factories import make_case, make_referral
from tests.forms import with_dates
from tests.meetings.factories import approve, circulate, held_meeting_with_minutes, invite, schedule

pytestmark = pytest.mark.django_db

PERSONAS = ["lado_officer", "chair", "other_officer", "agency_a_manager", "agency_a_viewer", "agency_b_outsider",
            "police_user", "analyst", "anonymous"]
LOGIN = "->login"
DENIED = {403, 404, LOGIN}
MEETING = "->meetings:meeting_detail"


def _row(lado, chair, other, a_manager, a_viewer, b_outsider, police, analyst, anonymous=LOGIN):
    return dict(zip(PERSONAS, [lado, chair, other, a_manager, a_viewer, b_outsider, police, analyst, anonymous]))


def _outcome(response) -> int | str:
    if response.status_code in (301, 302):
        return "->" + resolve(urlparse(response.url).path).view_name
    return response.status_code


# The case's LADO service and the chair manage the meeting; the invited police see it; agency A
# (which made the referral and sees the case) was not invited: the meeting does not exist for it.
MANAGE_PAGE = _row(200, 200, 404, 404, 404, 404, 403, 404)
MANAGE_POST = _row(MEETING, MEETING, 404, 404, 404, 404, 403, 404)
SEE_PAGE = _row(200, 200, 404, 404, 404, 404, 200, 404)
CHAIR_ONLY = _row(403, 200, 404, 404, 404, 404, 403, 404)
# From the case: agency A sees the case, so scheduling or recording an action is refused with 403.
FROM_CASE = _row(200, 200, 404, 403, 403, 404, 404, 404)


@dataclass
class World:
    people: dict
    agencies: dict
    case: Case
    meeting: Meeting
    action: Action

    def fixture(self, name):
        return self.people.get(name) or self.agencies[name]


def _build_world() -> World:
    Partnership.objects.create(name="Testshire Partnership")
    lado = AgencyFactory(name="Testshire LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE)
    agencies = {
        "lado_service": lado,
        "other_lado_service": AgencyFactory(name="Elsewhere LADO Service", kind=AgencyKind.LADO_SERVICE,
                                            sector=Sector.SOCIAL_CARE),
        "agency_a": AgencyFactory(name="Riverside Primary", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION, lado_service=lado),
        "agency_b": AgencyFactory(name="Hilltop Academy", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION, lado_service=lado),
        "police_agency": AgencyFactory(name="Testshire Police", kind=AgencyKind.POLICE, sector=Sector.POLICE, lado_service=lado),
        "business_unit": AgencyFactory(name="Business Unit", kind=AgencyKind.BUSINESS_UNIT, sector=Sector.OTHER, lado_service=lado),
    }
    people = {
        "lado_officer": member(UserFactory(username="officer"), lado, Role.LADO_OFFICER),
        "chair": member(UserFactory(username="chair"), lado, Role.CHAIR),
        "other_officer": member(UserFactory(username="elsewhere"), agencies["other_lado_service"], Role.LADO_OFFICER),
        "agency_a_manager": member(UserFactory(username="a.manager"), agencies["agency_a"], Role.SENIOR_MANAGER),
        "agency_a_viewer": member(UserFactory(username="a.viewer"), agencies["agency_a"], Role.AGENCY_VIEWER),
        "agency_b_outsider": member(UserFactory(username="b.manager"), agencies["agency_b"], Role.SENIOR_MANAGER),
        "police_user": member(UserFactory(username="police"), agencies["police_agency"], Role.PARTICIPANT),
        "analyst": member(UserFactory(username="analyst"), agencies["business_unit"], Role.ANALYST),
    }
    referral = make_referral(actor=people["agency_a_manager"], lado_service=lado, agency=agencies["agency_a"],
                             received_at=timezone.now() - dt.timedelta(days=1))
    case = make_case(officer=people["lado_officer"], referral=referral)
    meeting = held_meeting_with_minutes(case, actor=people["lado_officer"], chair=people["chair"])
    invite(meeting, actor=people["chair"], agency=agencies["police_agency"])
    approve(meeting, chair=people["chair"])
    circulate(meeting, chair=people["chair"])
    action = services.action_create(actor=people["chair"], case=case, meeting=meeting, agency=agencies["police_agency"],
                                    description="Interview the teacher", due_on=timezone.localdate() + dt.timedelta(days=5))
    return World(people=people, agencies=agencies, case=case, meeting=meeting, action=action)


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each test nests in a savepoint."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(db, matrix_world):
    return matrix_world


@dataclass(frozen=True)
class Endpoint:
    name: str
    args: Callable[[World], list]
    method: str = "get"
    data: Callable[[World], dict] | None = None  # valid data: a POST that works

    def __post_init__(self):
        if self.data is not None:  # dates posted as a browser posts them: day, month and year boxes
            raw = self.data
            object.__setattr__(self, "data", lambda w: with_dates(raw(w)))


def _invitation(w: World) -> int:
    return w.meeting.invitations.get(agency__isnull=False).pk


def _external(w: World) -> Invitation:
    """A named external invitee without an account (made inside the test, so rolled back with it)."""
    invitation = w.meeting.invitations.filter(email="jo@charity.example.org").first()
    return invitation or invite(w.meeting, actor=w.fixture("chair"), name="Jo Bloggs", email="jo@charity.example.org",
                                access_level="employer")


def _guest(w: World) -> int:
    invitation = _external(w)
    if not GuestAccess.objects.filter(invitation=invitation).exists():
        services.guest_access_grant(actor=w.fixture("chair"), invitation=invitation)
    return invitation.pk


def _police_pdf(w: World) -> int:
    """The police's own PDF of version 1 (asked for, not yet made: the download sends them to its page)."""
    return services.minutes_pdf_request(actor=w.fixture("police_user"), version=w.meeting.minutes.versions.get(number=1),
                                        variant="safeguarding").pk


TOMORROW = lambda: (timezone.localdate() + dt.timedelta(days=1)).isoformat()  # noqa: E731
M = lambda w: [w.meeting.pk]  # noqa: E731

ENDPOINTS: dict[str, Endpoint] = {
    "meeting_schedule": Endpoint("meetings:meeting_schedule", lambda w: [w.case.reference], data=lambda w: {
        "kind": "review", "scheduled_at": (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "location": "County Hall", "chair": w.fixture("chair").pk}),
    "action_create": Endpoint("meetings:action_create", lambda w: [w.case.reference], data=lambda w: {
        "description": "Send the letter", "agency": w.fixture("agency_a").pk, "due_on": TOMORROW()}),
    "meeting_detail": Endpoint("meetings:meeting_detail", M),
    "invitation_create": Endpoint("meetings:invitation_create", M, data=lambda w: {
        "name": "Jo Hart", "access_level": "employer"}),
    "invitation_suggested": Endpoint("meetings:invitation_suggested", M, "post", lambda w: {"key": "employer"}),
    "invitation_edit": Endpoint("meetings:invitation_edit", lambda w: [w.meeting.pk, _invitation(w)],
                                data=lambda w: {"access_level": "full"}),
    "invitation_remove": Endpoint("meetings:invitation_remove", lambda w: [w.meeting.pk, _invitation(w)], "post",
                                  lambda w: {}),
    "attendance": Endpoint("meetings:attendance", M, data=lambda w: {f"attendance_{_invitation(w)}": "attended"}),
    "meeting_hold": Endpoint("meetings:meeting_hold", M),
    "meeting_cancel": Endpoint("meetings:meeting_cancel", M, data=lambda w: {"reason": "Not needed"}),
    "minutes_edit": Endpoint("meetings:minutes_edit", M),
    "minutes_approve": Endpoint("meetings:minutes_approve", M),
    "minutes_circulate": Endpoint("meetings:minutes_circulate", M),
    "minutes_version": Endpoint("meetings:minutes_version", lambda w: [w.meeting.pk, 1]),
    "meeting_action_create": Endpoint("meetings:meeting_action_create", M, data=lambda w: {
        "description": "Send the letter", "agency": w.fixture("agency_a").pk, "due_on": TOMORROW()}),
    "action_list": Endpoint("meetings:action_list", lambda w: []),
    "meeting_list": Endpoint("meetings:meeting_list", lambda w: []),
    "action_complete": Endpoint("meetings:action_complete", lambda w: [w.action.pk], data=lambda w: {"evidence": "Done."}),
    "action_cancel": Endpoint("meetings:action_cancel", lambda w: [w.action.pk], data=lambda w: {"reason": "Not needed"}),
    "pdf_request": Endpoint("meetings:pdf_request", lambda w: [w.meeting.pk, 1], data=lambda w: {
        "variant": "full", "recipient": "The case file"}),
    "pdf_request_mine": Endpoint("meetings:pdf_request_mine", lambda w: [w.meeting.pk, 1], "post", lambda w: {}),
    "withholding_create": Endpoint("meetings:withholding_create", lambda w: [w.meeting.pk, 1], data=lambda w: {
        "text": "no unsupervised contact with pupils", "reason": "Not for the subject."}),
    "pdf_detail": Endpoint("meetings:pdf_detail", lambda w: [w.meeting.pk, _police_pdf(w)]),
    "pdf_download": Endpoint("meetings:pdf_download", lambda w: [w.meeting.pk, _police_pdf(w)]),
    "guest_grant": Endpoint("meetings:guest_grant", lambda w: [w.meeting.pk, _external(w).pk], data=lambda w: {
        "expires_on": TOMORROW()}),
    "guest_end": Endpoint("meetings:guest_end", lambda w: [w.meeting.pk, _guest(w)], "post", lambda w: {}),
    "guest_set_password": Endpoint("meetings:guest_set_password", lambda w: ["MQ", "not-a-token"]),
    # Deliveries (issue 17): sending the invitations, moving the meeting, the chair's record of who was not reached.
    "invitations_send": Endpoint("meetings:invitations_send", M, "post", lambda w: {}),
    "meeting_reschedule": Endpoint("meetings:meeting_reschedule", M),
    "circulation_unreached": Endpoint("meetings:circulation_unreached", lambda w: [
        w.meeting.pk, Circulation.objects.filter(version__minutes__meeting=w.meeting).order_by("pk").first().pk]),
    "circulation_send_again": Endpoint("meetings:circulation_send_again", lambda w: [
        w.meeting.pk, Circulation.objects.filter(version__minutes__meeting=w.meeting).order_by("pk").first().pk],
        "post", lambda w: {}),
}

MATRIX: dict[str, dict] = {
    "meeting_schedule": FROM_CASE,
    "action_create": FROM_CASE,
    "meeting_detail": SEE_PAGE,
    "invitation_create": MANAGE_PAGE,
    "invitation_suggested": MANAGE_POST,
    "invitation_edit": MANAGE_PAGE,
    "invitation_remove": MANAGE_POST,
    "attendance": MANAGE_PAGE,
    "meeting_hold": MANAGE_PAGE,
    "meeting_cancel": MANAGE_PAGE,
    "minutes_edit": MANAGE_PAGE,
    "minutes_approve": CHAIR_ONLY,
    "minutes_circulate": CHAIR_ONLY,
    "minutes_version": SEE_PAGE,
    "meeting_action_create": MANAGE_PAGE,
    # Everyone with a role in an agency has "Our actions" (the LADO service is an agency too); analysts do not.
    "action_list": _row(200, 200, 200, 200, 200, 200, 200, 403),
    # Everyone signed in has the list; it holds only the meetings they may see (test_views).
    "meeting_list": _row(200, 200, 200, 200, 200, 200, 200, 200),
    # The police's action: the police mark it done; the LADO service and the chair manage it.
    "action_complete": _row(200, 200, 404, 404, 404, 404, 200, 404),
    "action_cancel": _row(200, 200, 404, 404, 404, 404, 403, 404),
    # PDFs: the chair and the LADO service prepare them; an invitee asks for their own, at their level.
    "pdf_request": MANAGE_PAGE,
    "pdf_request_mine": _row("->meetings:pdf_detail", "->meetings:pdf_detail", 404, 404, 404, 404,
                             "->meetings:pdf_detail", 404),
    "withholding_create": CHAIR_ONLY,
    "pdf_detail": SEE_PAGE,  # the police's own PDF
    "pdf_download": _row("->meetings:pdf_detail", "->meetings:pdf_detail", 404, 404, 404, 404,
                         "->meetings:pdf_detail", 404),  # not made yet: back to its page
    # Guests: the chair (or an administrator) gives and ends them.
    "guest_grant": CHAIR_ONLY,
    "guest_end": _row(403, MEETING, 404, 404, 404, 404, 403, 404),
    # The one-time link works signed out; a wrong link says so, to anyone.
    "guest_set_password": _row(200, 200, 200, 200, 200, 200, 200, 200, 200),
    "invitations_send": MANAGE_POST,
    "meeting_reschedule": MANAGE_PAGE,
    "circulation_unreached": CHAIR_ONLY,
    # Only the chair sends the minutes again (back to the meeting's page, saying whether anything was sent).
    "circulation_send_again": _row(403, MEETING, 404, 404, 404, 404, 403, 404),
}

ROWS = [(key, persona, MATRIX[key][persona]) for key in MATRIX for persona in PERSONAS]


def _client(world: World, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(world.people[persona])
    return client


@pytest.mark.parametrize(("key", "persona", "expected"), ROWS, ids=[f"{k}-{p}" for k, p, _ in ROWS])
def test_authorization_matrix(world, key, persona, expected):
    endpoint = ENDPOINTS[key]
    url = reverse(endpoint.name, args=endpoint.args(world))
    client = _client(world, persona)
    if endpoint.method == "get":
        assert _outcome(client.get(url)) == expected, f"GET {url} as {persona}"
    else:
        assert _outcome(client.post(url, endpoint.data(world))) == expected, f"POST {url} as {persona}"
    if expected in DENIED:
        # Denied for reading means denied for writing, with valid data, and nothing is recorded.
        events = Event.objects.count()
        assert _outcome(client.post(url, endpoint.data(world) if endpoint.data else {})) == expected, f"POST {url} as {persona}"
        assert Event.objects.count() == events


def test_every_meetings_url_is_in_the_matrix():
    namespace = get_resolver().namespace_dict["meetings"][1]
    names = {p.name for p in namespace.url_patterns}
    assert names and names == set(MATRIX) == set(ENDPOINTS)
    assert all(set(row) == set(PERSONAS) for row in MATRIX.values())


@pytest.mark.parametrize("persona", ["lado_officer", "police_user", "agency_b_outsider"])
@pytest.mark.parametrize("path", ["/meetings/999999/", "/meetings/999999/minutes/", "/meetings/999999/minutes/versions/1/",
                                  "/meetings/999999/invitations/new/", "/actions/999999/done/",
                                  "/cases/MAS-1999-99999/meetings/new/", "/cases/MAS-1999-99999/actions/new/"])
def test_a_meeting_or_action_that_does_not_exist_is_404_for_everyone(world, persona, path):
    assert _client(world, persona).get(path).status_code == 404


def test_an_invitation_of_another_meeting_is_404(world):
    other = schedule(world.case, actor=world.fixture("lado_officer"), chair=world.fixture("chair"))
    stranger = invite(other, actor=world.fixture("chair"), name="Jo Hart", access_level="employer")
    client = _client(world, "lado_officer")
    assert client.get(reverse("meetings:invitation_edit", args=[world.meeting.pk, stranger.pk])).status_code == 404
    assert client.post(reverse("meetings:invitation_remove", args=[world.meeting.pk, stranger.pk])).status_code == 404
    assert other.invitations.count() == 1


@pytest.mark.parametrize("persona", ["chair", "lado_officer"])
def test_the_chair_and_the_lado_service_take_each_meeting_action_with_valid_data(world, persona):
    for key in ("invitation_edit", "attendance", "invitation_create", "meeting_action_create", "action_create",
                "meeting_schedule", "meeting_cancel", "action_complete"):
        endpoint = ENDPOINTS[key]
        if key == "meeting_cancel":  # the held meeting cannot be cancelled: cancel the one just scheduled
            endpoint = Endpoint(endpoint.name, lambda w: [w.case.meetings.latest("pk").pk], data=endpoint.data)
        events = Event.objects.count()
        response = _client(world, persona).post(reverse(endpoint.name, args=endpoint.args(world)), endpoint.data(world))
        assert response.status_code == 302, key
        assert Event.objects.count() == events + 1, key


# --- Sharing takes effect on the next request -------------------------------------------------------------


def test_the_police_stop_seeing_the_meeting_when_uninvited(world):
    client = _client(world, "police_user")
    url = reverse("meetings:meeting_detail", args=[world.meeting.pk])
    assert client.get(url).status_code == 200
    services.invitation_remove(actor=world.fixture("chair"), invitation=world.meeting.invitations.get())
    assert client.get(url).status_code == 404
    assert client.get(reverse("meetings:minutes_version", args=[world.meeting.pk, 1])).status_code == 404


def test_the_referring_agency_sees_the_case_but_not_a_meeting_it_was_not_invited_to(world):
    client = _client(world, "agency_a_manager")
    html = "\n".join(client.get(reverse(f"allegations:case_{slug}", args=[world.case.reference])).content.decode()
                     for slug in ("detail", "meetings", "actions"))
    assert f'href="/meetings/{world.meeting.pk}/"' not in html and "No meetings yet." in html
    assert "Interview the teacher" not in html, "another agency's action"
    assert "Schedule a meeting" not in html and "Record an action" not in html


def test_the_invited_police_do_not_see_the_case_through_the_meeting(world):
    client = _client(world, "police_user")
    html = client.get(reverse("meetings:meeting_detail", args=[world.meeting.pk])).content.decode()
    assert f'href="/cases/{world.case.reference}/"' not in html
    assert client.get(reverse("allegations:case_detail", args=[world.case.reference])).status_code == 404


def test_the_invited_police_see_no_management_controls(world):
    html = _client(world, "police_user").get(reverse("meetings:meeting_detail", args=[world.meeting.pk])).content.decode()
    for control in ("Invite someone", "Edit the minutes", "Approve the minutes", "Circulate the minutes",
                    "Suggested from the case", "Record an action", "Give a guest account"):
        assert control not in html, control
    # Their one form asks for their own PDF of the minutes.
    assert re.findall(r'action="(/meetings/[^"]*)"', html) == [
        reverse("meetings:pdf_request_mine", args=[world.meeting.pk, 1])]


# --- Which sections: access_level_for ---------------------------------------------------------------------


def _people(world):
    police = world.fixture("police_agency")
    colleague = member(UserFactory(username="police.two"), police, Role.PARTICIPANT)
    return police, world.fixture("police_user"), colleague


def test_a_personal_invitation_decides_a_persons_access(world):
    meeting, chair = world.meeting, world.fixture("chair")
    police, police_user, colleague = _people(world)  # the agency-wide invitation is at safeguarding level
    personal = invite(meeting, actor=chair, user=colleague, access_level="employer")
    invitations = list(meeting.invitations.all())
    assert selectors.access_level_for(colleague, meeting, invitations) == AccessLevel.EMPLOYER
    assert selectors.access_level_for(police_user, meeting, invitations) == AccessLevel.SAFEGUARDING
    services.invitation_update(actor=chair, invitation=personal, access_level="full")
    assert selectors.access_level_for(colleague, meeting, list(meeting.invitations.all())) == AccessLevel.FULL


def test_a_colleagues_personal_invitation_is_never_passed_on_to_the_rest_of_the_agency(world):
    meeting, chair = world.meeting, world.fixture("chair")
    police, police_user, colleague = _people(world)
    services.invitation_remove(actor=chair, invitation=meeting.invitations.get())  # no agency-wide invitation
    invite(meeting, actor=chair, user=colleague, access_level="full")
    assert list(Meeting.objects.visible_to(police_user)) == [meeting], "shared with the police's group"
    assert selectors.access_level_for(police_user, meeting, list(meeting.invitations.all())) is None
    html = _client(world, "police_user").get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    # Issue 12 §2: the version went to the colleague's own invitation, so none is readable here at all (before,
    # the version was shown with no section in it).
    assert "No version of the minutes has been sent to you." in html and "Medium risk" not in html
    # Someone without an account attending for the police: the agency's people see what that invitation allows.
    invite(meeting, actor=chair, agency=police, name="DC Jones", access_level="employer")
    invitations = list(meeting.invitations.all())
    assert selectors.access_level_for(police_user, meeting, invitations) == AccessLevel.EMPLOYER
    assert selectors.access_level_for(colleague, meeting, invitations) == AccessLevel.FULL


def test_the_chair_and_the_lado_service_see_everything_and_an_outsider_nothing(world):
    meeting = world.meeting
    invitations = list(meeting.invitations.all())
    for persona in ("chair", "lado_officer"):
        assert selectors.access_level_for(world.fixture(persona), meeting, invitations) == AccessLevel.FULL
    assert selectors.access_level_for(world.fixture("agency_b_outsider"), meeting, invitations) is None
