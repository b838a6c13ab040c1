"""`manage.py seed_demo`: the demo partnership is complete (referrals, cases, meetings, actions), and running it
twice adds nothing."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape

from allegations.models import Case, CaseStatus, Referral, ReferralStatus, Subject
from deadlines.models import Deadline
from demo.people import DEMO_PASSWORD, DEMO_USERNAMES
from meetings import selectors
from meetings.models import (
    AccessLevel,
    Action,
    ActionStatus,
    Attendance,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesSection,
    MinutesStatus,
)

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("auth", "agencies", "allegations", "guardian", "meetings")
    }


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_complete_with_meetings_and_actions_and_running_it_again_adds_nothing(login):
    """One test, as seeding takes seconds: the second run, then what the first one made."""
    first_output = _seed()
    after_first = _row_counts()
    second_output = _seed()
    assert _row_counts() == after_first, "the second run created or removed rows"
    assert "Demo referrals already exist" in second_output and "Demo meetings already exist" in second_output
    assert Meeting.objects.exists() and Action.objects.exists()
    assert DEMO_PASSWORD in first_output

    assert Referral.objects.count() >= 60
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(ReferralStatus.values)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)

    for username in ("school.dsl", "fostering.manager"):
        assert Referral.objects.filter(submitted_by__username=username).count() >= 3, username

    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt
    from django.test import RequestFactory

    from demo.authenticator import DEMO_TOTP_SECRET

    sign_in = RequestFactory().post("/accounts/login/")  # django-axes counts attempts per request
    for username in DEMO_USERNAMES:
        assert authenticate(sign_in, username=username, password=DEMO_PASSWORD) is not None, username
        # Each has the documented demo authenticator (README), so the demo signs in with `make demo-code`.
        device = Authenticator.objects.get(user__username=username, type=Authenticator.Type.TOTP)
        assert decrypt(device.data["secret"]) == DEMO_TOTP_SECRET, username

    assert Subject.objects.annotate(n=Count("referrals")).filter(n__gte=2).exists()
    _assert_meetings_minutes_and_actions(login)
    _assert_a_daily_digest(login)
    _assert_a_sent_letter()


def _assert_a_sent_letter():
    """Issue 17: an outcome letter to the employer, drafted from the template, approved (kept as PDF and Word on the
    case) and sent by e-mail, its sending a delivery that names the letter, not the person."""
    from allegations.models import Letter
    from outbox.delivery import deliveries_about

    letter = Letter.objects.get()
    assert letter.status == Letter.Status.SENT and letter.pdf_id and letter.docx_id and letter.sent_at
    assert letter.case.closed_at < letter.sent_at and "headteacher or manager" in letter.recipient
    (delivery,) = deliveries_about(letter)
    assert delivery.reached and delivery.channel == "email" and delivery.kind == "letter_outcome_employer"
    assert letter.case.referral.subject.family_name not in delivery.recipient + delivery.address


def _assert_a_daily_digest(login):
    """school.dsl chose one e-mail a day for case updates and minutes: the cases closed in the story are in their
    inbox, and their e-mails went as daily digests (deliveries of kind "digest"), each at the partnership's hour,
    each listing the notices since the last one."""
    from agencies.models import NoticeDelivery, Notification, Partnership
    from agencies.notices import preferences_of
    from outbox.models import Delivery

    person = get_user_model().objects.get(username="school.dsl")
    assert preferences_of(person)["updates"] == preferences_of(person)["meetings"] == NoticeDelivery.DIGEST
    digests = list(Delivery.objects.filter(kind="digest", user=person))
    assert digests, "a daily digest in the demo"
    hour = Partnership.current().digest_hour
    for digest in digests:
        assert digest.address == person.email and timezone.localtime(digest.created_at).hour == hour
        listed = Notification.objects.filter(user=person, digest=digest)
        assert digest.context["count"] == listed.count() >= 1
        assert {item["reference"] for item in digest.context["items"]} == set(listed.values_list("reference", flat=True))
        assert all(item["url"].startswith("http") for item in digest.context["items"])
    closed = Notification.objects.filter(user=person, kind="case_closed")
    assert closed.exists() and not closed.filter(digest__isnull=True, digest_pending=False).exists()
    assert not Delivery.objects.filter(kind="case_closed", user=person).exists()  # no e-mail each time
    page = login(person).get(reverse("notice_preferences")).content.decode()
    assert 'value="digest" checked' in page


def _assert_meetings_minutes_and_actions(login):
    """Meetings of each case kind with minutes in every state; actions done, open and overdue; and what the
    demo personas are meant to see of them."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    today = timezone.localdate()

    assert {MeetingKind.STRATEGY_DISCUSSION, MeetingKind.INITIAL, MeetingKind.REVIEW} <= set(
        Meeting.objects.values_list("kind", flat=True))
    assert set(Minutes.objects.filter(meeting__status=MeetingStatus.HELD).values_list("status", flat=True)) == set(
        MinutesStatus.values)
    assert Meeting.objects.filter(status=MeetingStatus.SCHEDULED, scheduled_at__gt=timezone.now()).exists()
    assert Meeting.objects.filter(chair=users["chair"]).count() == Meeting.objects.count() >= 5
    assert set(Invitation.objects.values_list("attendance", flat=True)) >= {Attendance.ATTENDED, Attendance.APOLOGIES}
    assert MinutesSection.objects.filter(key="disagreements").exclude(body="").exists(), "a disagreement recorded"

    # Minutes deadlines: met on time, met late, and one of a draft that has fallen due.
    # Issue 17: the invitations and the minutes went to every recipient, each a delivery that reached them.
    from outbox.models import Delivery

    for kind in ("meeting_invitation", "minutes"):
        sent = Delivery.objects.filter(kind=kind)
        assert sent.exists() and all(d.reached for d in sent), kind
    minutes_deadlines = Deadline.objects.filter(pk__in=Meeting.objects.values("minutes_deadline"))
    assert {Deadline.Status.MET, Deadline.Status.MET_LATE} <= set(minutes_deadlines.values_list("status", flat=True))
    assert minutes_deadlines.filter(status=Deadline.Status.OPEN, due_at__lt=timezone.now(),
                                    pk__in=Meeting.objects.filter(minutes__status=MinutesStatus.DRAFT)
                                    .values("minutes_deadline")).exists()

    open_actions = Action.objects.filter(status=ActionStatus.OPEN)
    assert open_actions.filter(due_on__lt=today).exists(), "an overdue action"
    assert open_actions.filter(due_on__gt=today).exists(), "an action not yet due"
    assert Action.objects.filter(status=ActionStatus.DONE, completed_at__isnull=False).exclude(evidence="").exists()
    assert Action.objects.values("agency").distinct().count() >= 4

    # school.dsl: "Our actions" lists an overdue action of the school.
    page = login(users["school.dsl"]).get(reverse("meetings:action_list"))
    assert page.status_code == 200 and "overdue on this page" in page.content.decode()

    # school.dsl: the strategy discussion's minutes at employer level, without the child's sections.
    strategy = Meeting.objects.get(kind=MeetingKind.STRATEGY_DISCUSSION)
    page = login(users["school.dsl"]).get(reverse("meetings:meeting_detail", args=[strategy.pk]))
    child_text = strategy.minutes.sections.get(key="child_information").body[:40]  # the start: no HTML escapes
    employment_text = strategy.minutes.sections.get(key="adult_employment").body[:40]
    assert page.status_code == 200 and child_text and employment_text
    assert employment_text in page.content.decode() and child_text not in page.content.decode()

    # police: a meeting shared with the police, whose circulated minutes they read at safeguarding level.
    police = users["police"]
    shared = Meeting.objects.visible_to(police).filter(minutes__status=MinutesStatus.CIRCULATED).first()
    assert shared is not None and shared.chair != police
    assert selectors.access_level_for(police, shared, selectors.invitations_of(shared)) == AccessLevel.SAFEGUARDING
    page = login(police).get(reverse("meetings:meeting_detail", args=[shared.pk]))
    assert page.status_code == 200 and "Safeguarding professional" in page.content.decode()

    # Need to know on the strategy case (issue 12 §1): the police (safeguarding) read the police strand and the
    # risk assessment they hold back from the school; the school (employer) reads neither, but its own strand.
    case = strategy.case
    police_lead = str(escape(case.strands.get(kind="police").lead))  # as the page writes it (a name may hold ')
    held_risk = str(escape(case.risk_assessments.order_by("assessed_at", "pk").first().summary[:40]))
    employer_lead = str(escape(case.strands.get(kind="employer").lead))
    as_police = login(police).get(reverse("allegations:case_strands", args=[case.reference])).content.decode()
    school = login(users["school.dsl"])
    as_school = school.get(reverse("allegations:case_strands", args=[case.reference])).content.decode()
    assert police_lead in as_police and held_risk in as_police
    assert "not for the employer while the investigation runs" in as_police
    assert police_lead not in as_school and held_risk not in as_school and employer_lead in as_school
    assert "Decision log" not in as_school
    assert school.get(reverse("allegations:case_decisions", args=[case.reference])).status_code == 404

    # chair: the meetings on the case page.
    meeting = Meeting.objects.filter(chair=users["chair"]).select_related("case__referral").first()
    page = login(users["chair"]).get(reverse("allegations:case_meetings", args=[meeting.case.referral.reference]))
    assert page.status_code == 200 and reverse("meetings:meeting_detail", args=[meeting.pk]) in page.content.decode()
