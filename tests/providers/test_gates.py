"""A provider concern cannot be closed half-done (issue 18 part 1, seed 001): each gate on its own.

The conclusion is refused, with what is missing listed, until the action plan is complete (or its open items
carried into commissioning with a named owner), the outcome and lessons learned meeting is held and the provider
has been written to after each meeting; a suspension of admissions is lifted on a date or continued with its
review still chased; plan items are deadlines the agency responsible updates; the provider's letter comes from
the template; serious concerns meetings get their invitees suggested; reviews follow a schedule; a concern not
invoked is handed to commissioning; the business unit hears of every meeting; NHS foundation trusts are out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import AgencyKind, Notification, Sector
from deadlines import chasing
from deadlines.models import Deadline
from meetings import services as meeting_services
from providers import services
from providers.models import ConcernStatus, PlanStatus, ProviderConcern
from providers.selectors import prompts_for
from tests.agencies.factories import AgencyFactory
from tests.providers.factories import held_meeting, make_concern, pipot_referral, ready_to_conclude

pytestmark = pytest.mark.django_db

ANSWERS = {"outcome": "Sustained improvement.", "lessons_learned": "Share contract visit findings sooner."}


def _item(asm, concern, agency, days=14, description="Weekly unannounced visits"):
    return services.plan_item_add(actor=asm, concern=concern, description=description, agency=agency,
                                  due_on=timezone.localdate() + dt.timedelta(days=days))


# --- Concluding -------------------------------------------------------------------------------------------------

def test_concluding_is_refused_with_everything_that_is_missing(asm, concern, police_agency):
    _item(asm, concern, police_agency)
    held_meeting(actor=asm, concern=concern, kind="serious_concerns_initial")
    with pytest.raises(services.ConclusionRefused) as refused:
        services.concern_conclude(actor=asm, concern=concern, **ANSWERS)
    missing = refused.value.missing
    assert len(missing) == 3
    assert "Testshire Police is not started" in missing[0] and "Weekly unannounced visits" in missing[0]
    assert missing[1] == "The outcome and lessons learned meeting has not been held"
    assert missing[2].startswith("The provider has not been informed in writing after the initial serious concerns meeting")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.INVOKED and not concern.concluded_at


def test_a_complete_plan_an_outcome_meeting_and_letters_let_it_conclude(asm, concern, police_agency):
    item = _item(asm, concern, police_agency)
    ready_to_conclude(actor=asm, concern=concern)
    missing = services.conclusion_missing(concern)
    assert len(missing) == 1 and "Weekly unannounced visits" in missing[0]
    services.plan_item_update(actor=asm, item=item, status=PlanStatus.COMPLETE, evidence="Visit reports 1 to 4")
    assert services.conclusion_missing(concern) == []
    concern = services.concern_conclude(actor=asm, concern=concern, **ANSWERS)
    assert concern.status == ConcernStatus.CONCLUDED


def test_an_open_item_carried_into_commissioning_needs_a_named_owner(asm, concern, police_agency):
    item = _item(asm, concern, police_agency)
    with pytest.raises(ValidationError) as error:
        services.plan_item_carry(actor=asm, item=item, owner=" ")
    assert "owner" in error.value.message_dict
    item = services.plan_item_carry(actor=asm, item=item, owner="Jo Smith, contracts manager")
    assert item.status == PlanStatus.CARRIED and item.carried_owner == "Jo Smith, contracts manager"
    item.deadline.refresh_from_db()
    assert item.deadline.status == Deadline.Status.WAIVED  # chased by commissioning now, not here
    assert concern.events.filter(kind="plan_item_carried").exists()
    ready_to_conclude(actor=asm, concern=concern)
    assert services.concern_conclude(actor=asm, concern=concern, **ANSWERS).status == ConcernStatus.CONCLUDED


def test_not_achieved_is_still_open(asm, concern, police_agency):
    item = _item(asm, concern, police_agency)
    services.plan_item_update(actor=asm, item=item, status=PlanStatus.NOT_ACHIEVED, evidence="No change seen")
    ready_to_conclude(actor=asm, concern=concern)
    with pytest.raises(services.ConclusionRefused):
        services.concern_conclude(actor=asm, concern=concern, **ANSWERS)


# --- The suspension of admissions at conclusion -------------------------------------------------------------------

def _suspended(asm, concern, review_in=5):
    today = timezone.localdate()
    return services.suspension_record(actor=asm, concern=concern, kind="imposed", imposed_by="commissioner",
                                      started_on=today, review_on=today + dt.timedelta(days=review_in))


def test_a_suspension_is_never_dropped_silently(asm, concern):
    _suspended(asm, concern)
    ready_to_conclude(actor=asm, concern=concern)
    with pytest.raises(ValidationError) as error:
        services.concern_conclude(actor=asm, concern=concern, **ANSWERS)
    assert "suspension_decision" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.concern_conclude(actor=asm, concern=concern, **ANSWERS, suspension_decision="lift",
                                  suspension_note="Safe now.")
    assert "suspension_lifted_on" in error.value.message_dict
    assert ProviderConcern.objects.get(pk=concern.pk).status == ConcernStatus.INVOKED


def test_a_lifted_suspension_ends_on_its_date(asm, concern):
    suspension = _suspended(asm, concern)
    ready_to_conclude(actor=asm, concern=concern)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.concern_conclude(actor=asm, concern=concern, **ANSWERS, suspension_decision="lift",
                              suspension_lifted_on=tomorrow, suspension_note="Sustained improvement.")
    suspension.refresh_from_db()
    assert suspension.ended_on == tomorrow and suspension.ended_reason == "Sustained improvement."
    assert Deadline.objects.get(pk=suspension.deadline_id).status == Deadline.Status.WAIVED


def test_a_continued_suspension_keeps_its_review_chased_after_conclusion(login, asm, concern, director):
    suspension = _suspended(asm, concern, review_in=2)
    ready_to_conclude(actor=asm, concern=concern)
    services.concern_conclude(actor=asm, concern=concern, **ANSWERS, suspension_decision="continue",
                              suspension_note="The CQC keeps its suspension until its re-inspection.")
    suspension.refresh_from_db()
    assert suspension.is_active and suspension.continued_at
    review = Deadline.objects.get(pk=suspension.deadline_id)
    assert review.status == Deadline.Status.OPEN and review.chase_ended_at is None
    # The other deadlines (the minutes of the meetings) stop; the review is still chased, to its lead.
    assert not Deadline.objects.filter(provider_concern=concern, status="open").exclude(pk=review.pk).exists()
    counts = chasing.sweep(now=review.escalate_at + dt.timedelta(minutes=1))
    assert counts["overdue"] == 1 and counts["escalation"] == 1
    assert Notification.objects.filter(user=asm, title__startswith="Overdue: Review of suspended admissions").exists()
    page = login(asm).get(reverse("allegations:my_work")).content.decode()
    assert "Review of suspended admissions" in page and concern.reference in page
    detail = login(asm).get(reverse("providers:concern_detail", args=[concern.reference])).content.decode()
    assert "continued after the process concluded" in detail
    assert reverse("providers:suspension_review", args=[concern.reference, suspension.pk]) in detail
    services.suspension_review(actor=asm, suspension=suspension, notes="CQC re-inspected: good.")
    assert Deadline.objects.get(pk=review.pk).status == Deadline.Status.MET


# --- Action plan items: deadlines, updated by the agency responsible ----------------------------------------------

def test_a_plan_item_is_a_deadline_chased_like_an_action(asm, concern, agency_a, agency_a_manager, director):
    item = _item(asm, concern, agency_a, days=3)
    deadline = item.deadline
    assert deadline.kind == Deadline.Kind.PLAN_ITEM and deadline.provider_concern == concern
    assert timezone.localtime(deadline.due_at).date() == item.due_on
    counts = chasing.sweep(now=deadline.escalate_at + dt.timedelta(minutes=1))
    assert counts["escalation"] == 1
    # The escalation reaches the agency's senior manager (sent to their actions list) and the directors.
    notice = Notification.objects.get(user=agency_a_manager, title__startswith="Escalation")
    assert notice.link == reverse("meetings:action_list")
    assert Notification.objects.filter(user=director, title__startswith="Escalation").exists()


def test_the_agency_responsible_updates_its_own_item(asm, concern, agency_a, agency_a_manager, police_user):
    item = _item(asm, concern, agency_a)
    with pytest.raises(PermissionDenied):
        services.plan_item_update(actor=police_user, item=item, status=PlanStatus.IN_PROGRESS, evidence="")
    with pytest.raises(ValidationError):  # "not achieved" is the service's judgement, not the agency's
        services.plan_item_update(actor=agency_a_manager, item=item, status=PlanStatus.NOT_ACHIEVED, evidence="x")
    with pytest.raises(ValidationError):
        services.plan_item_update(actor=agency_a_manager, item=item, status=PlanStatus.COMPLETE, evidence="")
    item = services.plan_item_update(actor=agency_a_manager, item=item, status=PlanStatus.COMPLETE,
                                     evidence="Training records for all 40 staff")
    assert item.updated_by == agency_a_manager
    assert Deadline.objects.get(pk=item.deadline_id).status == Deadline.Status.MET
    assert concern.events.filter(kind="plan_item_updated", description__contains="recorded by Riverside Primary").exists()


def test_our_actions_and_my_work_list_the_agencys_items_overdue_marked(login, asm, concern, agency_a,
                                                                         agency_a_manager, agency_b_outsider):
    item = _item(asm, concern, agency_a, days=-2, description="Staff training on hydration")  # fell due 2 days ago
    client = login(agency_a_manager)
    ours = client.get(reverse("meetings:action_list")).content.decode()
    assert "Staff training on hydration" in ours and concern.reference in ours and "Overdue" in ours
    assert reverse("providers:plan_item_progress", args=[item.pk]) in ours
    work = client.get(reverse("allegations:my_work")).content.decode()
    assert "Staff training on hydration" in work and "Overdue" in work
    # The agency sees its item, not the concern; another agency sees neither.
    assert client.get(reverse("providers:concern_detail", args=[concern.reference])).status_code == 404
    assert client.get(reverse("providers:plan_item_progress", args=[item.pk])).status_code == 200
    assert login(agency_b_outsider).get(reverse("providers:plan_item_progress", args=[item.pk])).status_code == 404
    response = client.post(reverse("providers:plan_item_progress", args=[item.pk]),
                           {"status": "in_progress", "evidence": "Half the staff trained"})
    assert response.status_code == 302 and response.url == reverse("meetings:action_list")
    item.refresh_from_db()
    assert item.status == PlanStatus.IN_PROGRESS and item.evidence == "Half the staff trained"


# --- The provider informed in writing after each meeting ---------------------------------------------------------

def test_the_letter_after_a_meeting_comes_from_the_template_and_records_when_and_how(asm, concern):
    meeting = held_meeting(actor=asm, concern=concern, kind="serious_concerns_initial")
    assert services.letters_missing(concern) == [meeting]
    letter = services.concern_letter_draft(actor=asm, concern=concern, meeting=meeting,
                                           recipient="The registered manager")
    assert concern.reference in letter.subject
    assert concern.provider.name in letter.body and "Dear The registered manager" in letter.body
    with pytest.raises(ValidationError):  # one letter per meeting
        services.concern_letter_draft(actor=asm, concern=concern, meeting=meeting, recipient="Someone else")
    with pytest.raises(ValidationError):
        services.concern_letter_mark_sent(actor=asm, letter=letter, sent_by="pigeon")
    with pytest.raises(ValidationError):
        services.concern_letter_mark_sent(actor=asm, letter=letter, sent_by="post",
                                          sent_on=timezone.localdate() - dt.timedelta(days=3))  # before the meeting
    letter = services.concern_letter_mark_sent(actor=asm, letter=letter, sent_by="email")
    assert letter.status == "sent" and letter.sent_by == "email" and letter.sent_at and letter.sent_recorded_by == asm
    assert services.letters_missing(concern) == []
    assert concern.events.filter(kind="letter_sent", description__contains="e-mail").exists()
    # Its sending is a delivery, as every letter's: by e-mail, sent by the officer at that moment.
    from outbox.delivery import deliveries_about

    (delivery,) = deliveries_about(letter)
    assert delivery.reached and delivery.channel == "email" and delivery.sent_at == letter.sent_at
    with pytest.raises(ValidationError):
        services.concern_letter_edit(actor=asm, letter=letter, recipient="x", subject="x", body="x")


def test_no_letter_before_the_meeting_is_held(asm, concern):
    meeting = meeting_services.meeting_schedule_for_concern(
        actor=asm, concern=concern, kind="serious_concerns_initial", scheduled_at=timezone.now() + dt.timedelta(days=2),
        chair=asm, location="County Hall")
    with pytest.raises(ValidationError):
        services.concern_letter_draft(actor=asm, concern=concern, meeting=meeting, recipient="The manager")


def test_the_letter_downloads_as_a_pdf(login, asm, concern):
    meeting = held_meeting(actor=asm, concern=concern, kind="serious_concerns_initial")
    letter = services.concern_letter_draft(actor=asm, concern=concern, meeting=meeting, recipient="The manager")
    response = login(asm).get(reverse("providers:letter_pdf", args=[concern.reference, letter.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- Who to invite; reviews on a schedule --------------------------------------------------------------------------

def _suggested(meeting):
    return {s.key: s for s in meeting_services.meeting_suggestions(meeting)}


def test_serious_concerns_meetings_get_their_invitees_suggested(asm, concern, lado_service, police_agency, provider):
    nhs = AgencyFactory(name="Testshire Hospitals NHS Trust", kind=AgencyKind.NHS_TRUST, sector=Sector.HEALTH,
                        lado_service=lado_service)
    meeting = meeting_services.meeting_schedule_for_concern(
        actor=asm, concern=concern, kind="serious_concerns_initial", scheduled_at=timezone.now() + dt.timedelta(days=1),
        chair=asm, location="County Hall")
    found = _suggested(meeting)
    commissioner = next(s for k, s in found.items() if k.startswith("commissioner"))
    assert commissioner.agency.kind == AgencyKind.ADULTS_SOCIAL_CARE  # no commissioner recorded: adults' services
    assert found["cqc"].name == "Care Quality Commission" and found["cqc"].agency is None
    assert found["provider"].agency == provider and found["provider"].access_level == "employer"
    assert found[f"health:{nhs.pk}"].agency == nhs
    assert not any(k.startswith("police") for k in found)  # no crime suspected
    ProviderConcern.objects.filter(pk=concern.pk).update(crime_suspected=True)
    meeting.refresh_from_db()
    meeting.provider_concern.refresh_from_db()
    assert f"police:{police_agency.pk}" in _suggested(meeting)
    invitation = meeting_services.invitation_add_suggested(actor=asm, meeting=meeting, key="provider")
    assert invitation.agency == provider and invitation.access_level == "employer"
    assert "provider" not in _suggested(meeting)


def test_reviews_follow_the_schedule_set_at_the_initial_meeting(asm, concern):
    first = timezone.localdate() + dt.timedelta(days=14)
    with pytest.raises(ValidationError):  # set at the initial meeting: it must have been held
        services.review_schedule_set(actor=asm, concern=concern, every_days=28, first_review_on=first)
    held_meeting(actor=asm, concern=concern, kind="serious_concerns_initial", hours_ago=5)
    services.review_schedule_set(actor=asm, concern=concern, every_days=28, first_review_on=first)
    review = Deadline.objects.get(provider_concern=concern, kind=Deadline.Kind.CONCERN_REVIEW)
    assert timezone.localtime(review.due_at).date() == first
    meeting = held_meeting(actor=asm, concern=concern, kind="serious_concerns_review", hours_ago=1)
    review.refresh_from_db()
    assert review.status == Deadline.Status.MET
    following = Deadline.objects.get(provider_concern=concern, kind=Deadline.Kind.CONCERN_REVIEW, status="open")
    assert timezone.localtime(following.due_at).date() == (
        timezone.localtime(meeting.held_at).date() + dt.timedelta(days=28))


# --- Not invoked; the business unit; foundation trusts -------------------------------------------------------------

def test_a_concern_not_invoked_is_handed_to_commissioning_with_a_record(asm, director, lado_service, provider):
    commissioner = AgencyFactory(name="Testshire Commissioning", kind=AgencyKind.ADULTS_SOCIAL_CARE,
                                 sector=Sector.SOCIAL_CARE, lado_service=lado_service)
    concern = make_concern(actor=asm, lado_service=lado_service, provider=provider)
    with pytest.raises(ValidationError) as error:
        services.concern_decide(actor=director, concern=concern, invoke=False, rationale="Below the threshold.")
    assert {"handed_to", "handover_contact", "handover_note"} <= set(error.value.message_dict)
    concern = services.concern_decide(actor=director, concern=concern, invoke=False, rationale="Below the threshold.",
                                      handed_to=commissioner, handover_contact="Jo Smith, contracts manager",
                                      handover_note="Monthly contract monitoring visits on hydration.")
    assert concern.status == ConcernStatus.NOT_INVOKED and concern.handed_to == commissioner
    assert concern.handed_over_at and concern.handover_note.startswith("Monthly")
    assert concern.events.filter(kind="handed_over", description__contains="Testshire Commissioning").exists()


def test_the_business_unit_is_told_of_every_meeting(asm, concern, analyst):
    held_meeting(actor=asm, concern=concern, kind="serious_concerns_initial", hours_ago=4)
    held_meeting(actor=asm, concern=concern, kind="serious_concerns_review", hours_ago=2)
    titles = list(Notification.objects.filter(user=analyst).values_list("title", flat=True))
    assert any("initial serious concerns meeting held" in t for t in titles)
    assert any("serious concerns review meeting held" in t for t in titles)
    assert all(concern.reference in t for t in titles)


def test_nhs_foundation_trusts_are_not_prompted_nor_taken_as_concerns(asm, lado_officer, lado_service, provider):
    trust = AgencyFactory(name="Testshire Hospitals NHS Foundation Trust", kind=AgencyKind.NHS_FOUNDATION_TRUST,
                          sector=Sector.HEALTH, lado_service=lado_service)
    for _ in range(4):
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=trust, sector="health")
    assert prompts_for(lado_officer, now=timezone.now()) == []
    for _ in range(3):
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider)
    assert [p.provider_name for p in prompts_for(lado_officer, now=timezone.now())] == [provider.name]
    with pytest.raises(ValidationError) as error:
        make_concern(actor=asm, lado_service=lado_service, provider=trust)
    assert "NHS foundation trusts" in str(error.value)


def test_a_participant_agency_sees_its_item_under_our_actions(login, asm, concern, police_agency, police_user):
    item = _item(asm, concern, police_agency, description="Unannounced night visits every week")
    page = login(police_user).get(reverse("meetings:action_list")).content.decode()
    link = reverse("providers:plan_item_progress", args=[item.pk])
    assert f'href="{link}">Update progress<span class="govuk-visually-hidden"> of Unannounced night visits every week' in page
