import factory
from django.contrib.auth import get_user_model
from faker import Faker

from agencies.models import Agency, AgencyKind, Membership, Role, Sector

fake = Faker("en_GB")

# Every test user has an authenticator app with this secret (two-factor authentication is
# required of every role: accounts/middleware.py). tests/browser/conftest.py types its codes.
TOTP_SECRET = "TESTTESTTESTTESTTESTTESTTESTTEST"


def give_authenticator(user, secret: str = TOTP_SECRET) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
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
