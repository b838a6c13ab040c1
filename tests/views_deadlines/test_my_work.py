"""My work (the duty officer's deadlines by when, by the chase's owner rule) and the team view."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from allegations import services, urgency
from deadlines import workload
from deadlines import services as deadlines
from deadlines.models import Deadline
from tests.agencies.factories import UserFactory, member
from tests.allegations.factories import make_case, make_referral

pytestmark = pytest.mark.django_db


def on_date(referral, actor, days, case=None, kind=Deadline.Kind.POLICE_REVIEW):
    """A deadline due at the end of today + days (negative: overdue)."""
    return deadlines.deadline_open_on_date(
        actor=actor, referral=referral, kind=kind, due_on=timezone.localdate() + dt.timedelta(days=days),
        anchor=timezone.now() - dt.timedelta(days=30), case=case, reason="test",
    )


@pytest.fixture
def second_officer(lado_service):
    return member(UserFactory(username="second", first_name="Sasha", last_name="Second"), lado_service, Role.LADO_OFFICER)


@pytest.fixture
def work(lado_officer, second_officer, agency_a_manager, lado_service, agency_a):
    """Officer's case with an overdue and a soon deadline; a case of the second officer; an unassigned referral."""
    mine = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                 agency=agency_a))
    theirs = make_case(officer=second_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                     agency=agency_a, given="Jo", family="Other"))
    unassigned = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Kim", family="Third")
    return {
        "mine_overdue": on_date(mine.referral, lado_officer, -2, case=mine),
        "mine_soon": on_date(mine.referral, lado_officer, 5, case=mine),
        "mine_later": on_date(mine.referral, lado_officer, 20, case=mine),
        "theirs_overdue": on_date(theirs.referral, second_officer, -1, case=theirs),
        "unassigned": unassigned,
        "mine": mine,
        "theirs": theirs,
    }


def test_my_work_groups_my_deadlines_by_when(work, lado_officer):
    result = workload.my_work(user=lado_officer)
    assert [r.deadline for r in result.overdue] == [work["mine_overdue"]]
    assert result.overdue[0].tag == "Overdue"
    assert result.overdue[0].words.startswith("Overdue by ")
    soon = [r.deadline for r in result.next_7_days]
    assert work["mine_soon"] in soon
    assert work["mine_later"] not in soon  # beyond 7 days
    assert work["theirs_overdue"] not in [r.deadline for r in result.overdue]  # the second officer's
    # The unassigned referral's 24-hour initial discussion belongs to the whole service: it shows for everyone.
    initial = work["unassigned"].deadlines.get(kind=Deadline.Kind.INITIAL_DISCUSSION)
    assert initial in [r.deadline for r in result.due_today + result.next_7_days]
    assert result.open_cases == 1
    assert result.unassigned_referrals == 1


def test_the_assigned_officer_owns_a_referrals_deadlines(work, lado_officer, second_officer):
    services.referral_assign(actor=lado_officer, referral=work["unassigned"], officer=second_officer)
    initial = work["unassigned"].deadlines.get(kind=Deadline.Kind.INITIAL_DISCUSSION)
    mine = workload.my_work(user=lado_officer)
    theirs = workload.my_work(user=second_officer)
    assert initial not in [r.deadline for r in mine.due_today + mine.next_7_days]
    assert initial in [r.deadline for r in theirs.due_today + theirs.next_7_days]
    assert theirs.open_referrals == 1


def test_an_inactive_owner_falls_back_to_the_whole_service(work, lado_officer, second_officer):
    second_officer.is_active = False
    second_officer.save()
    assert work["theirs_overdue"] in [r.deadline for r in workload.my_work(user=lado_officer).overdue]


def test_met_waived_and_closed_work_is_not_listed(work, lado_officer):
    deadlines.deadline_meet_one(actor=lado_officer, deadline=work["mine_overdue"], met_at=timezone.now(), reason="done")
    deadlines.deadline_waive_one(actor=lado_officer, deadline=work["mine_soon"], reason="no longer applies")
    result = workload.my_work(user=lado_officer)
    listed = [r.deadline for r in result.overdue + result.due_today + result.next_7_days]
    assert work["mine_overdue"] not in listed
    assert work["mine_soon"] not in listed


def test_the_page_shows_the_state_in_words(work, login, lado_officer):
    page = login(lado_officer).get(reverse("allegations:my_work")).content.decode()
    assert work["mine"].reference in page
    assert work["theirs"].reference not in page
    assert re.search(r"Overdue by \d+ (hours|days)", page)
    # The state in words and in shape (a heavy border with a "!" mark), not in colour alone
    assert re.search(r'app-deadline app-deadline--overdue">Overdue by \d+ (hours|days)</strong>', page)
    assert "Due in the next 7 days" in page


def test_a_lado_officer_lands_on_my_work(login, lado_officer):
    response = login(lado_officer).get("/")
    assert response.url == reverse("allegations:my_work")


def test_a_senior_manager_sees_their_agencys_actions(login, agency_a_manager, agency_a, lado_officer, case):
    from meetings.models import Action

    today = timezone.localdate()
    for days in (-3, -1, 2, 30):
        Action.objects.create(case=case, description="Send the timeline", agency=agency_a, due_on=today + dt.timedelta(days=days),
                              created_by=lado_officer)
    rows = workload.agency_actions_due(user=agency_a_manager)
    assert rows == [{"agency_id": agency_a.pk, "agency__name": "Riverside Primary", "overdue": 2, "due_soon": 1}]
    page = login(agency_a_manager).get(reverse("allegations:my_work")).content.decode()
    assert "Riverside Primary" in page
    assert reverse("meetings:action_list") in page
    assert "Send the timeline" in page and "Overdue since" in page  # each action, overdue first
    assert "What to do next" not in page  # the officer's deadlines are not theirs


# --- The team view ---------------------------------------------------------------------------

def test_the_team_view_counts_each_officers_work(work, lado_manager, lado_officer, second_officer):
    team = workload.team_work(user=lado_manager)
    by_name = {row["user"].username: row for row in team.officers}
    assert by_name["officer"]["open_cases"] == 1
    assert by_name["officer"]["overdue"] == 1
    assert by_name["officer"]["due_soon"] >= 1
    assert by_name["second"]["overdue"] == 1
    assert team.unassigned_due_soon == 1  # the unassigned referral's initial discussion
    owners = {row.deadline: row.owner for row in team.overdue}
    assert owners[work["theirs_overdue"]] == "Sasha Second"
    assert set(owners) == {work["mine_overdue"], work["theirs_overdue"]}


def test_the_team_page(work, login, lado_manager):
    page = login(lado_manager).get(reverse("allegations:team")).content.decode()
    assert "Sasha Second" in page
    assert work["theirs"].reference in page
    assert "Unassigned (the whole service)" in page


@pytest.mark.parametrize("persona", ["lado_officer", "agency_a_manager", "analyst", "other_officer"])
def test_only_the_manager_sees_the_team(request, login, persona, lado_service):
    assert login(request.getfixturevalue(persona)).get(reverse("allegations:team")).status_code == 403


@pytest.mark.parametrize("persona", ["agency_a_viewer", "analyst", "police_user"])
def test_my_work_is_for_lado_staff_and_senior_managers(request, login, persona):
    assert login(request.getfixturevalue(persona)).get(reverse("allegations:my_work")).status_code == 403


def test_another_services_officer_sees_none_of_this_services_work(work, login, other_officer):
    page = login(other_officer).get(reverse("allegations:my_work")).content.decode()
    assert work["mine"].reference not in page
    assert work["unassigned"].reference not in page


def test_urgent_work_comes_first_new_referrals_then_today_then_the_most_recently_overdue(work, lado_officer, lado_service,
                                                                                         agency_a_manager, agency_a):
    """New referrals nearest their 24-hour clock first; then overdue work, yesterday's before last month's;
    each row says who, which employer, what kind of harm and what to do next."""
    older = on_date(work["mine"].referral, lado_officer, -20, case=work["mine"])
    result = urgency.duty_work(user=lado_officer)
    # the unassigned referral's 24-hour clock is still running: a new referral, assigned to nobody
    assert [r.reference for r in result.new_referrals] == [work["unassigned"].reference]
    new = result.new_referrals[0]
    assert new.person == "Kim Third" and new.employer == work["unassigned"].employer_name
    assert new.next_step == "Assign an officer and hold the initial discussion"
    assert new.state == "New" and new.words.startswith("Due in ")
    overdue_due = [r.due_at for r in result.overdue]
    assert overdue_due == sorted(overdue_due, reverse=True)  # the most recent first
    assert result.overdue[-1].due_at == older.due_at
    assert result.overdue[0].next_step == "Ask the police for their review"
    assert all(r.state == "Overdue" and r.state_class == "overdue" for r in result.overdue)
    assert [r.due_at for r in result.next_7_days] == sorted(r.due_at for r in result.next_7_days)


def test_the_new_referral_is_the_first_link_of_my_work(work, login, lado_officer):
    page = login(lado_officer).get(reverse("allegations:my_work")).content.decode()
    main = page[page.index('id="main-content"'):]
    first_link = re.search(r'<a class="govuk-link" href="([^"]+)"', main).group(1)
    assert first_link == reverse("allegations:referral_detail", args=[work["unassigned"].reference])


def test_more_overdue_than_the_page_holds_still_shows_the_new_referrals_and_the_most_recent(
        work, login, lado_officer, monkeypatch):
    """Each part is bounded on its own: a service with more overdue work than the page holds still sees its new
    referrals and what is due soon, and the overdue work it sees is the most recent, with a word that there is more."""
    older = on_date(work["mine"].referral, lado_officer, -20, case=work["mine"])
    monkeypatch.setattr(urgency, "MY_WORK_LIMIT", 2)  # one row for each part
    result = urgency.duty_work(user=lado_officer)
    assert [r.due_at for r in result.overdue] == [work["mine_overdue"].due_at]  # not the older one
    assert older.due_at < work["mine_overdue"].due_at
    assert result.more_overdue
    assert [r.reference for r in result.new_referrals] == [work["unassigned"].reference]
    assert result.more_coming  # the soon deadline did not fit beside the new referral
    page = login(lado_officer).get(reverse("allegations:my_work")).content.decode()
    assert "Only the 1 most recently overdue are shown." in page
    assert work["unassigned"].reference in page


def test_no_word_of_more_when_everything_fits(work, login, lado_officer):
    result = urgency.duty_work(user=lado_officer)
    assert not result.more_overdue and not result.more_coming
    page = login(lado_officer).get(reverse("allegations:my_work")).content.decode()
    assert "most recently overdue are shown" not in page


# --- At scale (issue 19): counts capped at 1,000, overdue work read a window at a time -------------------------

def _copies(referral, n, tag, **fields):
    """n more referrals like `referral` (its subject and service), written in one insert: a service's backlog."""
    from allegations.models import Referral

    template = {f.attname: getattr(referral, f.attname) for f in Referral._meta.concrete_fields if not f.primary_key}
    return Referral.objects.bulk_create([
        Referral(**{**template, "reference": f"{referral.reference}-{tag}{i}", **fields}) for i in range(n)])


def test_my_work_counts_up_to_1000_then_says_more_than_1000(login, lado_officer, agency_a_manager, lado_service,
                                                             agency_a):
    mine = services.referral_assign(actor=lado_officer, officer=lado_officer, referral=make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a))
    _copies(mine, 1000, "a", assigned_to_id=lado_officer.pk)  # 1,001 assigned to the officer
    _copies(mine, 1000, "u", assigned_to_id=None)  # exactly 1,000 assigned to nobody
    counts = workload.my_work(user=lado_officer, deadlines=False)
    assert (counts.open_referrals, counts.unassigned_referrals, counts.open_cases) == (1001, 1000, 0)
    page = login(lado_officer).get(reverse("allegations:my_work")).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "Open referrals assigned to you: more than 1,000" in text
    assert "New referrals not yet assigned to anyone: 1,000" in text
    assert "Open cases you own: 0" in text


def test_overdue_work_is_found_beyond_the_first_window(work, lado_officer, second_officer):
    """More than a window of the service's overdue deadlines belong to someone else and are more recently overdue
    than the officer's own: the officer's overdue deadline is still found, after them."""
    theirs = work["theirs"]
    now = timezone.now()
    Deadline.objects.bulk_create([
        Deadline(referral=theirs.referral, case=theirs, kind=Deadline.Kind.POLICE_REVIEW, status=Deadline.Status.OVERDUE,
                 due_at=now - dt.timedelta(hours=1, seconds=i), anchor_at=now - dt.timedelta(days=30))
        for i in range(urgency.FIRST_WINDOW + 5)])
    duty = urgency.duty_work(user=lado_officer, now=now)
    assert [row.reference for row in duty.overdue] == [work["mine"].referral.reference]
    assert not duty.more_overdue
    # The second officer owns them all: the page fills with the most recently overdue, in order.
    theirs_duty = urgency.duty_work(user=second_officer, now=now)
    part = len(theirs_duty.overdue)
    assert theirs_duty.more_overdue and part == workload.MY_WORK_LIMIT // 2
    dues = [row.due_at for row in theirs_duty.overdue]
    assert dues == sorted(dues, reverse=True)
