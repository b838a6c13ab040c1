"""Forms that create a record carry a one-time token (outbox/submissions.py): pressing the button twice, or
sending the form again after an error page, makes one record and shows the one already made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from allegations.models import Referral
from meetings.models import Meeting
from outbox.models import FormSubmission
from outbox.submissions import TOKEN_FIELD
from records.models import Document
from tests.allegations.test_bad_input import referral_form
from tests.forms import referral_send, with_dates
from tests.records.factories import PDF, upload

pytestmark = pytest.mark.django_db


def token_of(client, path: str) -> str:
    html = client.get(path).content.decode()
    marker = f'name="{TOKEN_FIELD}"'
    assert marker in html, "the form carries its one-time token"
    tag = html[html.rindex("<input", 0, html.index(marker)):html.index(">", html.index(marker))]
    return tag.split('value="')[1].split('"')[0]


def info(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def test_a_referral_sent_twice_is_made_once_and_the_second_send_shows_it(login, agency_a_manager, agency_a, lado_officer):
    client = login(agency_a_manager)
    path = reverse("allegations:referral_create")
    token = token_of(client, path)
    assert token != token_of(client, path)  # each page shown has its own
    data = {**referral_form(agency_a), TOKEN_FIELD: token}

    first = referral_send(client, data)
    second = client.post(reverse("allegations:referral_check"), {"draft": token})  # "Send referral" pressed again
    third = referral_send(client, data)  # the whole form sent again: checked, then sent

    referral = Referral.objects.get()
    confirmation = reverse("allegations:referral_confirmation", args=[referral.reference])
    assert first.status_code == second.status_code == third.status_code == 302
    assert first.url == second.url == third.url == confirmation
    assert info(second)[-1] == "This referral was already sent: it was saved once, and here it is."
    assert info(third)[-1] == "This referral was already sent: it was saved once, and here it is."
    assert FormSubmission.objects.get(token=token).url == confirmation


def test_a_form_shown_again_with_errors_keeps_its_token_and_then_saves_once(login, agency_a_manager, agency_a):
    client = login(agency_a_manager)
    path = reverse("allegations:referral_create")
    token = token_of(client, path)

    refused = client.post(path, {**referral_form(agency_a, family_name=""), TOKEN_FIELD: token})
    assert refused.status_code == 200 and f'value="{token}"' in refused.content.decode()  # not used up
    assert not FormSubmission.objects.exists()

    referral_send(client, {**referral_form(agency_a), TOKEN_FIELD: token})
    referral_send(client, {**referral_form(agency_a), TOKEN_FIELD: token})
    assert Referral.objects.count() == 1


def test_another_persons_token_shows_nothing_of_their_record(login, agency_a_manager, agency_a, agency_b_outsider):
    path = reverse("allegations:referral_create")
    client = login(agency_a_manager)
    token = token_of(client, path)
    referral_send(client, {**referral_form(agency_a), TOKEN_FIELD: token})

    # Someone else posting the same token (copied) makes nothing and is not sent to the record.
    from outbox.submissions import AlreadySubmitted, submission_claim

    with pytest.raises(AlreadySubmitted) as raised:
        submission_claim(token=token, user=agency_b_outsider)
    assert raised.value.url == ""
    assert Referral.objects.count() == 1


def test_a_meeting_scheduled_twice_is_made_once(login, case, lado_officer, chair):
    client = login(lado_officer)
    path = reverse("meetings:meeting_schedule", args=[case.reference])
    when = (timezone.localtime() + dt.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    data = {"kind": "initial", "scheduled_at": when.strftime("%Y-%m-%dT%H:%M"), "location": "Room 4, County Hall",
            "online_link": "", "chair": chair.pk, "minute_taker": "", "chaired_by_service": "on",
            TOKEN_FIELD: token_of(client, path)}

    first = client.post(path, with_dates(data))
    second = client.post(path, with_dates(data))

    meeting = Meeting.objects.get()
    assert first.url == second.url == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert info(second)[-1] == "This meeting was already scheduled: it was saved once, and here it is."


def test_a_document_sent_twice_is_attached_once(login, case, lado_officer):
    client = login(lado_officer)
    path = reverse("records:case_document_upload", args=[case.referral.reference])
    token = token_of(client, path)

    for _ in range(2):
        response = client.post(path, {"title": "Statement", "kind": "evidence", "file": upload("statement.pdf", PDF),
                                       TOKEN_FIELD: token})
        assert response.status_code == 302
        assert response.url.endswith(f"/cases/{case.referral.reference}/documents/#documents")

    assert Document.objects.count() == 1
    assert info(response)[-1] == "This document was already attached: it was saved once."
