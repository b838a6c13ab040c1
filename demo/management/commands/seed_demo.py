"""python manage.py seed_demo — an invented partnership to try the product with.

Idempotent: agencies, users and memberships are keyed on their names; referrals are
added only when no demo user has submitted one yet. Every person is invented (Faker,
en_GB, fixed seed), so the data is the same on every run, relative to today. Referrals
and everything after them go through allegations.services, so history and events are
recorded as in real use; the only direct writes move the business timestamps of each
step (events, decisions, opening and outcome times) back to when the step happened
in the story, because the services stamp them with the real time of seeding.

Meetings (with invitations, attendance, minutes and actions) are added the same way, through
meetings.services, only when no case of the demo LADO service has a meeting yet. Their direct
writes likewise move the stamps of each step back into the story and, because the services
refuse a due date in the past, set the due dates of the actions that are meant to be overdue.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from faker import Faker

from agencies.models import AccessLevel, Agency, AgencyKind, Membership, Nation, Partnership, Role, Sector
from allegations import deadlines, services, timescales
from allegations.models import (
    Audience,
    Case,
    CaseStatus,
    Category,
    Child,
    Deadline,
    Decision,
    Disagreement,
    EmployerOutcome,
    EmploymentType,
    Event,
    HowArose,
    Outcome,
    Part,
    PoliceOutcome,
    Referral,
    ReferralStatus,
    RegulatorReferral,
    RiskAssessment,
    Route,
    Strand,
    Subject,
    SubjectMatch,
    Suspension,
    Timing,
    TriageDecision,
    Workforce,
)
from config.jinja2 import govuk_date
from meetings import services as meeting_services
from meetings.models import (
    AccessLevel,
    Action,
    ActionStatus,
    Attendance,
    Circulation,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesVersion,
)

DEMO_PASSWORD = "demo-password-2026"
SEED = 2026
PARTNERSHIP_NAME = "Northshire Safeguarding Children and Adults Partnership"
PLACEHOLDER_PARTNERSHIP_NAME = "Safeguarding partnership"  # what Partnership.current() creates
AUTHORITY = "Northshire"

LADO = "Northshire LADO and PiPoT Service"
POLICE = "Northshire Police"
NHS = "Northshire Hospitals NHS Trust"
RIVERSIDE = "Riverside Primary School"
HILLTOP = "Hilltop Academy"
BRIGHTPATH = "Brightpath Fostering Agency"
MEADOWBANK = "Meadowbank Care Homes"
CSC = "Northshire Children's Social Care"
ASC = "Northshire Adult Social Care"
BUSINESS_UNIT = "Northshire Safeguarding Business Unit"
FOOTBALL = "Northshire Juniors Football Club"
OAKFIELD = "Oakfield House Children's Home"

AGENCIES = [
    # name, kind, sector
    (LADO, AgencyKind.LADO_SERVICE, Sector.SOCIAL_CARE),
    (POLICE, AgencyKind.POLICE, Sector.POLICE),
    (NHS, AgencyKind.NHS_TRUST, Sector.HEALTH),
    (RIVERSIDE, AgencyKind.SCHOOL, Sector.EDUCATION),
    (HILLTOP, AgencyKind.SCHOOL, Sector.EDUCATION),
    (BRIGHTPATH, AgencyKind.FOSTERING_AGENCY, Sector.FOSTERING),
    (MEADOWBANK, AgencyKind.CARE_PROVIDER, Sector.CARE_HOME),
    (CSC, AgencyKind.CHILDRENS_SOCIAL_CARE, Sector.SOCIAL_CARE),
    (ASC, AgencyKind.ADULTS_SOCIAL_CARE, Sector.SOCIAL_CARE),
    (BUSINESS_UNIT, AgencyKind.BUSINESS_UNIT, Sector.OTHER),
    (FOOTBALL, AgencyKind.SPORTS_CLUB, Sector.SPORTS),
    (OAKFIELD, AgencyKind.RESIDENTIAL_HOME, Sector.RESIDENTIAL),
]

# username, agency, role, job title, superuser (README.md lists what each one sees)
DEMO_USERS = [
    ("lado", LADO, Role.LADO_OFFICER, "LADO (duty officer)", False),
    ("lado.manager", LADO, Role.LADO_MANAGER, "LADO and PiPoT service manager", False),
    ("lado2", LADO, Role.LADO_OFFICER, "PiPoT lead officer", False),
    ("school.dsl", RIVERSIDE, Role.SENIOR_MANAGER, "Designated safeguarding lead", False),
    ("hilltop.dsl", HILLTOP, Role.SENIOR_MANAGER, "Designated safeguarding lead", False),
    ("fostering.manager", BRIGHTPATH, Role.SENIOR_MANAGER, "Registered manager", False),
    ("care.manager", MEADOWBANK, Role.SENIOR_MANAGER, "Registered manager", False),
    ("police", POLICE, Role.PARTICIPANT, "Detective sergeant, Child Abuse Investigation Team", False),
    ("chair", LADO, Role.CHAIR, "Independent chair", False),
    ("analyst", BUSINESS_UNIT, Role.ANALYST, "Performance and quality analyst", False),
    # Provider concerns (001): who records serious concerns about a provider, and who decides to invoke the process.
    ("asc.safeguarding", ASC, Role.ADULT_SAFEGUARDING_MANAGER, "Adult safeguarding manager", False),
    ("asc.director", ASC, Role.DIRECTOR, "Assistant Director, Adult Services", False),
    ("admin", LADO, Role.ADMINISTRATOR, "Partnership administrator", True),
]
DEMO_USERNAMES = tuple(u[0] for u in DEMO_USERS)

# Where referrals come from. "referrer" is a demo user submitting for their agency, or
# None for a referral the duty officer takes by phone.
PROFILES = {
    "riverside": dict(
        referrer="school.dsl", agency=RIVERSIDE, employer=RIVERSIDE, sector=Sector.EDUCATION, workforce=Workforce.CHILDREN,
        roles=[("Class teacher", EmploymentType.PAID, "TRA"), ("Teaching assistant", EmploymentType.PAID, ""),
               ("Lunchtime supervisor", EmploymentType.PAID, ""), ("Supply teacher", EmploymentType.AGENCY, "TRA")],
        how=[HowArose.CHILD_OR_PARENT, HowArose.COLLEAGUE], place="classroom", who="pupil",
    ),
    "hilltop": dict(
        referrer="hilltop.dsl", agency=HILLTOP, employer=HILLTOP, sector=Sector.EDUCATION, workforce=Workforce.CHILDREN,
        roles=[("Teacher of PE", EmploymentType.PAID, "TRA"), ("Head of year", EmploymentType.PAID, "TRA"),
               ("Learning mentor", EmploymentType.PAID, "")],
        how=[HowArose.CHILD_OR_PARENT, HowArose.COLLEAGUE, HowArose.ANONYMOUS_OR_ONLINE], place="changing room", who="student",
    ),
    "fostering": dict(
        referrer="fostering.manager", agency=BRIGHTPATH, employer=BRIGHTPATH, sector=Sector.FOSTERING,
        workforce=Workforce.CHILDREN, roles=[("Foster carer", EmploymentType.FOSTER_CARER, "")],
        how=[HowArose.CHILD_OR_PARENT, HowArose.POLICE_OR_SOCIAL_CARE, HowArose.THIRD_PARTY], place="foster home",
        who="child in placement",
    ),
    "care": dict(
        referrer="care.manager", agency=MEADOWBANK, employer=MEADOWBANK, sector=Sector.CARE_HOME, workforce=Workforce.ADULTS,
        roles=[("Care worker", EmploymentType.PAID, ""), ("Senior care assistant", EmploymentType.PAID, ""),
               ("Registered nurse", EmploymentType.PAID, "NMC"), ("Night care assistant", EmploymentType.AGENCY, "")],
        how=[HowArose.COLLEAGUE, HowArose.CHILD_OR_PARENT, HowArose.EMPLOYMENT], place="lounge", who="resident",
    ),
    "nhs": dict(
        referrer=None, agency=NHS, employer=NHS, sector=Sector.HEALTH, workforce=Workforce.ADULTS,
        roles=[("Staff nurse", EmploymentType.PAID, "NMC"), ("Healthcare assistant", EmploymentType.PAID, ""),
               ("Physiotherapist", EmploymentType.PAID, "HCPC")],
        how=[HowArose.COLLEAGUE, HowArose.CHILD_OR_PARENT], place="ward", who="patient",
        caller_role="Named nurse for safeguarding adults",
    ),
    "nhs_children": dict(
        referrer=None, agency=NHS, employer=NHS, sector=Sector.HEALTH, workforce=Workforce.CHILDREN,
        roles=[("Paediatric nurse", EmploymentType.PAID, "NMC")],
        how=[HowArose.CHILD_OR_PARENT], place="children's ward", who="child",
        caller_role="Named nurse for safeguarding children",
    ),
    "sports": dict(
        referrer=None, agency=FOOTBALL, employer=FOOTBALL, sector=Sector.SPORTS, workforce=Workforce.CHILDREN,
        roles=[("Volunteer football coach", EmploymentType.VOLUNTEER, ""), ("Under-12s team manager", EmploymentType.VOLUNTEER, "")],
        how=[HowArose.CHILD_OR_PARENT, HowArose.ANONYMOUS_OR_ONLINE], place="clubhouse", who="player",
        caller_role="Club welfare officer",
    ),
    "residential": dict(
        referrer=None, agency=OAKFIELD, employer=OAKFIELD, sector=Sector.RESIDENTIAL, workforce=Workforce.CHILDREN,
        roles=[("Residential support worker", EmploymentType.PAID, ""), ("Deputy manager", EmploymentType.PAID, "")],
        how=[HowArose.CHILD_OR_PARENT, HowArose.COLLEAGUE], place="home", who="young person", caller_role="Registered manager",
    ),
    "police_faith": dict(
        referrer=None, agency=POLICE, employer=None, employer_name="St Columba's Church Youth Group", sector=Sector.FAITH,
        workforce=Workforce.CHILDREN, roles=[("Youth leader", EmploymentType.VOLUNTEER, "")],
        how=[HowArose.POLICE_OR_SOCIAL_CARE], place="church hall", who="young person",
        caller_role="Detective constable, Child Abuse Investigation Team",
    ),
    "csc_childminder": dict(
        referrer=None, agency=CSC, employer=None, employer_name="Registered childminder (self-employed)",
        sector=Sector.EARLY_YEARS, workforce=Workforce.CHILDREN, roles=[("Childminder", EmploymentType.SELF_EMPLOYED, "")],
        how=[HowArose.POLICE_OR_SOCIAL_CARE], place="childminder's home", who="child", caller_role="Social worker, assessment team",
    ),
    "asc_homecare": dict(
        referrer=None, agency=ASC, employer=None, employer_name="Northshire Home Care Ltd", sector=Sector.HOME_CARE,
        workforce=Workforce.ADULTS, roles=[("Home care worker", EmploymentType.PAID, "")],
        how=[HowArose.POLICE_OR_SOCIAL_CARE, HowArose.CHILD_OR_PARENT], place="person's home", who="person receiving care",
        caller_role="Safeguarding adults practitioner",
    ),
    "anon_transport": dict(
        referrer=None, agency=None, employer=None, employer_name="Northshire Taxis Ltd (school transport contract)",
        sector=Sector.TRANSPORT, workforce=Workforce.CHILDREN, roles=[("School transport driver", EmploymentType.SELF_EMPLOYED, "")],
        how=[HowArose.ANONYMOUS_OR_ONLINE], place="taxi", who="pupil", caller_role="",
    ),
}
PROFILE_ROTATION = [
    "riverside", "care", "fostering", "hilltop", "nhs", "riverside", "sports", "care", "fostering", "residential",
    "police_faith", "riverside", "csc_childminder", "asc_homecare", "anon_transport", "fostering", "hilltop",
    "nhs_children", "care", "riverside",
]

ALLEGED = {
    # category -> (children's workforce, adults' workforce) descriptions
    Category.PHYSICAL: (
        "A {who} said the {role} grabbed them by the arm and pulled them out of the {place}; a parent photographed a bruise that evening.",
        "A {who} told staff that the {role} handled them roughly while helping them to bed; bruising was found on the upper arm.",
    ),
    Category.SEXUAL: (
        "A {who} showed a parent messages in which the {role} asked for photographs and told them to keep it secret.",
        "A {who} said the {role} touched them inappropriately during a night check; they were distressed the next morning.",
    ),
    Category.EMOTIONAL: (
        "Other children say the {role} regularly shouts at one {who} in the {place}, calls them stupid and mocks them in front of others.",
        "Relatives overheard the {role} threatening to stop a {who}'s visits if they kept using the call bell.",
    ),
    Category.NEGLECT: (
        "The {role} is said to have left a {who} with complex needs unsupervised in the {place}; the child fell and was injured.",
        "A {who} was left in wet bedding overnight and missed medication on three occasions during the {role}'s shifts.",
    ),
    Category.SUITABILITY: (
        "Police attended a domestic incident at the {role}'s home, where there are children; the {role} was arrested and released on bail.",
        "The {role} has been charged with a drink-driving offence and did not tell the employer; a colleague says they smelt of alcohol on shift.",
    ),
}
NON_RECENT_HARM = {
    Category.PHYSICAL: "hit them repeatedly",
    Category.SEXUAL: "sexually abused them",
    Category.EMOTIONAL: "bullied and humiliated them",
    Category.NEGLECT: "left them without food or care for days",
    Category.SUITABILITY: "groomed them with gifts and secret meetings",
}
OTHER_AUTHORITIES = ["Westmarsh", "Eastvale", "Southfield", "Kingsmoor"]
OFFICE_PHONE = "01632 960{:03d}"  # Ofcom's range for drama: never a real number

# Outcome combinations for cases that reach an outcome: (outcome, police, detail, employer, regulator?)
OUTCOMES = [
    (Outcome.SUBSTANTIATED, PoliceOutcome.PROSECUTION, "Convicted at magistrates' court; community order", EmployerOutcome.DISMISSED, True),
    (Outcome.UNSUBSTANTIATED, PoliceOutcome.INVESTIGATION_NFA, "", EmployerOutcome.SUPPORT_TRAINING, False),
    (Outcome.UNFOUNDED, PoliceOutcome.NO_POLICE_ACTION, "", EmployerOutcome.NO_SANCTION, False),
    (Outcome.SUBSTANTIATED, PoliceOutcome.CAUTION, "Simple caution for common assault", EmployerOutcome.RESIGNED, True),
    (Outcome.FALSE, PoliceOutcome.NO_POLICE_ACTION, "", EmployerOutcome.NO_SANCTION, False),
    (Outcome.SUBSTANTIATED, PoliceOutcome.NO_POLICE_ACTION, "", EmployerOutcome.SANCTION, False),
    (Outcome.NO_OUTCOME, PoliceOutcome.INVESTIGATION_NFA, "", EmployerOutcome.NOT_EMPLOYED, False),
    (Outcome.MALICIOUS, PoliceOutcome.NO_POLICE_ACTION, "", EmployerOutcome.NO_SANCTION, False),
    (Outcome.SUBSTANTIATED, PoliceOutcome.NO_POLICE_ACTION, "", EmployerOutcome.CEASED_USE, True),
    (Outcome.UNSUBSTANTIATED, PoliceOutcome.NO_POLICE_ACTION, "", EmployerOutcome.SUPPORT_TRAINING, False),
    # Cases with an outcome that are still open (the DBS duty of the first is not yet met).
    (Outcome.SUBSTANTIATED, PoliceOutcome.INVESTIGATION_NFA, "", EmployerOutcome.DISMISSED, False),
    (Outcome.UNFOUNDED, PoliceOutcome.NO_POLICE_ACTION, "", EmployerOutcome.NO_SANCTION, False),
]
CLOSED_CASES = 10
OPEN_WITH_OUTCOME = 2


class Command(BaseCommand):
    help = "Create an invented demo partnership (agencies, users, 60+ referrals and cases, meetings and actions). Safe to run twice."

    def handle(self, *args, **options):
        from demo.authenticator import demo_authenticators_give, refuse_in_production

        refuse_in_production()  # never on an https SITE_URL: demo accounts share a published password and authenticator
        started = time.monotonic()
        with transaction.atomic():
            self._partnership()
            agencies = self._agencies()
            users = self._users(agencies)
            demo_authenticators_give(users.values())
            existing = Referral.objects.filter(submitted_by__username__in=DEMO_USERNAMES).count()
            if existing:
                self.stdout.write(f"Demo referrals already exist ({existing}): none added.")
            else:
                made = _Story(agencies=agencies, users=users).tell()
                self.stdout.write(f"Created {made} demo referrals.")
            meetings = Meeting.objects.filter(case__referral__lado_service=agencies[LADO]).count()
            if meetings:
                self.stdout.write(f"Demo meetings already exist ({meetings}): none added.")
            else:
                made, skipped = _Meetings(agencies=agencies, users=users).hold()
                self.stdout.write(f"Created {made} demo meetings.")
                for reason in skipped:
                    self.stdout.write(f"  Skipped: {reason}")
            from demo.providers import provider_story  # a care home under the serious concerns process (001)

            self.stdout.write(provider_story(
                provider=agencies[MEADOWBANK], commissioner=agencies[ASC], police=agencies[POLICE], health=agencies[NHS],
                lado_service=agencies[LADO], manager=users["asc.safeguarding"], director=users["asc.director"],
                chair=users["chair"],
            ))
            from demo.pipot import pipot_story  # a quality-of-care concern routed away from PiPoT (000)
            from demo.assurance import assurance_story  # the partner agency assurance round (000)

            self.stdout.write(pipot_story(lado_service=agencies[LADO], provider=agencies[MEADOWBANK],
                                          referrer=users["care.manager"], pipot_lead=users["lado2"]))
            self.stdout.write(assurance_story(
                agencies=[agencies[name] for name in (MEADOWBANK, RIVERSIDE, HILLTOP, BRIGHTPATH)],
                analyst=users["analyst"], answerers={MEADOWBANK: users["care.manager"], RIVERSIDE: users["school.dsl"]},
            ))
        self._summary(time.monotonic() - started)

    # --- the partnership, its agencies and people ------------------------------------

    def _partnership(self) -> Partnership:
        first = Partnership.objects.order_by("pk").first()
        if first is None:
            first = Partnership(name=PARTNERSHIP_NAME, nation=Nation.ENGLAND)
        elif first.name == PLACEHOLDER_PARTNERSHIP_NAME:
            first.name, first.nation = PARTNERSHIP_NAME, Nation.ENGLAND
        else:
            if first.name != PARTNERSHIP_NAME:
                self.stdout.write(f"Keeping the existing partnership “{first.name}”.")
            return first
        first._change_reason = "Demo data"
        first.save()
        return first

    def _agencies(self) -> dict[str, Agency]:
        agencies = {}
        lado, _ = Agency.objects.get_or_create(
            name=LADO, defaults={"kind": AgencyKind.LADO_SERVICE, "sector": Sector.SOCIAL_CARE, "authority": AUTHORITY,
                                 "email": "lado@example.org"},
        )
        if lado.kind != AgencyKind.LADO_SERVICE:
            raise RuntimeError(f"An agency named {LADO!r} exists but is not a LADO service.")
        agencies[LADO] = lado
        for name, kind, sector in AGENCIES[1:]:
            agency, _ = Agency.objects.get_or_create(
                name=name, defaults={"kind": kind, "sector": sector, "lado_service": lado, "authority": AUTHORITY},
            )
            agencies[name] = agency
        return agencies

    def _users(self, agencies: dict[str, Agency]) -> dict:
        User = get_user_model()
        fake = Faker("en_GB")
        fake.seed_instance(SEED)
        hashed = None
        users = {}
        for username, agency_name, role, job_title, superuser in DEMO_USERS:
            first, last = fake.first_name(), fake.last_name()  # drawn every run: same names every time
            user = User.objects.filter(username=username).first()
            if user is None:
                hashed = hashed or make_password(DEMO_PASSWORD)  # one hash: seeding stays fast
                user = User.objects.create(
                    username=username, first_name=first, last_name=last, email=f"{username}@example.org",
                    password=hashed, is_staff=superuser, is_superuser=superuser,
                )
            Membership.objects.get_or_create(
                user=user, agency=agencies[agency_name], role=role, defaults={"job_title": job_title},
            )
        # Fresh objects: no standing cached from before the memberships existed.
        for user in User.objects.filter(username__in=DEMO_USERNAMES):
            users[user.username] = user
        return users

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
        from demo.authenticator import DEMO_TOTP_SECRET

        out.write(f"Two-factor code: `make demo-code` prints it (authenticator app key: {DEMO_TOTP_SECRET})")
        out.write(f"({seconds:.1f} s)")


class _Story:
    """Plans the referrals with a fixed seed, then plays each through the services."""

    def __init__(self, *, agencies, users):
        self.agencies = agencies
        self.users = users
        self.lado_service = agencies[LADO]
        self.fake = Faker("en_GB")
        self.fake.seed_instance(SEED)
        self.rng = random.Random(SEED)
        self.t0 = timezone.now()  # everything the services write from now on is re-dated into the story
        self.latest = self.t0 - dt.timedelta(minutes=5)  # the story never reaches the present
        self.subjects: dict[str, Subject] = {}
        self.police_refs = 0

    # --- planning ------------------------------------------------------------------

    def plan(self) -> list[dict]:
        rng = self.rng
        decided = (
            ["pot"] * 12 + ["employer"] * 9 + ["strategy"] * 9
            + ["advice"] * 10 + ["not_allegation"] * 6 + ["transfer"] * 4
        )
        rng.shuffle(decided)
        specs = []
        # Decided referrals, spread over the last 18 months (oldest first).
        for i, state in enumerate(decided):
            days_ago = 540 - i * (525 / len(decided)) - rng.uniform(0, 8)
            specs.append({"state": state, "received_at": self._ago(days=days_ago, hour=rng.randint(8, 17))})
        # Awaiting a decision after the initial discussion.
        for days in (2, 4, 7, 11):
            specs.append({"state": "discussed", "received_at": self._ago(days=days, hour=rng.randint(8, 16))})
        # New: some inside the 24-hour clock, some overdue.
        for hours in (0.75, 2.5, 5, 9, 17, 27, 50, 76, 150, 260):
            specs.append({"state": "new", "received_at": self.latest - dt.timedelta(hours=hours)})
        specs.sort(key=lambda s: s["received_at"])

        for i, spec in enumerate(specs):
            profile = PROFILES[PROFILE_ROTATION[i % len(PROFILE_ROTATION)]]
            spec["key"] = f"r{i}"
            spec["profile"] = profile
            spec["category"] = Category.values[i % len(Category.values)]
            spec["timing"] = Timing.NON_RECENT if i % 6 == 4 else Timing.CONTEMPORANEOUS
            spec["role"] = rng.choice(profile["roles"])
            spec["assign_to"] = rng.choice(["lado", "lado", "lado2"]) if (spec["state"] != "new" or i % 2) else None

        cases = [s for s in specs if s["state"] in ("pot", "employer", "strategy")]
        for n, spec in enumerate(cases):
            spec["share_police"] = spec["state"] == "strategy" or n % 3 == 0
            spec["disagreement"] = n % 4 == 1
            spec["outcome"] = None
            spec["closed"] = False
        # Close most of the oldest cases; a few old ones run on (long police investigations).
        closed, with_outcome = 0, 0
        for n, spec in enumerate(cases):
            if closed < CLOSED_CASES and n % 4 != 3:
                spec["outcome"], spec["closed"] = OUTCOMES[closed], True
                closed += 1
            elif closed >= CLOSED_CASES and with_outcome < OPEN_WITH_OUTCOME:
                spec["outcome"] = OUTCOMES[CLOSED_CASES + with_outcome]
                with_outcome += 1
        for spec in cases:
            if spec["outcome"] and spec["outcome"][0] == Outcome.NO_OUTCOME:
                spec["timing"] = Timing.NON_RECENT  # non-recent cases can end without an outcome (002 §8)
            if spec["outcome"] and spec["outcome"][1] != PoliceOutcome.NO_POLICE_ACTION:
                spec["share_police"] = True
            if spec["closed"]:
                age = (self.latest - spec["received_at"]).days
                spec["closed_at"] = self._office(spec["received_at"] + dt.timedelta(
                    days=rng.randint(min(45, age - 5), max(min(age - 5, 300), 46)),
                )).replace(hour=rng.randint(14, 17))  # an afternoon: the last steps happen that morning

        self._plan_same_people(specs)
        return specs

    def _plan_same_people(self, specs: list[dict]) -> None:
        """Earlier referrals about the same person: one confirmed, two left as suggestions."""
        taken: set[str] = set()

        def pick(ok, profile: str, newest: bool = False) -> dict:
            found = [s for s in specs if ok(s) and s["key"] not in taken]
            if not found:
                raise RuntimeError("The demo plan has no referral for a same-person pair: adjust the plan.")
            spec = found[-1] if newest else found[0]
            taken.add(spec["key"])
            spec["profile"] = PROFILES[profile]
            spec["role"] = PROFILES[profile]["roles"][0]
            return spec

        is_case = lambda s: s["state"] in ("pot", "employer", "strategy")  # noqa: E731
        # 1. A foster carer with a closed case; the same woman, married and nicknamed, at a care home: confirmed.
        earlier = pick(lambda s: s.get("closed"), "fostering")
        later = pick(lambda s: is_case(s) and not s["closed"] and not s["outcome"], "care", newest=True)
        earlier["person"] = {"given_name": "Margaret", "known_as": "Maggie"}
        later["person"] = {"given_name": "Maggie", "married": True}
        later["same_as"], later["confirm"] = earlier["key"], True
        # 2. A teacher with a closed case at Riverside, referred again by Hilltop as “Jon” with a misspelt surname: a suggestion.
        earlier = pick(lambda s: s.get("closed"), "riverside")
        later = pick(lambda s: s["state"] == "new" and s["received_at"] > self.latest - dt.timedelta(hours=6), "hilltop",
                     newest=True)
        earlier["person"] = {"given_name": "Jonathan"}
        later["person"] = {"given_name": "Jon", "typo": True}
        later["same_as"], later["confirm"] = earlier["key"], False
        # 3. A coach the LADO advised about, now at a children's home under a new surname (previous name given): a suggestion.
        earlier = pick(lambda s: s["state"] == "advice", "sports")
        later = pick(lambda s: s["state"] == "discussed", "residential", newest=True)
        earlier["person"] = {"given_name": "Daniel"}
        later["person"] = {"given_name": "Danny", "new_surname": True, "swap_dob": True}
        later["same_as"], later["confirm"] = earlier["key"], False

    def _ago(self, *, days: float = 0, hour: int | None = None) -> dt.datetime:
        at = self.latest - dt.timedelta(days=days)
        if hour is not None:
            local = timezone.localtime(at)
            at = local.replace(hour=hour, minute=self.rng.randrange(0, 60, 5), second=0, microsecond=0)
            if at > self.latest:
                at -= dt.timedelta(days=1)
        return at

    # --- playing --------------------------------------------------------------------

    def tell(self) -> int:
        specs = self.plan()
        by_key = {s["key"]: s for s in specs}
        for spec in specs:
            self._play(spec, by_key)
        return len(specs)

    def _at(self, when: dt.datetime) -> dt.datetime:
        return min(when, self.latest)

    def _office(self, when: dt.datetime) -> dt.datetime:
        """The same moment, or the next one in office hours (Monday to Friday, 08:00–18:00)."""
        local = timezone.localtime(when)
        if local.hour >= 18:
            local = (local + dt.timedelta(days=1)).replace(hour=9, minute=self.rng.randrange(0, 60, 5))
        elif local.hour < 8:
            local = local.replace(hour=8, minute=self.rng.randrange(30, 60, 5))
        while local.weekday() >= 5:
            local = (local + dt.timedelta(days=1)).replace(hour=9, minute=self.rng.randrange(0, 60, 5))
        return local

    def _redate(self, referral: Referral, when: dt.datetime) -> None:
        """Move the events the last service call wrote to when the step happened in the story."""
        Event.objects.filter(referral=referral, at__gte=self.t0).update(at=when)

    def _person(self, spec: dict, by_key: dict) -> tuple[dict, str]:
        fake, rng = self.fake, self.rng
        person = spec.get("person", {})
        received = spec["received_at"]
        given = person.get("given_name") or fake.first_name()
        family = fake.last_name()
        dob = received.date() - dt.timedelta(days=rng.randint(23 * 365, 62 * 365))
        previous = ""
        if "same_as" in spec:
            earlier = by_key[spec["same_as"]]["subject_fields"]
            dob = earlier["date_of_birth"]
            name = earlier["family_name"]
            if person.get("typo"):  # two letters swapped, or one dropped
                family = name[:2] + name[3] + name[2] + name[4:] if len(name) > 4 else name + "e"
                if family == name:
                    family = name[:3] + name[4:]
            elif person.get("new_surname"):
                previous = name  # the referrer knew the previous surname
            elif not person.get("married"):  # married: a new surname the referrer did not know the old one of
                family = name
            if person.get("swap_dob") and dob.day <= 12 and dob.day != dob.month:
                dob = dob.replace(month=dob.day, day=dob.month)
        role, _, regulator = spec["role"]
        fields = {
            "given_name": given, "family_name": family, "known_as": person.get("known_as", ""),
            "date_of_birth": dob, "address": fake.address(),
        }
        if regulator == "TRA":
            fields.update(registration_body="Teaching Regulation Agency", registration_number=f"{rng.randint(1000000, 9999999)}")
        elif regulator == "NMC":
            fields.update(registration_body="Nursing and Midwifery Council",
                          registration_number=f"{rng.randint(10, 99)}{rng.choice('ABCDEFGHJ')}{rng.randint(1000, 9999)}{rng.choice('ENOS')}")
        elif regulator == "HCPC":
            fields.update(registration_body="Health and Care Professions Council", registration_number=f"PH{rng.randint(10000, 99999)}")
        spec["subject_fields"] = fields
        return fields, previous

    def _children(self, spec: dict, subject_family: str) -> list[dict]:
        fake, rng = self.fake, self.rng
        received = spec["received_at"].date()
        adults = spec["profile"]["workforce"] == Workforce.ADULTS
        children = []
        for n in range(rng.choice([1, 1, 2])):
            if n == 0:
                relationship = Child.Relationship.COMPLAINANT
            else:
                relationship = rng.choice([Child.Relationship.OTHER_IN_SETTING, Child.Relationship.SUBJECTS_OWN,
                                           Child.Relationship.OTHER])
            if adults:
                age = rng.randint(68, 96)
            elif spec["timing"] == Timing.NON_RECENT and n == 0:
                age = rng.randint(24, 45)
            else:
                age = rng.randint(3, 16)
            children.append({
                "given_name": fake.first_name(),
                "family_name": subject_family if relationship == Child.Relationship.SUBJECTS_OWN else fake.last_name(),
                "date_of_birth": received - dt.timedelta(days=age * 365 + rng.randint(0, 364)),
                "relationship": relationship,
                "has_social_worker": (not adults) and rng.random() < 0.3,
            })
        return children

    def _referral_fields(self, spec: dict) -> tuple[dict, object]:
        fake, rng = self.fake, self.rng
        profile = spec["profile"]
        role, employment_type, _ = spec["role"]
        received = spec["received_at"]
        referrer = self.users[profile["referrer"]] if profile["referrer"] else None
        if referrer is not None:
            membership = referrer.memberships.get(agency__name=profile["agency"])
            who = {"referrer_name": referrer.get_full_name(), "referrer_role": membership.job_title,
                   "referrer_email": referrer.email, "referrer_phone": OFFICE_PHONE.format(rng.randint(0, 999))}
        elif profile["agency"] is None:
            who = {"referrer_name": "Anonymous caller", "referrer_role": ""}
        else:
            first, last = fake.first_name(), fake.last_name()
            who = {"referrer_name": f"{first} {last}", "referrer_role": profile["caller_role"],
                   "referrer_email": re.sub(r"[^a-z.]", "", f"{first}.{last}".lower()) + "@example.org",
                   "referrer_phone": OFFICE_PHONE.format(rng.randint(0, 999))}
        category = spec["category"]
        words = {"role": role.lower(), "who": profile["who"], "place": profile["place"]}
        if spec["timing"] == Timing.NON_RECENT:
            description = (
                f"An adult, now in their {rng.choice(['twenties', 'thirties', 'forties'])}, has disclosed that when they were a "
                f"{profile['who']} in the {rng.choice(['1990s', 'early 2000s', 'late 2000s'])} a {role.lower()} "
                f"{NON_RECENT_HARM[category]}. The same person still works in a position of trust."
            )
        else:
            description = ALLEGED[category][profile["workforce"] == Workforce.ADULTS].format(**words)
        state = spec["state"]
        concern_kind = "allegation"
        if state == "not_allegation":
            concern_kind = rng.choice(["complaint", "quality_of_care"])
        elif state == "advice" and profile["workforce"] == Workforce.ADULTS:
            concern_kind = "quality_of_care"
        employer = self.agencies[profile["employer"]] if profile.get("employer") else None
        fields = {
            **who,
            "received_at": received,
            "concern_arose_at": received - dt.timedelta(days=rng.randint(0, 4), hours=rng.randint(0, 6)),
            "how_arose": rng.choice(profile["how"]),
            "workforce": profile["workforce"],
            "timing": spec["timing"],
            "category": category,
            "concern_kind": concern_kind,
            "description": description,
            "subject_role": role,
            "employment_type": employment_type,
            "employer": employer,
            "employer_name": employer.name if employer else profile["employer_name"],
            "sector": profile["sector"],
        }
        if state == "transfer":
            fields["subject_works_in"] = rng.choice(OTHER_AUTHORITIES)
            fields["other_settings"] = f"Also works at a setting in {fields['subject_works_in']}."
        elif rng.random() < 0.15:
            fields["subject_lives_in"] = rng.choice(OTHER_AUTHORITIES)
        if rng.random() < 0.2:
            fields["known_history"] = "The employer recalls an informal word about professional boundaries two years ago."
        return fields, referrer

    def _play(self, spec: dict, by_key: dict) -> None:
        rng = self.rng
        users = self.users
        lado, manager = users["lado"], users["lado.manager"]
        received = spec["received_at"]
        profile = spec["profile"]

        subject_fields, previous = self._person(spec, by_key)
        referral_fields, referrer = self._referral_fields(spec)
        referral = services.referral_submit(
            actor=referrer or lado,
            lado_service=self.lado_service,
            referring_agency=self.agencies[profile["agency"]] if profile["agency"] else None,
            subject_fields=subject_fields,
            previous_family_name=previous,
            referral_fields=referral_fields,
            children=self._children(spec, subject_fields["family_name"]),
            taken_by_phone=referrer is None,
        )
        self._redate(referral, received)
        Referral.objects.filter(pk=referral.pk).update(created_at=received)
        Subject.objects.filter(pk=referral.subject_id).update(created_at=received)
        step = received

        if spec.get("confirm"):
            step = self._at(step + dt.timedelta(minutes=20))
            services.subject_match_decide(
                actor=lado, referral=referral, candidate=self.subjects[spec["same_as"]], decision=SubjectMatch.Decision.CONFIRMED,
            )
            self._redate(referral, step)
            SubjectMatch.objects.filter(referral=referral).update(decided_at=step)
            referral.refresh_from_db()
        self.subjects[spec["key"]] = referral.subject

        officer = users[spec["assign_to"]] if spec["assign_to"] else lado
        if spec["assign_to"]:
            step = self._at(step + dt.timedelta(minutes=rng.randint(10, 40)))
            referral = services.referral_assign(actor=manager, referral=referral, officer=officer)
            self._redate(referral, step)
        state = spec["state"]
        if state == "new":
            return

        late = rng.random() < 0.15 and state != "discussed"
        held = self._at(self._office(received + dt.timedelta(hours=rng.randint(26, 40) if late else rng.randint(1, 8))))
        held = max(held, step)
        referral = services.referral_record_discussion(
            actor=officer, referral=referral, held_at=held,
            with_whom=f"{referral.referrer_name or 'The caller'}{', ' + referral.referrer_role if referral.referrer_role else ''}",
            notes="Facts clarified with the referrer; agreed nobody will speak to the subject or the family until a decision is made.",
        )
        self._redate(referral, held)
        if state == "discussed":
            return

        decided_at = self._at(self._office(held + dt.timedelta(hours=rng.randint(1, 30))))
        self._triage(spec, referral, officer)
        self._redate(referral, decided_at)
        TriageDecision.objects.filter(referral=referral).update(decided_at=decided_at)
        if state in ("pot", "employer", "strategy"):
            case = Case.objects.get(referral=referral)
            Case.objects.filter(pk=case.pk).update(opened_at=decided_at)
            self._run_case(spec, case, officer, decided_at)

    def _triage(self, spec: dict, referral: Referral, officer) -> None:
        D = TriageDecision.Decision
        state = spec["state"]
        rng = self.rng
        if state == "advice":
            services.referral_triage(
                actor=officer, referral=referral, decision=D.ADVICE,
                rationale="None of the four harm thresholds is met. Advice given to the employer on managing the concern "
                          "under its own procedures and on keeping a record; the employer will come back if anything new arises.",
            )
        elif state == "not_allegation":
            services.referral_triage(
                actor=officer, referral=referral, decision=D.NOT_ALLEGATION,
                rationale="This is a complaint about practice, not an allegation of harm: to be dealt with under the "
                          "complaints and conduct procedures. No harm threshold is met.",
            )
        elif state == "transfer":
            services.referral_triage(
                actor=officer, referral=referral, decision=D.TRANSFER, risk_of_harm=True,
                transfer_to=f"{referral.subject_works_in} LADO service",
                rationale=f"The person works in {referral.subject_works_in}, where the concern arose: transferred to that "
                          "authority's LADO, who agreed to take it, with the referral forwarded securely.",
            )
        else:
            outcome = spec["outcome"]
            criminal = state == "strategy" or (outcome is not None and outcome[1] != PoliceOutcome.NO_POLICE_ACTION) or (
                state == "pot" and rng.random() < 0.4
            )
            spec["criminal"] = criminal
            thresholds = {
                "harmed": spec["category"] in (Category.PHYSICAL, Category.SEXUAL, Category.NEGLECT) or state == "strategy",
                "criminal_offence": criminal,
                "risk_of_harm": True,
                "unsuitable": spec["category"] == Category.SUITABILITY,
            }
            if state == "strategy":
                services.referral_triage(
                    actor=officer, referral=referral, decision=D.STRATEGY, **thresholds,
                    rationale="The child may have suffered significant harm and an offence may have been committed: "
                              "a strategy discussion with police and social care is needed (section 47 route).",
                )
            else:
                route = Route.POSITION_OF_TRUST if state == "pot" else Route.EMPLOYER
                services.referral_triage(
                    actor=officer, referral=referral, decision=D.THRESHOLD_MET, route=route, **thresholds,
                    rationale="The harm thresholds are met. " + (
                        "A position-of-trust meeting will agree the enquiries." if state == "pot"
                        else "The employer will investigate under its disciplinary procedure, monitored by the LADO."
                    ),
                )

    def _run_case(self, spec: dict, case: Case, officer, opened: dt.datetime) -> None:
        rng, fake = self.rng, self.fake
        referral = case.referral
        police = self.agencies[POLICE]
        state = spec["state"]
        closed = spec["closed"]
        end = spec["closed_at"] - dt.timedelta(hours=3) if closed else self.latest
        clock = {"at": opened}

        def at(days: float, optional: bool = False) -> dt.datetime | None:
            """The time of the next step, `days` after opening: never before the last step nor after the end."""
            when = self._office(opened + dt.timedelta(days=days))
            if optional and when > end:
                return None
            clock["at"] = max(clock["at"], min(when, end))
            return clock["at"]

        def done(when: dt.datetime, model=None, field: str = "", pk=None) -> None:
            self._redate(referral, when)
            if model is not None:
                model.objects.filter(pk=pk).update(**{field: when})

        day = timezone.localdate
        employer = referral.employer_name
        adults = referral.workforce == Workforce.ADULTS
        social_care = ASC if adults else CSC
        outcome = spec["outcome"]

        # Sharing with the police, and the three strands.
        if spec["share_police"]:
            when = at(0.1)
            services.case_share_with(actor=officer, case=case, agency=police, level=AccessLevel.SAFEGUARDING,
                                     reason="The police are investigating: the officer in the case needs the case record.")
            done(when)
        when = at(0.5)
        if spec.get("criminal") or state == "strategy":
            self.police_refs += 1
            services.strand_update(
                actor=officer, case=case, kind=Strand.Kind.POLICE, reason="Police investigation opened",
                status=Strand.Status.ACTIVE, lead=f"DC {fake.first_name()} {fake.last_name()}, {POLICE}",
                their_reference=f"NP/{day(when):%y}/{self.police_refs:05d}", started_on=day(when),
                review_on=day(when) + dt.timedelta(days=28), cps_consulted=rng.random() < 0.3,
            )
        else:
            services.strand_update(actor=officer, case=case, kind=Strand.Kind.POLICE, status=Strand.Status.NOT_REQUIRED,
                                   reason="No offence identified: the police confirmed no investigation is needed")
        done(when)
        when = at(0.6)
        if state == "strategy":
            services.strand_update(
                actor=officer, case=case, kind=Strand.Kind.SOCIAL_CARE, reason="Section 47 enquiry started",
                status=Strand.Status.ACTIVE, lead=f"{fake.first_name()} {fake.last_name()}, {social_care}", started_on=day(when),
            )
        else:
            services.strand_update(actor=officer, case=case, kind=Strand.Kind.SOCIAL_CARE, status=Strand.Status.NOT_REQUIRED,
                                   reason="The children are safeguarded by the employer's actions: no enquiry needed")
        done(when)
        when = at(1)
        employer_lead = f"{fake.first_name()} {fake.last_name()}, HR, {employer}"
        services.strand_update(
            actor=officer, case=case, kind=Strand.Kind.EMPLOYER, reason="Employer's enquiry",
            status=Strand.Status.ACTIVE, lead=employer_lead, started_on=day(when),
            notes="On hold until the police confirm they have no objection." if spec.get("criminal") else "",
        )
        done(when)

        # Suspension or other arrangements, the risk assessment and a first decision.
        when = at(1)
        arrangement = rng.choice(Suspension.Arrangement.values)
        services.suspension_record(
            actor=officer, case=case, arrangement=arrangement, decided_on=day(when),
            decided_by=f"{'Head teacher' if referral.sector == Sector.EDUCATION else 'Registered manager'}, {employer}",
            lado_informed_on=day(when), notes="Considered with the LADO: the least restrictive option that keeps people safe.",
        )
        done(when)
        when = at(2)
        level = rng.choice(RiskAssessment.Level.values)
        item = services.risk_assessment_record(
            actor=officer, case=case, level=level,
            summary=f"Risk {level} while the enquiries continue: the concern is specific, the person has direct contact.",
            controls="No lone working; a named manager checks in at each shift; the complainant's family has been updated.",
        )
        # Need to know: a risk assessment is for safeguarding professionals; the employer puts the controls in
        # place, so the LADO service widens this one to the employer level.
        services.case_part_set_audience(actor=officer, case=case, part=Part.RISK, part_id=item.pk,
                                        audience=Audience.EMPLOYER,
                                        reason="The employer puts the controls in place and needs to read them.")
        done(when, RiskAssessment, "assessed_at", item.pk)
        when = at(3)
        item = services.decision_record(
            actor=officer, case=case,
            decision="The police lead first; the employer's enquiry waits for their agreement." if spec.get("criminal")
            else "The employer investigates under its disciplinary procedure and reports back within 15 working days.",
            rationale="Avoids prejudicing a criminal investigation while keeping the children and adults at risk safe.",
            made_at=rng.choice(Decision.MadeAt.values), agreed_with=f"{employer}; {POLICE}" if spec.get("criminal") else employer,
        )
        done(when, Decision, "decided_at", item.pk)

        if spec["disagreement"]:
            when = at(10, optional=True)
            if when is not None:
                disagreement = services.disagreement_record(
                    actor=officer, case=case, kind=rng.choice(Disagreement.Kind.values), raised_on=day(when),
                    raised_by=f"{'Head teacher' if referral.sector == Sector.EDUCATION else 'Service manager'}, {employer}",
                    about="The employer thinks suspension is not needed; the LADO considers the risk too high for normal duties.",
                )
                done(when)
                when = at(20, optional=True)
                if when is not None:
                    escalate = rng.random() < 0.3
                    services.disagreement_resolve(
                        actor=officer, disagreement=disagreement,
                        status=Disagreement.Status.ESCALATED if escalate else Disagreement.Status.RESOLVED,
                        resolution="Escalated under the partnership's resolution protocol." if escalate
                        else "Agreed alternative duties with no unsupervised contact until the enquiry ends.",
                        escalated_to=f"Head of service, {social_care}" if escalate else "", resolved_on=day(when),
                    )
                    done(when)

        when = at(35, optional=True)
        if when is not None:
            item = services.risk_assessment_record(
                actor=officer, case=case, level=RiskAssessment.Level.LOW if outcome else level,
                summary="Reviewed: the controls are working and no further concerns have been raised.",
                controls="Controls continue until the outcome is known.",
            )
            done(when, RiskAssessment, "assessed_at", item.pk)

        if outcome is None:
            return
        result, police_outcome, police_detail, employer_outcome, regulator = outcome

        # Conclude the strands, record the outcome, the DBS and regulator referrals, then close.
        finish = spec["closed_at"] if closed else self.latest
        when = at(max((finish - opened).total_seconds() / 86400 - 4, 3))
        hearing = employer_outcome in (EmployerOutcome.DISMISSED, EmployerOutcome.SANCTION)
        for kind in ([Strand.Kind.POLICE] if spec.get("criminal") else []) + (
            [Strand.Kind.SOCIAL_CARE] if state == "strategy" else []) + [Strand.Kind.EMPLOYER]:
            extra = {"hearing_on": day(when) - dt.timedelta(days=2)} if hearing and kind == Strand.Kind.EMPLOYER else {}
            services.strand_update(actor=officer, case=case, kind=kind, status=Strand.Status.CONCLUDED,
                                   concluded_on=day(when), reason="Concluded", **extra)
            done(when)
        when = at((finish - opened).total_seconds() / 86400 - 2)
        case = services.case_record_outcome(
            actor=officer, case=case, outcome=result, police_outcome=police_outcome, police_outcome_detail=police_detail,
            employer_outcome=employer_outcome, reason="Outcome agreed at the final review meeting.",
        )
        done(when, Case, "outcome_recorded_at", case.pk)
        if not closed:
            return  # an outcome is in, the case waits (e.g. for the DBS referral)
        if case.dbs_duty:
            when = at((finish - opened).total_seconds() / 86400 - 1)
            case = services.case_record_dbs_referral(
                actor=officer, case=case, referred_on=day(when),
                notes=f"Referral made by {employer}; the LADO saw a copy.",
            )
            done(when)
        if regulator:
            when = at((finish - opened).total_seconds() / 86400 - 1)
            R = RegulatorReferral.Regulator
            body = {"TRA": R.TRA, "NMC": R.NMC, "HCPC": R.HCPC}.get(spec["role"][2]) or {
                Sector.FOSTERING: R.OFSTED, Sector.RESIDENTIAL: R.OFSTED, Sector.EARLY_YEARS: R.OFSTED,
                Sector.CARE_HOME: R.CQC, Sector.HOME_CARE: R.CQC,
            }.get(referral.sector, R.OTHER)
            services.regulator_referral_record(
                actor=officer, case=case, regulator=body, made_on=day(when), made_by=employer,
                notes="Referred for fitness to practise." if spec["role"][2] else "The regulator was notified of the outcome.",
            )
            done(when)
        closed_at = spec["closed_at"]
        services.case_close(
            actor=officer, case=case, closed_at=closed_at,
            summary=f"Outcome: {Outcome(result).label.lower()}. Employer: {EmployerOutcome(employer_outcome).label.lower()}.",
            feedback_given_on=day(closed_at) - dt.timedelta(days=1),
            lessons_learned_on=day(closed_at) if result == Outcome.SUBSTANTIATED else None,
            return_to_work_support="Phased return with a named mentor." if result in (
                Outcome.UNFOUNDED, Outcome.FALSE, Outcome.MALICIOUS, Outcome.UNSUBSTANTIATED) else "",
        )
        done(closed_at)



# --- Meetings, minutes and actions ------------------------------------------------------------

# What the minutes say of the employer's arrangements (the case's latest Suspension record), for "the {role}".
ARRANGEMENT_TEXT = {
    Suspension.Arrangement.SUSPENDED: "The employer suspended the {role} as a neutral act while enquiries continue.",
    Suspension.Arrangement.ALTERNATIVE_DUTIES: "The {role} works on alternative duties, away from {people}, while "
                                               "enquiries continue.",
    Suspension.Arrangement.NO_CONTACT: "The {role} keeps working, with no unsupervised contact with {people}, while "
                                       "enquiries continue.",
    Suspension.Arrangement.NOT_NEEDED: "Suspension was considered and is not needed: the {role} keeps working, with "
                                       "closer supervision.",
    Suspension.Arrangement.NOT_WORKING: "The {role} is not working at present, by agreement with the employer, while "
                                        "enquiries continue.",
}


class _Meetings:
    """Six meetings on three open cases, played through meetings.services, with their minutes and actions.

    - a school's case on the strategy route: the strategy discussion (minutes circulated on time) and a review
      held last week whose minutes are still a draft (their deadline has passed);
    - a fostering agency's position-of-trust case: the initial meeting (a disagreement recorded, minutes
      circulated late), a review (minutes circulated on time) and the next review, scheduled;
    - a care home's position-of-trust case (adults' workforce): the initial meeting, held this week, minutes
      approved but not yet sent.

    The cases are picked by their facts (route, setting, category), so that the minutes fit them; what the
    minutes say of the employer's arrangements and the risk follows what the case records. Eleven actions are
    agreed, for the school, the police, the fostering agency, the care home and social care: some done with
    evidence, some open and not yet due, some overdue.
    """

    def __init__(self, *, agencies, users):
        self.agencies = agencies
        self.users = users
        self.chair = users["chair"]
        self.minute_taker = users["lado2"]
        self.fake = Faker("en_GB")
        self.fake.seed_instance(SEED + 1)  # a stream of its own: the referrals' invented names stay as they were
        self.tz = Partnership.current().time_zone
        self.t0 = timezone.now()  # everything the services write from now on is re-dated into the story
        self.latest = self.t0 - dt.timedelta(minutes=5)
        self.today = timezone.localdate(self.t0)
        self.made = 0
        self.skipped: list[str] = []

    def hold(self) -> tuple[int, list[str]]:
        plan = [
            ("school's case on the strategy route, about physical harm", self._strategy_case,
             dict(route=Route.STRATEGY_DISCUSSION, sector=Sector.EDUCATION, prefer=RIVERSIDE,
                  categories=[Category.PHYSICAL], days=30)),
            ("fostering agency's position-of-trust case, about harm to a child in placement", self._fostering_case,
             dict(route=Route.POSITION_OF_TRUST, sector=Sector.FOSTERING, prefer=BRIGHTPATH,
                  categories=[Category.PHYSICAL, Category.EMOTIONAL, Category.NEGLECT], days=45)),
            ("care home's position-of-trust case, about suitability", self._care_case,
             dict(route=Route.POSITION_OF_TRUST, sector=Sector.CARE_HOME, prefer=MEADOWBANK,
                  categories=[Category.SUITABILITY], days=10)),
        ]
        used: set[int] = set()
        for label, play, wanted in plan:
            case = self._pick(used=used, **wanted)
            if case is None:
                self.skipped.append(f"no open {label} (without an outcome, opened {wanted['days']}+ days ago).")
                continue
            used.add(case.pk)
            play(case)
        return self.made, self.skipped

    def _pick(self, *, route: str, sector: str, prefer: str, categories: list[str], days: int,
              used: set[int]) -> Case | None:
        """The most recently opened matching case (open, no outcome yet, a recent concern, opened at least `days`
        ago, its employer an agency of the demo), `prefer`'s if it has one."""
        cases = (
            Case.objects.filter(
                referral__lado_service=self.agencies[LADO], status=CaseStatus.OPEN, route=route, outcome="",
                referral__sector=sector, referral__category__in=categories, referral__timing=Timing.CONTEMPORANEOUS,
                referral__employer__isnull=False, opened_at__lte=self.latest - dt.timedelta(days=days),
            )
            .exclude(pk__in=used).select_related("referral__employer", "owner").order_by("-opened_at", "-pk")
        )
        return cases.filter(referral__employer=self.agencies[prefer]).first() or cases.first()

    # --- time ------------------------------------------------------------------------

    def _local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(self.tz))

    @staticmethod
    def _weekday(day: dt.date, step: int = 1) -> dt.date:
        while day.weekday() >= 5:
            day += dt.timedelta(days=step)
        return day

    def _after(self, start: dt.datetime, days: int, hour: int, minute: int = 0) -> dt.datetime:
        """`days` after `start`, on a weekday, at that local time; never after the present."""
        day = self._weekday(timezone.localtime(start, ZoneInfo(self.tz)).date() + dt.timedelta(days=days))
        return min(self._local(day, hour, minute), self.latest)

    def _ago(self, days: int, hour: int, minute: int = 0) -> dt.datetime:
        day = self._weekday(self.today - dt.timedelta(days=days), step=-1)
        return min(self._local(day, hour, minute), self.latest)

    def _ahead(self, days: int, hour: int, minute: int = 0) -> dt.datetime:
        return self._local(self._weekday(self.today + dt.timedelta(days=days)), hour, minute)

    def _redate(self, case: Case, when: dt.datetime) -> None:
        """Move the events the last service call wrote to when the step happened in the story."""
        Event.objects.filter(referral_id=case.referral_id, at__gte=self.t0).update(at=when)

    def _met(self, deadline_id: int, when: dt.datetime) -> None:
        """Move when a deadline was met back to `when`; on time or late is judged again at that moment."""
        deadline = Deadline.objects.get(pk=deadline_id)
        status = Deadline.Status.MET if when <= deadline.due_at else Deadline.Status.MET_LATE
        Deadline.objects.filter(pk=deadline_id).update(met_at=when, status=status)

    def _move_deadline(self, deadline_id: int, *, anchor_at: dt.datetime, due_at: dt.datetime) -> None:
        fields = {"anchor_at": anchor_at, "due_at": due_at}
        # Where deadlines are chased, their reminder and escalation times follow from these two.
        chase_times = getattr(deadlines, "chase_times", None)
        if chase_times is not None:
            fields["remind_at"], fields["escalate_at"] = chase_times(anchor_at, due_at, Partnership.current())
        Deadline.objects.filter(pk=deadline_id).update(**fields)

    # --- one step each, through meetings.services ------------------------------------

    def _schedule(self, case: Case, kind: str, *, at: dt.datetime, scheduled_at: dt.datetime, officer,
                  location: str = "", online_link: str = "") -> Meeting:
        meeting = meeting_services.meeting_schedule(
            actor=officer, case=case, kind=kind, scheduled_at=scheduled_at, chair=self.chair,
            minute_taker=self.minute_taker, location=location, online_link=online_link,
        )
        Meeting.objects.filter(pk=meeting.pk).update(created_at=at)
        Minutes.objects.filter(meeting=meeting).update(updated_at=at)
        self._redate(case, at)
        self.made += 1
        return meeting

    def _invite(self, meeting: Meeting, *, officer, at: dt.datetime, suggested: tuple[str, ...],
                extra: dict[str, dict] | None = None) -> dict[str, Invitation]:
        """Take up the suggestions of these kinds ("employer", "police", "social_care"...), then add `extra`."""
        invitations = {}
        for suggestion in meeting_services.meeting_suggest_invitees(meeting.case, meeting):
            kind = suggestion.key.split(":")[0]
            if kind in suggested and kind not in invitations:
                invitations[kind] = meeting_services.invitation_add_suggested(actor=officer, meeting=meeting,
                                                                              key=suggestion.key)
        for key, fields in (extra or {}).items():
            invitations[key] = meeting_services.invitation_add(actor=officer, meeting=meeting, **fields)
        Invitation.objects.filter(meeting=meeting).update(invited_at=at)
        self._redate(meeting.case, at)
        return invitations

    def _hold(self, meeting: Meeting, invitations: dict[str, Invitation], *, held_at: dt.datetime,
              apologies: tuple[str, ...] = ()) -> Meeting:
        attendance = {i.pk: Attendance.APOLOGIES if key in apologies else Attendance.ATTENDED
                      for key, i in invitations.items()}
        meeting = meeting_services.meeting_hold(actor=self.chair, meeting=meeting, held_at=held_at, attendance=attendance)
        self._redate(meeting.case, held_at)
        return meeting

    def _write(self, meeting: Meeting, sections: dict[str, str], *, at: dt.datetime, none_raised: tuple[str, ...] = ()):
        """The minute taker writes the minutes."""
        minutes = Minutes.objects.select_related("meeting").get(meeting=meeting)
        data = {key: {"body": body} for key, body in sections.items()}
        data.update({key: {"body": "", "none_raised": True} for key in none_raised})
        meeting_services.minutes_save(actor=self.minute_taker, minutes=minutes, revision=minutes.revision, sections=data)
        Minutes.objects.filter(pk=minutes.pk).update(updated_at=at)
        self._redate(meeting.case, at)

    def _approve(self, meeting: Meeting, *, at: dt.datetime) -> None:
        minutes = Minutes.objects.select_related("meeting").get(meeting=meeting)
        version = meeting_services.minutes_approve(actor=self.chair, minutes=minutes, revision=minutes.revision)
        MinutesVersion.objects.filter(pk=version.pk).update(approved_at=at)
        self._redate(meeting.case, at)

    def _circulate(self, meeting: Meeting, *, at: dt.datetime) -> None:
        """The chair sends the approved minutes to everyone invited; the minutes deadline is met at `at`."""
        minutes = Minutes.objects.select_related("meeting").get(meeting=meeting)
        approved_at = minutes.versions.get(number=minutes.version).approved_at
        at = min(max(at, approved_at + dt.timedelta(hours=2)), self.latest)  # weekends can bring the two together
        meeting_services.minutes_circulate(actor=self.chair, minutes=minutes, invitations=list(meeting.invitations.all()))
        Circulation.objects.filter(version__minutes=minutes).update(sent_at=at)
        meeting.refresh_from_db()
        self._met(meeting.minutes_deadline_id, at)
        self._redate(meeting.case, at)

    def _action(self, meeting: Meeting, agency: Agency, description: str, *, at: dt.datetime, due_on: dt.date,
                done: tuple[dt.datetime, object, str] | None = None) -> Action:
        """An action agreed at the meeting at `at`, due on `due_on`; `done` = (when, by whom, evidence).

        The service refuses a due date in the past (right for a person agreeing an action today), so an
        action agreed earlier in the story is created due today, then given the story's due date (and its
        deadline with it): in the past for the actions meant to be overdue."""
        user = self._demo_user(agency)
        action = meeting_services.action_create(
            actor=self.chair, case=meeting.case, meeting=meeting, description=description, agency=agency,
            due_on=max(due_on, self.today), assignee=user,
            assignee_name="" if user else f"{self.fake.first_name()} {self.fake.last_name()}",
        )
        if due_on != action.due_on:
            Action.objects.filter(pk=action.pk).update(due_on=due_on)
            for event in Event.objects.filter(referral_id=meeting.case.referral_id, at__gte=self.t0, verb="action_agreed"):
                event.summary = event.summary.replace(govuk_date(action.due_on), govuk_date(due_on))
                event.save(update_fields=["summary"])
        Action.objects.filter(pk=action.pk).update(created_at=at)
        self._move_deadline(action.deadline_id, anchor_at=at, due_at=timescales.end_of_day(due_on, self.tz))
        self._redate(meeting.case, at)
        if done is not None:
            when, by, evidence = done
            action.refresh_from_db()
            meeting_services.action_complete(actor=by or self.chair, action=action, evidence=evidence)
            Action.objects.filter(pk=action.pk).update(completed_at=when)
            self._met(action.deadline_id, when)
            self._redate(meeting.case, when)
        return action

    def _demo_user(self, agency: Agency):
        membership = (Membership.objects.filter(agency=agency, user__username__in=DEMO_USERNAMES)
                      .exclude(role__in=[Role.AGENCY_VIEWER, Role.ANALYST, Role.ADMINISTRATOR]).order_by("pk").first())
        return self.users.get(membership.user.username) if membership else None

    # --- what the case records ------------------------------------------------------------

    @staticmethod
    def _facts(case: Case, people: str) -> dict[str, str]:
        """Words for the minutes from the case: the role, the employer's arrangements and the latest risk level."""
        referral = case.referral
        role = referral.subject_role.lower()
        suspension = Suspension.objects.filter(case=case).order_by("-decided_on", "-pk").first()
        arrangement = ARRANGEMENT_TEXT.get(suspension.arrangement if suspension else "",
                                           "The employer will decide on working arrangements with the LADO.")
        risk = RiskAssessment.objects.filter(case=case).order_by("-assessed_at", "-pk").first()
        return {
            "role": role,
            "employer": referral.employer_name,
            "arrangement": arrangement.format(role=role, people=people),
            "risk": (risk.get_level_display() if risk else "Medium").capitalize(),
            "history": (f"Previous concerns: {referral.known_history}" if referral.known_history.strip()
                        else "There are no previous concerns on the employer's file."),
        }

    # --- the three cases --------------------------------------------------------------

    def _strategy_case(self, case: Case) -> None:
        referral = case.referral
        officer = case.owner or self.users["lado"]
        employer = referral.employer
        police, social_care = self.agencies[POLICE], self.agencies[CSC]
        police_user = self._demo_user(police)
        f = self._facts(case, "pupils")

        # The strategy discussion, the day after the case opened: on time for the strategy meeting deadline.
        held = self._after(case.opened_at, 1, 10)
        sd = self._schedule(case, MeetingKind.STRATEGY_DISCUSSION, officer=officer, scheduled_at=held,
                            at=min(case.opened_at + dt.timedelta(minutes=40), held),
                            online_link="https://meet.example.org/northshire-lado/strategy-discussion")
        nurse = f"{self.fake.first_name()} {self.fake.last_name()}"
        invited = self._invite(sd, officer=officer, at=min(case.opened_at + dt.timedelta(minutes=45), held),
                               suggested=("employer", "police", "social_care"),
                               extra={"health": dict(
                                   access_level=AccessLevel.SAFEGUARDING, agency=self.agencies[NHS], name=nurse,
                                   role="School nurse, 0-19 public health nursing team",
                                   email=re.sub(r"[^a-z.]", "", nurse.lower().replace(" ", ".")) + "@example.org",
                                   why_suggested="Knows the child through the school nursing service.")})
        self._hold(sd, invited, held_at=held)
        # The police keep the risk assessment (widened to the school) from the employer until the child's interview.
        first_risk = case.risk_assessments.order_by("assessed_at", "pk").first()
        if first_risk is not None:
            services.case_part_hold(actor=police_user, case=case, part=Part.RISK, part_id=first_risk.pk, held=True,
                                    reason="It records what the child's family told us: not for the school until the "
                                           "child has been interviewed.")
            self._redate(case, held + dt.timedelta(hours=2))
        self._write(sd, {
            "purpose": f"Strategy discussion under section 47, convened by the LADO service the day after a pupil's "
                       f"allegation against a {f['role']} at {f['employer']}. Chaired by the service's independent "
                       "chair, with the police Child Abuse Investigation Team, children's social care, the school nurse "
                       "and the school's designated safeguarding lead (for the employment items only).",
            "confidentiality": "The school's designated safeguarding lead joined for the employment items and left before "
                               "the child's information and the police investigation were discussed. Nothing about the "
                               f"child or the investigation is to be passed to the {f['role']} or to other staff. These "
                               "minutes are not to be filed on the child's school record.",
            "child_information": "Child A lives with their mother and a younger brother; the family has had no involvement "
                                 "with children's social care. Child A told their mother the same evening and repeated the "
                                 "account, unprompted, to the designated safeguarding lead the next morning. Child A wants "
                                 "to stay in the same class as their friends.",
            "child_safeguarding": "The threshold for section 47 enquiries is met. Children's social care will visit the "
                                  "family within two working days, speak to Child A with their mother's agreement and "
                                  "agree how Child A is supported in school. The mother has been told that a strategy "
                                  "discussion took place and has agreed not to discuss the detail with other parents.",
            "police_investigation": "A possible offence of assault on a child. The police will hold an achieving best "
                                    "evidence (ABE) interview with Child A and take first accounts from two pupils who "
                                    "were present. They have no objection to the school meeting the member of staff about "
                                    "working arrangements, but no questions about the allegation until the police have "
                                    "interviewed them. Investigation review in 28 days; CPS advice if the evidence supports it.",
            "other_children": f"On current information the {f['role']} has no children of their own and does not "
                              "volunteer with children elsewhere. The police will check for other roles with children.",
            "adult_allegation": f"As set out in the referral: {referral.description} {f['history']}",
            "adult_employment": f"{f['arrangement']} A named contact at the school's HR provider supports the member of "
                                "staff, who has been told about the employee assistance programme.",
            "employer_process": "The school's disciplinary enquiry waits until the police confirm they have no objection; "
                                "the school will then appoint an investigating officer and report within 15 working days.",
            "communication": "The police tell the member of staff about the allegation when they invite them to interview; "
                             "the head teacher meets them the same day, with their union representative. No media interest; "
                             "a holding statement is ready if needed.",
            "risk_child": f"{f['risk']}. Child A has no contact with the member of staff and has a named trusted adult in "
                          "school; the family has the social worker's contact details.",
            "risk_adult": f"{f['risk']} while enquiries continue, managed by the employer's arrangements and no access to "
                          "the pupils' records.",
            "decisions": "1. A section 47 enquiry begins (possible significant harm to a child). 2. The police open an "
                         "investigation (a possible offence). 3. The employer's arrangements stand until the review "
                         "meeting (they keep pupils safe while enquiries continue). 4. The school's disciplinary enquiry "
                         "waits for the police's agreement, so as not to prejudice the investigation.",
            "next_meeting": "A review meeting once the ABE interview has taken place and the police have spoken to the "
                            "member of staff.",
            "restricted_notes": "A neighbour gave the police third-party information about the family. It is held by the "
                                "police and is not to be circulated.",
        }, at=self._after(held, 1, 15), none_raised=("disagreements",))
        self._action(sd, police, "Hold an achieving best evidence (ABE) interview with Child A and take first accounts "
                                 "from the two pupils who were present; tell the LADO when done.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 7, 17).date(),
                     done=(self._after(held, 5, 16), police_user,
                           "ABE interview held and recorded; first accounts from both pupils taken and logged under the "
                           "crime reference. The LADO was told by phone the same afternoon."))
        self._action(sd, social_care, "Complete the section 47 enquiry: visit the family, speak to Child A, and share the "
                                      "outcome with the LADO.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 15, 17).date(),
                     done=(self._after(held, 13, 14), officer,
                           "The section 47 outcome was received from the assessment team manager: Child A is safe at "
                           "home and supported in school; no child protection plan is needed."))
        self._approve(sd, at=self._after(held, 4, 16))
        self._circulate(sd, at=self._after(held, 5, 11))  # within 14 days: the minutes deadline is met on time

        # A review meeting last week; its minutes are still being written, so their 7-day deadline has passed.
        review_held = max(self._ago(9, 14), held + dt.timedelta(days=20))
        review = self._schedule(case, MeetingKind.REVIEW, officer=officer, scheduled_at=review_held,
                                at=max(self._ago(16, 9, 30), held + dt.timedelta(days=6)),
                                location="Committee Room 2, Northshire County Hall")
        invited = self._invite(review, officer=officer, at=max(self._ago(16, 9, 45), held + dt.timedelta(days=6)),
                               suggested=("employer", "police", "social_care"))
        self._hold(review, invited, held_at=review_held, apologies=("social_care",))
        self._write(review, {
            "purpose": "Review of the enquiries agreed at the strategy discussion. Children's social care sent apologies "
                       "and a written update, read out by the chair.",
            "confidentiality": "The designated safeguarding lead attended for the employment items only, as before.",
            "progress": "The ABE interview and the section 47 enquiry are done (see the actions). The school's chronology "
                        "of the member of staff's contact with the class is still awaited.",
            "police_update": "The member of staff was interviewed under caution and denies the allegation. The file has "
                             "gone to the CPS for charging advice; the police expect an answer within three weeks.",
            "safeguarding_update": "Child A is settled in class, sees the named trusted adult weekly and has had no further "
                                   "worries. The section 47 enquiry closed with no further action by social care.",
            "employer_update": "The school's enquiry is still waiting for the police's agreement to start.",
            "employment_review": f"{f['arrangement']} The arrangements are working and continue; the member of staff is "
                                 "supported by the HR contact and has asked for an update every two weeks.",
            "risk": "Reviewed: low for the children in the class while the arrangements continue.",
        }, at=self._after(review_held, 1, 16))
        self._action(review, employer, "Send the LADO a chronology of the member of staff's contact with the class this "
                                       "term, with the staff rota and the notes of the head teacher's meeting with them.",
                     at=review_held + dt.timedelta(hours=1), due_on=self._ago(3, 12).date())  # now overdue
        self._action(review, employer, "If the police confirm no further action, complete a risk assessment for a return "
                                       "to normal duties and share it with the LADO before the next review.",
                     at=review_held + dt.timedelta(hours=1), due_on=self.today + dt.timedelta(days=10))
        self._action(review, police, "Tell the LADO and the chair the CPS charging advice as soon as it is received.",
                     at=review_held + dt.timedelta(hours=1), due_on=self.today + dt.timedelta(days=21))

    def _fostering_case(self, case: Case) -> None:
        referral = case.referral
        officer = case.owner or self.users["lado"]
        employer = referral.employer
        police, social_care = self.agencies[POLICE], self.agencies[CSC]
        police_user, employer_user = self._demo_user(police), self._demo_user(employer)
        criminal = bool(getattr(getattr(referral, "triage", None), "criminal_offence", False))
        f = self._facts(case, "children in placement")
        room = "Committee Room 2, Northshire County Hall"

        # The initial meeting, three days after opening; its minutes went out after 19 days, late.
        held = self._after(case.opened_at, 3, 10, 30)
        initial = self._schedule(case, MeetingKind.INITIAL, officer=officer, scheduled_at=held, location=room,
                                 at=min(case.opened_at + dt.timedelta(hours=1), held))
        invited = self._invite(initial, officer=officer, at=min(case.opened_at + dt.timedelta(hours=1), held),
                               suggested=("employer", "police", "social_care", "setting_regulator"))
        self._hold(initial, invited, held_at=held, apologies=("setting_regulator",))
        self._write(initial, {
            "purpose": f"Initial position-of-trust meeting about a {f['role']} approved by {f['employer']}. Chaired by "
                       "the LADO service's independent chair. The fostering agency's registered manager, the police and "
                       "the child's social worker attended; the setting's regulator sent apologies.",
            "confidentiality": "The fostering agency attended throughout, but the child's information was shared only as "
                               "far as needed to keep the child safe in placement. The foster carers are not to be told "
                               "what the child said until the police and social care agree.",
            "allegation": f"As set out in the referral: {referral.description} {f['history']}",
            "children_involved": "Child B, aged 11, has lived with the carers for two years under a care order and has a "
                                 "social worker. Child B has moved, for now, to respite carers they already know, and "
                                 "will be seen alone by their social worker within five days.",
            "police": ("The police are investigating a possible offence and will interview the carer once Child B has "
                       "given an account. Review of the investigation in 28 days."
                       if criminal else
                       "The police advise that no offence is indicated on what is known so far; they will complete checks "
                       "on the household and say if anything changes that view."),
            "other_settings": "The carers have a child of their own at home; the carer also helps at a church holiday club, "
                              "whose safeguarding lead the LADO service will tell, without details, that a concern is "
                              "being looked into.",
            "adult_employment": f"{f['arrangement']} No new placements with the carers while enquiries continue. The "
                                "carers have a named independent supporter, arranged by the agency.",
            "employer_process": "The fostering agency will hold an unannounced supervisory visit and review the carers' "
                                "safer caring plan, then take the carers' approval to its fostering panel once the "
                                "enquiries end.",
            "communication": "The agency's supervising social worker tells the carers the outcome of this meeting today, "
                             "without details of the allegation. Child B's mother is told by the social worker.",
            "risk": f"{f['risk']}: the concern is specific and the carers have a child of their own at home. Managed by "
                    "the weekly supervisory visits, no new placements and Child B's move to respite carers.",
            "decisions": "1. Child B stays with the respite carers until the review (the child's safety during the "
                         "enquiries comes first). 2. No new placements with the carers. 3. The fostering agency reviews "
                         "the safer caring plan. 4. A review meeting once the agency's and the police's enquiries are done.",
            "disagreements": "The fostering agency's registered manager disagreed with moving Child B while enquiries "
                             "continue: the carers have a long, positive record and a move may itself harm the child. The "
                             "chair explained that the child's safety during the enquiries comes first and that respite "
                             "carers Child B already knows are the least disruptive option. The agency accepted the "
                             "decision and asked for its view to be recorded; the move will be reconsidered at the review "
                             "meeting. Not escalated.",
            "next_meeting": "Review meeting once the agency's and the police's enquiries are done; the same people invited.",
            "restricted_notes": "Child B's mother has asked that her new address is not shared with the carers.",
        }, at=self._after(held, 2, 15))
        self._action(initial, employer, "Review the carers' safer caring plan with them and their supervising social "
                                        "worker, and send the revised plan to the LADO.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 10, 17).date(),
                     done=(self._after(held, 8, 11), employer_user,
                           "Revised safer caring plan agreed with the carers at an unannounced visit and sent to the LADO; "
                           "it is on the carers' file."))
        self._action(initial, police, "Complete police checks on every adult in the foster household and tell the LADO "
                                      "of anything relevant.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 14, 17).date(),
                     done=(self._after(held, 12, 10), police_user,
                           "Checks completed on both carers: nothing relevant recorded. The LADO was told by secure "
                           "e-mail."))
        self._approve(initial, at=self._after(held, 17, 16))
        self._circulate(initial, at=self._after(held, 19, 10))  # after 14 days: the minutes deadline is met late

        # A review meeting twelve days ago, its minutes circulated within the 7 days.
        review_held = max(self._ago(12, 10), held + dt.timedelta(days=25))
        review = self._schedule(case, MeetingKind.REVIEW, officer=officer, scheduled_at=review_held, location=room,
                                at=max(self._ago(19, 9), held + dt.timedelta(days=20)))
        invited = self._invite(review, officer=officer, at=max(self._ago(19, 9, 15), held + dt.timedelta(days=20)),
                               suggested=("employer", "police", "social_care"))
        self._hold(review, invited, held_at=review_held, apologies=("police",))
        self._write(review, {
            "purpose": "Review of the actions agreed at the initial meeting. The police sent apologies and an update in "
                       "writing, read out by the chair.",
            "confidentiality": "As at the initial meeting: the child's details were shared only as needed.",
            "progress": "The safer caring plan was revised and the household checks are complete, both on time.",
            "police_update": ("The investigation continues; the carer has been interviewed and denies the allegation."
                              if criminal else "No police investigation: the household checks found nothing relevant."),
            "safeguarding_update": "Child B is settled with the respite carers and has said they would like to go back "
                                   "to their foster carers, with more time alone with their social worker.",
            "employer_update": "The fostering panel will review the carers' approval at its next sitting.",
            "employment_review": f"{f['arrangement']} No new placements until the panel has met; the weekly supervisory "
                                 "visits continue.",
            "outcome": "No outcome yet: the panel's review and the child's views are needed first.",
            "risk": "Reviewed: low. The supervisory visits found good care in the household.",
            "decisions": "1. The fostering panel reviews the carers' approval. 2. Child B's return is considered at the "
                         "next review, with the child's views.",
            "next_meeting": "Next review in about two weeks, after the fostering panel.",
        }, at=self._after(review_held, 1, 15), none_raised=("disagreements",))
        self._action(review, employer, "Send the LADO the report of the fostering panel's review of the carers' approval, "
                                       "with the panel's recommendation.",
                     at=review_held + dt.timedelta(hours=1), due_on=self._ago(4, 12).date())  # now overdue
        self._action(review, social_care, "Do direct work with Child B about a possible return to the foster carers, and "
                                          "share the child's views with the chair before the next review.",
                     at=review_held + dt.timedelta(hours=1), due_on=self.today + dt.timedelta(days=9))
        self._approve(review, at=self._after(review_held, 3, 16))
        self._circulate(review, at=self._after(review_held, 4, 10))

        # The next review, in the future: invitations sent, the police have already sent apologies.
        sent = self._ago(1, 15)
        upcoming = self._schedule(case, MeetingKind.REVIEW, officer=officer, scheduled_at=self._ahead(8, 10),
                                  location=room, at=sent)
        invited = self._invite(upcoming, officer=officer, at=sent, suggested=("employer", "police", "social_care"))
        meeting_services.attendance_record(actor=self.chair, meeting=upcoming,
                                           attendance={invited["police"].pk: Attendance.APOLOGIES})
        self._redate(case, sent)

    def _care_case(self, case: Case) -> None:
        referral = case.referral
        officer = case.owner or self.users["lado"]
        employer = referral.employer
        f = self._facts(case, "residents")

        # The initial meeting this week: minutes approved, not yet sent (the 14 days are still running).
        held = max(self._ago(4, 11), case.opened_at + dt.timedelta(hours=2))
        scheduled = max(self._ago(9, 16), case.opened_at + dt.timedelta(hours=1))
        meeting = self._schedule(case, MeetingKind.INITIAL, officer=officer, scheduled_at=held,
                                 online_link="https://meet.example.org/northshire-lado/pipot-initial", at=scheduled)
        invited = self._invite(meeting, officer=officer, at=scheduled, suggested=("employer", "police", "social_care"))
        self._hold(meeting, invited, held_at=held, apologies=("police",))
        self._write(meeting, {
            "purpose": f"Initial position-of-trust (PiPoT) meeting about a {f['role']} at {f['employer']}, who works "
                       "with adults with care and support needs. The police sent apologies and a written update.",
            "confidentiality": "The registered manager attended throughout; residents' health details were shared only "
                               "as far as needed to judge the risk.",
            "allegation": f"As set out in the referral: {referral.description} {f['history']}",
            "children_involved": "No child is involved. The people who may be at risk are the home's residents, adults "
                                 "with care and support needs; none has reported harm. Adult social care will review the "
                                 "home's incident and medication records for the worker's shifts and decide whether a "
                                 "section 42 enquiry is needed.",
            "police": "The police confirmed the charge and the date of the first court hearing. They have no objection "
                      "to the employer's enquiry going ahead now.",
            "other_settings": f"The {f['role']} has no other employment; the care home checked their declaration of "
                              "secondary work.",
            "adult_employment": f"{f['arrangement']} No medication rounds and no driving residents; the home's "
                                "fitness-for-work policy applies at the start of each shift. Their line manager is their "
                                "named contact.",
            "employer_process": "The care home will investigate the undeclared charge and the colleague's account under "
                                "its disciplinary procedure, and decide within 15 working days whether a hearing is needed.",
            "communication": "The registered manager meets the worker today, with a representative, to explain the "
                             "arrangements. Residents and families are told only if harm is found.",
            "risk": f"{f['risk']}: no resident has reported harm. Managed by the arrangements above and a check by the "
                    "senior on duty at the start of each shift.",
            "decisions": "1. The employment arrangements above (the least restrictive safe option). 2. Adult social care "
                         "review the records and decide on a section 42 enquiry. 3. The employer's disciplinary "
                         "investigation goes ahead now, as the police agree. 4. Review in four weeks.",
            "next_meeting": "Review in four weeks, or sooner if the records show harm.",
        }, at=self._after(held, 1, 12), none_raised=("disagreements",))
        self._action(meeting, employer, f"Take the {f['role']} off medication rounds and driving duties, roster them "
                                        "with a senior colleague, and confirm it to the LADO in writing.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 2, 17).date(),
                     done=(self._after(held, 1, 9, 30), self._demo_user(employer),
                           "Rota and duties changed from the next shift; the registered manager's letter confirming the "
                           "arrangements is on the case file."))
        self._action(meeting, self.agencies[ASC], f"Review the incident and medication records for the {f['role']}'s "
                                                  "shifts over the last three months with the registered manager, and "
                                                  "tell the LADO whether a section 42 enquiry is needed.",
                     at=held + dt.timedelta(hours=1), due_on=self.today + dt.timedelta(days=12))
        self._approve(meeting, at=self._after(held, 2, 15))
