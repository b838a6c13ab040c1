"""Retention (issue 7 §5): the schedule, the list of records past it, deletion with a second manager's
approval, and an audit entry that says what went, by whom and why — never the content."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from allegations.models import Case, Child, Event, Referral, Subject
from deadlines.models import Deadline
from governance import retention, services
from governance.models import DeletionAudit, DeletionRequest, RecordType
from meetings.models import Meeting, Minutes, MinutesSection, MinutesVersion
from tests.allegations.factories import make_case, make_referral

from .conftest import advice_contact, age, closed_case

pytestmark = pytest.mark.django_db


def test_the_schedule_has_a_rule_for_every_record_type_with_its_basis(partnership):
    rules = retention.rules()
    assert set(rules) == set(RecordType.values)
    assert rules[RecordType.CLOSED_CASE].years == 10 and rules[RecordType.CLOSED_CASE].until_retirement_age
    assert rules[RecordType.UNFOUNDED_CASE].years == 6 and not rules[RecordType.UNFOUNDED_CASE].until_retirement_age
    assert all(rule.basis for rule in rules.values())


def test_a_closed_case_is_kept_until_retirement_age_if_that_is_later(old_case):
    rule = retention.rules()[RecordType.CLOSED_CASE]
    referral = old_case.referral
    assert retention.due_on(referral, rule) == retention._add_years(timezone.localdate(old_case.closed_at), 10)
    referral.subject.date_of_birth = dt.date(1990, 1, 1)
    assert retention.due_on(referral, rule) == dt.date(2057, 1, 1)


def test_only_closed_records_past_their_period_are_listed(old_case, lado_manager, lado_officer, chair,
                                                          agency_a_manager, lado_service, agency_a):
    recent = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Kim", family="Recent")
    closed_case(officer=lado_officer, chair=chair, referral=recent, with_meeting=False)
    still_open = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Lee", family="Open")
    make_case(officer=lado_officer, referral=still_open)
    age(still_open, years=20)
    advice = advice_contact(officer=lado_officer, referral=make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Ash", family="Advice"))
    age(advice, years=7)

    listed = {item.referral.reference: item for item in retention.past_retention(user=lado_manager)}
    assert set(listed) == {old_case.referral.reference, advice.reference}
    assert listed[advice.reference].record_type == RecordType.ADVICE
    assert retention.past_retention(user=lado_officer) == []  # officers do not review retention


def test_the_page_lists_references_without_names(old_case, lado_manager, login):
    page = login(lado_manager).get(reverse("governance:retention")).content.decode()
    assert old_case.referral.reference in page
    assert "Morgan" not in page and "Robin" not in page
    assert reverse("governance:deletion_request", args=[old_case.referral.reference]) in page


@pytest.mark.parametrize("persona", ["lado_officer", "chair", "agency_a_manager", "agency_a_viewer",
                                     "agency_b_outsider", "police_user", "analyst", "other_officer"])
def test_nobody_else_has_the_retention_pages(request, old_case, login, persona):
    client = login(request.getfixturevalue(persona))
    # The lists name no record: a 403 saying whose they are. A record's page: 404, as for a record not there.
    for url, refused in [(reverse("governance:retention"), 403), (reverse("governance:retention_rules"), 403),
                         (reverse("governance:deletion_request", args=[old_case.referral.reference]), 404)]:
        assert client.get(url).status_code == refused, url
        if url != reverse("governance:retention"):  # a GET-only page answers a POST with 405
            assert client.post(url, {"reason": "x", "years": "1"}).status_code == refused, url
    assert not DeletionRequest.objects.exists()


def _history_rows_of(referral_id, case_id, meeting_ids):
    """How many history rows still mention the deleted record."""
    found = 0
    for model in apps.get_models():
        if not model.__name__.startswith("Historical"):
            continue
        names = {f.attname for f in model._meta.concrete_fields}
        if "referral_id" in names:
            found += model.objects.filter(referral_id=referral_id).count()
        if "case_id" in names:
            found += model.objects.filter(case_id=case_id).count()
        if "meeting_id" in names:
            found += model.objects.filter(meeting_id__in=meeting_ids).count()
    return found


def test_a_second_manager_approves_and_everything_goes_with_its_history(old_case, lado_manager, second_manager, login):
    referral = old_case.referral
    ids = dict(referral=referral.pk, case=old_case.pk, subject=referral.subject_id,
               meetings=list(Meeting.objects.filter(case=old_case).values_list("pk", flat=True)))
    assert ids["meetings"] and MinutesVersion.objects.filter(minutes__meeting__case=old_case).exists()
    assert _history_rows_of(ids["referral"], ids["case"], ids["meetings"]) > 0

    client = login(lado_manager)
    response = client.post(reverse("governance:deletion_request", args=[referral.reference]),
                           {"reason": "Past the 10-year rule; no later referral about the person."})
    assert response.status_code == 302
    item = DeletionRequest.objects.get()
    assert item.status == "pending" and item.requested_by == lado_manager

    # The person who asked cannot approve: not on the page, not by posting, not through the service.
    page = client.get(reverse("governance:deletion_decide", args=[item.pk])).content.decode()
    assert "a different manager must approve" in page
    assert client.post(reverse("governance:deletion_decide", args=[item.pk]), {"decision": "approve"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.deletion_approve(actor=lado_manager, request=item)
    assert Referral.objects.filter(pk=ids["referral"]).exists()

    response = login(second_manager).post(reverse("governance:deletion_decide", args=[item.pk]),
                                          {"decision": "approve", "reason": ""})
    assert response.status_code == 302

    assert not Referral.objects.filter(pk=ids["referral"]).exists()
    assert not Case.objects.filter(pk=ids["case"]).exists()
    assert not Subject.objects.filter(pk=ids["subject"]).exists()  # nothing else was held about the person
    assert not Meeting.objects.filter(pk__in=ids["meetings"]).exists()
    assert not Minutes.objects.filter(meeting_id__in=ids["meetings"]).exists()
    assert not MinutesSection.objects.filter(minutes__meeting_id__in=ids["meetings"]).exists()
    for model in (Child, Deadline, Event):
        assert not model.objects.filter(referral_id=ids["referral"]).exists(), model
    assert _history_rows_of(ids["referral"], ids["case"], ids["meetings"]) == 0
    assert not Subject.history.filter(id=ids["subject"]).exists()
    assert not Case.history.filter(id=ids["case"]).exists()

    audit = DeletionAudit.objects.get()
    assert audit.reference == referral.reference and audit.record_type == RecordType.CLOSED_CASE
    assert audit.requested_by == lado_manager and audit.approved_by == second_manager
    assert audit.reason == "Past the 10-year rule; no later referral about the person."
    assert audit.counts["allegations.Referral"] == 1 and audit.counts["allegations.Case"] == 1
    assert audit.counts["allegations.HistoricalReferral"] >= 1 and audit.counts["meetings.Meeting"] == 1
    stored = json.dumps(audit.counts) + audit.reference + audit.reason
    for content in ("Morgan", "Alex", "Robin", "Quill", "grabbed"):
        assert content not in stored
    item.refresh_from_db()
    assert item.status == "approved" and item.decided_by == second_manager and item.referral is None
    # The audit is on the page, with who and why.
    page = login(second_manager).get(reverse("governance:retention")).content.decode()
    assert referral.reference in page and "Past the 10-year rule" in page


def test_the_subject_stays_when_another_referral_is_about_them(old_case, lado_manager, second_manager,
                                                                agency_a_manager, lado_service, agency_a):
    subject = old_case.referral.subject
    later = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    Referral.objects.filter(pk=later.pk).update(subject=subject)
    item = services.deletion_request(actor=lado_manager, referral=old_case.referral, reason="Past retention.")
    services.deletion_approve(actor=second_manager, request=item)
    assert Subject.objects.filter(pk=subject.pk).exists() and Subject.history.filter(id=subject.pk).exists()
    assert Referral.objects.filter(pk=later.pk).exists() and Referral.history.filter(id=later.pk).exists()
    assert later.children.exists()


def test_a_rejection_keeps_the_record_and_needs_a_reason(old_case, lado_manager, second_manager, login):
    item = services.deletion_request(actor=lado_manager, referral=old_case.referral, reason="Past retention.")
    client = login(second_manager)
    url = reverse("governance:deletion_decide", args=[item.pk])
    assert "Enter why the record should be kept" in client.post(url, {"decision": "reject"}).content.decode()
    assert client.post(url, {"decision": "reject", "reason": "A civil claim is pending."}).status_code == 302
    item.refresh_from_db()
    assert item.status == "rejected" and item.decision_reason == "A civil claim is pending."
    assert Referral.objects.filter(pk=old_case.referral_id).exists() and not DeletionAudit.objects.exists()
    with pytest.raises(ValidationError):
        services.deletion_approve(actor=second_manager, request=item)


def test_a_record_within_its_period_or_open_cannot_be_asked_for(case, lado_manager, lado_officer, chair,
                                                               agency_a_manager, lado_service, agency_a):
    with pytest.raises(ValidationError):
        services.deletion_request(actor=lado_manager, referral=case.referral, reason="Open.")
    recent = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Kim", family="Recent")
    closed_case(officer=lado_officer, chair=chair, referral=recent, with_meeting=False)
    with pytest.raises(ValidationError):
        services.deletion_request(actor=lado_manager, referral=recent, reason="Too soon.")
    assert not DeletionRequest.objects.exists()


def test_a_manager_can_change_the_schedule_with_a_reason(partnership, lado_manager, login):
    client = login(lado_manager)
    url = reverse("governance:retention_rules") + "?type=advice"
    assert client.get(url).status_code == 200
    response = client.post(url, {"type": "advice", "years": "3", "counted_from": "receipt", "basis": "Local schedule",
                                 "reason": ""})
    assert "Enter why the rule is changing" in response.content.decode()
    response = client.post(url, {"type": "advice", "years": "3", "counted_from": "receipt", "basis": "Local schedule",
                                 "reason": "Agreed by the partnership board"})
    assert response.status_code == 302
    rule = retention.rules()[RecordType.ADVICE]
    assert (rule.years, rule.counted_from) == (3, "receipt")
    assert rule.history.first().history_change_reason == "Agreed by the partnership board"


def test_files_go_after_the_commit(old_case, lado_manager, second_manager, django_capture_on_commit_callbacks):
    """A minutes PDF's file, and a document's file when the records app has documents (checked at run time)."""
    from django.core.files.base import ContentFile

    from governance.purge import _stored_path
    from meetings.models import MinutesPdf

    version = MinutesVersion.objects.filter(minutes__meeting__case=old_case).first()
    pdf = MinutesPdf.objects.create(version=version, variant="full", recipient="LADO", status="done",
                                    requested_by=lado_manager)
    pdf.file.save("retention-test.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    paths = [pdf.file.path]
    try:
        from records.services import document_add
        from tests.records.factories import PDF
    except ImportError:
        document_add = None
    if document_add is not None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        document = document_add(actor=lado_manager, upload=SimpleUploadedFile("s.pdf", PDF, "application/pdf"),
                                title="Statement", kind="evidence", case=old_case)
        paths.append(str(_stored_path(document)))
    import os

    assert all(os.path.exists(p) for p in paths)
    item = services.deletion_request(actor=lado_manager, referral=old_case.referral, reason="Past retention.")
    with django_capture_on_commit_callbacks(execute=True):
        audit = services.deletion_approve(actor=second_manager, request=item)
    assert not any(os.path.exists(p) for p in paths)
    assert audit.files_deleted == len(paths) and audit.counts["meetings.MinutesPdf"] == 1
    assert not MinutesPdf.history.filter(id=pdf.pk).exists()
