"""Meetings, invitations, minutes, circulation and actions, through the services."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import AgencyKind, Notification, Partnership, Role, Sector
from allegations.models import Event
from deadlines import timescales
from deadlines.models import Deadline
from meetings import agendas, selectors, services
from meetings.models import (
    AccessLevel,
    Action,
    ActionStatus,
    Attendance,
    Audience,
    Circulation,
    Meeting,
    MeetingKind,
    MinutesStatus,
    MinutesVersion,
)
from outbox.models import Delivery
from outbox.services import messages_drain as outbox_drain
from tests.agencies.factories import AgencyFactory, UserFactory, member
from tests.allegations.factories import make_case, make_referral, tell_parents
from tests.meetings.factories import (
    REQUIRED_TEXT,
    approve,
    circulate,
    complete_required,
    hold,
    held_meeting_with_minutes,
    invite,
    make_strategy_case,
    schedule,
    write,
)

pytestmark = pytest.mark.django_db


def minutes_deadline(meeting):
    meeting.refresh_from_db()
    return Deadline.objects.get(pk=meeting.minutes_deadline_id)


# --- Templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", MeetingKind.values)
def test_every_kinds_template_has_unique_keys_and_the_sections_required_before_approval(kind):
    sections = agendas.template_for(kind)
    keys = [s.key for s in sections]
    assert len(keys) == len(set(keys))
    required = {s.key for s in sections if s.required}
    assert {"confidentiality", "decisions", "disagreements"} <= required
    assert any(k.startswith("risk") for k in required), "a risk assessment is required"
    assert [s.key for s in sections if s.allows_none] == ["disagreements"]
    assert all(s.audience in Audience.values for s in sections)


def test_the_serious_concerns_templates_follow_seed_001s_agendas_item_by_item():
    titles = {kind: " ".join(s.title for s in agendas.template_for(kind)) for kind in MeetingKind.values}
    assert "Outcomes from CQC inspections" in titles["serious_concerns_initial"]
    assert "Suspension of new admissions" in titles["serious_concerns_initial"]
    assert "Review of the suspension of new placements" in titles["serious_concerns_review"]
    assert "Lessons learned" in titles["outcome_lessons_learned"]


def test_a_strategy_discussion_keeps_the_childs_safeguarding_apart_from_the_adults_employment():
    sections = {s.key: s for s in agendas.template_for(MeetingKind.STRATEGY_DISCUSSION)}
    assert sections["child_information"].audience == Audience.CHILD
    assert sections["child_safeguarding"].audience == Audience.CHILD
    assert sections["adult_employment"].audience == Audience.EMPLOYMENT
    assert sections["employer_process"].audience == Audience.EMPLOYMENT
    assert sections["restricted_notes"].audience == Audience.RESTRICTED


@pytest.mark.parametrize("kind", ["strategy_discussion", "initial", "review"])
def test_a_pipot_cases_minutes_speak_of_the_adult_at_risk_and_other_adults_not_children(
        kind, agency_a_manager, lado_service, agency_a, lado_officer, chair):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, workforce="adults",
                             sector="care_home", employer_name="Meadowbank Care Homes", subject_role="Care worker")
    case = make_case(officer=lado_officer, referral=referral)
    meeting = schedule(case, actor=lado_officer, chair=chair, kind=kind)
    sections = list(meeting.minutes.sections.order_by("order"))
    words = " ".join(f"{s.title} {s.guidance}" for s in sections)
    assert "child" not in words.lower().replace("any child at risk is a matter for the lado", "")
    assert "adult at risk" in words
    if kind != "review":
        assert "other adults who use the service" in words.lower()
    # The same sections and audiences as a children's case: only the words differ.
    assert [(s.key, s.audience, s.required) for s in sections] == [
        (spec.key, spec.audience, spec.required) for spec in agendas.template_for(kind)]
    # Who the safeguarding sections are for, as the minutes page and PDF say it.
    assert agendas.audience_labels(meeting)[Audience.CHILD].startswith("Safeguarding the adult at risk")


def test_a_childrens_case_keeps_the_childrens_words(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair, kind="initial")
    titles = list(meeting.minutes.sections.values_list("title", flat=True))
    assert "The children involved and safeguarding enquiries" in titles
    assert agendas.audience_labels(meeting)[Audience.CHILD].startswith("Child safeguarding")


# --- Scheduling ---------------------------------------------------------------------------------


def test_scheduling_starts_the_minutes_from_the_kinds_template_and_records_an_event(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair, kind="strategy_discussion")
    keys = list(meeting.minutes.sections.order_by("order").values_list("key", flat=True))
    assert keys == [s.key for s in agendas.template_for("strategy_discussion")]
    assert meeting.minutes.status == MinutesStatus.DRAFT and meeting.minutes.version == 0
    assert Event.objects.filter(case=case, verb="meeting_scheduled").count() == 1
    assert meeting.history.first().history_user == lado_officer


def test_an_agency_or_another_lado_service_cannot_schedule(case, agency_a_manager, other_officer, chair):
    for actor in (agency_a_manager, other_officer):
        with pytest.raises(PermissionDenied):
            schedule(case, actor=actor, chair=chair)
    assert not Meeting.objects.exists()


def test_a_social_care_chair_who_can_see_the_case_can_schedule(case, lado_officer, lado_service):
    social_care = AgencyFactory(name="Testshire Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
                                lado_service=lado_service)
    manager = member(UserFactory(username="csc.chair"), social_care, Role.CHAIR)
    with pytest.raises(PermissionDenied):
        schedule(case, actor=manager, chair=manager)
    from allegations import services as case_services

    case_services.case_share_with(actor=lado_officer, case=case, agency=social_care, level="safeguarding",
                                     reason="Section 47 enquiries")
    meeting = schedule(case, actor=manager, chair=manager, kind="strategy_discussion", chaired_by_service=False)
    assert meeting.chair == manager and not meeting.chaired_by_service


def test_scheduling_needs_a_place_or_a_link_and_a_chair_from_the_list(case, lado_officer, agency_b_outsider):
    with pytest.raises(ValidationError) as error:
        schedule(case, actor=lado_officer, chair=agency_b_outsider, location="")
    assert set(error.value.error_dict) == {"location", "chair"}


def test_a_meeting_cannot_be_before_the_referral_or_of_a_provider_kind(case, lado_officer, chair):
    with pytest.raises(ValidationError) as error:
        schedule(case, actor=lado_officer, chair=chair, kind="serious_concerns_initial",
                 when=case.referral.received_at - dt.timedelta(days=1))
    assert set(error.value.error_dict) == {"kind", "scheduled_at"}


def test_a_closed_case_cannot_have_new_meetings(case, lado_officer, chair):
    from allegations import services as case_services

    case_services.case_record_outcome(actor=lado_officer, case=case, outcome="unfounded", police_outcome="no_police_action",
                                      police_outcome_detail="", employer_outcome="no_sanction")
    tell_parents(case, lado_officer)
    case_services.case_close(actor=lado_officer, case=case, closed_at=timezone.now(), summary="Unfounded.")
    with pytest.raises(ValidationError, match="closed"):
        schedule(case, actor=lado_officer, chair=chair)


# --- Holding --------------------------------------------------------------------------------------


def test_holding_an_initial_meeting_opens_a_14_day_minutes_deadline(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair, kind="initial")
    held_at = timezone.now()
    hold(meeting, actor=chair, held_at=held_at)
    deadline = minutes_deadline(meeting)
    assert deadline.kind == Deadline.Kind.MINUTES_INITIAL
    assert deadline.due_at == timescales.add_days(held_at, 14, tz="Europe/London")
    assert Event.objects.filter(case=case, verb="meeting_held").exists()


def test_holding_a_review_meeting_opens_a_7_day_minutes_deadline(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair, kind="review")
    held_at = timezone.now()
    hold(meeting, actor=lado_officer, held_at=held_at)
    deadline = minutes_deadline(meeting)
    assert deadline.kind == Deadline.Kind.MINUTES_REVIEW
    assert deadline.due_at == timescales.add_days(held_at, 7, tz="Europe/London")


def test_the_minutes_spans_are_the_partnerships_settings(case, lado_officer, chair, partnership):
    partnership.minutes_initial_span = 10
    partnership.save()
    meeting = schedule(case, actor=lado_officer, chair=chair, kind="initial")
    held_at = timezone.now()
    hold(meeting, actor=lado_officer, held_at=held_at)
    assert Partnership.current().pk == partnership.pk
    assert minutes_deadline(meeting).due_at == timescales.add_days(held_at, 10, tz="Europe/London")


def test_holding_a_strategy_discussion_meets_the_strategy_meeting_deadline(referral, lado_officer, chair):
    case = make_strategy_case(officer=lado_officer, referral=referral)
    strategy = Deadline.objects.get(referral=referral, kind=Deadline.Kind.STRATEGY_MEETING)
    assert strategy.met_at is None
    meeting = schedule(case, actor=lado_officer, chair=chair, kind="strategy_discussion")
    held_at = timezone.now()
    hold(meeting, actor=chair, held_at=held_at)
    strategy.refresh_from_db()
    assert (strategy.status, strategy.met_at) == (Deadline.Status.MET, held_at)
    assert minutes_deadline(meeting).kind == Deadline.Kind.MINUTES_INITIAL


def test_a_meeting_is_held_once_and_not_in_the_future(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    with pytest.raises(ValidationError) as error:
        hold(meeting, actor=lado_officer, held_at=timezone.now() + dt.timedelta(hours=1))
    assert "held_at" in error.value.error_dict
    hold(meeting, actor=lado_officer)
    with pytest.raises(ValidationError, match="held"):
        hold(meeting, actor=lado_officer)
    assert Deadline.objects.filter(referral=case.referral, kind=Deadline.Kind.MINUTES_INITIAL).count() == 1


def test_a_cancelled_meeting_needs_a_reason_and_cannot_then_be_held(case, lado_officer, chair, agency_a_manager):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(actor=agency_a_manager, meeting=meeting, reason="No")
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=chair, meeting=meeting, reason="  ")
    services.meeting_cancel(actor=chair, meeting=meeting, reason="Police asked to wait for the interview.")
    with pytest.raises(ValidationError, match="cancelled"):
        hold(meeting, actor=chair)


# --- Suggestions ------------------------------------------------------------------------------------


def suggestions(case, meeting=None):
    return {s.key: s for s in services.meeting_suggest_invitees(case, meeting)}


@pytest.fixture
def refer(agency_a_manager, lado_service, agency_a, lado_officer):
    def _refer(**facts):
        subject_fields = {k: facts.pop(k) for k in ("registration_body", "registration_number") if k in facts}
        referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, **facts)
        if subject_fields:
            subject = referral.subject
            for name, value in subject_fields.items():
                setattr(subject, name, value)
            subject.save()
        return make_case(officer=lado_officer, referral=referral)

    return _refer


def test_the_employer_is_suggested_with_employer_access(refer, agency_a):
    found = suggestions(refer())  # employer_name "Riverside Primary" is agency A
    assert found["employer"].agency == agency_a
    assert found["employer"].access_level == AccessLevel.EMPLOYER
    assert found["employer"].why == "The person's employer: their case manager or HR manage the employment side."


def test_an_employer_without_an_agency_is_suggested_by_name(refer):
    found = suggestions(refer(employer_name="Little Acorns Charity"))
    assert found["employer"].agency is None and found["employer"].name == "Little Acorns Charity"
    assert "invite a named person" in found["employer"].why


def test_the_police_are_suggested_with_safeguarding_access(refer, police_agency):
    found = suggestions(refer())
    assert found[f"police:{police_agency.pk}"].agency == police_agency
    assert found[f"police:{police_agency.pk}"].access_level == AccessLevel.SAFEGUARDING


def test_the_police_are_suggested_by_name_when_no_force_is_set_up(refer):
    assert suggestions(refer())["police"].name == "Police"


def test_childrens_social_care_for_the_childrens_workforce(refer, lado_service):
    csc = AgencyFactory(name="Testshire Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE, lado_service=lado_service)
    AgencyFactory(name="Testshire Adult Social Care", kind=AgencyKind.ADULTS_SOCIAL_CARE, lado_service=lado_service)
    found = suggestions(refer(children=[{"given_name": "Sam", "relationship": "complainant", "has_social_worker": True}]))
    assert found[f"social_care:{csc.pk}"].agency == csc
    assert "has a social worker" in found[f"social_care:{csc.pk}"].why


def test_adults_social_care_for_the_adults_workforce(refer, lado_service):
    AgencyFactory(name="Testshire Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE, lado_service=lado_service)
    asc = AgencyFactory(name="Testshire Adult Social Care", kind=AgencyKind.ADULTS_SOCIAL_CARE, lado_service=lado_service)
    found = suggestions(refer(workforce="adults"))
    assert found[f"social_care:{asc.pk}"].agency == asc
    assert not [k for k, s in found.items() if s.agency and s.agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE]


def test_the_regulator_of_a_registered_person(refer):
    tra = AgencyFactory(name="Teaching Regulation Agency", kind=AgencyKind.REGULATOR, sector=Sector.OTHER)
    found = suggestions(refer(registration_body="TRA", registration_number="RP99/12345"))
    assert found["regulator"].agency == tra
    assert "RP99/12345" in found["regulator"].why and found["regulator"].access_level == AccessLevel.EMPLOYER


def test_a_regulator_not_set_up_is_suggested_by_its_full_name(refer):
    assert suggestions(refer(registration_body="NMC"))["regulator"].name == "Nursing and Midwifery Council"


def test_no_regulator_without_a_registration_or_a_regulated_setting(refer):
    found = suggestions(refer())
    assert "regulator" not in found and "setting_regulator" not in found


def test_the_regulator_of_the_setting(refer):
    found = suggestions(refer(sector="early_years", employer_name="Little Acorns Nursery"))
    assert found["setting_regulator"].name == "Ofsted"


def test_the_commissioner_of_the_employers_service(refer, agency_a):
    icb = AgencyFactory(name="Testshire ICB", kind=AgencyKind.ICB, sector=Sector.HEALTH)
    agency_a.commissioned_by = icb
    agency_a.save()
    found = suggestions(refer())
    assert found["commissioner"].agency == icb and "Riverside Primary" in found["commissioner"].why


def test_each_other_setting_is_suggested(refer):
    club = AgencyFactory(name="Northside Football Club", kind=AgencyKind.SPORTS_CLUB, sector=Sector.SPORTS)
    found = suggestions(refer(other_settings="Northside Football Club\n- Sunday school, St Mary's church"))
    assert found["setting:northside-football-club"].agency == club
    assert found["setting:sunday-school-st-mary-s-church"].name == "Sunday school, St Mary's church"


def test_the_authority_where_the_person_lives_if_not_ours(refer, other_lado_service, lado_service):
    other_lado_service.authority = "Elsewhere"
    other_lado_service.save()
    lado_service.authority = "Testshire"
    lado_service.save()
    found = suggestions(refer(subject_lives_in="Elsewhere", subject_works_in="Faraway"))
    assert found["lives_in"].agency == other_lado_service and found["lives_in"].access_level == AccessLevel.SAFEGUARDING
    assert found["works_in"].name == "LADO service, Faraway"
    assert "lives_in" not in suggestions(refer(subject_lives_in="Testshire"))


def test_suggestions_of_one_agency_are_merged_and_invited_ones_disappear(refer, agency_a, lado_officer, chair):
    case = refer(other_settings="Riverside Primary")
    found = suggestions(case)
    assert "setting:riverside-primary" not in found and "also works or volunteers" in found["employer"].why
    meeting = schedule(case, actor=lado_officer, chair=chair)
    invitation = services.invitation_add_suggested(actor=lado_officer, meeting=meeting, key="employer")
    assert (invitation.agency, invitation.suggestion_key) == (agency_a, "employer")
    assert invitation.why_suggested.startswith("The person's employer")
    assert "employer" not in suggestions(case, meeting)
    with pytest.raises(ValidationError, match="no longer available"):
        services.invitation_add_suggested(actor=lado_officer, meeting=meeting, key="employer")


# --- Invitations -------------------------------------------------------------------------------------


def test_inviting_an_agency_shares_the_meeting_and_removing_it_unshares(case, lado_officer, chair, police_agency, police_user):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    assert not Meeting.objects.visible_to(police_user).exists()
    invitation = invite(meeting, actor=chair, agency=police_agency)
    assert list(Meeting.objects.visible_to(police_user)) == [meeting]
    second = invite(meeting, actor=chair, agency=police_agency, name="DS Patel", email="ds.patel@police.example")
    services.invitation_remove(actor=chair, invitation=invitation)
    assert list(Meeting.objects.visible_to(police_user)) == [meeting], "still invited through DS Patel"
    services.invitation_remove(actor=chair, invitation=second)
    assert not Meeting.objects.visible_to(police_user).exists()
    assert Event.objects.filter(case=case, verb="meeting_uninvited").count() == 2


def test_inviting_a_person_takes_their_agency(case, lado_officer, chair, police_user, police_agency, agency_a):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    invitation = invite(meeting, actor=lado_officer, user=police_user)
    assert invitation.agency == police_agency
    with pytest.raises(ValidationError) as error:
        invite(meeting, actor=lado_officer, user=police_user)
    assert "user" in error.value.error_dict
    both = member(member(UserFactory(username="two.hats"), agency_a, Role.SENIOR_MANAGER), police_agency, Role.PARTICIPANT)
    with pytest.raises(ValidationError, match="more than one agency"):
        invite(meeting, actor=lado_officer, user=both)
    with pytest.raises(ValidationError, match="does not work for"):
        invite(meeting, actor=lado_officer, user=police_user, agency=agency_a)


def test_an_external_person_is_invited_by_name_role_and_email(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    with pytest.raises(ValidationError):
        invite(meeting, actor=lado_officer, name="")
    with pytest.raises(ValidationError) as error:
        invite(meeting, actor=lado_officer, name="Jo Hart", email="not-an-address")
    assert "email" in error.value.error_dict
    invitation = invite(meeting, actor=lado_officer, name="Jo Hart", role="HR officer, Little Acorns Charity",
                        email="jo@acorns.example", access_level="employer")
    assert invitation.display_name == "Jo Hart" and invitation.agency is None
    with pytest.raises(ValidationError, match="already invited"):
        invite(meeting, actor=lado_officer, name="Joanne Hart", email="JO@acorns.example")


def test_only_the_chair_or_lado_service_manage_invitations(case, lado_officer, chair, police_agency, police_user):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=chair, agency=police_agency)
    with pytest.raises(PermissionDenied):
        invite(meeting, actor=police_user, name="Someone")


def test_apologies_before_the_meeting_attendance_after_it(case, lado_officer, chair, police_agency):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    police = invite(meeting, actor=chair, agency=police_agency)
    hr = invite(meeting, actor=chair, name="Jo Hart", access_level="employer")
    services.attendance_record(actor=chair, meeting=meeting, attendance={hr.pk: Attendance.APOLOGIES})
    with pytest.raises(ValidationError, match="once the meeting has been held"):
        services.attendance_record(actor=chair, meeting=meeting, attendance={police.pk: Attendance.ATTENDED})
    hold(meeting, actor=chair, attendance={police.pk: Attendance.ATTENDED})
    police.refresh_from_db()
    hr.refresh_from_db()
    assert (police.attendance, hr.attendance) == (Attendance.ATTENDED, Attendance.APOLOGIES)
    with pytest.raises(ValidationError):
        services.attendance_record(actor=chair, meeting=meeting, attendance={999999: Attendance.ATTENDED})


def test_changing_an_access_level_is_recorded(case, lado_officer, chair, police_agency):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    invitation = invite(meeting, actor=chair, agency=police_agency)
    services.invitation_update(actor=chair, invitation=invitation, access_level="full")
    invitation.refresh_from_db()
    assert invitation.access_level == AccessLevel.FULL
    assert Event.objects.filter(case=case, verb="meeting_access_changed").count() == 1
    assert invitation.history.count() == 2


# --- Minutes: saving ----------------------------------------------------------------------------------


def test_saving_minutes_keeps_history_and_moves_the_revision_on(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    minutes = write(meeting, actor=lado_officer, purpose="To evaluate the concern.")
    assert minutes.revision == 1
    section = minutes.sections.get(key="purpose")
    assert section.body == "To evaluate the concern."
    assert section.history.first().history_user == lado_officer
    assert write(meeting, actor=lado_officer, purpose="To evaluate the concern.").revision == 1, "no change, no new revision"


def test_a_save_from_an_earlier_revision_is_refused_and_overwrites_nothing(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    minutes = meeting.minutes
    loaded = minutes.revision
    services.minutes_save(actor=chair, minutes=minutes, revision=loaded, sections={"purpose": {"body": "Chair's text"}})
    with pytest.raises(services.MinutesConflict, match="Someone else saved these minutes"):
        services.minutes_save(actor=lado_officer, minutes=minutes, revision=loaded,
                              sections={"purpose": {"body": "Officer's text"}})
    assert minutes.sections.get(key="purpose").body == "Chair's text"


def test_the_minute_taker_may_edit_but_an_invitee_may_not(case, lado_officer, chair, police_user, police_agency):
    taker = member(UserFactory(username="minutes"), case.referral.lado_service, Role.MINUTE_TAKER)
    meeting = schedule(case, actor=lado_officer, chair=chair, minute_taker=taker)
    write(meeting, actor=taker, purpose="Drafted by the minute taker.")
    invite(meeting, actor=chair, agency=police_agency, access_level="full")
    with pytest.raises(PermissionDenied):
        write(meeting, actor=police_user, purpose="Police edit")


def test_none_raised_and_disagreements_text_are_not_both_recorded(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    minutes = meeting.minutes
    with pytest.raises(ValidationError) as error:
        services.minutes_save(actor=chair, minutes=minutes, revision=0,
                              sections={"disagreements": {"body": "Police challenged.", "none_raised": True}})
    assert "disagreements" in error.value.error_dict


def test_a_section_audience_can_be_changed_but_only_to_a_known_audience(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    minutes = meeting.minutes
    services.minutes_save(actor=chair, minutes=minutes, revision=0, sections={"purpose": {"body": "x", "audience": "child"}})
    assert minutes.sections.get(key="purpose").audience == Audience.CHILD
    with pytest.raises(ValidationError):
        services.minutes_save(actor=chair, minutes=minutes, revision=1, sections={"purpose": {"body": "x", "audience": "press"}})


# --- Minutes: approval and versions ----------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["confidentiality", "risk", "decisions", "disagreements"])
def test_approval_needs_every_required_section(case, lado_officer, chair, missing):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    hold(meeting, actor=chair)
    bodies = {k: v for k, v in REQUIRED_TEXT.items() if k in ("confidentiality", "risk", "decisions") and k != missing}
    write(meeting, actor=chair, none_raised=() if missing == "disagreements" else ("disagreements",), **bodies)
    with pytest.raises(ValidationError) as error:
        approve(meeting, chair=chair)
    assert set(error.value.error_dict) == {missing}
    assert not MinutesVersion.objects.exists()


def test_disagreements_recorded_as_text_satisfy_approval(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    hold(meeting, actor=chair)
    write(meeting, actor=chair, disagreements="Police challenged the decision not to suspend; escalated to the LADO manager.",
          **{k: REQUIRED_TEXT[k] for k in ("confidentiality", "risk", "decisions")})
    assert approve(meeting, chair=chair).number == 1


def test_only_the_chair_approves_and_only_after_the_meeting(case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    complete_required(meeting, actor=lado_officer)
    with pytest.raises(ValidationError, match="held"):
        approve(meeting, chair=chair)
    hold(meeting, actor=chair)
    with pytest.raises(PermissionDenied):
        approve(meeting, chair=lado_officer)


def test_approval_of_what_the_chair_did_not_see_is_refused(case, lado_officer, chair):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    seen = meeting.minutes.revision
    write(meeting, actor=lado_officer, purpose="Added after the chair opened the page.")
    with pytest.raises(services.MinutesConflict):
        services.minutes_approve(actor=chair, minutes=meeting.minutes, revision=seen)


def test_a_change_after_approval_makes_version_2_and_version_1_stays_as_approved(case, lado_officer, chair):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair, purpose="First purpose.")
    first = approve(meeting, chair=chair)
    with pytest.raises(ValidationError, match="already approved"):
        approve(meeting, chair=chair)
    minutes = write(meeting, actor=lado_officer, purpose="Corrected purpose.")
    assert (minutes.status, minutes.version, minutes.next_version) == (MinutesStatus.DRAFT, 1, 2)
    assert Event.objects.filter(case=case, verb="minutes_changed").count() == 1
    second = approve(meeting, chair=chair)
    first.refresh_from_db()
    by_key = lambda version: {s["key"]: s["body"] for s in version.sections}  # noqa: E731
    assert (first.number, second.number) == (1, 2)
    assert by_key(first)["purpose"] == "First purpose." and by_key(second)["purpose"] == "Corrected purpose."
    assert first.approved_by == chair
    meeting.minutes.refresh_from_db()
    assert (meeting.minutes.version, meeting.minutes.status) == (2, MinutesStatus.APPROVED)


# --- Circulation ---------------------------------------------------------------------------------------------


def test_circulation_records_each_invitee_at_their_access_level_and_meets_the_deadline_once_delivered(
    case, lado_officer, chair, police_agency, police_user, django_capture_on_commit_callbacks
):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    police = invite(meeting, actor=chair, user=police_user)
    hr = invite(meeting, actor=chair, name="Jo Hart", email="jo@acorns.example", access_level="employer")
    approve(meeting, chair=chair)
    with django_capture_on_commit_callbacks() as callbacks:
        made = circulate(meeting, chair=chair)
    assert len(callbacks) == 2, "one delivery per recipient, each handed to the worker after commit"
    rows = {c.invitation_id: c for c in Circulation.objects.all()}
    assert len(made) == 2 and set(rows) == {police.pk, hr.pk}
    assert (rows[police.pk].access_level, rows[hr.pk].access_level) == ("safeguarding", "employer")
    assert rows[hr.pk].email == "jo@acorns.example" and rows[hr.pk].version.number == 1
    assert rows[police.pk].recipient.endswith("Testshire Police")
    meeting.minutes.refresh_from_db()
    assert meeting.minutes.status == MinutesStatus.CIRCULATED
    # Pressing the button does not meet the deadline: the minutes reaching every recipient does.
    assert minutes_deadline(meeting).status == Deadline.Status.OPEN
    outbox_drain()
    deadline = minutes_deadline(meeting)
    sent = [d.sent_at for d in Delivery.objects.filter(kind="minutes")]
    assert len(sent) == 2 and deadline.status == Deadline.Status.MET and deadline.met_at == max(sent)


def test_the_minutes_go_to_each_recipient_once_without_names(case, lado_officer, chair, police_user):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=chair, user=police_user)
    invite(meeting, actor=chair, name="Jo Hart", email="jo@acorns.example", access_level="employer")
    approve(meeting, chair=chair)
    outbox_drain()  # what was asked for before (the new referral's notices): not what this test counts
    mail.outbox.clear()
    circulate(meeting, chair=chair)
    notice = Notification.objects.get(user=police_user)  # the inbox has it too; the e-mail is the delivery
    assert case.referral.reference in notice.title
    outbox_drain()
    outbox_drain()  # safe to run twice
    assert sorted(m.to[0] for m in mail.outbox) == sorted([police_user.email, "jo@acorns.example"])
    for message in mail.outbox:
        text = message.subject + message.body
        assert case.referral.subject.family_name not in text and "Sam" not in text


def test_minutes_circulated_after_the_deadline_are_met_late(agency_a_manager, lado_service, agency_a, lado_officer, chair):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             received_at=timezone.now() - dt.timedelta(days=40))
    case = make_case(officer=lado_officer, referral=referral)
    meeting = schedule(case, actor=lado_officer, chair=chair, kind="review", when=timezone.now() - dt.timedelta(days=20))
    hold(meeting, actor=chair, held_at=timezone.now() - dt.timedelta(days=20))
    complete_required(meeting, actor=chair)
    invite(meeting, actor=chair, name="Jo Hart", email="jo@acorns.example", access_level="employer")
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair)
    outbox_drain()
    assert minutes_deadline(meeting).status == Deadline.Status.MET_LATE


def test_circulation_needs_approved_minutes_and_someone_new_to_send_them_to(case, lado_officer, chair, police_agency):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    first = invite(meeting, actor=chair, agency=police_agency)
    with pytest.raises(ValidationError, match="Approve the minutes"):
        circulate(meeting, chair=chair)
    approve(meeting, chair=chair)
    with pytest.raises(PermissionDenied):
        circulate(meeting, chair=lado_officer)
    with pytest.raises(ValidationError):
        circulate(meeting, chair=chair, invitations=[])
    circulate(meeting, chair=chair)
    with pytest.raises(ValidationError, match="already been sent version 1"):
        circulate(meeting, chair=chair, invitations=[first])
    late = invite(meeting, actor=chair, name="Jo Hart", access_level="employer")
    assert [c.invitation for c in circulate(meeting, chair=chair)] == [late]
    # A new version goes to everyone again; the record keeps who had which version.
    write(meeting, actor=chair, purpose="Corrected.")
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair)
    assert sorted(Circulation.objects.values_list("version__number", "invitation_id")) == sorted(
        [(1, first.pk), (1, late.pk), (2, first.pk), (2, late.pk)]
    )


def test_a_removed_invitee_stays_in_the_circulation_record(case, lado_officer, chair, police_agency):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invitation = invite(meeting, actor=chair, agency=police_agency)
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair)
    services.invitation_remove(actor=chair, invitation=invitation)
    row = Circulation.objects.get()
    assert row.invitation is None and row.recipient == "Testshire Police"


# --- Actions ------------------------------------------------------------------------------------------------


def new_action(case, actor, agency, *, due_on=None, meeting=None, **kw):
    return services.action_create(actor=actor, case=case, meeting=meeting, description=kw.pop("description", "Hold a strategy meeting."),
                                  agency=agency, due_on=due_on or timezone.localdate() + dt.timedelta(days=3), **kw)


def test_an_action_is_due_at_the_end_of_its_due_date(case, lado_officer, police_agency):
    due_on = timezone.localdate() + dt.timedelta(days=5)
    action = new_action(case, lado_officer, police_agency, due_on=due_on, assignee_name="DS Patel")
    deadline = action.deadline
    assert deadline.kind == Deadline.Kind.ACTION and deadline.case == case
    assert deadline.due_at == timescales.end_of_day(due_on, "Europe/London")
    event = Event.objects.get(case=case, verb="action_agreed")
    # The case timeline is read by every agency that sees the case: it names the agency, not what is to be done.
    assert "Testshire Police" in event.summary and "strategy meeting" not in (event.summary + event.reason).lower()


def test_an_action_needs_a_future_date_and_an_assignee_of_its_agency(case, lado_officer, police_agency, agency_a_manager):
    with pytest.raises(ValidationError) as error:
        new_action(case, lado_officer, police_agency, due_on=timezone.localdate() - dt.timedelta(days=1),
                   assignee=agency_a_manager, description=" ")
    assert set(error.value.error_dict) == {"due_on", "assignee", "description"}
    with pytest.raises(PermissionDenied):
        new_action(case, agency_a_manager, police_agency)


def test_the_chair_of_a_meeting_agrees_actions_for_the_case(case, lado_officer, lado_service, police_agency):
    social_care = AgencyFactory(name="Testshire Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
                                lado_service=lado_service)
    csc_chair = member(UserFactory(username="csc.chair"), social_care, Role.CHAIR)
    with pytest.raises(PermissionDenied):
        new_action(case, csc_chair, police_agency)
    meeting = schedule(case, actor=lado_officer, chair=csc_chair)
    action = new_action(case, csc_chair, police_agency, meeting=meeting)
    assert action.meeting == meeting
    assert list(Action.objects.visible_to(csc_chair)) == [action]


def test_completing_an_action_needs_evidence_and_meets_its_deadline(case, lado_officer, agency_a, agency_a_manager,
                                                                    agency_a_viewer, agency_b_outsider):
    action = new_action(case, lado_officer, agency_a)
    for outsider in (agency_a_viewer, agency_b_outsider):
        with pytest.raises(PermissionDenied):
            services.action_complete(actor=outsider, action=action, evidence="Done.")
    with pytest.raises(ValidationError) as error:
        services.action_complete(actor=agency_a_manager, action=action, evidence="  ")
    assert "evidence" in error.value.error_dict
    services.action_complete(actor=agency_a_manager, action=action, evidence="Suspension letter sent on Monday.")
    action.refresh_from_db()
    assert (action.status, action.completed_by) == (ActionStatus.DONE, agency_a_manager)
    action.deadline.refresh_from_db()
    assert action.deadline.status == Deadline.Status.MET and action.deadline.met_at == action.completed_at
    with pytest.raises(ValidationError, match="already done"):
        services.action_complete(actor=lado_officer, action=action, evidence="Again")


def test_cancelling_an_action_waives_its_deadline(case, lado_officer, police_agency, agency_a_manager):
    action = new_action(case, lado_officer, police_agency)
    with pytest.raises(PermissionDenied):
        services.action_cancel(actor=agency_a_manager, action=action, reason="No")
    services.action_cancel(actor=lado_officer, action=action, reason="Agreed at the review meeting it is not needed.")
    action.refresh_from_db()
    action.deadline.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED and action.deadline.status == Deadline.Status.WAIVED


def test_each_agency_sees_its_own_open_actions_soonest_first(case, lado_officer, agency_a, police_agency, agency_a_manager,
                                                            police_user):
    later = new_action(case, lado_officer, agency_a, due_on=timezone.localdate() + dt.timedelta(days=9), description="Later")
    sooner = new_action(case, lado_officer, agency_a, due_on=timezone.localdate(), description="Sooner")
    done = new_action(case, lado_officer, agency_a, description="Done already")
    services.action_complete(actor=agency_a_manager, action=done, evidence="Letter on file.")
    police = new_action(case, lado_officer, police_agency, description="Interview")
    assert list(selectors.actions_for_agency(user=agency_a_manager)) == [sooner, later]
    assert list(selectors.actions_for_agency(user=police_user)) == [police]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert [a.is_overdue(tomorrow) for a in (sooner, later)] == [True, False]
    assert selectors.late_agencies([later, sooner, police], tomorrow + dt.timedelta(days=3)) == [
        ("Riverside Primary", 1), ("Testshire Police", 1)
    ]
