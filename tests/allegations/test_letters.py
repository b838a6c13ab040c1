"""Letters from templates (issue 17 §3; allegations/letters.py): placeholder checks, drafting fills the
placeholders, approval renders a tagged PDF and a Word document kept on the case with the letter's audience,
marking as sent, need to know, history and the timeline."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from allegations import letters, services
from allegations.models import Audience, Event, Letter, LetterKind, LetterTemplate, Part, PartAudience
from allegations.selectors import visible_documents
from records.services import document_path
from tests.forms import with_dates

pytestmark = pytest.mark.django_db


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def docx_text(path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_every_kind_has_default_words_that_use_only_listed_placeholders(lado_manager):
    for kind in LetterKind.values:
        subject, body = letters.DEFAULT_TEXTS[kind]
        letters.check_text(subject, field="subject")
        letters.check_text(body, field="body")
    assert {t.kind for t in letters.templates_of(lado_manager)} == set(LetterKind.values)


def test_an_unknown_placeholder_is_refused_with_a_clear_message(lado_manager):
    with pytest.raises(ValidationError) as error:
        letters.letter_template_update(actor=lado_manager, kind=LetterKind.OUTCOME_EMPLOYER, subject="Outcome",
                                       body="Dear {{ recipient }}, the child {{ child_name }} and {{ secret }}")
    assert error.value.message_dict["body"] == [
        "Unknown placeholder {{ child_name }}, {{ secret }}: use only the placeholders listed."]
    with pytest.raises(ValidationError) as error:
        letters.letter_template_update(actor=lado_manager, kind=LetterKind.OUTCOME_EMPLOYER,
                                       subject="Outcome {{ reference", body="Dear {{ recipient }}")
    assert "subject" in error.value.message_dict


def test_the_sandbox_refuses_reaching_into_python(lado_manager, case, lado_officer):
    with pytest.raises(ValidationError) as error:
        letters.letter_template_update(actor=lado_manager, kind=LetterKind.INVITATION, subject="Invitation",
                                       body="{{ reference.__class__.__mro__ }}")
    assert error.value.message_dict["body"] == ["Use each placeholder as {{ name }}, on its own."]
    # Words stored before the check (or written straight to the table) are refused when drafting, with a message.
    letters.template_for(case.referral.lado_service_id, LetterKind.INVITATION)
    LetterTemplate.objects.filter(kind=LetterKind.INVITATION).update(body="{{ reference.__class__.__mro__ }}")
    with pytest.raises(ValidationError) as error:
        letters.letter_draft(actor=lado_officer, case=case, kind=LetterKind.INVITATION, recipient="DS Patel")
    assert "ask a LADO manager" in error.value.messages[0]


def test_only_a_lado_manager_edits_the_templates(lado_officer):
    with pytest.raises(PermissionDenied):
        letters.letter_template_update(actor=lado_officer, kind=LetterKind.INVITATION, subject="S", body="B")


def test_the_manager_edits_a_template_through_the_page_with_placeholders_beside_it(login, lado_manager):
    client = login(lado_manager)
    url = reverse("allegations:letter_template_edit", args=["outcome_employer"])
    page = client.get(url).content.decode()
    for name in letters.PLACEHOLDERS:
        assert "{{ %s }}" % name in page
    response = client.post(url, {"subject": "Outcome {{ reference }}", "body": "Dear {{ nobody }}"})
    assert response.status_code == 200
    assert "Unknown placeholder {{ nobody }}" in response.content.decode()
    assert 'value="Outcome {{ reference }}"' in response.content.decode()  # what was typed is kept
    response = client.post(url, {"subject": "Outcome {{ reference }}", "body": "Dear {{ recipient }},\n\nDone."})
    assert response.status_code == 302
    template = LetterTemplate.objects.get(kind="outcome_employer")
    assert template.body == "Dear {{ recipient }},\n\nDone."
    assert template.history.first().history_user == lado_manager


def test_drafting_fills_the_placeholders(case, lado_officer, lado_manager):
    letters.letter_template_update(
        actor=lado_manager, kind=LetterKind.OUTCOME_PERSON, subject="Reference {{ reference }}",
        body="Dear {{ person_name }},\n\n{{ employer }} / {{ outcome }} / {{ lado_service }} / {{ recipient }}")
    services.case_record_outcome(actor=lado_officer, case=case, outcome="unfounded", police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")
    case.refresh_from_db()
    letter = letters.letter_draft(actor=lado_officer, case=case, kind=LetterKind.OUTCOME_PERSON,
                                  recipient="Alex Morgan")
    referral = case.referral
    assert letter.subject == f"Reference {case.reference}"
    assert letter.body.startswith(f"Dear {referral.subject.full_name},")
    expected_outcome = case.get_outcome_display().lower()
    assert expected_outcome
    assert f"{referral.employer_name} / {expected_outcome} / {referral.lado_service.name} / Alex Morgan" in letter.body
    assert letter.audience == Audience.LADO and letter.status == Letter.Status.DRAFT
    event = Event.objects.get(verb="letter_drafted")
    assert event.summary == "Outcome letter to the person drafted"
    assert referral.subject.full_name not in event.summary  # never the person's name in the log


def approved(case, officer, manager, **edit):
    letter = letters.letter_draft(actor=officer, case=case, kind=LetterKind.OUTCOME_EMPLOYER,
                                  recipient="The head teacher")
    if edit:
        letter = letters.letter_edit(actor=officer, letter=letter, **{
            "recipient": letter.recipient, "subject": letter.subject, "body": letter.body,
            "audience": letter.audience, **edit})
    return letters.letter_approve(actor=manager, letter=letter)


def test_approval_renders_pdf_and_word_kept_on_the_case_with_the_audience(case, lado_officer, lado_manager,
                                                                          agency_a_manager):
    letter = approved(case, lado_officer, lado_manager,
                      body="Dear head teacher,\n\nThe matter is concluded: Wintergreen paragraph.")
    assert letter.status == Letter.Status.APPROVED and letter.approved_by == lado_manager
    assert "Wintergreen paragraph" in pdf_text(document_path(letter.pdf))
    assert "Wintergreen paragraph" in docx_text(document_path(letter.docx))
    assert letter.pdf.case == case and letter.docx.case == case and letter.pdf.file_type == "pdf"
    assert letter.docx.file_type == "docx"
    info = subprocess.run(["pdfinfo", str(document_path(letter.pdf))], capture_output=True, check=True, text=True)
    assert "Tagged:          yes" in info.stdout  # a tagged PDF (PDF/UA-1)
    # The employer's letter is for the employer level: agency A (the employer) sees both documents.
    for document in (letter.pdf, letter.docx):
        assert PartAudience.objects.get(part=Part.DOCUMENT, part_id=document.pk).audience == Audience.EMPLOYER
    assert set(visible_documents(agency_a_manager, case.referral, [letter.pdf, letter.docx])) == {letter.pdf,
                                                                                                  letter.docx}


def test_a_lado_only_letter_is_not_seen_by_the_employer(case, lado_officer, lado_manager, agency_a_manager):
    letter = approved(case, lado_officer, lado_manager, audience=Audience.LADO)
    assert visible_documents(agency_a_manager, case.referral, [letter.pdf, letter.docx]) == []
    assert visible_documents(lado_officer, case.referral, [letter.pdf]) == [letter.pdf]


def test_the_officer_cannot_approve_and_an_approved_letter_cannot_change(case, lado_officer, lado_manager):
    letter = letters.letter_draft(actor=lado_officer, case=case, kind=LetterKind.TRANSFER, recipient="Westshire")
    with pytest.raises(PermissionDenied):
        letters.letter_approve(actor=lado_officer, letter=letter)
    letter = letters.letter_approve(actor=lado_manager, letter=letter)
    with pytest.raises(ValidationError):
        letters.letter_edit(actor=lado_officer, letter=letter, recipient="X", subject="Y", body="Z",
                            audience=Audience.LADO)
    with pytest.raises(ValidationError):
        letters.letter_approve(actor=lado_manager, letter=letter)


def test_marking_as_sent_records_when_and_how_with_history_and_timeline(case, lado_officer, lado_manager):
    letter = approved(case, lado_officer, lado_manager)
    letter = letters.letter_mark_sent(actor=lado_officer, letter=letter, sent_by=Letter.SentBy.POST)
    assert letter.status == Letter.Status.SENT and letter.sent_at is not None and letter.sent_by == "post"
    assert [h.history_change_reason for h in letter.history.order_by("history_date")] == [
        "Letter drafted", "Letter approved", "Letter sent"]
    verbs = list(Event.objects.filter(case=case, verb__startswith="letter_").values_list("verb", flat=True))
    assert sorted(verbs) == ["letter_approved", "letter_drafted", "letter_sent"]
    with pytest.raises(ValidationError):
        letters.letter_mark_sent(actor=lado_officer, letter=letter, sent_by=Letter.SentBy.HAND)


def test_a_letter_marked_as_sent_is_recorded_as_a_delivery_by_its_channel(case, lado_officer, lado_manager):
    from outbox.delivery import deliveries_about
    from outbox.models import DeliveryChannel, DeliveryStatus, Message

    by_post = letters.letter_mark_sent(actor=lado_officer, letter=approved(case, lado_officer, lado_manager),
                                       sent_by=Letter.SentBy.POST)
    by_email = letters.letter_mark_sent(actor=lado_officer, letter=approved(case, lado_officer, lado_manager),
                                        sent_by=Letter.SentBy.EMAIL)
    [post] = deliveries_about(by_post)
    assert (post.channel, post.status, post.kind) == (DeliveryChannel.POST, DeliveryStatus.SENT, "letter_outcome_employer")
    assert post.sent_at == by_post.sent_at and post.created_by == lado_officer
    assert post.recipient == "" and post.address == ""  # the letter keeps who it is to; the delivery copies no name
    [email] = deliveries_about(by_email)
    assert (email.channel, email.status) == (DeliveryChannel.EMAIL, DeliveryStatus.SENT)
    # The officer sent it from their own mailbox: the product records it and sends nothing itself.
    assert not Message.objects.filter(handler="outbox.deliver", key=f"delivery:{email.pk}").exists()


def test_a_letter_sent_on_an_earlier_day_keeps_that_day(case, lado_officer, lado_manager):
    import datetime as dt

    from django.utils import timezone

    letter = approved(case, lado_officer, lado_manager)
    day = timezone.localdate() - dt.timedelta(days=3)
    letter = letters.letter_mark_sent(actor=lado_officer, letter=letter, sent_by=Letter.SentBy.HAND, sent_on=day)
    assert timezone.localtime(letter.sent_at).date() == day
    with pytest.raises(ValidationError):
        letters.letter_mark_sent(actor=lado_officer, letter=approved(case, lado_officer, lado_manager),
                                 sent_by=Letter.SentBy.POST, sent_on=timezone.localdate() + dt.timedelta(days=1))


def test_another_service_cannot_draft(case, other_officer):
    with pytest.raises(PermissionDenied):
        letters.letter_draft(actor=other_officer, case=case, kind=LetterKind.INVITATION, recipient="X")


def test_draft_edit_approve_and_send_through_the_pages(case, login, lado_officer, lado_manager):
    officer = login(lado_officer)
    url = reverse("allegations:case_letters", args=[case.reference])
    response = officer.post(url, {"kind": "outcome_employer", "recipient": ""})
    assert "Enter who the letter is to." in response.content.decode()
    response = officer.post(url, {"kind": "outcome_employer", "recipient": "The head teacher"})
    letter = Letter.objects.get(case=case)
    assert response.url == reverse("allegations:letter_detail", args=[case.reference, letter.pk])
    response = officer.post(response.url, {"recipient": "The head teacher", "subject": "Outcome",
                                           "body": "Dear head teacher,\n\nEdited words.", "audience": "employer"})
    assert response.status_code == 302
    assert officer.post(reverse("allegations:letter_approve", args=[case.reference, letter.pk])).status_code == 403
    manager = login(lado_manager)
    manager.post(reverse("allegations:letter_approve", args=[case.reference, letter.pk]))
    letter.refresh_from_db()
    assert letter.status == "approved" and "Edited words." in pdf_text(document_path(letter.pdf))
    detail = reverse("allegations:letter_detail", args=[case.reference, letter.pk])
    assert officer.post(detail, with_dates({"sent_by": "email", "sent_on": "2999-01-01"})).status_code == 200
    assert officer.post(detail, with_dates({"sent_by": "email", "sent_on": ""})).status_code == 302
    letter.refresh_from_db()
    assert letter.status == "sent" and letter.sent_by == "email"
    # The documents are listed on the case's documents page.
    page = officer.get(reverse("allegations:case_documents", args=[case.reference])).content.decode()
    assert "Outcome letter to the employer (PDF)" in page


def test_the_timeline_shows_a_letter_to_those_its_documents_are_for(case, login, lado_officer, lado_manager,
                                                                     agency_a_manager):
    for_employer = approved(case, lado_officer, lado_manager)
    letters.letter_draft(actor=lado_officer, case=case, kind=LetterKind.OUTCOME_PERSON, recipient="Alex Morgan")
    private = approved(case, lado_officer, lado_manager, audience=Audience.LADO, recipient="Alex Morgan")
    letters.letter_mark_sent(actor=lado_officer, letter=for_employer, sent_by=Letter.SentBy.EMAIL)
    url = reverse("allegations:case_timeline", args=[case.reference])
    officer_page = login(lado_officer).get(url).content.decode()
    assert "Outcome letter to the employer sent (e-mail)" in officer_page
    assert "Outcome letter to the person drafted" in officer_page
    employer_page = login(agency_a_manager).get(url).content.decode()
    assert "Outcome letter to the employer approved" in employer_page
    assert "Outcome letter to the employer sent (e-mail)" in employer_page
    assert "drafted" not in employer_page  # drafts stay with the LADO service
    # Two employer's letters were approved; the second, kept for the LADO service, is not shown to the employer.
    assert officer_page.count("Outcome letter to the employer approved") == 2
    assert employer_page.count("Outcome letter to the employer approved") == 1
    assert private.audience == Audience.LADO
