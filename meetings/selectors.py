"""Reads that take the user and go through visible_to. Outsiders get 404.

Who may do what with a meeting, in one place:

- the case's LADO service and the meeting's chair *manage* it (invitations, attendance,
  holding it, actions); the minute taker may also edit the minutes;
- only the chair approves and circulates the minutes;
- an invited agency sees the meeting, and of the minutes only what its access level
  allows (access_level_for), and only versions that have been circulated.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from agencies.models import LADO_ROLES, Membership, Role, widest_level
from agencies.permissions import provider_service_ids, standing
from allegations.models import Case

from .models import (
    AUDIENCES_FOR,
    AccessLevel,
    Action,
    ActionStatus,
    Attendance,
    Circulation,
    Invitation,
    GuestAccess,
    Meeting,
    MeetingStatus,
    MinutesPdf,
    MinutesVersion,
    PdfDownload,
    VARIANT_LEVEL,
)

# Roles that may mark their agency's action done (a viewer only reads).
ACTING_ROLES = frozenset(Role.values) - {Role.AGENCY_VIEWER, Role.ANALYST, Role.ADMINISTRATOR}


# --- Who may do what ------------------------------------------------------------------------

def is_case_lado(user, case: Case | None) -> bool:
    return case is not None and case.referral.lado_service_id in standing(user).lado_service_ids


def can_schedule(user, case: Case) -> bool:
    """The case's LADO service, or a chair (e.g. a social care team manager, 003 §27) who can see the case."""
    if is_case_lado(user, case):
        return True
    return Role.CHAIR in standing(user).roles and Case.objects.visible_to(user).filter(pk=case.pk).exists()


def is_concern_staff(user, meeting: Meeting) -> bool:
    """A provider concern's meeting: the service's staff and its adults' safeguarding managers and directors (001)."""
    if not meeting.provider_concern_id:
        return False
    return meeting.provider_concern.lado_service_id in provider_service_ids(user)


def can_manage(user, meeting: Meeting) -> bool:
    return meeting.chair_id == user.pk or is_case_lado(user, meeting.case) or is_concern_staff(user, meeting)


def can_edit_minutes(user, meeting: Meeting) -> bool:
    return can_manage(user, meeting) or (meeting.minute_taker_id is not None and meeting.minute_taker_id == user.pk)


def is_chair(user, meeting: Meeting) -> bool:
    return meeting.chair_id == user.pk


def can_manage_actions(user, case: Case) -> bool:
    """The case's LADO service and the chair of any of its meetings agree and cancel its actions."""
    return is_case_lado(user, case) or Meeting.objects.filter(case=case, chair=user).exists()


def can_complete(user, action: Action) -> bool:
    """The action's agency (not a viewer), or whoever manages the case's actions."""
    if action.agency_id in acting_agency_ids(user):
        return True
    return action.case is not None and can_manage_actions(user, action.case)


# --- Access levels and audiences ------------------------------------------------------------

widest = widest_level


def access_level_for(user, meeting: Meeting, invitations: list[Invitation]) -> str | None:
    """Which sections of the minutes this person may see.

    1. Whoever manages the meeting (the case's LADO service, the chair) and the minute taker: full.
    2. A person invited with their own account: the widest of their own invitations.
    3. Otherwise, invitations of one of their agencies not addressed to an account (the agency itself, or a
       person without an account who attends for it): the widest.
    4. Otherwise None, and no section: their agency was invited only through a colleague's own account
       (the meeting is shared with the agency's group), and a colleague's access is never passed on.
    """
    if can_edit_minutes(user, meeting):
        return AccessLevel.FULL
    own = [i.access_level for i in invitations if i.user_id == user.pk]
    if own:
        return widest(own)
    agency_ids = standing(user).agency_ids
    agency_wide = [i.access_level for i in invitations if i.user_id is None and i.agency_id in agency_ids]
    return widest(agency_wide)


def audiences_for(level: str | None) -> frozenset[str]:
    return AUDIENCES_FOR.get(level, frozenset()) if level else frozenset()


# --- Reads ------------------------------------------------------------------------------------

def meeting_get(*, user, pk: int) -> Meeting:
    try:
        return (
            Meeting.objects.visible_to(user)
            .select_related("case__referral__subject", "case__referral__lado_service", "case__referral__triage",
                            "case__referral__employer__commissioned_by", "case__referral__referring_agency",
                            "chair", "minute_taker", "minutes", "minutes_deadline", "provider_concern__provider")
            .get(pk=pk)
        )
    except Meeting.DoesNotExist:
        raise Http404("No meeting with that number") from None


def action_get(*, user, pk: int) -> Action:
    try:
        return (
            Action.objects.visible_to(user)
            .select_related("case__referral", "meeting", "agency", "assignee", "deadline")
            .get(pk=pk)
        )
    except Action.DoesNotExist:
        raise Http404("No action with that number") from None


def invitations_of(meeting: Meeting) -> list[Invitation]:
    """With each one's guest access, if any (one query)."""
    return list(meeting.invitations.select_related("agency", "user", "guest_access").order_by("invited_at", "pk"))


def own_invitation_ids(user, invitations: list[Invitation]) -> set[int]:
    """The invitations that are this person's: their own (a guest's included), and their agency's not addressed
    to an account (the agency itself, or a person without an account who attends for it). A colleague's own
    invitation is never theirs."""
    agency_ids = standing(user).agency_ids
    return {i.pk for i in invitations
            if i.user_id == user.pk or (i.user_id is None and i.agency_id is not None and i.agency_id in agency_ids)}


def versions_of(meeting: Meeting, *, user=None, invitations: list[Invitation] | None = None):
    """Approved versions, newest first. Given a person who cannot edit the minutes, only the versions circulated
    to their own invitation or their agency's (issue 12 §2): a version sent to the police alone is not the
    school's to read. Without a user: every version (whoever edits the minutes)."""
    versions = MinutesVersion.objects.filter(minutes__meeting=meeting).select_related("approved_by")
    if user is not None and not can_edit_minutes(user, meeting):
        invitations = invitations_of(meeting) if invitations is None else invitations
        mine = own_invitation_ids(user, invitations)
        versions = versions.filter(pk__in=Circulation.objects.filter(invitation_id__in=mine).values("version_id"))
    return versions.order_by("-number")


def version_get(*, meeting: Meeting, number: int, user=None, invitations: list[Invitation] | None = None) -> MinutesVersion:
    """A version the person may read (versions_of); 404 otherwise, whether it exists or not."""
    version = versions_of(meeting, user=user, invitations=invitations).filter(number=number).first()
    if version is None:
        raise Http404("No such version")
    return version


def circulations_of(meeting: Meeting):
    return (
        Circulation.objects.filter(version__minutes__meeting=meeting)
        .select_related("version", "sent_by", "invitation")
        .order_by("-sent_at", "pk")
    )


def chair_candidates(case: Case):
    """Officers of the case's LADO service, and anyone who holds the chair role in an agency."""
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(Q(memberships__agency_id=case.referral.lado_service_id, memberships__role__in=LADO_ROLES)
                | Q(memberships__role=Role.CHAIR, memberships__agency__is_active=True), memberships__system=False)
        .distinct().order_by("first_name", "last_name", "username")
    )


def minute_taker_candidates(case: Case):
    """People of the case's LADO service (business support included), and minute takers of any agency."""
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(Q(memberships__agency_id=case.referral.lado_service_id,
                  memberships__role__in=[r for r in Role.values if r not in (Role.ANALYST, Role.ADMINISTRATOR)])
                | Q(memberships__role=Role.MINUTE_TAKER, memberships__agency__is_active=True), memberships__system=False)
        .distinct().order_by("first_name", "last_name", "username")
    )


def people_to_invite():
    """People with an account who may be invited: anyone active with a role in an active agency."""
    return (
        get_user_model().objects.filter(is_active=True, memberships__agency__is_active=True, memberships__system=False,
                                        memberships__role__in=[r for r in Role.values if r not in (Role.ANALYST, Role.ADMINISTRATOR)])
        .distinct().order_by("first_name", "last_name", "username")
    )


# --- Actions ------------------------------------------------------------------------------------

def _action_rows():
    return Action.objects.select_related("case__referral", "meeting", "agency", "assignee")


def actions_for_agency(*, user, include_done: bool = False):
    """The user's agencies' actions: open ones, soonest (so overdue) first."""
    s = standing(user)
    actions = _action_rows().filter(agency_id__in=s.agency_ids)
    if not include_done:
        actions = actions.filter(status=ActionStatus.OPEN)
    return actions.order_by("due_on", "pk")


def late_agencies(actions, today: dt.date) -> list[tuple[str, int]]:
    """Agencies with overdue actions, the most overdue first (004 §3.12: holding agencies to account)."""
    late = Counter(a.agency.name for a in actions if a.is_overdue(today))
    return sorted(late.items(), key=lambda item: (-item[1], item[0]))


def visible_case_ids(user, case_ids) -> set[int]:
    return set(Case.objects.visible_to(user).filter(pk__in=set(case_ids)).values_list("pk", flat=True))


# --- The case page's meetings section ---------------------------------------------------------

@dataclass
class CaseMeetings:
    meetings: list
    actions: list
    late_agencies: list
    can_schedule: bool
    can_add_action: bool
    today: dt.date
    completable_ids: set = field(default_factory=set)
    cancellable_ids: set = field(default_factory=set)


def case_page_part(*, user, case: Case) -> dict:
    """The case page's meetings (allegations.pages, registered in apps.py)."""
    return meetings_context(case, user)


def case_overview_part(*, user, case: Case) -> dict:
    """The case overview's meetings (allegations.pages, registered in apps.py): the next meeting this person may see
    and the case's open actions they may see (meetings_context's rule), in two small queries. The overview shows
    only these, so it reads only the columns it shows: reading every meeting and action with their people, minutes
    and case was a large part of the overview's Python (issue 19)."""
    now = timezone.now()
    next_meeting, open_actions = _overview_bases()
    next_meeting = (
        next_meeting.visible_to(user)
        .filter(case_id=case.pk, scheduled_at__gte=now, held_at__isnull=True)
        .first()
    )
    actions = open_actions.filter(case_id=case.pk)
    if not is_case_lado(user, case):
        # As meetings_context: a chair of one of the case's meetings sees all its actions, anyone else their own
        # agencies' (a chair always sees the meetings they chair, so no visible_to is needed here).
        actions = actions.filter(Exists(Meeting.objects.filter(case=case, chair=user))
                                 | Q(agency_id__in=standing(user).agency_ids))
    return {"next_meeting": next_meeting, "open_actions": list(actions), "today": timezone.localdate()}


@functools.cache
def _overview_bases():
    """What case_overview_part's two queries share on every request (the columns, the order, not cancelled, open),
    resolved once per process; never evaluated themselves: each request filters a copy for its user and case."""
    return (
        Meeting.objects.exclude(status=MeetingStatus.CANCELLED)
        .only("id", "case_id", "kind", "scheduled_at", "status", "held_at").order_by("scheduled_at", "pk"),
        Action.objects.filter(status=ActionStatus.OPEN).select_related("agency")
        .only("id", "status", "due_on", "agency__name").order_by("due_on", "pk"),
    )


def meetings_context(case: Case, user) -> dict:
    """What templates/meetings/_case_meetings.html needs: two queries, whatever the number of rows."""
    manage = is_case_lado(user, case)
    meetings = list(
        Meeting.objects.visible_to(user).filter(case=case)
        .select_related("chair", "minutes")
        .annotate(invitation_count=Count("invitations", distinct=True))
        .order_by("scheduled_at", "pk")
    )
    chairs_here = any(m.chair_id == user.pk for m in meetings)
    actions = _action_rows().filter(case=case)
    if not (manage or chairs_here):
        actions = actions.filter(agency_id__in=standing(user).agency_ids)
    actions = list(actions.order_by("-status", "due_on", "pk"))  # open, then done, then cancelled
    today = timezone.localdate()
    open_actions = [a for a in actions if a.is_open and case.is_open]
    managing = manage or chairs_here
    if managing:
        completable = {a.pk for a in open_actions}
    elif open_actions:
        acting = acting_agency_ids(user)
        completable = {a.pk for a in open_actions if a.agency_id in acting}
    else:
        completable = set()
    return {
        "case_meetings": CaseMeetings(
            meetings=meetings,
            actions=actions,
            late_agencies=late_agencies(actions, today) if (manage or chairs_here) else [],
            can_schedule=case.is_open and (manage or Role.CHAIR in standing(user).roles),
            can_add_action=case.is_open and (manage or chairs_here),
            today=today,
            completable_ids=completable,
            cancellable_ids={a.pk for a in open_actions} if managing else set(),
        )
    }


def acting_agency_ids(user) -> set[int]:
    """The agencies whose actions this user may mark done (a role other than viewer)."""
    return set(
        Membership.objects.filter(user=user, role__in=ACTING_ROLES, agency__is_active=True).values_list("agency_id", flat=True)
    )


def _actions_of_meeting(meeting: Meeting, *, agency_ids=None):
    """The one rule for which of a meeting's actions someone sees: whoever manages the meeting (and the full
    minutes) every agency's (agency_ids None); anyone else their own agencies' only. The meeting page and the
    minutes PDF both read it."""
    actions = _action_rows().filter(meeting=meeting)
    if agency_ids is not None:
        actions = actions.filter(agency_id__in=agency_ids)
    return actions.order_by("-status", "due_on", "pk")


def meeting_actions(meeting: Meeting, user, *, manage: bool):
    return list(_actions_of_meeting(meeting, agency_ids=None if manage else standing(user).agency_ids))



# --- PDFs and guests ------------------------------------------------------------------------------

# Attendance in the order the minutes list it: present, apologies, did not come, not recorded.
_ATTENDANCE_ORDER = (Attendance.ATTENDED, Attendance.APOLOGIES, Attendance.ABSENT, Attendance.INVITED)


@dataclass
class MinutesRecord:
    """Who came and what was agreed, as a PDF of the minutes shows them (plain values, for meetings.pdf)."""

    attendance: list[dict]  # {"name", "agency", "role", "attendance", "attendance_label"}, in _ATTENDANCE_ORDER
    actions: list[dict]  # {"description", "agency", "owner", "due_on", "status_label"}
    all_actions: bool  # every agency's actions, or only the recipient's agency's


def minutes_record(*, meeting: Meeting, variant: str, invitation: Invitation | None) -> MinutesRecord:
    """The attendance, apologies and actions a PDF at this variant holds, for this recipient: three queries.

    Who was invited and whether they came is shown to everyone who sees the meeting (as on its page). The actions
    follow the meeting page's rule (_actions_of_meeting): the full minutes hold every agency's; a narrower level
    only the actions of the recipient's own agency (none when the PDF is for someone outside any agency)."""
    invitations = invitations_of(meeting)
    user_ids = {i.user_id for i in invitations if i.user_id}
    titles = {}
    if user_ids:
        for user_id, agency_id, title in Membership.objects.filter(user_id__in=user_ids).exclude(job_title="").values_list(
                "user_id", "agency_id", "job_title").order_by("pk"):
            titles.setdefault((user_id, agency_id), title)
    rank = {value: n for n, value in enumerate(_ATTENDANCE_ORDER)}
    attendance = [
        {"name": i.display_name, "agency": i.agency.name if i.agency_id and i.display_name != i.agency.name else "",
         "role": i.role or titles.get((i.user_id, i.agency_id), ""), "attendance": i.attendance,
         "attendance_label": i.get_attendance_display()}
        for i in sorted(invitations, key=lambda i: (rank.get(i.attendance, len(rank)), i.invited_at, i.pk))
    ]
    all_actions = VARIANT_LEVEL[variant] == AccessLevel.FULL
    agency_ids = None
    if not all_actions:
        agency_ids = {invitation.agency_id} if invitation is not None and invitation.agency_id else set()
    actions = [
        {"description": a.description, "agency": a.agency.name, "owner": a.assignee_display, "due_on": a.due_on,
         "status_label": a.get_status_display()}
        for a in _actions_of_meeting(meeting, agency_ids=agency_ids).exclude(status=ActionStatus.CANCELLED)
    ] if agency_ids is None or agency_ids else []
    return MinutesRecord(attendance=attendance, actions=actions, all_actions=all_actions)


def pdfs_of(version: MinutesVersion):
    """A version's PDFs, newest first, with their download counts: two queries whatever the number of rows."""
    return (
        MinutesPdf.objects.filter(version=version).select_related("requested_by", "invitation")
        .annotate(download_count=Count("downloads")).order_by("-requested_at", "-pk")
    )


def pdf_get(*, user, meeting: Meeting, pk: int) -> MinutesPdf:
    """A PDF of this meeting the user may have: any, for whoever manages the meeting; otherwise only their own,
    and only while their access still covers every section in it. 404 for anything else (another meeting's PDF
    number included)."""
    pdf = (
        MinutesPdf.objects.filter(pk=pk, version__minutes__meeting=meeting)
        .select_related("version__minutes", "requested_by", "invitation").first()
    )
    if pdf is None:
        raise Http404("No such PDF")
    if can_manage(user, meeting):
        return pdf
    invitations = invitations_of(meeting)
    level = access_level_for(user, meeting, invitations)
    if pdf.requested_by_id != user.pk or level is None or not AUDIENCES_FOR[VARIANT_LEVEL[pdf.variant]] <= audiences_for(level):
        raise Http404("No such PDF")
    # And only of a version circulated to them (issue 12 §2), as the version's page.
    if not versions_of(meeting, user=user, invitations=invitations).filter(pk=pdf.version_id).exists():
        raise Http404("No such PDF")
    return pdf


def downloads_of(pdf: MinutesPdf):
    return PdfDownload.objects.filter(pdf=pdf).select_related("user").order_by("-at", "-pk")


def guest_access_of(user) -> GuestAccess | None:
    """The guest access of a person with no role, if it has not expired."""
    if not getattr(user, "is_authenticated", False) or standing(user).roles:
        return None
    return GuestAccess.objects.filter(user=user, expires_at__gt=timezone.now()).select_related("meeting").first()


def guest_home(user) -> str | None:
    """The home page of a person with no role (agencies.home): their one meeting, while the access lasts."""
    guest = guest_access_of(user)
    return reverse("meetings:meeting_detail", args=[guest.meeting_id]) if guest is not None else None


def guests_of(invitations: list[Invitation]) -> dict[int, GuestAccess]:
    """Guest accesses by invitation id, from invitations_of() (no query)."""
    guests = {}
    for invitation in invitations:
        guest = getattr(invitation, "guest_access", None)
        if guest is not None:
            guests[invitation.pk] = guest
    return guests


def meeting_list(*, user):
    """The meetings a user may see: to be held first (soonest first), then held ones, newest first."""
    from django.db.models import Case as SqlCase
    from django.db.models import F, Value, When

    return (
        Meeting.objects.visible_to(user)
        .select_related("case__referral", "chair", "minutes")
        .alias(upcoming=SqlCase(When(status=MeetingStatus.SCHEDULED, then=Value(0)), default=Value(1)),
               upcoming_at=SqlCase(When(status=MeetingStatus.SCHEDULED, then=F("scheduled_at"))))
        .order_by("upcoming", F("upcoming_at").asc(nulls_last=True), "-scheduled_at", "-pk")
    )
