"""Chasing an assurance round's due date: each agency that has not submitted is reminded a few days before
the date its answers are due, and told once it is overdue; the business unit's analysts hear once which
agencies are overdue. Run by Celery beat (assurance.tasks.chase_rounds), like the statutory clock's sweep
(deadlines.chasing): a bounded batch, each request claimed under a row lock (SKIP LOCKED), its mark and its
notices (inbox entry and e-mail, agencies.notifications.notice_once) written in one transaction, so a stage is
sent once however often the sweep runs.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from agencies.notifications import notice_once
from allegations.services import save_with_history
from config.jinja2 import govuk_date

from .models import REMIND_DAYS_BEFORE, Request, RoundStatus
from .services import _senior_managers


def _open_requests():
    return Request.objects.filter(round__status=RoundStatus.SENT, sent_at__isnull=False, answered_at__isnull=True)


def sweep(*, today: dt.date | None = None, batch: int = 200) -> dict[str, int]:
    """Send what is due: reminders (due within REMIND_DAYS_BEFORE days), then overdue notices (due date passed)."""
    today = today or timezone.localdate()
    sent = {"reminders": 0, "overdue": 0}
    with transaction.atomic():
        claimed = list(
            _open_requests().filter(reminder_sent_at__isnull=True, overdue_sent_at__isnull=True,
                                    round__due_on__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
                                    round__due_on__gte=today)
            .select_related("round", "agency").select_for_update(of=("self",), skip_locked=True)
            .order_by("round__due_on", "pk")[:batch])
        for request in claimed:
            _tell_agency(request, stage="reminder",
                         title=f"Reminder: assurance questionnaire for {request.agency.name} due "
                               f"{request.round.due_on:%-d %B %Y}")
            request.reminder_sent_at = timezone.now()
            save_with_history(request, actor=None, reason="Reminder sent: answers due soon")
            sent["reminders"] += 1
    with transaction.atomic():
        claimed = list(
            _open_requests().filter(overdue_sent_at__isnull=True, round__due_on__lt=today)
            .select_related("round", "agency").select_for_update(of=("self",), skip_locked=True)
            .order_by("round__due_on", "pk")[:batch])
        for request in claimed:
            _tell_agency(request, stage="overdue",
                         title=f"Overdue: assurance questionnaire for {request.agency.name} was due "
                               f"{request.round.due_on:%-d %B %Y}")
            _tell_business_unit(request)
            request.overdue_sent_at = timezone.now()
            save_with_history(request, actor=None, reason="Overdue: the agency and the business unit told")
            sent["overdue"] += 1
    return sent


def _tell_agency(request: Request, *, stage: str, title: str) -> None:
    link = reverse("assurance:request_answer", args=[request.pk])
    for user in _senior_managers(request.agency_id):
        notice_once(user=user, title=title, link=link, key=f"assurance-{stage}:{request.pk}",
                    email_template="assurance/email/chase",
                    context={"due_on": govuk_date(request.round.due_on), "agency": request.agency.name,
                             "overdue": stage == "overdue"})


def _tell_business_unit(request: Request) -> None:
    """The round's author and the analysts of its agency: which agency has not answered by the due date."""
    round_ = request.round
    users = {round_.created_by_id: round_.created_by}
    agency_ids = round_.created_by.memberships.values("agency_id")
    for user in get_user_model().objects.filter(memberships__agency_id__in=agency_ids,
                                                memberships__role=Role.ANALYST, memberships__system=False,
                                                is_active=True).distinct():
        users[user.pk] = user
    link = reverse("assurance:round_detail", args=[round_.pk])
    for user in users.values():
        if not user.is_active:
            continue
        notice_once(user=user, title=f"{request.agency.name} has not answered {round_.title} (due "
                                     f"{round_.due_on:%-d %B %Y})",
                    link=link, key=f"assurance-overdue-unit:{request.pk}", email_template="assurance/email/chase-unit",
                    context={"due_on": govuk_date(round_.due_on), "agency": request.agency.name,
                             "round": round_.title})
