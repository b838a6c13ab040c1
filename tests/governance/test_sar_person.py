"""Subject access (issue 16 §2): the person's own records are in the draft (what they were told, their contact,
the support offered, the updates and their views); what was held back on the police's advice is not."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from allegations import person
from governance import sar
from governance.models import SubjectAccessRequest
from tests.allegations.factories import make_case, make_referral

pytestmark = pytest.mark.django_db


def test_the_draft_has_the_persons_records_and_not_what_is_held_back(agency_a_manager, lado_service, agency_a,
                                                                     lado_officer, lado_manager, login):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Alex",
                             family="Morgan", dob=dt.date(1980, 3, 27))
    case = make_case(officer=lado_officer, referral=referral)
    today = timezone.localdate()
    person.person_told_record(actor=lado_officer, case=case, told_on=today, told_by="The head teacher",
                              what_told="CANARY-TOLD", held_back="CANARY-HELD-BACK", held_back_advised_by="The police",
                              held_back_why="CANARY-WHY")
    person.person_support_record(actor=lado_officer, case=case, kind="union", offered_on=today, offered_by="HR",
                                 taken_up="yes")
    person.person_update_record(actor=lado_officer, case=case, given_on=today, given_by="The deputy head",
                                summary="CANARY-UPDATE", views="CANARY-VIEWS")
    client = login(lado_manager)
    assert client.post(reverse("governance:sar_list"), {"subject": referral.subject.pk}).status_code == 302
    draft = sar.assemble(SubjectAccessRequest.objects.get())
    text = "\n".join(f"{row.label}: {sar.rendered(row.value, [])}" for s in draft.sections for row in s.rows)
    for shown in ("CANARY-TOLD", "CANARY-UPDATE", "CANARY-VIEWS", "Trade union or professional body"):
        assert shown in text, shown
    for hidden in ("CANARY-HELD-BACK", "CANARY-WHY"):
        assert hidden not in text, hidden
