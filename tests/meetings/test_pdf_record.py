"""The minutes PDF holds who came, who sent apologies and the actions agreed (with their owner and due date), at
the variant's level: the full minutes every agency's actions, a narrower copy only the recipient agency's, and a
redacted copy without the withheld passages anywhere. Read back with pdftotext."""

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from meetings import selectors, services
from tests.meetings.test_pdfs import (  # noqa: F401 — fixtures
    WITHHELD_PASSAGE,
    assert_absent_everywhere,
    employer_invite,
    flat,
    media_root,
    police_invite,
    rendered,
    strategy_meeting,
    version_of,
)

SCHOOL_ACTION = "Review the teacher's timetable; " + WITHHELD_PASSAGE + " by the end of term."
POLICE_ACTION = "Interview the pupil on video with an intermediary."


@pytest.fixture
def meeting_with_record(strategy_meeting, chair, lado_officer, employer_invite, police_invite, agency_a,
                        agency_a_manager, police_agency, police_user):
    paediatrician = services.invitation_add(actor=chair, meeting=strategy_meeting, access_level="safeguarding",
                                            name="Dr Lowri Penhallow", role="Community paediatrician")
    services.attendance_record(actor=chair, meeting=strategy_meeting, attendance={
        employer_invite.pk: "attended", police_invite.pk: "attended", paediatrician.pk: "apologies",
    })
    due = timezone.localdate() + dt.timedelta(days=10)
    services.action_create(actor=lado_officer, case=strategy_meeting.case, meeting=strategy_meeting,
                           description=SCHOOL_ACTION, agency=agency_a, assignee=agency_a_manager, due_on=due)
    services.action_create(actor=lado_officer, case=strategy_meeting.case, meeting=strategy_meeting,
                           description=POLICE_ACTION, agency=police_agency, assignee=police_user,
                           due_on=due + dt.timedelta(days=5))
    return strategy_meeting


def reading_text(data: bytes) -> str:
    """The PDF's text in reading order (a table's cells one after another, not side by side as -layout puts them)."""
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return flat(result.stdout.decode())


def _present_part(text: str) -> str:
    return text.split("Present", 1)[1].split("Apologies", 1)[0]


def _apologies_part(text: str) -> str:
    return text.split("Apologies", 1)[1].split("Actions agreed", 1)[0]


@pytest.mark.django_db
def test_the_full_pdf_lists_who_came_with_agency_and_role_apologies_and_every_action_with_owner_and_due_date(
    media_root, meeting_with_record, chair, employer_invite, police_invite, agency_a_manager, police_user
):
    version = version_of(meeting_with_record)
    data = rendered(services.minutes_pdf_request(actor=chair, version=version, variant="full",
                                                 recipient="The case file"))
    text = reading_text(data)

    present = _present_part(text)
    assert agency_a_manager.get_full_name() in present
    assert "Designated safeguarding lead" in present  # their job title in the agency they attend for
    assert "Riverside Primary" in present
    assert police_user.get_full_name() in present and "Testshire Police" in present
    apologies = _apologies_part(text)
    assert "Dr Lowri Penhallow, Community paediatrician" in apologies
    assert "Dr Lowri Penhallow" not in present
    actions = text.split("Actions agreed", 1)[1]
    assert SCHOOL_ACTION in actions and POLICE_ACTION in actions
    due = timezone.localdate() + dt.timedelta(days=10)
    assert (f"Owner: Riverside Primary ({agency_a_manager.get_full_name()}). Due by {due:%-d %B %Y}. Open."
            in actions)
    assert (f"Owner: Testshire Police ({police_user.get_full_name()}). "
            f"Due by {due + dt.timedelta(days=5):%-d %B %Y}. Open." in actions)


@pytest.mark.django_db
def test_an_employer_copy_holds_the_attendance_but_only_its_own_agencys_actions(
    media_root, meeting_with_record, chair, employer_invite
):
    version = version_of(meeting_with_record)
    data = rendered(services.minutes_pdf_request(actor=chair, version=version, variant="employer",
                                                 invitation=employer_invite))
    text = reading_text(data)

    assert "Dr Lowri Penhallow" in _apologies_part(text)
    assert SCHOOL_ACTION in text
    assert "only the actions of the agency it is prepared for" in text
    assert_absent_everywhere(data, POLICE_ACTION)


@pytest.mark.django_db
def test_a_copy_for_someone_outside_any_agency_holds_no_actions(media_root, meeting_with_record, chair):
    version = version_of(meeting_with_record)
    data = rendered(services.minutes_pdf_request(actor=chair, version=version, variant="safeguarding",
                                                 recipient="An independent reviewer"))
    text = reading_text(data)

    assert "No actions for this agency were agreed at this meeting." in text
    assert_absent_everywhere(data, POLICE_ACTION)
    assert_absent_everywhere(data, "Review the teacher's timetable")


@pytest.mark.django_db
def test_the_redacted_copy_withholds_the_passage_from_the_actions_too_and_hides_what_its_level_hides(
    media_root, meeting_with_record, chair, employer_invite
):
    version = version_of(meeting_with_record)
    services.withholding_add(actor=chair, version=version, text=WITHHELD_PASSAGE,
                             reason="The employer's own process is not for the subject.")
    data = rendered(services.minutes_pdf_request(actor=chair, version=version, variant="redacted",
                                                 invitation=employer_invite))
    text = reading_text(data)

    assert "Review the teacher's timetable; [withheld] by the end of term." in text
    assert "Dr Lowri Penhallow" in _apologies_part(text)
    assert_absent_everywhere(data, WITHHELD_PASSAGE)
    assert_absent_everywhere(data, POLICE_ACTION)
    assert_absent_everywhere(data, "Sam disclosed at school")


@pytest.mark.django_db
def test_a_meeting_without_actions_or_apologies_says_so(media_root, strategy_meeting, chair):
    data = rendered(services.minutes_pdf_request(actor=chair, version=version_of(strategy_meeting), variant="full",
                                                 recipient="The case file"))
    text = reading_text(data)

    assert "Apologies None." in text
    assert "No actions were agreed at this meeting." in text


@pytest.mark.django_db
def test_the_record_takes_three_queries_whatever_the_number_of_people_and_actions(
    meeting_with_record, chair, lado_officer, agency_a, django_assert_num_queries
):
    def count(queries):
        with django_assert_num_queries(queries):
            record = selectors.minutes_record(meeting=meeting_with_record, variant="full", invitation=None)
        return record

    first = count(3)
    for n in range(3):
        services.invitation_add(actor=chair, meeting=meeting_with_record, access_level="employer",
                                name=f"Extra person {n}", role="Observer")
        services.action_create(actor=lado_officer, case=meeting_with_record.case, meeting=meeting_with_record,
                               description=f"Extra action {n}", agency=agency_a,
                               due_on=timezone.localdate() + dt.timedelta(days=3))
    second = count(3)
    assert len(second.attendance) == len(first.attendance) + 3
    assert len(second.actions) == len(first.actions) + 3
