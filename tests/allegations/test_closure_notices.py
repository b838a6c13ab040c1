"""Partners told when a case closes (issue 17 §4): each agency that took part gets one notice, at its level, written
with the closure; the business unit's figures count the closure the same day."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import AgencyKind, Notification, Role, Sector
from allegations import services
from allegations.closing import agencies_took_part, case_closed_notify
from allegations.models import Event, Outcome
from meetings import services as meeting_services
from outbox.models import Message
from outbox.services import messages_drain as outbox_drain
from tests.agencies.factories import AgencyFactory, UserFactory, member
from tests.allegations.factories import tell_parents
from tests.meetings.factories import invite, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def care_agency(lado_service):
    return AgencyFactory(name="Acorn Care", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION, lado_service=lado_service)


@pytest.fixture
def care_manager(care_agency):
    return member(UserFactory(username="care.manager"), care_agency, Role.SENIOR_MANAGER)


@pytest.fixture
def second_a_manager(agency_a):
    return member(UserFactory(username="a.deputy"), agency_a, Role.SENIOR_MANAGER)


@pytest.fixture
def taken_part(case, lado_officer, chair, police_agency, police_user, agency_b, agency_b_outsider, care_agency,
               care_manager, agency_a_manager, second_a_manager, agency_a_viewer, analyst):
    """The referring agency (agency A, two senior managers and a viewer), the police the case is shared with at the
    safeguarding level (a participant, no senior manager), agency B invited to a meeting only (at the employer
    level), and Acorn Care owning an action only."""
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                             reason="The police are investigating.")
    meeting = schedule(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=chair, agency=agency_b, access_level="employer")
    meeting_services.action_create(actor=lado_officer, case=case, description="Review the rota.", agency=care_agency,
                                   due_on=timezone.localdate() + dt.timedelta(days=7))
    services.case_record_outcome(actor=lado_officer, case=case, outcome=Outcome.UNFOUNDED,
                                 police_outcome="no_police_action", police_outcome_detail="",
                                 employer_outcome="no_sanction")
    case.refresh_from_db()
    tell_parents(case, lado_officer)
    return case


def close(case, officer):
    return services.case_close(actor=officer, case=case, closed_at=timezone.now(), summary="Concluded.")


def closure_notices():
    return Notification.objects.filter(key__startswith="case-closed:")


def test_each_agency_that_took_part_is_told_once_at_its_level(
    taken_part, lado_officer, lado_manager, agency_a, agency_b, police_agency, care_agency, agency_a_manager,
    second_a_manager, agency_a_viewer, police_user, agency_b_outsider, care_manager, analyst,
):
    case = taken_part
    reference = case.referral.reference
    assert {a.pk for a in agencies_took_part(case)} == {agency_a.pk, police_agency.pk, agency_b.pk, care_agency.pk}
    close(case, lado_officer)

    notices = {n.user_id: n for n in closure_notices()}
    assert set(notices) == {agency_a_manager.pk, second_a_manager.pk, police_user.pk, agency_b_outsider.pk,
                            care_manager.pk}, "the people who answer for each agency; never its viewers, the LADO service or the business unit"
    assert closure_notices().count() == 5, "one notice each"
    detail = reverse("allegations:case_detail", args=[reference])
    # The referring agency (employer level) and the police (safeguarding) see the outcome.
    for user in (agency_a_manager, second_a_manager, police_user):
        assert notices[user.pk].title == f"Case {reference} closed. Outcome: Unfounded"
        assert notices[user.pk].link == detail
    # An agency only invited to a meeting, or only owning an action, does not see the case: just "closed".
    for user in (agency_b_outsider, care_manager):
        assert notices[user.pk].title == f"Case {reference} closed"
        assert "Unfounded" not in notices[user.pk].title
        assert notices[user.pk].link == reverse("home")
    # One notice per agency: the keys name the closure and the agency, and telling again tells no one.
    keys = {n.key.rsplit(":", 1)[1] for n in closure_notices()}
    assert keys == {str(a.pk) for a in (agency_a, police_agency, agency_b, care_agency)}
    event = Event.objects.get(case=case, verb="case_closed")
    assert all(told == 0 for told in case_closed_notify(case=case, event=event).values())
    assert closure_notices().count() == 5


def test_the_notices_are_what_need_to_know_shows_each_agency(taken_part, lado_officer, login, agency_a_manager,
                                                              agency_b_outsider):
    """The words in the notice match the pages: the referring agency reads the outcome on the case page; the agency
    that only attended a meeting cannot open the case at all."""
    case = taken_part
    close(case, lado_officer)
    detail = reverse("allegations:case_detail", args=[case.referral.reference])
    assert login(agency_a_manager).get(detail).status_code == 200
    assert login(agency_b_outsider).get(detail).status_code == 404


def test_the_e_mails_carry_a_reference_and_a_link_and_no_names(taken_part, lado_officer, agency_a_manager,
                                                                agency_b_outsider, police_user):
    case = taken_part
    outbox_drain()  # what earlier steps asked for (the new referral's notices): not what this test counts
    mail.outbox.clear()
    close(case, lado_officer)
    outbox_drain()
    sent = {m.to[0]: m for m in mail.outbox}
    assert agency_a_manager.email in sent and agency_b_outsider.email in sent and police_user.email in sent
    assert len(mail.outbox) == 5, "one e-mail per person told"
    subject = case.referral.subject
    children = [c.given_name for c in case.referral.children.all()] + [c.family_name for c in case.referral.children.all()]
    for message in mail.outbox:
        text = message.subject + message.body
        assert case.referral.reference in text
        assert "/cases/" in text or "http" in text
        for name in (subject.given_name, subject.family_name, *children):
            assert name not in text


def test_a_closure_that_fails_tells_no_one(taken_part, lado_officer, agency_a_manager):
    case = taken_part
    before = Message.objects.count()
    with pytest.raises(ValidationError):
        services.case_close(actor=lado_officer, case=case, closed_at=timezone.now() + dt.timedelta(days=2),
                            summary="Concluded.")
    assert not closure_notices().exists()
    assert Message.objects.count() == before


def test_a_closure_rolled_back_leaves_no_notice_and_no_e_mail(taken_part, lado_officer):
    """The notices are written in the closure's transaction: if it does not commit, nothing is sent."""
    case = taken_part
    before = Message.objects.count()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            close(case, lado_officer)
            assert closure_notices().count() == 5
            raise RuntimeError("the request failed after the closure")
    assert not closure_notices().exists()
    assert Message.objects.count() == before
    case.refresh_from_db()
    assert case.status == "open"


def test_a_case_without_partners_tells_no_one(lado_service, lado_officer, agency_a_manager):
    """A referral made by the LADO service itself (no referring agency), never shared, with no meetings: no notices."""
    from tests.allegations.factories import make_case, make_referral

    referral = make_referral(actor=lado_officer, lado_service=lado_service, agency=None, phone=True)
    case = make_case(officer=lado_officer, referral=referral)
    services.case_record_outcome(actor=lado_officer, case=case, outcome=Outcome.UNFOUNDED,
                                 police_outcome="no_police_action", police_outcome_detail="",
                                 employer_outcome="no_sanction")
    case.refresh_from_db()
    tell_parents(case, lado_officer)
    close(case, lado_officer)
    assert not closure_notices().exists()


def test_the_business_unit_sees_the_closure_in_its_figures_the_same_day(taken_part, lado_officer, login, analyst):
    case = taken_part
    figures = reverse("reporting:figures")
    page = login(analyst).get(figures).content.decode()
    assert "No cases closed in these years." in page
    close(case, lado_officer)
    case.refresh_from_db()
    page = login(analyst).get(figures).content.decode()
    assert "No cases closed in these years." not in page
    closed_at = timezone.localtime(case.closed_at)
    # The financial year's quarter (Q1 April–June … Q4 January–March), as the annual report.
    fy = closed_at.year if closed_at.month >= 4 else closed_at.year - 1
    quarter = (closed_at.month - 4) // 3 + 1 if closed_at.month >= 4 else 4
    row = (f'<td class="govuk-table__cell" data-label="Financial year">{fy}/{(fy + 1) % 100:02d}</td>'
           f'<td class="govuk-table__cell" data-label="Quarter">Q{quarter}</td>\n'
           f'    <td class="govuk-table__cell" data-label="Outcome">Unfounded</td>'
           f'<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Number">1</td>')
    assert row in page
    assert case.referral.subject.family_name not in page


def test_a_person_invited_by_name_brings_their_agency_and_a_cancelled_meeting_brings_none(
    case, lado_officer, chair, police_agency, police_user, agency_b, agency_b_outsider, agency_a_manager,
):
    """An invitation to a person with an account tells their agency (at its level: the police, not sharing the case,
    read only "closed"); the invitees of a meeting that was cancelled took no part."""
    held = schedule(case, actor=lado_officer, chair=chair)
    invite(held, actor=chair, user=police_user)
    cancelled = schedule(case, actor=lado_officer, chair=chair)
    invite(cancelled, actor=chair, agency=agency_b, access_level="employer")
    meeting_services.meeting_cancel(actor=lado_officer, meeting=cancelled, reason="Not needed after all.")
    services.case_record_outcome(actor=lado_officer, case=case, outcome=Outcome.UNFOUNDED,
                                 police_outcome="no_police_action", police_outcome_detail="",
                                 employer_outcome="no_sanction")
    case.refresh_from_db()
    tell_parents(case, lado_officer)
    close(case, lado_officer)
    told = {n.user_id: n.title for n in closure_notices()}
    reference = case.referral.reference
    assert told == {police_user.pk: f"Case {reference} closed",
                    agency_a_manager.pk: f"Case {reference} closed. Outcome: Unfounded"}


def test_a_restricted_case_tells_only_the_people_named(case, lado_manager, lado_officer, police_agency, police_user,
                                                        agency_a_manager):
    """A case restricted to named people of the LADO service: no partner is told it exists, closed or not."""
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                             reason="The police are investigating.")
    services.referral_restrict(actor=lado_manager, referral=case.referral, reason="About one of our officers.",
                               may_open=[lado_officer])
    services.case_record_outcome(actor=lado_officer, case=case, outcome=Outcome.UNFOUNDED,
                                 police_outcome="no_police_action", police_outcome_detail="",
                                 employer_outcome="no_sanction")
    case.refresh_from_db()
    tell_parents(case, lado_officer)
    assert close(case, lado_officer).status == "closed"
    assert not closure_notices().exists()
