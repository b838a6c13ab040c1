"""A restricted record (issue 12 §3) in retention and subject access: only the managers named on it
list it, ask for or decide its deletion, and answer its subject's access request; the partnership
administrator still can."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from allegations import services as case_services
from governance import services
from governance.models import DeletionRequest, SubjectAccessRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted_old_case(old_case, lado_manager, lado_officer):
    case_services.referral_restrict(actor=lado_manager, referral=old_case.referral, may_open=[lado_officer],
                                    reason="About a manager of the service.")
    return old_case


def test_retention_and_deletion_are_for_the_managers_named(restricted_old_case, lado_manager, second_manager, login):
    reference = restricted_old_case.referral.reference
    other = login(second_manager)
    assert reference not in other.get(reverse("governance:retention")).content.decode()
    assert other.get(reverse("governance:deletion_request", args=[reference])).status_code == 404
    named = login(lado_manager)
    assert reference in named.get(reverse("governance:retention")).content.decode()
    assert named.post(reverse("governance:deletion_request", args=[reference]),
                      {"reason": "Past its period."}).status_code == 302
    item = DeletionRequest.objects.get()
    assert reference not in other.get(reverse("governance:retention")).content.decode()
    assert other.get(reverse("governance:deletion_decide", args=[item.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.deletion_approve(actor=second_manager, request=item, reason="Agreed.")
    assert DeletionRequest.objects.get().status == "pending"


def test_subject_access_is_for_the_managers_named(restricted_old_case, lado_manager, second_manager, login):
    subject = restricted_old_case.referral.subject
    other = login(second_manager)
    search = {"given_name": "Alex", "family_name": "Morgan"}
    assert "Alex Morgan" not in other.get(reverse("governance:sar_list"), search).content.decode()
    assert "Alex Morgan" in login(lado_manager).get(reverse("governance:sar_list"), search).content.decode()
    assert other.post(reverse("governance:sar_list"), {"subject": subject.pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.sar_start(actor=second_manager, subject=subject)
    sar = services.sar_start(actor=lado_manager, subject=subject)
    assert other.get(reverse("governance:sar_detail", args=[sar.pk])).status_code == 404
    assert login(lado_manager).get(reverse("governance:sar_detail", args=[sar.pk])).status_code == 200
    assert SubjectAccessRequest.objects.count() == 1
