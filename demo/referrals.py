"""The demo's referrals and cases (seed_demo): 64 referrals over the last 18 months in every state, each played
through allegations.services at the story's times (demo.clock), from the referral to the case's close.

Planned with a fixed seed, so the story is the same on every run, relative to the moment of seeding."""

from __future__ import annotations

import datetime as dt
import random
import re

from django.utils import timezone
from faker import Faker

from agencies.models import AccessLevel, Sector
from allegations import facts, services
from allegations.models import (
    Audience,
    Case,
    Category,
    Child,
    Decision,
    Disagreement,
    EmployerOutcome,
    EmploymentType,
    HowArose,
    Outcome,
    Part,
    PoliceOutcome,
    Referral,
    RegulatorReferral,
    Review,
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

from . import clock
from .people import (
    ASC,
    BRIGHTPATH,
    CSC,
    DEMO_USERNAMES,
    FOOTBALL,
    HILLTOP,
    LADO,
    MEADOWBANK,
    NHS,
    OAKFIELD,
    POLICE,
    RIVERSIDE,
    SEED,
)

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

def referrals_story(*, agencies, users) -> str:
    """Tell the story once: when a demo user has submitted a referral, it adds nothing. Returns what it did."""
    existing = Referral.objects.filter(submitted_by__username__in=DEMO_USERNAMES).count()
    if existing:
        return f"Demo referrals already exist ({existing}): none added."
    made = ReferralStory(agencies=agencies, users=users).tell()
    return f"Created {made} demo referrals."


class ReferralStory:
    """Plans the referrals with a fixed seed, then plays each through the services."""

    def __init__(self, *, agencies, users):
        self.agencies = agencies
        self.users = users
        self.lado_service = agencies[LADO]
        self.fake = Faker("en_GB")
        self.fake.seed_instance(SEED)
        self.rng = random.Random(SEED)
        self.latest = timezone.now() - dt.timedelta(minutes=5)  # the story never reaches the present
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
        children = self._children(spec, subject_fields["family_name"])
        with clock.at(received):
            referral = services.referral_submit(
                actor=referrer or lado,
                lado_service=self.lado_service,
                referring_agency=self.agencies[profile["agency"]] if profile["agency"] else None,
                subject_fields=subject_fields,
                previous_family_name=previous,
                referral_fields=referral_fields,
                children=children,
                taken_by_phone=referrer is None,
            )
        step = received

        if spec.get("confirm"):
            step = self._at(step + dt.timedelta(minutes=20))
            with clock.at(step):
                services.subject_match_decide(
                    actor=lado, referral=referral, candidate=self.subjects[spec["same_as"]],
                    decision=SubjectMatch.Decision.CONFIRMED,
                )
            referral.refresh_from_db()
        self.subjects[spec["key"]] = referral.subject

        officer = users[spec["assign_to"]] if spec["assign_to"] else lado
        if spec["assign_to"]:
            step = self._at(step + dt.timedelta(minutes=rng.randint(10, 40)))
            with clock.at(step):
                referral = services.referral_assign(actor=manager, referral=referral, officer=officer)
        state = spec["state"]
        if state == "new":
            return

        late = rng.random() < 0.15 and state != "discussed"
        held = self._at(self._office(received + dt.timedelta(hours=rng.randint(26, 40) if late else rng.randint(1, 8))))
        held = max(held, step)
        with clock.at(held):
            referral = services.referral_record_discussion(
                actor=officer, referral=referral, held_at=held,
                with_whom=f"{referral.referrer_name or 'The caller'}{', ' + referral.referrer_role if referral.referrer_role else ''}",
                notes="Facts clarified with the referrer; agreed nobody will speak to the subject or the family until a decision is made.",
            )
        if state == "discussed":
            return

        decided_at = self._at(self._office(held + dt.timedelta(hours=rng.randint(1, 30))))
        with clock.at(decided_at):  # deciding opens the case: it is opened then
            self._triage(spec, referral, officer)
        if state in ("pot", "employer", "strategy"):
            case = Case.objects.get(referral=referral)
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
        last = self._case_steps(spec, case, officer, opened)
        if not spec["closed"]:
            self._case_review(case, officer, after=last)

    def _case_review(self, case: Case, officer, *, after: dt.datetime) -> None:
        """An open case is reviewed every 28 days (its case review deadline; a partnership setting): the officer
        recorded this month's review two to three weeks ago, so the next one is due soon, not overdue. The
        story does not record every earlier review, so a long-running case shows them met late at this one."""
        if self.latest - case.opened_at < dt.timedelta(days=28):
            return  # the first review is not yet due
        when = min(max(clock.ago(14 + case.pk % 7, 11, 30), after + dt.timedelta(hours=1)), self.latest)
        with clock.at(when):
            services.review_record(
                actor=officer, case=case, kind=Review.Kind.CASE, held_on=timezone.localdate(when),
                summary="Monthly case review: the enquiries, the arrangements and the risk assessment are up to date; "
                        "nothing new to act on.",
            )

    def _case_steps(self, spec: dict, case: Case, officer, opened: dt.datetime) -> dt.datetime:
        """The case's steps through the services, each at its time; returns the time of the last."""
        rng, fake = self.rng, self.fake
        referral = case.referral
        police = self.agencies[POLICE]
        state = spec["state"]
        closed = spec["closed"]
        end = spec["closed_at"] - dt.timedelta(hours=3) if closed else self.latest
        last = {"at": opened}

        def at(days: float, optional: bool = False) -> dt.datetime | None:
            """The time of the next step, `days` after opening: never before the last step nor after the end."""
            when = self._office(opened + dt.timedelta(days=days))
            if optional and when > end:
                return None
            last["at"] = max(last["at"], min(when, end))
            return last["at"]

        day = timezone.localdate
        employer = referral.employer_name
        adults = referral.workforce == Workforce.ADULTS
        social_care = ASC if adults else CSC
        outcome = spec["outcome"]

        # Sharing with the police, and the three strands.
        if spec["share_police"]:
            with clock.at(at(0.1)):
                services.case_share_with(actor=officer, case=case, agency=police, level=AccessLevel.SAFEGUARDING,
                                         reason="The police are investigating: the officer in the case needs the case record.")
        when = at(0.5)
        with clock.at(when):
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
        when = at(0.6)
        with clock.at(when):
            if state == "strategy":
                services.strand_update(
                    actor=officer, case=case, kind=Strand.Kind.SOCIAL_CARE, reason="Section 47 enquiry started",
                    status=Strand.Status.ACTIVE, lead=f"{fake.first_name()} {fake.last_name()}, {social_care}",
                    started_on=day(when),
                )
            else:
                services.strand_update(actor=officer, case=case, kind=Strand.Kind.SOCIAL_CARE,
                                       status=Strand.Status.NOT_REQUIRED,
                                       reason="The children are safeguarded by the employer's actions: no enquiry needed")
        when = at(1)
        employer_lead = f"{fake.first_name()} {fake.last_name()}, HR, {employer}"
        with clock.at(when):
            services.strand_update(
                actor=officer, case=case, kind=Strand.Kind.EMPLOYER, reason="Employer's enquiry",
                status=Strand.Status.ACTIVE, lead=employer_lead, started_on=day(when),
                notes="On hold until the police confirm they have no objection." if spec.get("criminal") else "",
            )

        # Suspension or other arrangements, the risk assessment and a first decision.
        when = at(1)
        arrangement = rng.choice(Suspension.Arrangement.values)
        with clock.at(when):
            services.suspension_record(
                actor=officer, case=case, arrangement=arrangement, decided_on=day(when),
                decided_by=f"{'Head teacher' if referral.sector == Sector.EDUCATION else 'Registered manager'}, {employer}",
                lado_informed_on=day(when), notes="Considered with the LADO: the least restrictive option that keeps people safe.",
            )
        when = at(2)
        level = rng.choice(RiskAssessment.Level.values)
        with clock.at(when):
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
        with clock.at(at(3)):
            services.decision_record(
                actor=officer, case=case,
                decision="The police lead first; the employer's enquiry waits for their agreement." if spec.get("criminal")
                else "The employer investigates under its disciplinary procedure and reports back within 15 working days.",
                rationale="Avoids prejudicing a criminal investigation while keeping the children and adults at risk safe.",
                made_at=rng.choice(Decision.MadeAt.values),
                agreed_with=f"{employer}; {POLICE}" if spec.get("criminal") else employer,
            )

        if spec["disagreement"]:
            when = at(10, optional=True)
            if when is not None:
                with clock.at(when):
                    disagreement = services.disagreement_record(
                        actor=officer, case=case, kind=rng.choice(Disagreement.Kind.values), raised_on=day(when),
                        raised_by=f"{'Head teacher' if referral.sector == Sector.EDUCATION else 'Service manager'}, {employer}",
                        about="The employer thinks suspension is not needed; the LADO considers the risk too high for normal duties.",
                    )
                when = at(20, optional=True)
                if when is not None:
                    escalate = rng.random() < 0.3
                    with clock.at(when):
                        # The manager's answer: agreed, or escalated to the LADO manager (the ladder's next step).
                        services.disagreement_resolve(
                            actor=officer, disagreement=disagreement,
                            status=Disagreement.Status.ESCALATED if escalate else Disagreement.Status.RESOLVED,
                            resolution="The manager upheld the decision; escalated under the partnership's resolution "
                                       "protocol." if escalate
                            else "Agreed alternative duties with no unsupervised contact until the enquiry ends.",
                            escalated_to=f"LADO service manager, {referral.lado_service.name}" if escalate else "",
                            resolved_on=day(when),
                        )
                    later = at(27, optional=True) if escalate else None
                    if later is not None:
                        with clock.at(later):
                            services.disagreement_resolve(
                                actor=officer, disagreement=disagreement, status=Disagreement.Status.RESOLVED,
                                resolution="The LADO service manager met both agencies: alternative duties agreed "
                                           "until the enquiry ends.",
                                escalated_to="", resolved_on=day(later),
                            )

        when = at(35, optional=True)
        if when is not None:
            with clock.at(when):
                services.risk_assessment_record(
                    actor=officer, case=case, level=RiskAssessment.Level.LOW if outcome else level,
                    summary="Reviewed: the controls are working and no further concerns have been raised.",
                    controls="Controls continue until the outcome is known.",
                )

        if outcome is None:
            return last["at"]
        result, police_outcome, police_detail, employer_outcome, regulator = outcome

        # Conclude the strands, record the outcome, the DBS and regulator referrals, then close.
        finish = spec["closed_at"] if closed else self.latest
        when = at(max((finish - opened).total_seconds() / 86400 - 4, 3))
        hearing = employer_outcome in (EmployerOutcome.DISMISSED, EmployerOutcome.SANCTION)
        for kind in ([Strand.Kind.POLICE] if spec.get("criminal") else []) + (
            [Strand.Kind.SOCIAL_CARE] if state == "strategy" else []) + [Strand.Kind.EMPLOYER]:
            extra = {"hearing_on": day(when) - dt.timedelta(days=2)} if hearing and kind == Strand.Kind.EMPLOYER else {}
            with clock.at(when):
                services.strand_update(actor=officer, case=case, kind=kind, status=Strand.Status.CONCLUDED,
                                       concluded_on=day(when), reason="Concluded", **extra)
        with clock.at(at((finish - opened).total_seconds() / 86400 - 2)):
            case = services.case_record_outcome(
                actor=officer, case=case, outcome=result, police_outcome=police_outcome,
                police_outcome_detail=police_detail, employer_outcome=employer_outcome,
                reason="Outcome agreed at the final review meeting.",
            )
        if not closed:
            return last["at"]  # an outcome is in, the case waits (e.g. for the DBS referral)
        if case.dbs_duty:
            when = at((finish - opened).total_seconds() / 86400 - 1)
            with clock.at(when):
                case = services.case_record_dbs_referral(
                    actor=officer, case=case, referred_on=day(when),
                    notes=f"Referral made by {employer}; the LADO saw a copy.",
                )
        if regulator:
            when = at((finish - opened).total_seconds() / 86400 - 1)
            R = RegulatorReferral.Regulator
            body = {"TRA": R.TRA, "NMC": R.NMC, "HCPC": R.HCPC}.get(spec["role"][2]) or {
                Sector.FOSTERING: R.OFSTED, Sector.RESIDENTIAL: R.OFSTED, Sector.EARLY_YEARS: R.OFSTED,
                Sector.CARE_HOME: R.CQC, Sector.HOME_CARE: R.CQC,
            }.get(referral.sector, R.OTHER)
            with clock.at(when):
                services.regulator_referral_record(
                    actor=officer, case=case, regulator=body, made_on=day(when), made_by=employer,
                    notes="Referred for fitness to practise." if spec["role"][2] else "The regulator was notified of the outcome.",
                )
        closed_at = spec["closed_at"]
        with clock.at(closed_at):
            for child in referral.children.all():  # closing asks, for each child, that the parents were told
                facts.parents_told_record(
                    actor=officer, child=child, told=True, told_by=f"Designated safeguarding lead, {employer}",
                    told_on=day(opened), what_told="That an allegation had been made, that it would be looked into, "
                                                   "and whom to contact with questions.",
                )
            services.case_close(
                actor=officer, case=case, closed_at=closed_at,
                summary=f"Outcome: {Outcome(result).label.lower()}. Employer: {EmployerOutcome(employer_outcome).label.lower()}.",
                feedback_given_on=day(closed_at) - dt.timedelta(days=1),
                lessons_learned_on=day(closed_at) if result == Outcome.SUBSTANTIATED else None,
                return_to_work_support="Phased return with a named mentor." if result in (
                    Outcome.UNFOUNDED, Outcome.FALSE, Outcome.MALICIOUS, Outcome.UNSUBSTANTIATED) else "",
            )
        return closed_at
