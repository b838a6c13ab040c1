"""The case list reads its rows as values (issue 19): what each row shows stays what it was, for every person: the
person named or not, the owner or a dash, the status with its outcome, and the open deadlines that person may count
(need to know: outside the LADO service, only the employer's)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from allegations.models import Case, Subject
from deadlines.models import Deadline
from tests.allegations.factories import make_case, make_referral
from tests.allegations.test_query_counts import close

pytestmark = pytest.mark.django_db


def _row(html: str, reference: str) -> dict[str, str]:
    """The cells of the row that links to ``reference``, by their data-label."""
    row = re.search(r'<tr class="govuk-table__row">\s*<td data-label="Reference"[^>]*><a class="govuk-link" '
                    rf'href="/cases/{re.escape(reference)}/">.*?</tr>', html, re.S)
    assert row, f"no row for {reference}"
    return {label: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for label, cell in re.findall(r'<td data-label="([^"]+)"[^>]*>(.*?)</td>', row.group(0), re.S)}


def _deadline(case, kind, **fields):
    now = timezone.now()
    return Deadline.objects.create(referral=case.referral, case=case, kind=kind, anchor_at=now,
                                   due_at=now + dt.timedelta(days=5), **fields)


def _unmet(case, kinds=None) -> int:
    deadlines = Deadline.objects.filter(case=case, met_at__isnull=True,
                                        status__in=[Deadline.Status.OPEN, Deadline.Status.OVERDUE])
    return (deadlines.filter(kind__in=kinds) if kinds is not None else deadlines).count()


def test_a_row_names_the_person_the_owner_the_status_and_the_open_deadlines(
        lado_officer, agency_a_manager, lado_service, agency_a, login):
    unnamed = make_case(officer=lado_officer, referral=make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a, subject_role="Night porter",
        employer_name="Riverside Primary"))
    Subject.objects.filter(pk=unnamed.referral.subject_id).update(given_name="", family_name="",
                                                                  described_as="the night porter")
    Case.objects.filter(pk=unnamed.pk).update(owner=None)
    _deadline(unnamed, "employer_action")
    _deadline(unnamed, "police_review")  # the safeguarding level's
    _deadline(unnamed, "suspension_review", status=Deadline.Status.OVERDUE)
    _deadline(unnamed, "disciplinary_hearing", met_at=timezone.now())  # met: not open
    _deadline(unnamed, "employer_action", status=Deadline.Status.WAIVED)  # waived: not open

    closed = close(make_case(officer=lado_officer, referral=make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Jo", family="Bloggs")),
        lado_officer)

    officer_html = login(lado_officer).get(reverse("allegations:case_list")).content.decode()
    row = _row(officer_html, unnamed.referral.reference)
    assert row["Person"] == "Not named: the night porter Night porter, Riverside Primary"
    assert row["Owner"] == "—"
    assert row["Status"] == "Open"
    assert row["Opened"]  # a date in words
    assert int(row["Open deadlines"]) == _unmet(unnamed) >= 3

    row = _row(officer_html, closed.referral.reference)
    assert row["Person"].startswith("Jo Bloggs ")
    assert row["Owner"] == (lado_officer.get_full_name() or lado_officer.username)
    assert row["Status"] == "Closed — unfounded"
    assert int(row["Open deadlines"]) == _unmet(closed)

    # The referring agency sees its own cases, and counts only the deadlines every viewer of a case may see.
    employer_kinds = ["employer_action", "disciplinary_hearing", "person_update", "suspension_review"]
    agency_html = login(agency_a_manager).get(reverse("allegations:case_list")).content.decode()
    row = _row(agency_html, unnamed.referral.reference)
    assert int(row["Open deadlines"]) == _unmet(unnamed, employer_kinds) == 2
    assert row["Owner"] == "—" and row["Person"].startswith("Not named: the night porter")


def test_paging_on_by_position_reads_the_same_rows_as_values(lado_officer, agency_a_manager, lado_service, agency_a,
                                                               login):
    cases = [make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                     agency=agency_a)) for _ in range(3)]
    client = login(lado_officer)
    first = max(cases, key=lambda c: (c.status, c.opened_at, c.pk))
    key = f"{first.status}.{(first.opened_at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)}.{first.pk}"
    html = client.get(reverse("allegations:case_list") + f"?after={key}").content.decode()
    shown = re.findall(r'href="/cases/(MAS-[^/"]+)/"', html)
    assert first.referral.reference not in shown
    assert sorted(shown) == sorted(c.referral.reference for c in cases if c.pk != first.pk)
