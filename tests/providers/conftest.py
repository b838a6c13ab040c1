import pytest

from tests.providers.factories import care_home, director_of, invoked_concern, safeguarding_manager_of


@pytest.fixture
def provider(lado_service):
    return care_home(lado_service)


@pytest.fixture
def director(lado_service):
    return director_of(lado_service)


@pytest.fixture
def asm(lado_service):
    return safeguarding_manager_of(lado_service)


@pytest.fixture
def concern(asm, director, lado_service, provider):
    return invoked_concern(actor=asm, director=director, lado_service=lado_service, provider=provider)
