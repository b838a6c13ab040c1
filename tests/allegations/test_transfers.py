"""Cross-border transfers that are acknowledged (issue 16 part 7; 003 §4, §14, §69–72): sending a referral to
another authority's LADO service with its handover bundle, the acknowledgement deadline chased by the sweep until
it is recorded, need to know, history and the timeline; an incoming transfer as a contact type of its own."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Notification
from allegations import services, transfers
from allegations.models import (
    Audience,
    ContactType,
    Event,
    Part,
    PartAudience,
    Referral,
    ReferralStatus,
    Transfer,
    TriageDecision,
)
from allegations.selectors import referral_parts_for, visible_documents
from deadlines import chasing
from deadlines import services as deadline_rules
from deadlines.models import Deadline
from records.services import document_path
from reporting.annual import annual_report
from tests.allegations.factories import discuss, make_referral
from tests.forms import with_dates

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def decide_transfer(referral, officer, to="Westshire"):
    referral = discuss(referral, officer)
    services.referral_triage(actor=officer, referral=referral, decision=TriageDecision.Decision.TRANSFER,
                             rationale="The person works in Westshire: their LADO leads.", transfer_to=to)
    referral.refresh_from_db()
    return referral


def send(referral, officer, **overrides):
    fields = {
        "authority_name": "Westshire", "contact_name": "Jo Receiver", "contact_email": "lado@westshire.example",
        "contact_phone": "", "lead_authority": "Westshire", "lead_agreed_with": "Jo Receiver, Westshire LADO",
        "lead_agreed_on": timezone.localdate(),
    }
    fields.update(overrides)
    return transfers.transfer_send(actor=officer, referral=referral, **fields)


@pytest.fixture
def transferred(referral, lado_officer):
    return decide_transfer(referral, lado_officer)


def test_sending_keeps_the_bundle_opens_the_acknowledgement_and_logs_it(transferred, lado_officer):
    transfer = send(transferred, lado_officer)
    transfer.refresh_from_db()
    assert transfer.sent_by == lado_officer and transfer.authority_name == "Westshire"
    # The bundle: a PDF and the referral's export line, both documents of the referral.
    pdf, line = transfer.bundle_pdf, transfer.bundle_jsonl
    assert pdf.referral_id == line.referral_id == transferred.pk
    assert document_path(pdf).read_bytes().startswith(b"%PDF-")
    assert pdf.file_type == "pdf" and pdf.original_name == f"{transferred.reference}-handover.pdf"
    record = json.loads(document_path(line).read_text(encoding="utf-8"))
    assert record["reference"] == transferred.reference and record["contact_type"] == "transfer"
    assert record["transfer_to_authority"] == "Westshire" and record["transfer_lead_authority"] == "Westshire"
    assert [d["kind"] for d in record["deadlines"]].count("transfer_acknowledgement") == 1
    # The acknowledgement: 1 working day from sending, open and chased although the contact is closed here.
    deadline = Deadline.objects.get(referral=transferred, kind=Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT)
    assert deadline.status == Deadline.Status.OPEN and deadline.chase_ended_at is None
    assert deadline.due_at == deadline_rules.due_for(Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT, transfer.sent_at,
                                                     deadline_rules.Partnership.current())
    # History with who and why, and the timeline.
    history = transfer.history.order_by("history_date")
    assert history.first().history_user == lado_officer
    assert history.first().history_change_reason == "Referral sent to another authority's LADO service"
    verbs = list(Event.objects.filter(referral=transferred).values_list("verb", flat=True))
    assert "transfer_sent" in verbs and verbs.count("document_added") == 2


def test_one_working_day_from_sending():
    from agencies.models import Partnership

    partnership = Partnership(name="P")
    due = deadline_rules.due_for(Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT,
                                 dt.datetime(2025, 4, 17, 16, 30, tzinfo=LONDON), partnership)
    assert due == dt.datetime(2025, 4, 22, 23, 59, 59, tzinfo=LONDON)  # Good Friday and Easter Monday skipped


def test_the_bundle_and_the_transfer_are_the_lado_services_alone(transferred, lado_officer, agency_a_manager):
    transfer = send(transferred, lado_officer)
    transfer.refresh_from_db()
    bundle = [transfer.bundle_pdf, transfer.bundle_jsonl]
    assert visible_documents(lado_officer, transferred, bundle) == bundle
    # The referring agency sees its referral, but neither the bundle, nor the transfer, nor their events.
    assert visible_documents(agency_a_manager, transferred, bundle) == []
    assert transfers.transfer_for(agency_a_manager, transferred) is None
    assert transfers.transfer_for(lado_officer, transferred) == transfer
    assert set(PartAudience.objects.filter(referral=transferred, part=Part.DOCUMENT).values_list("audience", flat=True)) \
        == {Audience.LADO}
    seen = {e.verb for e in referral_parts_for(agency_a_manager, transferred).events}
    assert "referral_received" in seen and not seen & {"transfer_sent", "transfer_acknowledged", "document_added"}


def test_only_a_referral_decided_as_a_transfer_is_sent_once(referral, transferred, lado_officer, agency_a_manager,
                                                           agency_a):
    other = make_referral(actor=agency_a_manager, lado_service=referral.lado_service, agency=agency_a, given="Bo")
    with pytest.raises(ValidationError):
        send(other, lado_officer)
    with pytest.raises(PermissionDenied):
        send(transferred, agency_a_manager)
    send(transferred, lado_officer)
    with pytest.raises(ValidationError):
        send(transferred, lado_officer)
    assert Transfer.objects.count() == 1


def test_what_is_missing_is_said(transferred, lado_officer):
    with pytest.raises(ValidationError) as error:
        send(transferred, lado_officer, authority_name=" ", contact_name="", contact_email="", lead_authority="",
             lead_agreed_with="", lead_agreed_on=timezone.localdate() + dt.timedelta(days=2))
    assert set(error.value.message_dict) == {"authority_name", "contact_name", "contact_email", "lead_authority",
                                             "lead_agreed_with", "lead_agreed_on"}
    assert not Transfer.objects.exists() and not Deadline.objects.filter(kind="transfer_acknowledgement").exists()


def test_a_lado_service_in_the_system_is_named_by_the_agency(transferred, lado_officer, other_lado_service):
    transfer = send(transferred, lado_officer, authority_name="", receiving_service=other_lado_service)
    assert transfer.authority_name == other_lado_service.name and transfer.receiving_service == other_lado_service
    assert list(transfers.receiving_services(transferred)) == [other_lado_service]


def test_the_sweep_chases_the_acknowledgement_until_it_is_recorded(transferred, lado_officer, django_capture_on_commit_callbacks):
    transferred.assigned_to = lado_officer
    services.save_with_history(transferred, actor=lado_officer, reason="Assigned")
    transfer = send(transferred, lado_officer)
    deadline = Deadline.objects.get(referral=transferred, kind=Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT)
    with django_capture_on_commit_callbacks(execute=False):
        counts = chasing.sweep(now=deadline.due_at + dt.timedelta(seconds=1))
    assert counts["overdue"] >= 1
    assert Notification.objects.filter(user=lado_officer, key=f"deadline-{deadline.pk}-overdue").exists()
    deadline.refresh_from_db()
    assert deadline.overdue_sent_at is not None and deadline.status == Deadline.Status.OVERDUE

    transfers.transfer_acknowledge(actor=lado_officer, transfer=transfer, acknowledged_by="Jo Receiver",
                                   acknowledged_on=timezone.localdate())
    deadline.refresh_from_db()
    transfer.refresh_from_db()
    assert deadline.met_at == transfer.acknowledged_at and deadline.status in (Deadline.Status.MET, Deadline.Status.MET_LATE)
    assert transfer.acknowledged_by == "Jo Receiver" and transfer.acknowledgement_recorded_by == lado_officer
    assert Event.objects.filter(referral=transferred, verb="transfer_acknowledged").exists()
    with django_capture_on_commit_callbacks(execute=False):
        later = chasing.sweep(now=deadline.escalate_at + dt.timedelta(seconds=1))
    assert later["escalation"] == 0
    with pytest.raises(ValidationError):
        transfers.transfer_acknowledge(actor=lado_officer, transfer=transfer, acknowledged_by="Again",
                                       acknowledged_on=timezone.localdate())


def test_an_acknowledgement_on_time_meets_the_deadline(transferred, lado_officer):
    transfer = send(transferred, lado_officer)
    transfers.transfer_acknowledge(actor=lado_officer, transfer=transfer, acknowledged_by="Jo Receiver",
                                   acknowledged_on=timezone.localdate())
    deadline = Deadline.objects.get(referral=transferred, kind=Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT)
    assert deadline.status == Deadline.Status.MET


def test_the_acknowledgement_says_what_is_missing(transferred, lado_officer):
    transfer = send(transferred, lado_officer)
    with pytest.raises(ValidationError) as error:
        transfers.transfer_acknowledge(actor=lado_officer, transfer=transfer, acknowledged_by=" ",
                                       acknowledged_on=timezone.localdate() - dt.timedelta(days=3))
    assert set(error.value.message_dict) == {"acknowledged_by", "acknowledged_on"}


# --- The pages -----------------------------------------------------------------------------------------------


def test_the_pages_send_and_acknowledge(transferred, lado_officer, login):
    client = login(lado_officer)
    page = client.get(reverse("allegations:referral_detail", args=[transferred.reference]))
    assert reverse("allegations:transfer_send", args=[transferred.reference]) in page.content.decode()
    url = reverse("allegations:transfer_send", args=[transferred.reference])
    today = timezone.localdate()
    bad = client.post(url, {"contact_name": "", "lead_authority": "Westshire"})
    assert bad.status_code == 200 and "Enter the name of the contact" in bad.content.decode()
    assert 'value="Westshire"' in bad.content.decode()  # typed values kept
    sent = client.post(url, with_dates({
        "receiving_service": "", "authority_name": "Westshire", "contact_name": "Jo Receiver",
        "contact_email": "lado@westshire.example", "contact_phone": "", "lead_authority": "Westshire",
        "lead_agreed_with": "Jo Receiver", "lead_agreed_on": today,
    }))
    assert sent.status_code == 302
    page = client.get(reverse("allegations:referral_detail", args=[transferred.reference])).content.decode()
    assert "Sent to another authority" in page and f"{transferred.reference}-handover.pdf" in page
    assert "Acknowledgement of a transfer" in page
    ack = reverse("allegations:transfer_acknowledge", args=[transferred.reference])
    done = client.post(ack, with_dates({"acknowledged_by": "Jo Receiver", "acknowledged_on": today}))
    assert done.status_code == 302
    assert Transfer.objects.get(referral=transferred).is_acknowledged
    assert client.get(ack).status_code == 404  # nothing left to acknowledge


def test_the_referrer_may_not_and_an_outsider_gets_404(transferred, lado_officer, agency_a_manager,
                                                       agency_b_outsider, login):
    url = reverse("allegations:transfer_send", args=[transferred.reference])
    assert login(agency_a_manager).get(url).status_code == 403
    assert login(agency_b_outsider).get(url).status_code == 404
    send(transferred, lado_officer)
    ack = reverse("allegations:transfer_acknowledge", args=[transferred.reference])
    assert login(agency_a_manager).get(ack).status_code == 403
    assert login(agency_b_outsider).get(ack).status_code == 404
    page = login(agency_a_manager).get(reverse("allegations:referral_detail", args=[transferred.reference]))
    assert "handover" not in page.content.decode().lower()


# --- An incoming transfer --------------------------------------------------------------------------------------


def test_an_incoming_transfer_is_a_contact_type_of_its_own_and_counts_as_a_transfer_in(lado_officer, lado_service):
    incoming = make_referral(actor=lado_officer, lado_service=lado_service, phone=True,
                             contact_type=ContactType.TRANSFER_IN, transferred_from="Eastshire")
    assert incoming.contact_type == "transfer_in" and incoming.status == ReferralStatus.NEW
    discuss(incoming, lado_officer)
    services.referral_triage(actor=lado_officer, referral=Referral.objects.get(pk=incoming.pk),
                             decision=TriageDecision.Decision.THRESHOLD_MET, rationale="Met.", harmed=True,
                             route="position_of_trust")
    incoming.refresh_from_db()
    assert incoming.contact_type == ContactType.REFERRAL and incoming.transferred_from == "Eastshire"
    local = timezone.localtime(incoming.received_at)
    year = local.year if local.month >= 4 else local.year - 1
    assert annual_report(year)["transfers"] == {"in": 1, "out": 0}


def test_the_phone_form_takes_an_incoming_transfer(lado_officer, login):
    from allegations.forms import ReferralForm

    form = ReferralForm(phone=True)
    assert "transfer_in" in dict(form.fields["request_kind"].choices)
    assert "transferred_from" not in ReferralForm(phone=False).fields
    data = {"request_kind": "transfer_in", "transferred_from": ""}
    bound = ReferralForm(data, phone=True)
    bound.is_valid()
    assert bound.errors["transferred_from"] == ["Enter the authority the transfer came from."]


def test_transfers_out_count_in_the_year_received(transferred, lado_officer):
    send(transferred, lado_officer)
    local = timezone.localtime(transferred.received_at)
    year = local.year if local.month >= 4 else local.year - 1
    assert annual_report(year)["transfers"] == {"in": 0, "out": 1}


def test_the_lado_service_takes_an_incoming_transfer_through_the_referral_pages(lado_officer, agency_a, login):
    from tests.allegations.test_bad_input import referral_form
    from tests.forms import referral_send

    client = login(lado_officer)
    data = referral_form(agency_a, request_kind="transfer_in", transferred_from="Eastshire")
    checked = client.post("/referrals/new/", data)
    assert checked.status_code == 302
    check_page = client.get(checked.url).content.decode()
    assert "A transfer from another authority&#39;s LADO service" in check_page and "Eastshire" in check_page
    sent = referral_send(client, data)
    assert sent.status_code == 302
    incoming = Referral.objects.get()
    assert incoming.contact_type == ContactType.TRANSFER_IN and incoming.transferred_from == "Eastshire"
    page = client.get(reverse("allegations:referral_detail", args=[incoming.reference])).content.decode()
    assert "Transferred from" in page and "Transfer from another authority" in page


def test_the_acknowledgement_is_on_my_work_until_it_is_recorded(transferred, lado_officer, login):
    from deadlines.workload import live_deadlines

    transfer = send(transferred, lado_officer)
    deadline = Deadline.objects.get(referral=transferred, kind=Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT)
    assert deadline in live_deadlines()
    page = login(lado_officer).get(reverse("allegations:my_work")).content.decode()
    assert "Acknowledgement of a transfer" in page and transferred.reference in page
    transfers.transfer_acknowledge(actor=lado_officer, transfer=transfer, acknowledged_by="Jo Receiver",
                                   acknowledged_on=timezone.localdate())
    assert deadline not in live_deadlines()
    # The referral's other deadlines stay closed with the contact.
    assert not live_deadlines().filter(referral=transferred).exists()
