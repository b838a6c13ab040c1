"""States differ by shape, not colour alone, in the browser as well as in the markup: a deadline met late has a
dashed border on white (not the plain grey of an open one), and an overdue one a heavy border and a "!"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page

from deadlines import services as deadlines
from deadlines.models import Deadline
from tests.browser.conftest import sign_in, visit

pytestmark = pytest.mark.browser


def _police_review(case, actor, days):
    return deadlines.deadline_open_on_date(
        actor=actor, referral=case.referral, kind=Deadline.Kind.POLICE_REVIEW, case=case,
        due_on=timezone.localdate() + dt.timedelta(days=days), anchor=timezone.now() - dt.timedelta(days=30),
        reason="test",
    )


def _style(page: Page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        """el => { const s = getComputedStyle(el), b = getComputedStyle(el, '::before');
                   return {border: s.borderTopStyle, background: s.backgroundColor, mark: b.content}; }""")


def test_met_late_is_dashed_and_overdue_is_marked(page: Page, case, lado_officer):
    with transaction.atomic():  # the services lock rows; the browser tests run outside a test transaction
        late = _police_review(case, lado_officer, -3)
        deadlines.deadline_meet_one(actor=lado_officer, deadline=late, met_at=timezone.now(), reason="done")
        _police_review(case, lado_officer, -1)  # overdue
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/")

    met_late = _style(page, ".app-deadline-list .app-deadline--met-late")
    assert met_late["border"] == "dashed" and met_late["background"] == "rgb(255, 255, 255)", met_late
    overdue = _style(page, ".app-deadline-list .app-deadline--overdue")
    assert overdue["border"] == "solid" and overdue["mark"] == '"!"', overdue
