import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, AgencyKind, Membership, Role, Sector

# Every test user has an authenticator app with this secret (two-factor authentication is
# required of every role: accounts/middleware.py). tests/browser/conftest.py types its codes.
TOTP_SECRET = "TESTTESTTESTTESTTESTTESTTESTTEST"


def give_authenticator(user, secret: str = TOTP_SECRET) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)


STAFF_FIRST_NAMES = ("Tomasz", "Aisha", "Gareth", "Ngozi", "Declan", "Rhys", "Fatima", "Oluwaseun", "Wren", "Ines")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # Staff names from a fixed pool, unlike any subject or child in the tests: a random Faker name
    # ("Kenneth Morgan", "Kitty") made privacy assertions such as `b"Morgan" not in page` flaky.
    first_name = factory.Sequence(lambda n: STAFF_FIRST_NAMES[n % len(STAFF_FIRST_NAMES)])
    last_name = factory.Sequence(lambda n: f"Staffer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def authenticator(obj, create, extracted, **kwargs):
        """``UserFactory(authenticator=False)`` for someone who has not set up two-factor authentication."""
        if create and extracted is not False:
            give_authenticator(obj)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.SCHOOL
    sector = Sector.EDUCATION


def member(user, agency, role=Role.SENIOR_MANAGER, job_title=""):
    Membership.objects.get_or_create(user=user, agency=agency, role=role, defaults={"job_title": job_title})
    user.__dict__.pop("_standing", None)
    return user
