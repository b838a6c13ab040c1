"""The meetings pages: scheduling from the case, the meeting page, minutes editing with two people at
once, approval, circulation, what each access level sees on screen, actions, and query counts."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import AgencyKind, Role
from meetings import services
from meetings.models import Action, Circulation, Meeting, MinutesVersion
from outbox.services import messages_drain as outbox_drain
from tests.agencies.factories import AgencyFactory, UserFactory, member
from tests.forms import typed, with_dates
from tests.meetings.factories import (
    REQUIRED_TEXT,
    approve,
    circulate,
    hold,
    held_meeting_with_minutes,
    invite,
    make_strategy_case,
    schedule,
    write,
)

pytestmark = pytest.mark.django_db

CHILD_TEXT = "Sam disclosed at school that the teacher grabbed them; Sam lives with mum at 4 Elm Road."
ADULT_TEXT = "The teacher is on alternative duties away from pupils; HR to hold an investigation meeting."
RESTRICTED_TEXT = "Police intelligence about an earlier partner: not to be shared."
GENERAL_TEXT = "The meeting was convened to evaluate the allegation."


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def detail_url(meeting):
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def error_summary(html: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


@pytest.fixture
def strategy_meeting(referral, lado_officer, chair):
    """A held strategy discussion with a child section, an adult section and a restricted note."""
    case = make_strategy_case(officer=lado_officer, referral=referral)
    return held_meeting_with_minutes(
        case, actor=lado_officer, chair=chair, kind="strategy_discussion",
        purpose=GENERAL_TEXT, child_information=CHILD_TEXT, adult_employment=ADULT_TEXT, restricted_notes=RESTRICTED_TEXT,
    )


@pytest.fixture
def early_case(agency_a_manager, lado_service, agency_a, lado_officer):
    """A case whose referral arrived two hours ago (a form's minute-precision time can be before 'now')."""
    from tests.allegations.factories import make_case, make_referral

    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             received_at=timezone.now() - dt.timedelta(hours=2))
    return make_case(officer=lado_officer, referral=referral)


@pytest.fixture
def hr_person(agency_a):
    return member(UserFactory(username="a.hr"), agency_a, Role.PARTICIPANT, "HR officer")


# --- Scheduling from the case page --------------------------------------------------------------------


def test_the_lado_schedules_a_meeting_from_the_case_page(login, case, lado_officer, chair):
    client = login(lado_officer)
    html = page(client, reverse("allegations:case_meetings", args=[case.reference]))
    schedule_url = reverse("meetings:meeting_schedule", args=[case.reference])
    assert schedule_url in html and "No meetings yet." in html
    when = (timezone.localtime() + dt.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    response = client.post(schedule_url, with_dates({
        "kind": "initial", "scheduled_at": when.strftime("%Y-%m-%dT%H:%M"), "location": "Room 4, County Hall",
        "online_link": "", "chair": chair.pk, "minute_taker": "", "chaired_by_service": "on",
    }))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == detail_url(meeting)
    assert (meeting.kind, meeting.scheduled_at, meeting.chair) == ("initial", when, chair)
    html = page(client, reverse("allegations:case_meetings", args=[case.reference]))
    assert detail_url(meeting) in html and "Initial position-of-trust" in html


def test_bad_scheduling_input_gives_clear_errors(login, case, lado_officer):
    client = login(lado_officer)
    response = client.post(reverse("meetings:meeting_schedule", args=[case.reference]), with_dates({
        "kind": "press_conference", **typed("scheduled_at", "31", "2", "2025", hour="25", minute="00"), "location": "",
        "online_link": "not a link",
        "chair": "999999", "minute_taker": "abc",
    }))
    assert response.status_code == 200
    summary = error_summary(response.content.decode())
    for message in ("Choose the kind of meeting.", "The date and time of the meeting must be a real date", "Enter the link in full",
                    "Choose a chair from the list.", "Choose a minute taker from the list."):
        assert message in summary
    assert not Meeting.objects.exists()


def test_the_strategy_route_suggests_a_strategy_discussion(login, referral, lado_officer):
    case = make_strategy_case(officer=lado_officer, referral=referral)
    html = page(login(lado_officer), reverse("meetings:meeting_schedule", args=[case.reference]))
    assert re.search(r'value="strategy_discussion"\s+checked', html)


# --- The meeting page -----------------------------------------------------------------------------------


def test_the_meeting_page_shows_invitees_suggestions_and_invites_from_a_suggestion(login, case, lado_officer, chair,
                                                                                   police_agency):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    client = login(chair)
    html = page(client, detail_url(meeting))
    assert "Suggested from the case" in html and "Testshire Police" in html and "Riverside Primary" in html
    response = client.post(reverse("meetings:invitation_suggested", args=[meeting.pk]), {"key": f"police:{police_agency.pk}"})
    assert response.status_code == 302
    invitation = meeting.invitations.get()
    assert (invitation.agency, invitation.access_level) == (police_agency, "safeguarding")
    html = page(client, detail_url(meeting))
    assert "Safeguarding professional" in html and "Suggested: A possible criminal offence" not in html
    assert f'name="key" value="police:{police_agency.pk}"' not in html
    # An unknown or repeated suggestion is a message, not an error page.
    response = client.post(reverse("meetings:invitation_suggested", args=[meeting.pk]), {"key": f"police:{police_agency.pk}"},
                           follow=True)
    assert response.status_code == 200 and "no longer available" in response.content.decode()


def test_inviting_an_external_person_through_the_form(login, case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    client = login(chair)
    url = reverse("meetings:invitation_create", args=[meeting.pk])
    response = client.post(url, {"agency": "", "user": "", "name": "", "email": "bad", "access_level": "everything"})
    summary = error_summary(response.content.decode())
    assert "Choose an agency or a person" in summary and "Enter an email address in the correct format" in summary
    assert "Choose what they may see of the minutes." in summary and "Select a valid choice" not in summary
    response = client.post(url, {"name": "Jo Hart", "role": "HR officer, Little Acorns Charity", "email": "jo@acorns.example",
                                 "access_level": "employer"})
    assert response.status_code == 302
    assert meeting.invitations.get().display_name == "Jo Hart"


def test_attendance_and_holding_through_the_forms(login, early_case, lado_officer, chair, police_agency):
    meeting = schedule(early_case, actor=lado_officer, chair=chair)
    police = invite(meeting, actor=chair, agency=police_agency)
    client = login(chair)
    response = client.post(reverse("meetings:meeting_hold", args=[meeting.pk]), with_dates({"held_at": "", f"attendance_{police.pk}": "maybe"}))
    summary = error_summary(response.content.decode())
    assert "Enter when the meeting was held." in summary and "Say whether Testshire Police attended." in summary
    held_at = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    response = client.post(reverse("meetings:meeting_hold", args=[meeting.pk]),
                           with_dates({"held_at": held_at.strftime("%Y-%m-%dT%H:%M"), f"attendance_{police.pk}": "attended"}))
    assert response.status_code == 302
    meeting.refresh_from_db()
    police.refresh_from_db()
    assert (meeting.status, meeting.held_at, police.attendance) == ("held", held_at, "attended")
    html = page(client, detail_url(meeting))
    assert "Minutes due" in html and "Attended" in html


# --- Minutes: two people editing at once ---------------------------------------------------------------------


def minutes_post(html: str, **bodies) -> dict:
    """The edit form as loaded (its hidden revision and every field), with some sections' text changed."""
    data = {"revision": re.search(r'name="revision" id="id_revision" value="(\d+)"', html).group(1)}
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        data[name] = unescape(value)
    for name in re.findall(r'<select[^>]*name="([^"]+)"', html):
        selected = re.search(rf'name="{re.escape(name)}".*?<option value="([^"]+)" selected', html, re.S)
        data[name] = selected.group(1)
    for key, body in bodies.items():
        data[f"{key}-body"] = body
    return data


def test_a_second_save_is_refused_with_its_text_kept_and_the_others_text_shown(login, case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    taker, chairing = login(lado_officer), login(chair)
    url = reverse("meetings:minutes_edit", args=[meeting.pk])
    taker_form, chair_form = page(taker, url), page(chairing, url)

    assert taker.post(url, minutes_post(taker_form, purpose="Taker's purpose.")).status_code == 302
    response = chairing.post(url, minutes_post(chair_form, purpose="Chair's purpose.", decisions="Chair's decisions."))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved these minutes while you were editing" in error_summary(html)
    assert re.search(r'name="purpose-body"[^>]*>\n?Chair&#39;s purpose\.</textarea>', html), "the chair's text is kept"
    assert re.search(r'name="decisions-body"[^>]*>\n?Chair&#39;s decisions\.</textarea>', html)
    assert "Saved by someone else while you were editing" in html and "Taker&#39;s purpose." in html
    minutes = meeting.minutes
    minutes.refresh_from_db()
    assert minutes.sections.get(key="purpose").body == "Taker's purpose.", "nothing was overwritten"
    assert f'name="revision" id="id_revision" value="{minutes.revision}"' in html

    # Saving the re-shown form again is a deliberate choice to keep the chair's text.
    assert chairing.post(url, minutes_post(html)).status_code == 302
    assert minutes.sections.get(key="purpose").body == "Chair's purpose."


def test_the_edit_page_shows_each_sections_audience(login, case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair, kind="initial")
    html = page(login(lado_officer), reverse("meetings:minutes_edit", args=[meeting.pk]))
    assert re.search(r'name="children_involved-audience".*?<option value="child" selected', html, re.S)
    assert "(required before approval)" in html and 'name="disagreements-none_raised"' in html


def test_a_minutes_post_without_its_revision_is_an_error_not_a_crash(login, case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    response = login(lado_officer).post(reverse("meetings:minutes_edit", args=[meeting.pk]),
                                        {"purpose-body": "x", "purpose-audience": "nobody"})
    assert response.status_code == 200
    assert "Reload the page and try again." in response.content.decode()


# --- Approval and circulation through the pages ------------------------------------------------------------


def test_approval_lists_the_sections_still_to_complete(login, case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    hold(meeting, actor=chair)
    write(meeting, actor=chair, decisions=REQUIRED_TEXT["decisions"])
    client = login(chair)
    url = reverse("meetings:minutes_approve", args=[meeting.pk])
    summary = error_summary(page(client, url))
    assert "Complete ‘How confidentiality was handled’" in summary and 'href="#section-confidentiality"' in summary
    assert "tick ‘None raised’" in summary and "Decisions and rationale" not in summary
    meeting.minutes.refresh_from_db()
    response = client.post(url, {"revision": meeting.minutes.revision})
    assert response.status_code == 200 and "Complete ‘How confidentiality was handled’" in response.content.decode()
    assert not MinutesVersion.objects.exists()


def test_the_chair_approves_and_circulates_through_the_pages(login, case, lado_officer, chair, police_agency,
                                                             police_user):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    police_agency.meeting_roles = ["participant"]  # the force's participants receive its minutes
    police_agency.save()
    police = invite(meeting, actor=chair, agency=police_agency)
    client = login(chair)
    assert client.post(reverse("meetings:minutes_approve", args=[meeting.pk]),
                       {"revision": meeting.minutes.revision}).status_code == 302
    url = reverse("meetings:minutes_circulate", args=[meeting.pk])
    assert f'value="{police.pk}" checked' in page(client, url).replace('checked=""', "checked")
    assert client.post(url, {"invitations": [str(police.pk)]}).status_code == 302
    html = page(client, detail_url(meeting))
    assert "Circulation" in html and "Waiting to send" in html and "Met on time" not in html
    outbox_drain()  # the worker sends it: the minutes reach the police, and the deadline is met then
    html = page(client, detail_url(meeting))
    assert "Met on time" in html and "Waiting to send" not in html
    response = client.post(url, {"invitations": ["999999"]})
    assert "Choose people invited to this meeting." in error_summary(response.content.decode())


def test_a_stale_approval_is_refused_on_the_page(login, case, lado_officer, chair):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    seen = meeting.minutes.revision
    write(meeting, actor=lado_officer, purpose="Late addition.")
    response = login(chair).post(reverse("meetings:minutes_approve", args=[meeting.pk]), {"revision": seen})
    assert "changed since you opened this page" in error_summary(response.content.decode())
    assert not MinutesVersion.objects.exists()


# --- What each access level sees on screen ---------------------------------------------------------------------


def circulate_to(meeting, chair, **invitations):
    approve(meeting, chair=chair)
    made = {name: invite(meeting, actor=chair, **kw) for name, kw in invitations.items()}
    circulate(meeting, chair=chair)
    return made


def test_an_employer_invitee_sees_only_general_and_employment_sections(login, strategy_meeting, chair, hr_person):
    circulate_to(strategy_meeting, chair, hr={"user": hr_person, "access_level": "employer"})
    html = page(login(hr_person), detail_url(strategy_meeting))
    assert ADULT_TEXT in html and GENERAL_TEXT in html
    assert "Sam disclosed" not in html and "4 Elm Road" not in html
    assert RESTRICTED_TEXT not in html
    assert "Employer or HR" in html
    assert "The child or children: information shared" not in html


def test_a_safeguarding_invitee_sees_the_child_sections_but_not_restricted_ones(login, strategy_meeting, chair,
                                                                                 police_agency, police_user):
    circulate_to(strategy_meeting, chair, police={"agency": police_agency, "access_level": "safeguarding"})
    html = page(login(police_user), detail_url(strategy_meeting))
    assert CHILD_TEXT in html and ADULT_TEXT in html and GENERAL_TEXT in html
    assert RESTRICTED_TEXT not in html


def test_a_full_access_invitee_sees_every_section(login, strategy_meeting, chair, police_agency, police_user):
    circulate_to(strategy_meeting, chair, police={"agency": police_agency, "access_level": "full"})
    html = page(login(police_user), detail_url(strategy_meeting))
    assert RESTRICTED_TEXT in html and CHILD_TEXT in html


def test_the_chair_sees_every_section_of_the_draft(login, strategy_meeting, chair):
    html = page(login(chair), detail_url(strategy_meeting))
    for text in (CHILD_TEXT, ADULT_TEXT, RESTRICTED_TEXT, GENERAL_TEXT):
        assert text.replace("'", "&#39;") in html


def test_an_invitee_sees_nothing_of_the_minutes_before_they_are_circulated(login, strategy_meeting, chair, police_agency,
                                                                          police_user):
    invite(strategy_meeting, actor=chair, agency=police_agency, access_level="full")
    approve(strategy_meeting, chair=chair)
    html = page(login(police_user), detail_url(strategy_meeting))
    assert "The minutes have not been circulated yet." in html
    assert CHILD_TEXT not in html and GENERAL_TEXT not in html
    page(login(police_user), reverse("meetings:minutes_version", args=[strategy_meeting.pk, 1]), status=404)
    page(login(police_user), reverse("meetings:minutes_edit", args=[strategy_meeting.pk]), status=403)


def test_an_earlier_version_stays_readable_at_the_same_access_level(login, strategy_meeting, chair, lado_officer, hr_person):
    circulate_to(strategy_meeting, chair, hr={"user": hr_person, "access_level": "employer"})
    write(strategy_meeting, actor=lado_officer, adult_employment="Now suspended on full pay.")
    approve(strategy_meeting, chair=chair)
    circulate(strategy_meeting, chair=chair)
    client = login(hr_person)
    first = page(client, reverse("meetings:minutes_version", args=[strategy_meeting.pk, 1]))
    assert ADULT_TEXT in first and "This is an earlier version" in first and "Sam disclosed" not in first
    second = page(client, reverse("meetings:minutes_version", args=[strategy_meeting.pk, 2]))
    assert "Now suspended on full pay." in second and ADULT_TEXT not in second
    assert "Now suspended on full pay." in page(client, detail_url(strategy_meeting))
    page(client, reverse("meetings:minutes_version", args=[strategy_meeting.pk, 3]), status=404)


def test_reading_the_minutes_is_logged(login, strategy_meeting, chair, hr_person):
    from allegations.models import AccessLog

    circulate_to(strategy_meeting, chair, hr={"user": hr_person, "access_level": "employer"})
    page(login(hr_person), reverse("meetings:minutes_version", args=[strategy_meeting.pk, 1]))
    assert AccessLog.objects.filter(user=hr_person, what="minutes", case=strategy_meeting.case).count() == 1


# --- Actions -------------------------------------------------------------------------------------------------------


def make_action(case, actor, agency, description, days=3):
    return services.action_create(actor=actor, case=case, description=description, agency=agency,
                                  due_on=timezone.localdate() + dt.timedelta(days=days))


def make_overdue(action, days=2):
    """Time passes: the action's due date is now in the past (its deadline too)."""
    past = timezone.localdate() - dt.timedelta(days=days)
    Action.objects.filter(pk=action.pk).update(due_on=past)


def test_our_actions_lists_the_agencys_open_actions_with_overdue_ones_marked(login, case, lado_officer, agency_a,
                                                                             police_agency, agency_a_manager, agency_a_viewer):
    late = make_action(case, lado_officer, agency_a, "Send the suspension letter")
    make_overdue(late)
    make_action(case, lado_officer, agency_a, "Arrange support for the teacher")
    done = make_action(case, lado_officer, agency_a, "Tell the parents")
    services.action_complete(actor=agency_a_manager, action=done, evidence="Phoned on Tuesday.")
    make_action(case, lado_officer, police_agency, "Interview the teacher")
    html = page(login(agency_a_manager), reverse("meetings:action_list"))
    assert "Send the suspension letter" in html and "Arrange support for the teacher" in html
    assert "Tell the parents" not in html and "Interview the teacher" not in html
    assert html.count(">Overdue<") == 1 and "1 overdue" in html
    assert html.index("Send the suspension letter") < html.index("Arrange support for the teacher")
    assert html.count(">Mark as done<span") == 2
    viewer = page(login(agency_a_viewer), reverse("meetings:action_list"))
    assert "Send the suspension letter" in viewer and ">Mark as done<span" not in viewer


def test_an_agency_marks_its_action_done_with_evidence(login, case, lado_officer, agency_a, agency_a_manager):
    action = make_action(case, lado_officer, agency_a, "Send the suspension letter")
    client = login(agency_a_manager)
    url = reverse("meetings:action_complete", args=[action.pk])
    response = client.post(url, {"evidence": "   "})
    assert "Describe the evidence that the action was done." in error_summary(response.content.decode())
    response = client.post(url, {"evidence": "Letter dated 3 March on the HR file."})
    assert response.status_code == 302 and response.url == reverse("meetings:action_list")
    action.refresh_from_db()
    assert action.status == "done" and action.evidence == "Letter dated 3 March on the HR file."


def test_the_case_page_shows_the_lado_every_action_and_which_agencies_are_late(login, case, lado_officer, agency_a,
                                                                               police_agency, agency_a_manager):
    make_overdue(make_action(case, lado_officer, police_agency, "Interview the teacher"))
    make_overdue(make_action(case, lado_officer, police_agency, "Check police records"))
    make_action(case, lado_officer, agency_a, "Send the suspension letter")
    done = make_action(case, lado_officer, agency_a, "Tell the parents", days=0)
    services.action_complete(actor=agency_a_manager, action=done, evidence="Phoned on Tuesday.")
    url = reverse("allegations:case_actions", args=[case.reference])
    html = page(login(lado_officer), url)
    assert "Interview the teacher" in html and "Send the suspension letter" in html
    assert html.index("Send the suspension letter") < html.index("Tell the parents"), "open actions first"
    assert "Evidence: Phoned on Tuesday." in html
    assert "Agencies with overdue actions: Testshire Police (2)" in html
    agency_view = page(login(agency_a_manager), url)
    assert "Send the suspension letter" in agency_view and "Interview the teacher" not in agency_view
    assert "Agencies with overdue actions" not in agency_view


def test_recording_an_action_from_the_meeting_page(login, case, lado_officer, chair, police_agency):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    client = login(chair)
    url = reverse("meetings:meeting_action_create", args=[meeting.pk])
    response = client.post(url, {"description": "", "agency": "abc", **typed("due_on", "45", "13", "2020")})
    summary = error_summary(response.content.decode())
    assert "Describe the action." in summary and "Choose an agency from the list." in summary
    assert "Due date must be a real date" in summary
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(url, with_dates({"description": "Interview", "agency": police_agency.pk, "due_on": yesterday}))
    assert "The due date must be today or in the future" in error_summary(response.content.decode())
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(url, with_dates({"description": "Interview the teacher", "agency": police_agency.pk, "due_on": due,
                                 "assignee_name": "DS Patel"}))
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.meeting, action.agency, action.assignee_name) == (meeting, police_agency, "DS Patel")
    assert "Interview the teacher" in page(client, detail_url(meeting))


def test_recording_an_action_from_the_case_page_for_a_meeting_of_another_case_is_refused(login, case, lado_officer, chair,
                                                                                         police_agency, agency_a_manager,
                                                                                         lado_service, agency_a):
    from tests.allegations.factories import make_case, make_referral

    other = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                   agency=agency_a, given="Jordan", family="Blake"))
    foreign = schedule(other, actor=lado_officer, chair=chair)
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = login(lado_officer).post(reverse("meetings:action_create", args=[case.reference]), with_dates({
        "description": "Interview", "agency": police_agency.pk, "due_on": due, "meeting": foreign.pk,
    }))
    assert "Choose a meeting of this case." in error_summary(response.content.decode())
    assert not Action.objects.exists()


# --- Query counts ------------------------------------------------------------------------------------------------------

# Pinned counts (the session with its user in one read (accounts/sessions.py), standing, the page's own reads): a change shows up here as a reviewed number.
MEETING_PAGE_QUERIES = {"chair": 18, "invitee": 10}  # + the inbox's unread count, + the meeting's documents (records); + the papers (the case's previous meeting, its items' audiences, the person's views) for those who see the case; + for whoever manages it, the deliveries of the invitations and of the minutes
ACTION_LIST_QUERIES = 8  # with the inbox's unread count in the navigation; + the agency's provider concern plan items (providers)


def count(client, url) -> int:
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_meeting_page_query_count_does_not_grow(login, strategy_meeting, chair, lado_officer, police_agency, police_user,
                                                     lado_service, django_assert_num_queries):
    meeting = strategy_meeting
    invite(meeting, actor=chair, agency=police_agency)
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair)
    make_action(meeting.case, chair, police_agency, "Interview the teacher")
    url = detail_url(meeting)
    pages = {"chair": login(chair), "invitee": login(police_user)}
    before = {who: count(client, url) for who, client in pages.items()}

    for n in range(4):
        agency = AgencyFactory(name=f"Extra agency {n}", kind=AgencyKind.VOLUNTARY, lado_service=lado_service)
        invite(meeting, actor=chair, agency=agency, access_level="employer")
        invite(meeting, actor=chair, name=f"Guest {n}", email=f"guest{n}@example.org", access_level="employer")
        services.action_create(actor=chair, case=meeting.case, meeting=meeting, description=f"Action {n}",
                               agency=police_agency, due_on=timezone.localdate() + dt.timedelta(days=n))
        write(meeting, actor=chair, purpose=f"Purpose, revision {n}.")
        approve(meeting, chair=chair)
        circulate(meeting, chair=chair)
    assert MinutesVersion.objects.count() == 5 and Circulation.objects.count() > 20

    after = {who: count(client, url) for who, client in pages.items()}
    assert after == before
    assert after == MEETING_PAGE_QUERIES


def test_the_action_list_query_count_does_not_grow(login, case, lado_officer, agency_a, agency_a_manager,
                                                   django_assert_num_queries):
    make_action(case, lado_officer, agency_a, "First")
    client = login(agency_a_manager)
    url = reverse("meetings:action_list")
    before = count(client, url)
    for n in range(12):
        make_action(case, lado_officer, agency_a, f"Action {n}", days=n)
    assert count(client, url) == before == ACTION_LIST_QUERIES
    assert page(client, url).count(">Mark as done<span") == 13


def test_the_case_page_meetings_section_costs_a_fixed_number_of_queries(login, case, lado_officer, chair, police_agency):
    url = reverse("allegations:case_meetings", args=[case.reference])
    client = login(lado_officer)
    schedule(case, actor=lado_officer, chair=chair)
    make_action(case, lado_officer, police_agency, "First")
    before = count(client, url)
    for n in range(5):
        meeting = schedule(case, actor=lado_officer, chair=chair)
        invite(meeting, actor=chair, agency=police_agency)
        make_action(case, lado_officer, police_agency, f"Action {n}")
    assert count(client, url) == before
    html = page(client, url)
    assert html.count('href="/meetings/') - html.count('href="/meetings/"') == 6  # not the "Meetings" list in the navigation


# --- Bad input: a clear message, never a 500 ----------------------------------------------------------------------


@pytest.fixture
def garbage_world(case, lado_officer, chair, police_agency):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invitation = invite(meeting, actor=chair, agency=police_agency)
    approve(meeting, chair=chair)
    action = make_action(case, lado_officer, police_agency, "Interview the teacher")
    return {"meeting": meeting, "invitation": invitation, "action": action}


GARBAGE = {
    "invitation_edit": (lambda w: [w["meeting"].pk, w["invitation"].pk], {"access_level": "all", "email": "@"},
                        ["Choose what they may see of the minutes.", "Enter an email address in the correct format"]),
    "attendance": (lambda w: [w["meeting"].pk], {"attendance_0": "x"}, ["Say whether Testshire Police attended."]),
    "meeting_cancel": (lambda w: [w["meeting"].pk], {"reason": " "}, ["Say why the meeting is cancelled."]),
    "meeting_hold": (lambda w: [w["meeting"].pk], typed("held_at", "yesterday", hour="10", minute="00"), ["The date and time of the meeting must include a month and year"]),
    "minutes_circulate": (lambda w: [w["meeting"].pk], {}, ["Choose who to send the minutes to."]),
    "minutes_approve": (lambda w: [w["meeting"].pk], {"revision": "abc"}, ["Reload the page and try again."]),
    "action_complete": (lambda w: [w["action"].pk], {"evidence": ""}, ["Describe the evidence that the action was done."]),
    "action_cancel": (lambda w: [w["action"].pk], {"reason": ""}, ["Say why the action is no longer needed."]),
    "invitation_create": (lambda w: [w["meeting"].pk], {"agency": "x", "user": "y", "access_level": "full"},
                          ["Choose an agency from the list.", "Choose a person from the list."]),
}


@pytest.mark.parametrize("name", GARBAGE)
def test_bad_input_to_each_form_gives_a_clear_error(login, garbage_world, chair, name):
    args, data, messages = GARBAGE[name]
    response = login(chair).post(reverse(f"meetings:{name}", args=args(garbage_world)), data)
    assert response.status_code == 200
    summary = error_summary(response.content.decode())
    for message in messages:
        assert message in summary, message


def test_holding_a_meeting_twice_through_the_form_says_why(login, garbage_world, chair):
    meeting = garbage_world["meeting"]
    response = login(chair).post(reverse("meetings:meeting_hold", args=[meeting.pk]), with_dates({
        "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"),
        f"attendance_{garbage_world['invitation'].pk}": "attended",
    }))
    assert "This meeting is held: it cannot be held." in error_summary(response.content.decode())


def test_our_actions_is_in_the_navigation_of_agency_people_only(login, agency_a_manager, analyst):
    assert 'href="/actions/"' in page(login(agency_a_manager), reverse("inbox"))
    assert 'href="/actions/"' not in page(login(analyst), reverse("inbox"))


def test_the_chair_sees_each_delivery_of_the_minutes_waiting_until_the_worker_has_sent_it(login, strategy_meeting,
                                                                                          chair, police_user):
    """The minutes are circulated when the chair sends them; each recipient's e-mail waits in the outbox until the
    worker sends it (Redis or the worker away): the circulation table says so, for people with and without an
    account alike."""
    meeting = strategy_meeting
    invite(meeting, actor=chair, user=police_user)
    invite(meeting, actor=chair, name="Jo Hart", email="jo@acorns.example", access_level="employer")
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair)
    client = login(chair)

    html = page(client, detail_url(meeting))
    assert html.count(">Waiting to send</strong>") == 2  # the police officer's and Jo Hart's: not sent yet
    assert "jo@acorns.example" in html

    outbox_drain()  # what the worker does
    html = page(client, detail_url(meeting))
    assert "Waiting to send" not in html and html.count(">Sent</strong>") == 2
