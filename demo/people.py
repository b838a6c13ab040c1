"""The demo partnership, its agencies and people (seed_demo). Keyed on their names: running it again adds
nothing. Every person is invented (Faker, en_GB, fixed seed), so the names are the same on every run."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from faker import Faker

from agencies.models import Agency, AgencyKind, Membership, Nation, Partnership, Role, Sector

DEMO_PASSWORD = "demo-password-2026"
SEED = 2026
PARTNERSHIP_NAME = "Northshire Safeguarding Children and Adults Partnership"
PLACEHOLDER_PARTNERSHIP_NAME = "Safeguarding partnership"  # what Partnership.current() creates
AUTHORITY = "Northshire"

LADO = "Northshire LADO and PiPoT Service"
POLICE = "Northshire Police"
NHS = "Northshire Hospitals NHS Foundation Trust"
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
    (NHS, AgencyKind.NHS_FOUNDATION_TRUST, Sector.HEALTH),
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

def partnership_name() -> tuple[Partnership, str]:
    """The partnership, named for the demo unless it already has a name of its own (then said in the message)."""
    first = Partnership.objects.order_by("pk").first()
    if first is None:
        first = Partnership(name=PARTNERSHIP_NAME, nation=Nation.ENGLAND)
    elif first.name == PLACEHOLDER_PARTNERSHIP_NAME:
        first.name, first.nation = PARTNERSHIP_NAME, Nation.ENGLAND
    else:
        if first.name != PARTNERSHIP_NAME:
            return first, f"Keeping the existing partnership “{first.name}”."
        return first, ""
    first._change_reason = "Demo data"
    first.save()
    return first, ""


def agencies_make() -> dict[str, Agency]:
    agencies = {}
    lado, _ = Agency.objects.get_or_create(
        name=LADO, defaults={"kind": AgencyKind.LADO_SERVICE, "sector": Sector.SOCIAL_CARE, "authority": AUTHORITY,
                             "email": "lado@example.org"},
    )
    if lado.kind != AgencyKind.LADO_SERVICE:
        raise RuntimeError(f"An agency named {LADO!r} exists but is not a LADO service.")
    agencies[LADO] = lado
    for name, kind, sector in AGENCIES[1:]:
        # Each agency has an address for meeting invitations and minutes when nobody holds the roles that receive
        # them (children's social care has no demo account); the police receive theirs through their participants.
        slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
        agency, _ = Agency.objects.get_or_create(
            name=name, defaults={"kind": kind, "sector": sector, "lado_service": lado, "authority": AUTHORITY,
                                 "email": f"safeguarding@{slug}.example.org",
                                 "meeting_roles": [Role.PARTICIPANT] if kind == AgencyKind.POLICE else []},
        )
        agencies[name] = agency
    return agencies


def users_make(agencies: dict[str, Agency]) -> dict:
    User = get_user_model()
    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    hashed = None
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
    return {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}


def demo_user(users: dict, agency: Agency):
    """The demo person who acts for `agency` (its first member who takes part in cases), or None."""
    membership = (Membership.objects.filter(agency=agency, user__username__in=DEMO_USERNAMES)
                  .exclude(role__in=[Role.AGENCY_VIEWER, Role.ANALYST, Role.ADMINISTRATOR]).order_by("pk").first())
    return users.get(membership.user.username) if membership else None
