"""The case at a glance (issue 15 §3): the overview's summary, the pages of the case each person may open (need to
know decides, in one selector), the menu of actions with a confirmation page for closing, and repeated reads
collapsed in "who has opened this"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from allegations import selectors, services
from allegations.models import AccessLog, Case, CaseStatus, RiskAssessment
from allegations.views import CASE_PAGES, case_page_url
from config.jinja2 import govuk_datetime, govuk_time
from records.selectors import readers_of
from tests.allegations.factories import tell_parents
from tests.allegations.test_permissions import CASE_ACTION_DATA
from tests.forms import with_dates

pytestmark = pytest.mark.django_db


def _nav(html: str) -> list[str]:
    """The labels of the case's sub-navigation, in order."""
    nav = html.split('class="moj-sub-navigation"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'class="moj-sub-navigation__link" href="[^"]+"(?: aria-current="page")?>([^<]+)</a>', nav)


# --- The overview ------------------------------------------------------------------------------------------

def test_the_overview_says_who_what_where_route_status_next_deadline_and_what_it_waits_on(login, lado_officer, case):
    html = login(lado_officer).get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    summary = html.split('id="summary"', 1)[1].split("</dl>", 1)[0]
    keys = re.findall(r'<dt class="govuk-summary-list__key">([^<]+)</dt>', summary)
    assert keys == ["Who", "What is alleged", "Where", "Route", "Status", "Next deadline", "Next meeting", "Waiting on"]
    assert "Alex Morgan" in summary and "Teacher" in summary and "Riverside Primary" in summary
    assert case.referral.get_category_display() in summary
    assert "grabbed their arm" in summary  # what is alleged, in short, at the top
    # The case's soonest deadline, in words, with its date.
    first = case.referral.deadlines.filter(met_at__isnull=True).order_by("due_at").first()
    assert first.get_kind_display() in summary
    assert re.search(r"Due in \d+ (day|hour|minute)s?", summary)
    assert f"due {first.due_at.astimezone(timezone.get_current_timezone()).day} " in summary
    # What it waits on, and from whom: that deadline is the LADO service's to meet.
    assert f"The LADO service</strong>: {first.get_kind_display().lower()}, due in" in summary


def test_no_red_button_in_the_page_the_menu_offers_closing(login, lado_officer, case):
    html = login(lado_officer).get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    assert "govuk-button--warning" not in html
    menu = html.split('data-module="moj-button-menu"', 1)[1].split("</div>", 1)[0]
    assert 'data-button-text="Case actions"' in html
    close_url = reverse("allegations:case_action", args=[case.reference, "close"])
    assert f'href="{close_url}"' in menu and "Close the case" in menu


def test_only_the_lado_service_has_the_menu(login, case, agency_a_manager):
    html = login(agency_a_manager).get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    assert "moj-button-menu" not in html and "Close the case" not in html


def test_closing_goes_through_a_confirmation_page(login, lado_officer, case):
    client = login(lado_officer)
    services.case_record_outcome(actor=lado_officer, case=case, outcome="unfounded", police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")
    url = reverse("allegations:case_action", args=[case.reference, "close"])
    page = client.get(url).content.decode()
    assert "Are you sure you want to close this case?" in page
    assert "nothing more can be recorded on it" in page and "open deadlines stop" in page
    assert 'name="summary"' in page  # the form is on the confirmation page itself
    assert f'href="{reverse("allegations:case_detail", args=[case.reference])}"' in page  # and a way back
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN  # looking at it changes nothing

    tell_parents(case, lado_officer)  # closing asks it of each child (tests/allegations/test_facts.py)
    response = client.post(url, with_dates(CASE_ACTION_DATA["close"](None)))
    assert response.status_code == 302 and response["Location"] == reverse("allegations:case_detail",
                                                                           args=[case.reference])
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    html = client.get(response["Location"]).content.decode()
    assert "Case closed." in html and "moj-button-menu" not in html  # nothing more to do on a closed case


def test_closing_without_an_outcome_says_so_on_the_confirmation_page(login, lado_officer, case):
    url = reverse("allegations:case_action", args=[case.reference, "close"])
    page = login(lado_officer).post(url, CASE_ACTION_DATA["close"](None)).content.decode()
    assert "There is a problem" in page and "Record the outcome before closing the case." in page
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


# --- The pages of a case: only what the person may see -----------------------------------------------------

@pytest.fixture
def shared_at_employer_level(lado_officer, case, police_agency):
    """The police at the employer level (a limited share), with a risk assessment and a decision recorded: both for
    the safeguarding level."""
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="employer",
                             reason="The police need to know the employer's steps only")
    services.risk_assessment_record(actor=lado_officer, case=case, level=RiskAssessment.Level.HIGH,
                                    summary="RISK-FOR-SAFEGUARDING", controls="No unsupervised contact.")
    services.decision_record(actor=lado_officer, case=case, decision="DECISION-FOR-SAFEGUARDING",
                             rationale="RATIONALE-FOR-LADO", agreed_with="Police", made_at="between_meetings")
    return case


def test_each_page_shows_only_the_parts_the_person_may_see(login, lado_officer, police_user,
                                                           shared_at_employer_level):
    case = shared_at_employer_level
    officer, police = login(lado_officer), login(police_user)
    lado_pages = {slug: officer.get(case_page_url(case.reference, slug)) for slug in CASE_PAGES}
    police_pages = {slug: police.get(case_page_url(case.reference, slug)) for slug in CASE_PAGES}

    assert {slug for slug, r in lado_pages.items() if r.status_code == 200} == set(CASE_PAGES)
    assert _nav(lado_pages["overview"].content.decode()) == [
        "Overview", "Strands", "Decisions", "The person", "Meetings", "Actions", "Documents", "Outcome", "People told",
        "Timeline", "Access"]
    # The police at the employer level: no decisions, no children (people told), no access log; not listed, and
    # 404 (never 403).
    assert {slug: r.status_code for slug, r in police_pages.items() if r.status_code != 200} == {
        "decisions": 404, "people_told": 404, "access": 404}
    assert _nav(police_pages["overview"].content.decode()) == [
        "Overview", "Strands", "The person", "Meetings", "Actions", "Documents", "Outcome", "Timeline"]

    lado_strands = lado_pages["strands"].content.decode()
    police_strands = police_pages["strands"].content.decode()
    assert "RISK-FOR-SAFEGUARDING" in lado_strands and "RISK-FOR-SAFEGUARDING" not in police_strands
    assert "Employer" in police_strands  # the employer's strand is theirs to see
    assert "DECISION-FOR-SAFEGUARDING" in lado_pages["decisions"].content.decode()
    assert "RATIONALE-FOR-LADO" in lado_pages["decisions"].content.decode()
    police_text = "\n".join(r.content.decode() for r in police_pages.values() if r.status_code == 200)
    for secret in ("RISK-FOR-SAFEGUARDING", "DECISION-FOR-SAFEGUARDING", "RATIONALE-FOR-LADO",
                   "Who has opened this case"):
        assert secret not in police_text, secret
    # Each page shows its own part only: the overview carries no strands table, the strands page no timeline.
    assert "RISK-FOR-SAFEGUARDING" not in lado_pages["overview"].content.decode()
    assert 'id="timeline"' not in lado_strands


def test_an_item_widened_to_the_employer_level_opens_its_page(login, lado_officer, police_user,
                                                             shared_at_employer_level):
    case = shared_at_employer_level
    decision = case.decisions.get()
    services.case_part_set_audience(actor=lado_officer, case=case, part="decision", part_id=decision.pk,
                                    audience="employer", reason="The employer must know what was decided")
    police = login(police_user)
    page = police.get(case_page_url(case.reference, "decisions"))
    assert page.status_code == 200
    assert "DECISION-FOR-SAFEGUARDING" in page.content.decode()
    assert "RATIONALE-FOR-LADO" not in page.content.decode()
    assert "Decisions" in _nav(police.get(case_page_url(case.reference, "overview")).content.decode())


def test_the_outsider_gets_404_on_every_page(login, case, agency_b_outsider):
    client = login(agency_b_outsider)
    assert {client.get(case_page_url(case.reference, slug)).status_code for slug in CASE_PAGES} == {404}


@pytest.mark.parametrize(("action", "page"), [("risk", "strands"), ("decision", "decisions"), ("share", "access"),
                                              ("outcome", "overview"), ("review", "strands")])
def test_a_saved_form_returns_to_its_page(login, lado_officer, case, action, page, request):
    class World:  # what CASE_ACTION_DATA asks of the world: fixtures by name
        @staticmethod
        def fixture(name):
            return request.getfixturevalue(name)

    response = login(lado_officer).post(reverse("allegations:case_action", args=[case.reference, action]),
                                        with_dates(CASE_ACTION_DATA[action](World)))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == case_page_url(case.reference, page)


def test_the_tabs_come_from_the_need_to_know_selector(lado_officer, agency_a_manager, case):
    """The sub-navigation is decided in the selector (case_tabs), not in a template."""
    lado = [tab.slug for tab in selectors.case_tabs(selectors.case_parts_for(lado_officer, case, load=frozenset()))]
    school = [tab.slug for tab in selectors.case_tabs(selectors.case_parts_for(agency_a_manager, case,
                                                                                load=frozenset()))]
    assert lado == list(CASE_PAGES)
    # The school named the children: it sees who told their parents (issue 16 §3).
    assert school == ["overview", "strands", "person", "meetings", "actions", "documents", "conclusion", "people_told",
                      "timeline"]


# --- Who has opened this: repeated reads once, with a count ------------------------------------------------

def test_repeated_reads_within_an_hour_show_once_with_a_count(login, lado_officer, lado_manager, case):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=5)
    officer_reads = [start + dt.timedelta(minutes=m) for m in (0, 1, 2, 3)]  # 4 in 3 minutes
    later = start + dt.timedelta(hours=3)  # more than an hour after: a new line
    for at in [*officer_reads, later]:
        AccessLog.objects.create(user=lado_officer, referral=case.referral, case=case, what="case", at=at)
    AccessLog.objects.create(user=lado_manager, referral=case.referral, case=case, what="case",
                             at=start + dt.timedelta(minutes=2))

    readers = [r for r in readers_of(referral=case.referral) if r.at <= later]
    lines = [(r.username, r.count, r.first_at, r.at) for r in readers]
    assert lines == [
        ("officer", 1, later, later),
        ("officer", 4, officer_reads[0], officer_reads[-1]),
        (lado_manager.username, 1, start + dt.timedelta(minutes=2), start + dt.timedelta(minutes=2)),
    ]

    html = login(lado_officer).get(case_page_url(case.reference, "access")).content.decode()
    section = html.split("Who has opened this case", 1)[1]
    name = lado_officer.get_full_name() or lado_officer.username
    # The times as every page writes them ("midday" at 12:00pm: written by hand, this failed when a read fell then).
    # Across midnight, each time with its date.
    same_day = timezone.localdate(officer_reads[0]) == timezone.localdate(officer_reads[-1])
    written = govuk_time if same_day else govuk_datetime
    first, last = written(officer_reads[0]), written(officer_reads[-1])
    assert f"{name}, 4 times between {first} and {last}{' on ' if same_day else ':'}" in section
    assert section.count(f"{name}, 4 times") == 1


def test_reads_of_different_kinds_are_not_mixed(lado_officer, case):
    at = timezone.now() - dt.timedelta(hours=2)
    AccessLog.objects.create(user=lado_officer, referral=case.referral, what="referral", at=at)
    AccessLog.objects.create(user=lado_officer, referral=case.referral, case=case, what="case",
                             at=at + dt.timedelta(minutes=1))
    AccessLog.objects.create(user=lado_officer, referral=case.referral, case=case, what="case",
                             at=at + dt.timedelta(minutes=2))
    readers = [r for r in readers_of(referral=case.referral) if r.at <= at + dt.timedelta(minutes=2)]
    assert [(r.label, r.count) for r in readers] == [("Opened the case", 2), ("Opened the referral", 1)]
