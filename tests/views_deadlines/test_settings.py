"""The partnership's deadline settings: nation and spans with a unit, saved with a reason, with history."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agencies.models import Nation, Partnership, SpanUnit
from agencies.services import partnership_settings_update
from allegations import services
from allegations.models import TriageDecision
from deadlines.models import Deadline
from deadlines.services import due_for
from tests.allegations.factories import discuss, make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")

CURRENT = {
    "nation": "ENG",
    "strategy_meeting_span": 7, "strategy_meeting_unit": "working_days",
    "minutes_initial_span": 14, "minutes_initial_unit": "days",
    "minutes_review_span": 7, "minutes_review_unit": "days",
    "case_review_span": 28, "case_review_unit": "days",
    "disagreement_step_span": 5, "disagreement_step_unit": "working_days",
    "person_update_span": 28, "person_update_unit": "days",
    "provider_prompt_referrals": 3, "provider_prompt_cluster": 2, "provider_prompt_cluster_days": 28,
    "low_level_prompt_concerns": 3, "low_level_prompt_months": 12,
    "digest_hour": 7,
}


def test_the_defaults_are_todays_rules(partnership):
    assert partnership.span("strategy_meeting") == (7, SpanUnit.WORKING_DAYS)
    assert partnership.span("minutes_initial") == (14, SpanUnit.DAYS)
    assert partnership.span("minutes_review") == (7, SpanUnit.DAYS)
    assert partnership.span("case_review") == (28, SpanUnit.DAYS)
    assert partnership.span("disagreement_step") == (5, SpanUnit.WORKING_DAYS)  # each step of a disagreement's ladder


@pytest.mark.parametrize(("number", "unit", "due"), [
    # deadlines.md's examples: Thu 17 Apr 2025 16:30 (Good Friday and Easter Monday are not working days)
    (7, SpanUnit.WORKING_DAYS, dt.datetime(2025, 4, 30, 23, 59, 59, tzinfo=LONDON)),
    (72, SpanUnit.HOURS, dt.datetime(2025, 4, 20, 16, 30, tzinfo=LONDON)),
    (3, SpanUnit.DAYS, dt.datetime(2025, 4, 20, 23, 59, 59, tzinfo=LONDON)),
])
def test_due_for_uses_the_unit(partnership, number, unit, due):
    partnership.strategy_meeting_span, partnership.strategy_meeting_unit = number, unit
    anchor = dt.datetime(2025, 4, 17, 16, 30, tzinfo=LONDON)
    assert due_for(Deadline.Kind.STRATEGY_MEETING, anchor, partnership) == due


def test_hours_cross_a_clock_change_in_elapsed_time(partnership):
    partnership.case_review_span, partnership.case_review_unit = 24, SpanUnit.HOURS
    anchor = dt.datetime(2025, 3, 29, 10, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 GMT
    assert due_for(Deadline.Kind.CASE_REVIEW, anchor, partnership) == dt.datetime(2025, 3, 30, 11, 0, tzinfo=LONDON)


def test_the_nation_sets_the_working_days(partnership):
    # Tue 2 Jan 2024 is a bank holiday in Scotland only.
    anchor = dt.datetime(2024, 1, 1, 12, 0, tzinfo=LONDON)
    partnership.strategy_meeting_span = 1
    assert due_for(Deadline.Kind.STRATEGY_MEETING, anchor, partnership).date() == dt.date(2024, 1, 2)
    partnership.nation = Nation.SCOTLAND
    assert due_for(Deadline.Kind.STRATEGY_MEETING, anchor, partnership).date() == dt.date(2024, 1, 3)


def test_a_change_applies_only_to_deadlines_opened_afterwards(partnership, lado_manager, lado_officer,
                                                              agency_a_manager, lado_service, agency_a):
    first = discuss(make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a), lado_officer)
    services.referral_triage(actor=lado_officer, referral=first, decision=TriageDecision.Decision.STRATEGY,
                             rationale="Police interest.", harmed=True, route="strategy_discussion")
    before = Deadline.objects.get(referral=first, kind=Deadline.Kind.STRATEGY_MEETING)
    due_before = before.due_at

    partnership_settings_update(actor=lado_manager, reason="Agreed at the partnership board: 72 hours.",
                                **{**CURRENT, "strategy_meeting_span": 72, "strategy_meeting_unit": "hours"})

    before.refresh_from_db()
    assert before.due_at == due_before  # the existing deadline keeps its due time
    second = discuss(make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                                   given="Jo", family="Other"), lado_officer)
    services.referral_triage(actor=lado_officer, referral=second, decision=TriageDecision.Decision.STRATEGY,
                             rationale="Police interest.", harmed=True, route="strategy_discussion")
    after = Deadline.objects.get(referral=second, kind=Deadline.Kind.STRATEGY_MEETING)
    assert after.due_at == after.anchor_at + dt.timedelta(hours=72)


def test_the_change_is_kept_with_who_and_why(partnership, lado_manager):
    partnership_settings_update(actor=lado_manager, reason="New local procedure.",
                                **{**CURRENT, "minutes_review_span": 5, "minutes_review_unit": "working_days"})
    record = Partnership.history.order_by("-history_date").first()
    assert record.history_user == lado_manager
    assert record.history_change_reason == "New local procedure."
    assert (record.minutes_review_span, record.minutes_review_unit) == (5, "working_days")


def test_only_the_manager_may_change_settings(partnership, lado_officer, analyst):
    for user in (lado_officer, analyst):
        with pytest.raises(PermissionDenied):
            partnership_settings_update(actor=user, reason="x", **{**CURRENT, "case_review_span": 1})
    assert Partnership.current().case_review_span == 28


def test_a_reason_and_a_change_are_required(partnership, lado_manager):
    with pytest.raises(ValidationError):
        partnership_settings_update(actor=lado_manager, reason="  ", **{**CURRENT, "case_review_span": 1})
    with pytest.raises(ValidationError):
        partnership_settings_update(actor=lado_manager, reason="Nothing", **CURRENT)
    assert Partnership.history.count() == 1


# --- The page ---------------------------------------------------------------------------------

def test_the_manager_changes_a_setting_on_the_page_and_sees_its_history(login, partnership, lado_manager):
    lado_manager.first_name, lado_manager.last_name = "Morgan", "Manager"
    lado_manager.save()
    client = login(lado_manager)
    url = reverse("settings_deadlines")
    page = client.get(url)
    assert page.status_code == 200
    assert b"Deadline settings" in page.content
    response = client.post(url, {**CURRENT, "strategy_meeting_span": "72", "strategy_meeting_unit": "hours",
                                 "reason": "Board decision of 3 March."})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.span("strategy_meeting") == (72, "hours")
    page = client.get(url).content.decode()
    assert "Strategy meeting: 7 working days → 72 hours" in page
    assert "Board decision of 3 March." in page
    assert "Morgan Manager" in page


def test_the_page_says_what_is_wrong(login, partnership, lado_manager):
    response = login(lado_manager).post(reverse("settings_deadlines"),
                                        {**CURRENT, "case_review_span": "0", "reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter why the settings are changing" in page
    assert "The case review deadline must be 1 or more" in page
    assert Partnership.current().case_review_span == 28


def test_an_unchanged_form_is_refused(login, partnership, lado_manager):
    response = login(lado_manager).post(reverse("settings_deadlines"), {**CURRENT, "reason": "Just looking"})
    assert response.status_code == 200
    assert "Nothing has changed" in response.content.decode()


@pytest.mark.parametrize("persona", ["lado_officer", "agency_a_manager", "analyst", "chair"])
def test_others_are_refused(request, login, partnership, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("settings_deadlines")).status_code == 403
    assert client.post(reverse("settings_deadlines"), {**CURRENT, "case_review_span": "1", "reason": "x"}).status_code == 403
    assert Partnership.current().case_review_span == 28


def test_a_superuser_may_change_settings(login, partnership):
    from tests.agencies.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert login(admin).get(reverse("settings_deadlines")).status_code == 200


def test_the_manager_sets_when_the_serious_concerns_prompt_appears(login, partnership, lado_manager):
    """001: the number of referrals about one provider's staff that prompts the process is a setting."""
    client = login(lado_manager)
    url = reverse("settings_deadlines")
    response = client.post(url, {**CURRENT, "provider_prompt_referrals": "5", "reason": "Agreed at the board"})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.provider_prompt_referrals == 5
    page = client.get(url).content.decode()
    assert "Referrals about staff at one provider in 12 months: 3 → 5" in page
    bad = client.post(url, {**CURRENT, "provider_prompt_cluster": "0", "reason": "x"})
    assert "Enter 1 or more" in bad.content.decode()


def test_the_manager_sets_the_hour_of_the_daily_e_mail(login, partnership, lado_manager, lado_officer):
    client = login(lado_manager)
    url = reverse("settings_deadlines")
    page = client.get(url).content.decode()
    assert "Hour of the daily e-mail" in page and '<option value="7" selected>7am</option>' in page
    response = client.post(url, {**CURRENT, "digest_hour": "18", "reason": "Teams read them at the end of the day"})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.digest_hour == 18
    assert "Hour of the daily e-mail: 7am → 6pm" in client.get(url).content.decode()
    bad = client.post(url, {**CURRENT, "digest_hour": "24", "reason": "x"})
    assert bad.status_code == 200 and "Choose the hour of the daily e-mail" in bad.content.decode()
    with pytest.raises(ValidationError):
        partnership_settings_update(actor=lado_manager, reason="x", **{**CURRENT, "digest_hour": -1})
    with pytest.raises(PermissionDenied):
        partnership_settings_update(actor=lado_officer, reason="x", **{**CURRENT, "digest_hour": 9})
    partnership.refresh_from_db()
    assert partnership.digest_hour == 18
