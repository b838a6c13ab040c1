"""Need to know, part by part (issue 12 §1 and §2).

Every part of a case has an audience (the LADO service only, safeguarding, employer); sharing gives a level; the
referring agency is at the employer level; the police can hold an item back from the employer. Canaries are planted
in each part and looked for on every page, download, PDF, inbox notice and e-mail, per level:

- LADO: the case's LADO officer (full);
- safeguarding: the police, the case shared with them at the safeguarding level;
- employer: the referring school's safeguarding lead (agency A's senior manager);
- outsider: another school's manager (404 everywhere).
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import AccessLevel, Notification
from allegations import selectors, services
from allegations.models import Audience, Part, PartAudience, Strand
from allegations.views import CASE_PAGES, case_page_url
from meetings.models import MinutesPdf, MinutesVersion
from outbox.services import messages_drain
from tests.meetings.factories import approve, circulate, held_meeting_with_minutes, invite
from tests.meetings.test_pdfs import pdf_text, rendered
from tests.records.factories import attach

pytestmark = pytest.mark.django_db

LADO, SAFEGUARDING, EMPLOYER, OUTSIDER = "lado", "safeguarding", "employer", "outsider"
LEVELS = (LADO, SAFEGUARDING, EMPLOYER, OUTSIDER)

# Each canary, and the levels that may find it (the outsider finds none).
CANARIES = {
    "CANARY-POLICE-LEAD": {LADO, SAFEGUARDING},  # the police strand
    "CANARY-SOCIAL-CARE-LEAD": {LADO, SAFEGUARDING},  # the social-care strand
    "CANARY-EMPLOYER-LEAD": {LADO, SAFEGUARDING, EMPLOYER},  # the employer's strand
    "CANARY-DECISION-TEXT": {LADO, SAFEGUARDING},  # the decision log: the decision
    "CANARY-DECISION-RATIONALE": {LADO},  # the decision log: its rationale
    "CANARY-RISK-SUMMARY": {LADO, SAFEGUARDING},  # a risk assessment
    "CANARY-DISAGREEMENT": {LADO},  # a disagreement between agencies
    "CANARY-ARRANGEMENT": {LADO, SAFEGUARDING, EMPLOYER},  # suspension or other arrangements
    "CANARY-DISCUSSION-NOTES": {LADO},  # the initial discussion's notes
    "CANARY-TRIAGE-RATIONALE": {LADO},  # the triage decision's rationale
    "CANARY-DOCUMENT-TITLE": {LADO, SAFEGUARDING},  # a document the LADO service attached to the case
    "CANARY-POLICE-REVIEW": {LADO, SAFEGUARDING},  # a police review
    "CANARY-MINUTES-POLICE-ONLY": {LADO, SAFEGUARDING},  # a minutes version circulated to the police alone
}


@pytest.fixture(autouse=True)
def document_root(settings, tmp_path):
    settings.DOCUMENT_ROOT = str(tmp_path / "documents")
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def planted(referral, lado_officer, chair, police_agency, police_user, agency_a_manager):
    """A case with a canary in each part, shared with the police at the safeguarding level, and a meeting whose
    minutes version 1 went to the police alone."""
    referral = services.referral_record_discussion(
        actor=lado_officer, referral=referral, held_at=referral.received_at, with_whom="Pat Referrer",
        notes="CANARY-DISCUSSION-NOTES",
    )
    services.referral_triage(actor=lado_officer, referral=referral, decision="threshold_met",
                             rationale="CANARY-TRIAGE-RATIONALE", harmed=True, route="position_of_trust")
    referral.refresh_from_db()
    case = referral.case
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level=AccessLevel.SAFEGUARDING,
                             reason="The police are investigating")
    for kind, lead in ((Strand.Kind.POLICE, "CANARY-POLICE-LEAD"), (Strand.Kind.SOCIAL_CARE, "CANARY-SOCIAL-CARE-LEAD"),
                       (Strand.Kind.EMPLOYER, "CANARY-EMPLOYER-LEAD")):
        services.strand_update(actor=lado_officer, case=case, kind=kind, reason="Strand started", status="active",
                               lead=lead, their_reference="", started_on=None, review_on=None, cps_consulted=False,
                               hearing_on=None, employer_decision="", employer_decision_on=None, employer_action="",
                               employer_action_on=None, concluded_on=None, notes="")
    services.decision_record(actor=lado_officer, case=case, decision="CANARY-DECISION-TEXT",
                             rationale="CANARY-DECISION-RATIONALE", made_at="between_meetings")
    services.risk_assessment_record(actor=lado_officer, case=case, level="high", summary="CANARY-RISK-SUMMARY",
                                    controls="")
    services.disagreement_record(actor=lado_officer, case=case, kind="disagreement", raised_on=referral.received_at.date(),
                                 raised_by="Police", about="CANARY-DISAGREEMENT")
    services.suspension_record(actor=lado_officer, case=case, arrangement="alternative_duties",
                               decided_on=referral.received_at.date(), decided_by="Head teacher",
                               notes="CANARY-ARRANGEMENT")
    services.review_record(actor=lado_officer, case=case, kind="police", held_on=referral.received_at.date(),
                           summary="CANARY-POLICE-REVIEW", next_review_on=None)
    document = attach(actor=lado_officer, case=case, title="CANARY-DOCUMENT-TITLE")
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair, purpose="CANARY-MINUTES-POLICE-ONLY")
    police_invite = invite(meeting, actor=chair, user=police_user, access_level="safeguarding")
    school_invite = invite(meeting, actor=chair, user=agency_a_manager, access_level="employer")
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair, invitations=[police_invite])
    case.refresh_from_db()
    return {"case": case, "document": document, "meeting": meeting, "police_invite": police_invite,
            "school_invite": school_invite}


@pytest.fixture
def people(lado_officer, police_user, agency_a_manager, agency_b_outsider):
    return {LADO: lado_officer, SAFEGUARDING: police_user, EMPLOYER: agency_a_manager, OUTSIDER: agency_b_outsider}


def _found(text: str) -> set[str]:
    return {canary for canary in CANARIES if canary in text}


def _allowed(level: str) -> set[str]:
    return {canary for canary, levels in CANARIES.items() if level in levels}


def _pages(client, planted) -> str:
    """Everything a person can read of the case on its pages, joined (a 404 adds nothing)."""
    case, meeting = planted["case"], planted["meeting"]
    urls = [
        *[case_page_url(case.reference, slug) for slug in CASE_PAGES],  # the overview and each page of the case
        reverse("allegations:referral_detail", args=[case.reference]),
        reverse("allegations:case_list"), reverse("allegations:case_list") + "?q=CANARY",
        reverse("allegations:referral_list"),
        reverse("meetings:meeting_detail", args=[meeting.pk]),
        reverse("meetings:minutes_version", args=[meeting.pk, 1]),
        reverse("meetings:meeting_list"), reverse("meetings:action_list"), reverse("inbox"),
    ]
    text = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        if response.status_code == 200:
            text.append(response.content.decode())
    download = client.get(reverse("records:document_download", args=[planted["document"].pk]))
    if download.status_code == 200:
        text.append(planted["document"].title)  # the file itself is the document: reaching it reaches the title
    return "\n".join(text)


@pytest.mark.parametrize("level", LEVELS)
def test_each_canary_shows_only_where_its_audience_allows(login, planted, people, level):
    text = _pages(login(people[level]), planted)
    assert _found(text) == _allowed(level)


def test_the_child_is_for_the_safeguarding_level_and_the_agency_that_named_them(login, planted, people):
    url = reverse("allegations:referral_detail", args=[planted["case"].reference])  # the case's overview links to it
    seen = {level: "Sam Child" in login(people[level]).get(url).content.decode() for level in (LADO, SAFEGUARDING, EMPLOYER)}
    assert seen == {LADO: True, SAFEGUARDING: True, EMPLOYER: True}  # the school named the child: its own words
    assert login(people[OUTSIDER]).get(url).status_code == 404


@pytest.mark.parametrize("level", LEVELS)
def test_every_part_of_the_case_page_per_level(login, planted, people, level):
    """Which headings of the case's pages each level is given (what is not given is not on any page), which pages
    its sub-navigation lists, and that a page not listed answers 404."""
    client = login(people[level])
    responses = {slug: client.get(case_page_url(planted["case"].reference, slug)) for slug in CASE_PAGES}
    if level == OUTSIDER:
        assert {slug: r.status_code for slug, r in responses.items()} == {slug: 404 for slug in CASE_PAGES}
        return
    pages = {  # the pages each level may open
        "decisions": {LADO, SAFEGUARDING},  # decisions are for the safeguarding level, disagreements the LADO's
        "access": {LADO},
    }
    allowed = {slug for slug in CASE_PAGES if level in pages.get(slug, {LADO, SAFEGUARDING, EMPLOYER})}
    assert {slug for slug, r in responses.items() if r.status_code == 200} == allowed
    assert all(r.status_code == 404 for slug, r in responses.items() if slug not in allowed)
    overview = responses["overview"].content.decode()
    for slug in CASE_PAGES:
        listed = f'href="{case_page_url(planted["case"].reference, slug)}"' in overview.split("moj-sub-navigation", 1)[1]
        assert listed == (slug in allowed), slug
    html = "\n".join(r.content.decode() for r in responses.values() if r.status_code == 200)
    expected = {
        'id="strands"': {LADO, SAFEGUARDING, EMPLOYER},  # the employer sees its own strand
        'id="reviews"': {LADO, SAFEGUARDING},
        'id="arrangements"': {LADO, SAFEGUARDING, EMPLOYER},
        'id="risk"': {LADO, SAFEGUARDING},
        'id="decisions"': {LADO, SAFEGUARDING},
        'id="disagreements"': {LADO},
        'id="outcome"': {LADO, SAFEGUARDING, EMPLOYER},
        "Who has opened this case": {LADO},
        "Shared with": {LADO},
        "Linked cases": {LADO, SAFEGUARDING},
    }
    shown = {marker for marker in expected if marker in html}
    assert shown == {marker for marker, levels in expected.items() if level in levels}
    # The timeline: the case opened is for everyone; the decision's event for safeguarding; the LADO's sharing
    # decision for the LADO service alone; no reasons outside the LADO service.
    timeline = responses["timeline"].content.decode().split('id="timeline"')[1]
    assert "Case opened" in timeline
    assert ("Decision (between meetings)" in timeline) == (level in (LADO, SAFEGUARDING))
    assert ("Shared with" in timeline) == (level == LADO)
    assert ("Strand started" in timeline) == (level == LADO)


@pytest.mark.parametrize(("level", "expected"), [(LADO, 200), (SAFEGUARDING, 200), (EMPLOYER, 404), (OUTSIDER, 404)])
def test_the_case_document_downloads_per_level(login, planted, people, level, expected):
    response = login(people[level]).get(reverse("records:document_download", args=[planted["document"].pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(("level", "expected"), [(LADO, 200), (SAFEGUARDING, 200), (EMPLOYER, 404), (OUTSIDER, 404)])
def test_the_minutes_version_sent_to_the_police_alone_per_level(login, planted, people, level, expected):
    """§2: an invitee reads only the versions circulated to their own invitation (the school was invited too)."""
    meeting = planted["meeting"]
    client = login(people[level])
    assert client.get(reverse("meetings:minutes_version", args=[meeting.pk, 1])).status_code == expected
    made = client.post(reverse("meetings:pdf_request_mine", args=[meeting.pk, 1]))
    assert made.status_code == (302 if expected == 200 else 404)


def test_the_police_pdf_holds_the_canary_and_the_school_gets_none(login, planted, people):
    meeting = planted["meeting"]
    login(people[SAFEGUARDING]).post(reverse("meetings:pdf_request_mine", args=[meeting.pk, 1]))
    pdf = MinutesPdf.objects.get(requested_by=people[SAFEGUARDING])
    text = pdf_text(rendered(pdf))
    assert "CANARY-MINUTES-POLICE-ONLY" in text
    assert _found(text) <= _allowed(SAFEGUARDING)
    # The school cannot reach the police's PDF either.
    school = login(people[EMPLOYER])
    assert school.get(reverse("meetings:pdf_detail", args=[meeting.pk, pdf.pk])).status_code == 404
    assert school.get(reverse("meetings:pdf_download", args=[meeting.pk, pdf.pk])).status_code == 404
    assert not MinutesPdf.objects.filter(requested_by=people[EMPLOYER]).exists()


def test_a_later_version_sent_to_everyone_is_readable_but_not_the_earlier_one(login, planted, people, chair,
                                                                              lado_officer):
    from meetings import services as meeting_services

    meeting = planted["meeting"]
    minutes = meeting.minutes
    minutes.refresh_from_db()
    meeting_services.minutes_save(actor=lado_officer, minutes=minutes, revision=minutes.revision,
                                  sections={"purpose": {"body": "Version two for everyone."}})
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair)
    school = login(people[EMPLOYER])
    assert school.get(reverse("meetings:minutes_version", args=[meeting.pk, 2])).status_code == 200
    assert school.get(reverse("meetings:minutes_version", args=[meeting.pk, 1])).status_code == 404
    page = school.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Version two for everyone." in page and "CANARY-MINUTES-POLICE-ONLY" not in page


def test_notices_and_e_mails_carry_no_canary_and_go_only_to_whom_the_minutes_went(planted, people):
    mail.outbox.clear()
    version = MinutesVersion.objects.get(minutes__meeting=planted["meeting"], number=1)
    messages_drain()  # the worker sends each delivery: the minutes went to the police alone
    assert {m.to[0] for m in mail.outbox if "Minutes circulated" in m.subject} == {people[SAFEGUARDING].email}
    assert set(Notification.objects.filter(key=f"minutes-circulated:{version.pk}").values_list("user__username", flat=True)) \
        == {people[SAFEGUARDING].username}
    everything = "\n".join([m.subject + m.body for m in mail.outbox]
                           + list(Notification.objects.values_list("title", flat=True)))
    assert _found(everything) == set()


# --- Widening, narrowing, holding back ----------------------------------------------------------------------

def _case_html(login, user, case) -> str:
    """Every page of the case the person may open, joined (the overview first; the timeline's page last but one)."""
    client = login(user)
    pages = [client.get(case_page_url(case.reference, slug)) for slug in CASE_PAGES]
    return "\n".join(page.content.decode() for page in pages if page.status_code == 200)


def test_the_lado_widens_and_narrows_an_item_with_a_reason_kept_in_history(login, planted, people, lado_officer):
    case = planted["case"]
    risk = case.risk_assessments.get()
    police_strand = case.strands.get(kind=Strand.Kind.POLICE)
    client = login(lado_officer)
    url = reverse("allegations:part_audience", args=[case.reference, "risk", risk.pk])
    refused = client.post(url, {"audience": "employer", "reason": ""})
    assert "Say why." in refused.content.decode()
    assert client.post(url, {"audience": "employer", "reason": "The school must manage the risk"}).status_code == 302
    assert "CANARY-RISK-SUMMARY" in _case_html(login, people[EMPLOYER], case)
    narrow = reverse("allegations:part_audience", args=[case.reference, "strand", police_strand.pk])
    before = _case_html(login, people[SAFEGUARDING], case).split('id="timeline"')[1]
    assert "Police investigation: in progress" in before
    assert client.post(narrow, {"audience": "lado", "reason": "The police asked for it"}).status_code == 302
    html = _case_html(login, people[SAFEGUARDING], case)
    # The item and its events on the timeline go together.
    assert "CANARY-POLICE-LEAD" not in html
    assert "Police investigation: in progress" not in html.split('id="timeline"')[1]
    row = PartAudience.objects.get(part=Part.STRAND, part_id=police_strand.pk)
    assert row.history.first().history_change_reason == "The police asked for it"
    assert row.audience == Audience.LADO


def test_the_police_hold_an_item_from_the_employer_until_they_lift_it(login, planted, people, lado_officer):
    case = planted["case"]
    suspension = case.suspensions.get()
    url = reverse("allegations:part_hold", args=[case.reference, "suspension", suspension.pk])
    # The school (employer level) and an outsider cannot hold anything back.
    assert login(people[EMPLOYER]).post(url, {"held": "held", "reason": "x"}).status_code == 403
    assert login(people[OUTSIDER]).post(url, {"held": "held", "reason": "x"}).status_code == 404
    police = login(people[SAFEGUARDING])
    assert "Keep from the employer" in _case_html(login, people[SAFEGUARDING], case)
    assert police.post(url, {"held": "held", "reason": "Interview not yet held"}).status_code == 302
    assert "CANARY-ARRANGEMENT" not in _case_html(login, people[EMPLOYER], case)
    assert "CANARY-ARRANGEMENT" in _case_html(login, people[SAFEGUARDING], case)
    assert "not for the employer while the investigation runs" in _case_html(login, people[LADO], case)
    # Even the LADO service's widening does not beat the hold while it stands.
    services.case_part_set_audience(actor=lado_officer, case=case, part="suspension", part_id=suspension.pk,
                                    audience="employer", reason="For the school")
    assert "CANARY-ARRANGEMENT" not in _case_html(login, people[EMPLOYER], case)
    assert police.post(url, {"held": "released", "reason": "Interview held"}).status_code == 302
    assert "CANARY-ARRANGEMENT" in _case_html(login, people[EMPLOYER], case)


def test_a_held_document_is_hidden_from_the_employer_even_when_widened(login, planted, people, lado_officer):
    case, document = planted["case"], planted["document"]
    download = reverse("records:document_download", args=[document.pk])
    services.case_part_set_audience(actor=lado_officer, case=case, part="document", part_id=document.pk,
                                    audience="employer", reason="For the school")
    assert login(people[EMPLOYER]).get(download).status_code == 200
    police = login(people[SAFEGUARDING])
    hold = reverse("allegations:part_hold", args=[case.reference, "document", document.pk])
    assert police.post(hold, {"held": "held", "reason": "Evidence"}).status_code == 302
    assert login(people[EMPLOYER]).get(download).status_code == 404
    assert "CANARY-DOCUMENT-TITLE" not in _case_html(login, people[EMPLOYER], case)


def test_police_at_the_employer_level_see_the_employer_part_and_cannot_hold(login, planted, people, lado_officer,
                                                                            police_agency):
    case = planted["case"]
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level=AccessLevel.EMPLOYER,
                             reason="Only the employer's part now")
    html = _case_html(login, people[SAFEGUARDING], case)
    assert "CANARY-POLICE-LEAD" not in html and "CANARY-EMPLOYER-LEAD" in html
    assert not selectors.may_hold_from_employer(people[SAFEGUARDING], case)
    suspension = case.suspensions.get()
    url = reverse("allegations:part_hold", args=[case.reference, "suspension", suspension.pk])
    assert login(people[SAFEGUARDING]).post(url, {"held": "held", "reason": "x"}).status_code == 403


def test_sharing_needs_a_level_and_the_lado_sees_it(login, planted, lado_officer, agency_b, agency_b_outsider):
    case = planted["case"]
    url = reverse("allegations:case_action", args=[case.reference, "share"])
    client = login(lado_officer)
    refused = client.post(url, {"agency": agency_b.pk, "reason": "Another school"})
    assert "Choose what the agency may see." in refused.content.decode()
    assert login(agency_b_outsider).get(reverse("allegations:case_detail", args=[case.reference])).status_code == 404
    assert client.post(url, {"agency": agency_b.pk, "level": "employer", "reason": "Another school"}).status_code == 302
    assert selectors.viewer_level(agency_b_outsider, case.referral) == AccessLevel.EMPLOYER
    assert "Hilltop Academy (employer level)" in _case_html(login, lado_officer, case)
    html = _case_html(login, agency_b_outsider, case)
    assert "CANARY-EMPLOYER-LEAD" in html and "CANARY-RISK-SUMMARY" not in html


def test_an_item_of_another_case_cannot_be_widened_or_held(planted, lado_officer, agency_a_manager, lado_service,
                                                           agency_a):
    from django.core.exceptions import ValidationError

    from tests.allegations.factories import make_case, make_referral

    other = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                   agency=agency_a, given="Jo", family="Other"))
    foreign = other.strands.get(kind=Strand.Kind.POLICE)
    with pytest.raises(ValidationError):
        services.case_part_set_audience(actor=lado_officer, case=planted["case"], part="strand", part_id=foreign.pk,
                                        audience="employer", reason="Wrong case")
    with pytest.raises(ValidationError):
        services.case_part_hold(actor=lado_officer, case=planted["case"], part="strand", part_id=foreign.pk,
                                held=True, reason="Wrong case")
    assert not PartAudience.objects.exists()
