"""Provider concern pages: the authorization matrix (every URL of the providers app, every persona),
the journey's forms, the register's downloads, and the prompt on the triage queue and my work."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from providers import services
from providers.models import ConcernEvent, ConcernStatus, ProviderConcern
from tests.providers.factories import held_meeting, make_concern, pipot_referral, provider_written_to
from tests.forms import with_dates

pytestmark = pytest.mark.django_db

PERSONAS = ["lado_officer", "other_officer", "agency_a_manager", "agency_a_viewer", "agency_b_outsider", "police_user",
            "analyst", "director", "asm", "anonymous"]
LOGIN = "->login"


def _outcome(response):
    if response.status_code in (301, 302):
        return "->" + resolve(urlparse(response.url).path).view_name
    return response.status_code


def _row(lado, other, a_manager, a_viewer, b_outsider, police, analyst, director, asm, anonymous=LOGIN):
    return dict(zip(PERSONAS, [lado, other, a_manager, a_viewer, b_outsider, police, analyst, director, asm, anonymous]))


# Pages of the service's provider concern: its LADO / PiPoT staff, directors and adults' safeguarding managers.
STAFF_PAGE = _row(200, 404, 404, 404, 404, 404, 404, 200, 200)
# Lists and the form to record a concern: anyone who works on provider concerns, of any service.
# Anyone else is told which roles they are for (403: they name no record).
WORKER_PAGE = _row(200, 200, 403, 403, 403, 403, 403, 200, 200)
# The register: the business unit only.
REGISTER = _row(403, 403, 403, 403, 403, 403, 200, 403, 403)
# Deciding to invoke: the director; the staff who can see the concern get 403.
DECIDE = _row(403, 404, 404, 404, 404, 404, 404, 200, 403)
# An action plan item's progress from "Our actions": the agency responsible (here the police) and the staff.
ITEM_PROGRESS = _row(200, 404, 404, 404, 404, 200, 404, 200, 200)

MATRIX = {
    "concern_list": (WORKER_PAGE, lambda w: []),
    "concern_create": (WORKER_PAGE, lambda w: []),
    "register": (REGISTER, lambda w: []),
    "register_csv": (REGISTER, lambda w: []),
    "register_xlsx": (REGISTER, lambda w: []),
    "concern_detail": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "concern_decide": (DECIDE, lambda w: [w["recorded"].reference]),
    "concern_link": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "concern_meeting_schedule": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "suspension_create": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "suspension_review": (STAFF_PAGE, lambda w: [w["concern"].reference, w["suspension"].pk]),
    "suspension_end": (STAFF_PAGE, lambda w: [w["concern"].reference, w["suspension"].pk]),
    "plan_item_create": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "plan_item_update": (STAFF_PAGE, lambda w: [w["concern"].reference, w["item"].pk]),
    "contact_create": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "communication_plan": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "escalation_create": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "concern_conclude": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "plan_item_carry": (STAFF_PAGE, lambda w: [w["concern"].reference, w["item"].pk]),
    "plan_item_progress": (ITEM_PROGRESS, lambda w: [w["item"].pk]),
    "review_schedule": (STAFF_PAGE, lambda w: [w["concern"].reference]),
    "letter_draft": (STAFF_PAGE, lambda w: [w["concern"].reference, w["meeting"].pk]),
    "letter_detail": (STAFF_PAGE, lambda w: [w["concern"].reference, w["letter"].pk]),
    "letter_sent": (STAFF_PAGE, lambda w: [w["concern"].reference, w["letter"].pk]),
    "letter_pdf": (STAFF_PAGE, lambda w: [w["concern"].reference, w["letter"].pk]),
}


@pytest.fixture
def world(request, concern, asm, lado_service, provider, police_agency, director):
    today = timezone.localdate()
    people = {p: request.getfixturevalue(p) for p in PERSONAS if p != "anonymous"}
    return {
        **people,
        "concern": concern,
        "recorded": make_concern(actor=asm, lado_service=lado_service, provider=provider),
        "suspension": services.suspension_record(actor=asm, concern=concern, kind="voluntary", imposed_by="provider",
                                                 started_on=today, review_on=today + dt.timedelta(days=7)),
        "item": services.plan_item_add(actor=asm, concern=concern, description="Weekly visits", agency=police_agency,
                                       due_on=today + dt.timedelta(days=30)),
        "meeting": held_meeting(actor=asm, concern=concern, kind="serious_concerns_initial", hours_ago=3),
        "letter": services.concern_letter_draft(
            actor=asm, concern=concern, recipient="The registered manager",
            meeting=held_meeting(actor=asm, concern=concern, kind="serious_concerns_review", hours_ago=2)),
    }


def test_every_providers_url_is_in_the_matrix():
    namespace = get_resolver().namespace_dict["providers"][1]
    names = {p.name for p in namespace.url_patterns}
    assert names and names == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_authorization_matrix(world, name):
    expected, args = MATRIX[name]
    url = reverse(f"providers:{name}", args=args(world))
    for persona in PERSONAS:
        client = Client()
        if persona != "anonymous":
            client.force_login(world[persona])
        assert _outcome(client.get(url)) == expected[persona], f"GET {url} as {persona}"
        if expected[persona] in (403, 404, LOGIN):  # denied for reading means denied for writing, and nothing recorded
            events = ConcernEvent.objects.count()
            assert _outcome(client.post(url, {"rationale": "x", "invoke": "yes", "notes": "x", "name": "x"})) == expected[persona]
            assert ConcernEvent.objects.count() == events


def test_outsiders_get_404_whether_the_concern_exists_or_not(login, agency_b_outsider, other_officer, concern):
    for user in (agency_b_outsider, other_officer):
        client = login(user)
        assert client.get(reverse("providers:concern_detail", args=[concern.reference])).status_code == 404
        assert client.get(reverse("providers:concern_detail", args=["PC-2000-9999"])).status_code == 404


def test_the_journey_through_the_pages(login, asm, director, lado_service, provider, lado_officer, police_agency, analyst):
    referral = pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider)
    client = login(asm)
    response = client.post(reverse("providers:concern_create"), {
        "provider": provider.pk, "indicators": ["series", "several_staff"], "summary": "Hydration and handling.",
        "references": referral.reference.lower(),
    })
    concern = ProviderConcern.objects.get()
    assert response.status_code == 302 and list(concern.referrals.all()) == [referral]

    decide = login(director).post(reverse("providers:concern_decide", args=[concern.reference]),
                                  {"invoke": "yes", "rationale": "Systemic issues found by contract visits."})
    assert decide.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.INVOKED

    today = timezone.localdate()
    url = reverse("providers:suspension_create", args=[concern.reference])
    bad = client.post(url, with_dates({"kind": "imposed", "imposed_by": "provider", "started_on": today.isoformat(),
                            "review_on": today.isoformat()}))
    assert bad.status_code == 200 and "commissioner or the regulator" in bad.content.decode()
    assert client.post(url, with_dates({"kind": "imposed", "imposed_by": "regulator", "started_on": today.isoformat(),
                             "review_on": (today + dt.timedelta(days=14)).isoformat()})).status_code == 302
    assert client.post(reverse("providers:plan_item_create", args=[concern.reference]), with_dates({
        "description": "Medication audit", "agency": police_agency.pk, "due_on": (today + dt.timedelta(days=30)).isoformat(),
    })).status_code == 302
    page = client.get(reverse("providers:concern_detail", args=[concern.reference])).content.decode()
    assert "Medication audit" in page and "Review of suspended admissions" in page and referral.reference in page
    assert "Kim" not in page  # the subject's name is not on the provider's page

    conclude = reverse("providers:concern_conclude", args=[concern.reference])
    answers = {"outcome": "Sustained improvement.", "lessons_learned": "Share visit findings sooner."}
    refused = client.post(conclude, answers)
    text = refused.content.decode()
    assert refused.status_code == 200 and "The process cannot be concluded yet" in text
    assert "Medication audit" in text and "outcome and lessons learned meeting has not been held" in text
    assert ProviderConcern.objects.get(pk=concern.pk).status == ConcernStatus.INVOKED

    item = concern.plan_items.get()
    assert client.post(reverse("providers:plan_item_carry", args=[concern.reference, item.pk]),
                       {"owner": "Jo Smith, contracts manager"}).status_code == 302
    held_meeting(actor=asm, concern=concern)
    provider_written_to(actor=asm, concern=concern)
    no_choice = client.post(conclude, answers)  # admissions are still suspended: lift or continue, never silently
    assert no_choice.status_code == 200 and "lift the suspension or continue it" in no_choice.content.decode()
    assert client.post(conclude, with_dates({**answers, "suspension_decision": "lift",
                                             "suspension_lifted_on": today.isoformat(),
                                             "suspension_note": "Sustained improvement seen on visits."})).status_code == 302
    assert concern.suspensions.get().ended_on == today

    analyst_client = login(analyst)
    register = analyst_client.get(reverse("providers:register")).content.decode()
    assert concern.reference in register and provider.name in register and "Sustained improvement." in register
    rows = list(csv.reader(io.StringIO(analyst_client.get(reverse("providers:register_csv")).content.decode())))
    assert rows[0][0] == "Reference" and rows[1][0] == concern.reference and rows[1][-1] == "Sustained improvement."
    assert "Kim" not in str(rows)
    sheet = load_workbook(io.BytesIO(analyst_client.get(reverse("providers:register_xlsx")).content)).active
    assert [c.value for c in sheet[3]][0] == concern.reference


def test_the_register_escapes_formulae(asm, director, lado_service, analyst, login):
    from tests.providers.factories import care_home, invoked_concern

    evil = care_home(lado_service, name="=HYPERLINK(\"http://x\")")
    invoked_concern(actor=asm, director=director, lado_service=lado_service, provider=evil)
    rows = list(csv.reader(io.StringIO(login(analyst).get(reverse("providers:register_csv")).content.decode())))
    assert rows[1][1].startswith("'=")
    sheet = load_workbook(io.BytesIO(login(analyst).get(reverse("providers:register_xlsx")).content)).active
    cell = sheet.cell(row=3, column=2)
    assert cell.value == "'=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_the_prompt_shows_on_the_triage_queue_and_my_work(login, lado_officer, asm, lado_service, provider):
    for _ in range(3):
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider)
    for user, name in ((lado_officer, "allegations:triage_queue"), (lado_officer, "allegations:my_work"),
                       (asm, "allegations:my_work")):
        page = login(user).get(reverse(name)).content.decode()
        assert "Consider the serious concerns process" in page and provider.name in page, (user, name)
    make_concern(actor=asm, lado_service=lado_service, provider=provider)  # once a concern is open, no prompt
    assert "Consider the serious concerns process" not in login(lado_officer).get(reverse("allegations:triage_queue")).content.decode()


def test_a_cluster_of_similar_concerns_prompts_too(lado_officer, lado_service, provider):
    from providers.selectors import prompts_for

    for _ in range(2):
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider, category="neglect")
    prompts = prompts_for(lado_officer)
    assert len(prompts) == 1 and prompts[0].cluster_count == 2 and prompts[0].referrals == 0


def test_only_providers_of_care_prompt_the_process_not_a_school(lado_officer, lado_service, agency_a, provider):
    """001 is about organisations that provide care; several referrals about a school's staff are the LADO's."""
    from providers.selectors import prompts_for

    for _ in range(4):
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=agency_a, workforce="children",
                       sector="education", category="physical")
    assert prompts_for(lado_officer) == []
    for _ in range(3):
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider)
    assert [p.provider_name for p in prompts_for(lado_officer)] == [provider.name]


def test_other_services_and_agencies_see_no_prompt(other_officer, agency_a_manager, lado_officer, lado_service, provider):
    from providers.selectors import prompts_for

    for _ in range(3):
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider)
    assert prompts_for(other_officer) == [] and prompts_for(agency_a_manager) == []


def test_the_concern_page_query_count_does_not_grow(login, asm, concern, police_agency, django_assert_max_num_queries):
    client = login(asm)
    url = reverse("providers:concern_detail", args=[concern.reference])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(5):
        services.plan_item_add(actor=asm, concern=concern, description=f"Item {i}", agency=police_agency,
                               due_on=timezone.localdate())
        services.contact_add(actor=asm, concern=concern, agency=police_agency, name=f"Contact {i}")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_my_work_lists_the_concerns_deadlines_for_its_lead(login, asm, concern):
    today = timezone.localdate()
    services.suspension_record(actor=asm, concern=concern, kind="voluntary", imposed_by="provider",
                               started_on=today, review_on=today + dt.timedelta(days=2))
    page = login(asm).get(reverse("allegations:my_work")).content.decode()
    assert concern.reference in page and "Review of suspended admissions" in page
