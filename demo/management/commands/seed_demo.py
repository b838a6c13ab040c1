"""python manage.py seed_demo — an invented partnership to try the product with.

Idempotent: agencies, users and memberships are keyed on their names, and each part of the story is told
only once (referrals when no demo user has submitted one yet, meetings when no demo case has one, and so
on). Every person is invented (Faker, en_GB, fixed seed), so the data is the same on every run, relative
to today. The story goes through the services users go through, each step at the moment it happens in
the story (demo.clock), so history, events and timelines carry the story's times.

The parts of the story live beside this command, in the demo app: people.py (the partnership, agencies
and people), referrals.py (referrals and cases), meetings.py (meetings, minutes and actions),
providers.py (a provider concern), pipot.py (a PiPoT referral) and assurance.py (an assurance round).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from agencies.models import Role
from allegations.models import Case, CaseStatus, Referral, ReferralStatus
from demo import clock, people
from demo.assurance import assurance_story
from demo.authenticator import DEMO_TOTP_SECRET, demo_authenticators_give, refuse_in_production
from demo.digests import digest_choices, digest_story
from demo.letters import letter_story
from demo.low_level import low_level_story
from demo.meetings import meetings_story
from demo.people import ASC, BRIGHTPATH, DEMO_PASSWORD, DEMO_USERS, HILLTOP, LADO, MEADOWBANK, NHS, POLICE, RIVERSIDE
from demo.pipot import pipot_story
from demo.providers import provider_story
from demo.referrals import referrals_story
from meetings.models import Action, ActionStatus, Meeting, MeetingStatus


class Command(BaseCommand):
    help = "Create an invented demo partnership (agencies, users, 60+ referrals and cases, meetings and actions). Safe to run twice."

    def handle(self, *args, **options):
        refuse_in_production()  # never on an https SITE_URL: demo accounts share a published password and authenticator
        started = time.monotonic()
        say = self.stdout.write
        with transaction.atomic():
            with clock.at(clock.beginning()):  # the partnership and its people were there before the first referral
                _, message = people.partnership_name()
                agencies = people.agencies_make()
                users = people.users_make(agencies)
            if message:
                say(message)
            demo_authenticators_give(users.values())  # now: the authenticator's codes run on the real clock
            # Riverside's lead chose one e-mail a day for case updates and minutes (agencies.notices).
            digest_choices(users=users)
            say(referrals_story(agencies=agencies, users=users))
            for line in meetings_story(agencies=agencies, users=users):
                say(line)
            # A care home under the serious concerns process (001).
            say(provider_story(
                provider=agencies[MEADOWBANK], commissioner=agencies[ASC], police=agencies[POLICE], health=agencies[NHS],
                lado_service=agencies[LADO], manager=users["asc.safeguarding"], director=users["asc.director"],
                chair=users["chair"],
            ))
            # A quality-of-care concern routed away from PiPoT, and the partner agency assurance round (000).
            say(pipot_story(lado_service=agencies[LADO], provider=agencies[MEADOWBANK],
                            referrer=users["care.manager"], pipot_lead=users["lado2"]))
            say(assurance_story(
                agencies=[agencies[name] for name in (MEADOWBANK, RIVERSIDE, HILLTOP, BRIGHTPATH)],
                analyst=users["analyst"], answerers={MEADOWBANK: users["care.manager"], RIVERSIDE: users["school.dsl"]},
            ))
            # Low-level concerns about a teaching assistant at two schools: the LADO service's prompt (003 §10).
            say(low_level_story(managers={"riverside": users["school.dsl"], "hilltop": users["hilltop.dsl"]},
                                agencies={"riverside": agencies[RIVERSIDE], "hilltop": agencies[HILLTOP]}))
            # The outcome letter to the employer after the latest closed case: drafted, approved and sent.
            say(letter_story(officer=users["lado"], manager=users["lado.manager"]))
            # The digests due in the story: the notices of those who chose one e-mail a day.
            say(digest_story())
        self._summary(time.monotonic() - started)

    def _summary(self, seconds: float) -> None:
        out = self.stdout
        out.write("")
        out.write("Referrals by status:")
        counts = dict(Referral.objects.values_list("status").annotate(n=Count("pk")).order_by())
        for status in ReferralStatus:
            out.write(f"  {status.label:<32} {counts.get(status.value, 0):>4}")
        out.write(f"  {'Total':<32} {sum(counts.values()):>4}")
        cases = dict(Case.objects.values_list("status").annotate(n=Count("pk")).order_by())
        out.write(f"Cases: {cases.get(CaseStatus.OPEN, 0)} open, {cases.get(CaseStatus.CLOSED, 0)} closed")
        meetings = dict(Meeting.objects.values_list("status").annotate(n=Count("pk")).order_by())
        out.write(f"Meetings: {meetings.get(MeetingStatus.HELD, 0)} held, {meetings.get(MeetingStatus.SCHEDULED, 0)} scheduled")
        today = timezone.localdate()
        open_actions = Action.objects.filter(status=ActionStatus.OPEN)
        out.write(
            f"Actions: {open_actions.count()} open ({open_actions.filter(due_on__lt=today).count()} overdue), "
            f"{Action.objects.filter(status=ActionStatus.DONE).count()} done"
        )
        out.write("")
        out.write("Demo accounts (all with the password below):")
        for username, agency_name, role, _, _ in DEMO_USERS:
            out.write(f"  {username:<18} {Role(role).label}, {agency_name}")
        out.write(f"Password: {DEMO_PASSWORD}")
        out.write(f"Two-factor code: `make demo-code` prints it (authenticator app key: {DEMO_TOTP_SECRET})")
        out.write(f"({seconds:.1f} s)")
