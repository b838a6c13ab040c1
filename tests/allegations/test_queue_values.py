"""The triage queue reads its rows as values and its filter sets share their filters (issue 19, target 3): what the
page shows, and what one request's filter set holds, stay what they were."""

from __future__ import annotations

import pytest

from allegations import selectors
from allegations.filters import TriageFilter
from allegations.models import Referral, Subject

pytestmark = pytest.mark.django_db


def test_a_row_read_as_values_names_an_unnamed_subject_and_the_officer(referral, lado_officer, lado_manager, login):
    Subject.objects.filter(pk=referral.subject_id).update(given_name="", family_name="",
                                                          described_as="the night porter")
    Referral.objects.filter(pk=referral.pk).update(assigned_to=lado_manager)
    html = login(lado_officer).get("/triage/").content.decode()
    assert "Not named: the night porter" in html
    officer = lado_manager.get_full_name() or lado_manager.username
    assert f'data-label="Officer">{officer}</td>' in html
    assert "Not assigned" not in html


def _names(filters) -> list[str]:
    return [str(label) for value, label in filters.form.fields["officer"].choices if value != ""]


def test_filter_sets_hold_their_own_officers_and_leave_the_shared_filters_alone(
        lado_officer, other_officer, lado_service, other_lado_service):
    ours = TriageFilter({"status": "open", "officer": str(other_officer.pk)}, queryset=Referral.objects.all(),
                        officers=selectors.lado_officers(service_ids=[lado_service.pk]))
    theirs = TriageFilter({"status": "open", "officer": str(other_officer.pk)}, queryset=Referral.objects.all(),
                          officers=selectors.lado_officers(service_ids=[other_lado_service.pk]))
    assert _names(ours) == [lado_officer.get_full_name() or lado_officer.username]
    assert _names(theirs) == [other_officer.get_full_name() or other_officer.username]
    # An officer of another service is no choice here: the filter is refused, not applied.
    assert not ours.form.is_valid() and "officer" in ours.form.errors
    assert theirs.form.is_valid()
    assert list(theirs.qs.values_list("pk", flat=True)) == []
    assert TriageFilter.base_filters["officer"].field.queryset is None  # never a request's officers
    # Each form has its own officer field; the fields no request changes are shared, not copied for each form.
    assert ours.form.fields["officer"] is not theirs.form.fields["officer"]
    assert ours.form.fields["status"] is theirs.form.fields["status"]
    assert [name for name, _ in ours.form.fields["status"].choices][:2] == ["open", "all"]


def test_the_officers_read_through_the_kept_read_are_the_selectors_rows_and_follow_each_change(
        lado_officer, lado_manager, other_officer, lado_service, other_lado_service):
    def selector_rows(service_ids):
        return list(selectors.lado_officers(service_ids=service_ids)
                    .values_list("pk", "first_name", "last_name", "username"))

    for service_ids in ([lado_service.pk], [other_lado_service.pk], {other_lado_service.pk, lado_service.pk}):
        rows = selectors.lado_officer_rows(service_ids=service_ids)
        assert rows == selector_rows(service_ids) and rows  # the same rows in the same order
    type(lado_manager).objects.filter(pk=lado_manager.pk).update(is_active=False)
    rows = selectors.lado_officer_rows(service_ids=[lado_service.pk])
    assert rows == selector_rows([lado_service.pk]) and lado_manager.pk not in [pk for pk, *_ in rows]
    # The filter's select lists these rows; the officers' queryset still checks a chosen officer.
    filters = TriageFilter({"status": "open"}, queryset=Referral.objects.all(),
                           officers=selectors.lado_officers(service_ids=[lado_service.pk]),
                           officer_rows=lambda: selectors.lado_officer_rows(service_ids=[lado_service.pk]))
    assert _names(filters) == [lado_officer.get_full_name() or lado_officer.username]
