"""Thin views: fetch through a selector (404 for what the user may not see), bind a form, call one
service, redirect. 403 only for an action on something they can see."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST

from agencies.access import CASE_ROLES, role_required
from agencies.models import Agency
from agencies.permissions import standing
from allegations import selectors as case_selectors
from allegations.models import AccessLog, Case, Route
from allegations.pages import OUR_ACTIONS, page_parts
from config.forms import apply_service_errors as _apply_service_errors
from deadlines.wording import deadline_clock
from outbox.submissions import AlreadySubmitted
from records import services as record_services
from records.selectors import documents_context

from . import deliveries, forms, selectors, services
from .agendas import audience_labels
from .tokens import guest_link_tokens
from .models import (
    AccessLevel,
    GuestAccess,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PdfDownload,
    PdfVariant,
)

PAGE_SIZE = 25



def _data(request):
    """The posted data, or None for a GET. (`request.POST or None` would leave a form posted with every
    checkbox unticked unbound, and silently do nothing.)"""
    return request.POST if request.method == "POST" else None


def _form_page(request, form, *, title, caption, back, submit="Save", status=200, **extra):
    return render(request, "allegations/form_page.html", {
        "form": form, "title": title, "caption": caption, "back": back, "submit": submit, **extra,
    }, status=status)


def _meeting(request, pk) -> Meeting:
    return selectors.meeting_get(user=request.user, pk=pk)


def _minutes_of(meeting: Meeting):
    """The meeting's minutes; a meeting imported from a legacy system has none in the product (404)."""
    minutes = getattr(meeting, "minutes", None)
    if minutes is None:
        raise Http404("The minutes of this meeting are not held in the product.")
    return minutes


def _managed_meeting(request, pk) -> Meeting:
    meeting = _meeting(request, pk)
    if not selectors.can_manage(request.user, meeting):
        raise PermissionDenied
    return meeting


def _detail_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def _caption(meeting: Meeting) -> str:
    reference = f"Case {meeting.case.referral.reference} · " if meeting.case_id else ""
    return f"{reference}{meeting}"


def _record_read(user, meeting: Meeting, what: str) -> None:
    """Reading minutes is recorded, like opening a case (STYLE.md, 003 §47); a meeting without a case (and
    opening the minutes to edit them) in records.ViewLog."""
    if meeting.case_id and what != "minutes_edit":
        AccessLog.objects.create(user=user, referral=meeting.case.referral, case=meeting.case, what=what)
    else:
        record_services.view_record(user=user, what=what, meeting=meeting)


# --- Scheduling ---------------------------------------------------------------------------------

def _default_kind(case: Case) -> str:
    if case.route == Route.STRATEGY_DISCUSSION and not case.meetings.exists():
        return MeetingKind.STRATEGY_DISCUSSION
    return MeetingKind.REVIEW if case.meetings.exclude(status=MeetingStatus.CANCELLED).exists() else MeetingKind.INITIAL


@require_http_methods(["GET", "POST"])
def meeting_schedule(request, reference):
    case = case_selectors.case_get(user=request.user, reference=reference)
    if not selectors.can_schedule(request.user, case):
        raise PermissionDenied
    chairs = selectors.chair_candidates(case)
    form = forms.MeetingScheduleForm(
        _data(request), chairs=chairs, minute_takers=selectors.minute_taker_candidates(case),
        initial={"kind": _default_kind(case), "chaired_by_service": True,
                 "chair": request.user.pk if chairs.filter(pk=request.user.pk).exists() else None},
    )
    if not case.is_open and request.method == "POST":
        form.add_error(None, "This case is closed.")
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(actor=request.user, case=case, **form.cleaned_data)
        except AlreadySubmitted as already:
            messages.info(request, "This meeting was already scheduled: it was saved once, and here it is.")
            return redirect(already.url or reverse("allegations:case_detail", args=[reference]))
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Meeting scheduled. Invite the people who should attend.")
            return redirect(_detail_url(meeting))
    return _form_page(request, form, title="Schedule a meeting", caption=f"Case {case.reference}",
                      back=reverse("allegations:case_meetings", args=[reference]), submit="Schedule meeting")


# --- The meeting page -----------------------------------------------------------------------------

def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    user = request.user
    manage = selectors.can_manage(user, meeting)
    edit = selectors.can_edit_minutes(user, meeting)
    invitations = selectors.invitations_of(meeting)
    level = selectors.access_level_for(user, meeting, invitations)
    audiences = selectors.audiences_for(level)
    minutes = getattr(meeting, "minutes", None)  # None for a meeting imported from a legacy system
    edit = edit and minutes is not None
    _record_read(user, meeting, "meeting")
    context = {
        "meeting": meeting, "case": meeting.case, "minutes": minutes, "invitations": invitations,
        "manage": manage, "edit": edit, "chair": selectors.is_chair(user, meeting),
        "level": level, "level_label": AccessLevel(level).label if level else "",
        "audience_labels": audience_labels(meeting),
        "actions": selectors.meeting_actions(meeting, user, manage=manage),
        "today": timezone.localdate(),
        "clock": deadline_clock(meeting.minutes_deadline, timezone.now()),
    }
    if edit:
        context["sections"] = list(minutes.sections.all())
        context["versions"] = list(selectors.versions_of(meeting))
        context["circulations"] = list(selectors.circulations_of(meeting)) if manage else []
        context["circulation_states"] = deliveries.circulation_states(context["circulations"])
        context["incomplete"] = services.incomplete_sections(minutes, context["sections"])
    else:
        versions = list(selectors.versions_of(meeting, user=user, invitations=invitations))
        context["versions"] = versions
        context["can_have_pdf"] = bool(versions and level)
        context["shown"] = versions[0].sections_for(audiences) if versions else []
        context["shown_version"] = versions[0] if versions else None
    if manage:  # who was sent the invitation (and its changes), by which channel, and what became of it
        context["invitation_deliveries"] = deliveries.deliveries_by_invitation(invitations)
        context["unsent"] = sum(1 for i in invitations if i.pk not in context["invitation_deliveries"])
    context["can_grant_guest"] = services.can_grant_guest(user, meeting) and not meeting.is_cancelled
    context["guests"] = selectors.guests_of(invitations) if manage or context["can_grant_guest"] else {}
    context["now"] = timezone.now()
    if manage and not meeting.is_cancelled:
        context["suggestions"] = services.meeting_suggestions(meeting, invitations=invitations)
    context["case_visible"] = edit or (
        meeting.case_id is not None and Case.objects.visible_to(user).filter(pk=meeting.case_id).exists()
    )
    if meeting.case_id and context["case_visible"]:
        context["person_views"] = _person_views(user, meeting)
    context["late_agencies"] = selectors.late_agencies(context["actions"], context["today"]) if manage else []
    context.update(documents_context(user, meeting=meeting))
    return render(request, "meetings/meeting_detail.html", context)


def _person_views(user, meeting: Meeting) -> list:
    """The meeting's papers: the person's views recorded since the case's previous meeting (002 §14: the person does
    not attend; their views are conveyed to the meeting), those this user may see (allegations' need to know)."""
    previous = (meeting.case.meetings.exclude(pk=meeting.pk).exclude(status=MeetingStatus.CANCELLED)
                .filter(scheduled_at__lt=meeting.scheduled_at).order_by("-scheduled_at").first())
    after = (previous.held_at or previous.scheduled_at) if previous else None
    until = meeting.held_at or max(meeting.scheduled_at, timezone.now())
    return case_selectors.person_views_between(user, meeting.case, after=after, until=until)


def minutes_version(request, pk, number):
    meeting = _meeting(request, pk)
    user = request.user
    edit = selectors.can_edit_minutes(user, meeting)
    invitations = selectors.invitations_of(meeting)
    version = selectors.version_get(meeting=meeting, number=number, user=user, invitations=invitations)
    level = selectors.access_level_for(user, meeting, invitations)
    _record_read(user, meeting, "minutes")
    latest = meeting.minutes.version
    manage = selectors.can_manage(user, meeting)
    chair = selectors.is_chair(user, meeting)
    context = {
        "meeting": meeting, "version": version, "sections": version.sections_for(selectors.audiences_for(level)),
        "level_label": AccessLevel(level).label if level else "", "audience_labels": audience_labels(meeting),
        "is_latest": version.number == latest, "minutes": meeting.minutes, "manage": manage, "chair": chair,
        "level": level,
    }
    if manage:
        context["pdfs"] = list(selectors.pdfs_of(version))
        context["withholdings"] = list(meeting.minutes.withholdings.select_related("created_by").order_by("created_at", "pk"))
    else:
        context["my_pdfs"] = list(selectors.pdfs_of(version).filter(requested_by=user, variant=level)) if level else []
    return render(request, "meetings/minutes_version.html", context)


# --- Invitations ------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def invitation_create(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.InvitationForm(_data(request), agencies=Agency.objects.filter(is_active=True),
                                people=selectors.people_to_invite())
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Invitation added.")
            return redirect(_detail_url(meeting))
    return _form_page(request, form, title="Invite someone", caption=_caption(meeting), back=_detail_url(meeting),
                      submit="Invite")


@require_POST
def invitation_suggested(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.SuggestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a suggestion from the list.")
        return redirect(_detail_url(meeting))
    try:
        invitation = services.invitation_add_suggested(actor=request.user, meeting=meeting, key=form.cleaned_data["key"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{invitation.display_name} invited.")
    return redirect(_detail_url(meeting))


def _invitation(meeting: Meeting, invitation_pk: int) -> Invitation:
    invitation = meeting.invitations.select_related("agency", "user").filter(pk=invitation_pk).first()
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


@require_http_methods(["GET", "POST"])
def invitation_edit(request, pk, invitation_pk):
    meeting = _managed_meeting(request, pk)
    invitation = _invitation(meeting, invitation_pk)
    form = forms.InvitationEditForm(_data(request), initial={
        "access_level": invitation.access_level, "name": invitation.name, "role": invitation.role, "email": invitation.email,
    })
    if invitation.user_id or invitation.agency_id:
        form.fields["name"].label = "Name (optional)"
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_update(actor=request.user, invitation=invitation, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Invitation changed.")
            return redirect(_detail_url(meeting))
    return _form_page(request, form, title=f"Change the invitation: {invitation.display_name}", caption=_caption(meeting),
                      back=_detail_url(meeting))


@require_POST
def invitation_remove(request, pk, invitation_pk):
    meeting = _managed_meeting(request, pk)
    invitation = _invitation(meeting, invitation_pk)
    services.invitation_remove(actor=request.user, invitation=invitation)
    messages.success(request, f"{invitation.display_name} is no longer invited.")
    return redirect(_detail_url(meeting))


@require_http_methods(["GET", "POST"])
def attendance(request, pk):
    meeting = _managed_meeting(request, pk)
    invitations = selectors.invitations_of(meeting)
    form = forms.AttendanceForm(_data(request), invitations=invitations)
    if not invitations and request.method == "POST":
        form.add_error(None, "Invite people before recording attendance.")
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(actor=request.user, meeting=meeting, attendance=form.attendance())
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Attendance recorded.")
            return redirect(_detail_url(meeting))
    return _form_page(request, form, title="Record attendance and apologies", caption=_caption(meeting),
                      back=_detail_url(meeting))


@require_http_methods(["GET", "POST"])
def meeting_hold(request, pk):
    meeting = _managed_meeting(request, pk)
    invitations = selectors.invitations_of(meeting)
    initial = {"held_at": meeting.scheduled_at if meeting.scheduled_at <= timezone.now() else None}
    initial.update({f"attendance_{i.pk}": i.attendance for i in invitations if i.attendance != "invited"})
    form = forms.HoldForm(_data(request), invitations=invitations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_hold(actor=request.user, meeting=meeting, held_at=form.cleaned_data["held_at"],
                                  attendance=form.attendance())
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Meeting recorded as held. The minutes are now due.")
            return redirect(_detail_url(meeting))
    return _form_page(request, form, title="Record that the meeting was held", caption=_caption(meeting),
                      back=_detail_url(meeting), submit="Save")


@require_POST
def invitations_send(request, pk):
    meeting = _managed_meeting(request, pk)
    try:
        made = services.invitations_send(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        people = len({(d.user_id, d.address) for d in made})
        messages.success(request, f"Invitations sent to {people} {'person' if people == 1 else 'people'}, each with a "
                                  "calendar file. Whether each one arrived shows below.")
    return redirect(_detail_url(meeting) + "#invitees")


@require_http_methods(["GET", "POST"])
def meeting_reschedule(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.RescheduleForm(_data(request), initial={
        "scheduled_at": meeting.scheduled_at, "location": meeting.location, "online_link": meeting.online_link})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_reschedule(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Meeting changed. Everyone already sent the invitation is sent the change.")
            return redirect(_detail_url(meeting))
    return _form_page(request, form, title="Change the date, time or place", caption=_caption(meeting),
                      back=_detail_url(meeting), submit="Save and tell the invitees")


def _chaired_circulation(request, pk, circulation_pk):
    """The meeting and one of its circulations, for its chair only."""
    meeting = _meeting(request, pk)
    if not selectors.is_chair(request.user, meeting):
        raise PermissionDenied
    circulation = selectors.circulations_of(meeting).filter(pk=circulation_pk).first()
    if circulation is None:
        raise Http404("No such circulation")
    return meeting, circulation


@require_http_methods(["GET", "POST"])
def circulation_unreached(request, pk, circulation_pk):
    meeting, circulation = _chaired_circulation(request, pk, circulation_pk)
    form = forms.UnreachedForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.circulation_unreached(actor=request.user, circulation=circulation, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Recorded. The minutes deadline no longer waits for them.")
            return redirect(_detail_url(meeting) + "#circulation")
    return _form_page(request, form, title=f"Why could {circulation.recipient} not be reached?",
                      caption=f"{_caption(meeting)} · minutes version {circulation.version.number}",
                      back=_detail_url(meeting) + "#circulation", submit="Save")


@require_POST
def circulation_send_again(request, pk, circulation_pk):
    meeting, circulation = _chaired_circulation(request, pk, circulation_pk)
    try:
        made = services.minutes_send_again(actor=request.user, circulation=circulation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The minutes are being sent again to {circulation.recipient}: "
                                  f"{len(made)} {'e-mail' if len(made) == 1 else 'e-mails'}. What becomes of "
                                  f"{'it' if len(made) == 1 else 'them'} shows here.")
    return redirect(_detail_url(meeting) + "#circulation")


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.CancelForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Meeting cancelled.")
            return redirect(_detail_url(meeting))
    return _form_page(request, form, title="Cancel the meeting", caption=_caption(meeting), back=_detail_url(meeting),
                      submit="Cancel meeting")


# --- Minutes ----------------------------------------------------------------------------------------

def _section_field(name: str) -> str:
    return name if name in ("revision", "__all__") else f"{name}-body"


@require_http_methods(["GET", "POST"])
def minutes_edit(request, pk):
    meeting = _meeting(request, pk)
    if not selectors.can_edit_minutes(request.user, meeting):
        raise PermissionDenied
    minutes = _minutes_of(meeting)
    sections = list(minutes.sections.all())
    theirs: dict[str, str] = {}
    if request.method == "POST":
        form = forms.MinutesForm(request.POST, sections=sections)
        if form.is_valid():
            try:
                services.minutes_save(actor=request.user, minutes=minutes, revision=form.cleaned_data["revision"],
                                      sections=form.section_data())
            except services.MinutesConflict as error:
                # Keep the typed text; show what the other person saved; carry the current revision, so that
                # saving again is a deliberate choice to keep this text.
                minutes.refresh_from_db()
                current = {s.key: s for s in minutes.sections.all()}
                data = request.POST.copy()
                data["revision"] = str(minutes.revision)
                form = forms.MinutesForm(data, sections=sections)
                form.is_valid()
                submitted = form.section_data()
                theirs = {key: s.body for key, s in current.items()
                          if key in submitted and s.body != (submitted[key]["body"] or "").replace("\r\n", "\n").strip()}
                form.add_error(None, error.messages[0])
            except ValidationError as error:
                _apply_service_errors(form, error, _section_field)
            else:
                messages.success(request, "Minutes saved.")
                return redirect(_detail_url(meeting))
    else:
        form = forms.MinutesForm(initial={"revision": minutes.revision}, sections=sections)
        _record_read(request.user, meeting, "minutes_edit")
    return render(request, "meetings/minutes_edit.html", {
        "meeting": meeting, "minutes": minutes, "form": form, "theirs": theirs, "audience_labels": audience_labels(meeting),
    })


@require_http_methods(["GET", "POST"])
def minutes_approve(request, pk):
    meeting = _meeting(request, pk)
    if not selectors.is_chair(request.user, meeting):
        raise PermissionDenied
    minutes = meeting.minutes
    form = forms.ApproveForm(_data(request), initial={"revision": minutes.revision})
    problems: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        try:
            version = services.minutes_approve(actor=request.user, minutes=minutes, revision=form.cleaned_data["revision"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                problems = {key: " ".join(errs[0].messages) for key, errs in error.error_dict.items()}
            else:
                form.add_error(None, error)
        else:
            messages.success(request, f"Minutes approved as version {version.number}.")
            return redirect(_detail_url(meeting))
    sections = list(minutes.sections.all())
    if request.method == "GET":
        problems = services.incomplete_sections(minutes, sections)
    return render(request, "meetings/minutes_approve.html", {
        "meeting": meeting, "minutes": minutes, "sections": sections, "form": form, "problems": problems,
        "audience_labels": audience_labels(meeting),
        "unapproved": minutes.status == "draft",
    })


@require_http_methods(["GET", "POST"])
def minutes_circulate(request, pk):
    meeting = _meeting(request, pk)
    if not selectors.is_chair(request.user, meeting):
        raise PermissionDenied
    minutes = meeting.minutes
    invitations = selectors.invitations_of(meeting)
    latest = minutes.versions.filter(number=minutes.version).first()
    received = set(latest.circulations.values_list("invitation_id", flat=True)) if latest else set()
    form = forms.CirculateForm(_data(request), invitations=invitations, received_ids=received)
    if latest is None:
        form.add_error(None, "Approve the minutes before circulating them.") if request.method == "POST" else None
    if request.method == "POST" and form.is_valid():
        try:
            made = services.minutes_circulate(actor=request.user, minutes=minutes, invitations=form.chosen())
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"Version {latest.number} sent to {len(made)} {'person' if len(made) == 1 else 'people'}.")
            return redirect(_detail_url(meeting))
    title = f"Circulate version {latest.number} of the minutes" if latest else "Circulate the minutes"
    return _form_page(request, form, title=title, caption=_caption(meeting), back=_detail_url(meeting),
                      submit="Send the minutes")


# --- Actions ----------------------------------------------------------------------------------------

def _action_agencies():
    return Agency.objects.filter(is_active=True)


@require_http_methods(["GET", "POST"])
def action_create(request, reference):
    case = case_selectors.case_get(user=request.user, reference=reference)
    if not selectors.can_manage_actions(request.user, case):
        raise PermissionDenied
    meetings = list(case.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("scheduled_at"))
    form = forms.ActionForm(_data(request), agencies=_action_agencies(), meetings=meetings)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("meeting", None)
        try:
            services.action_create(actor=request.user, case=case, meeting=form.chosen_meeting(), **data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Action recorded.")
            return redirect(reverse("allegations:case_actions", args=[reference]))
    return _form_page(request, form, title="Record an action", caption=f"Case {case.reference}",
                      back=reverse("allegations:case_actions", args=[reference]), submit="Save action")


@require_http_methods(["GET", "POST"])
def meeting_action_create(request, pk):
    meeting = _meeting(request, pk)
    if meeting.case is None or not selectors.can_manage_actions(request.user, meeting.case):
        raise PermissionDenied
    form = forms.ActionForm(_data(request), agencies=_action_agencies())
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(actor=request.user, case=meeting.case, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Action recorded.")
            return redirect(_detail_url(meeting) + "#actions")
    return _form_page(request, form, title="Record an action agreed at this meeting", caption=_caption(meeting),
                      back=_detail_url(meeting), submit="Save action")


@role_required(lambda user: bool(standing(user).agency_ids), *CASE_ROLES)
def action_list(request):
    """Our actions: the open actions of the user's agencies, overdue ones first (004 §3.12)."""
    page = Paginator(selectors.actions_for_agency(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    visible = selectors.visible_case_ids(request.user, [a.case_id for a in rows if a.case_id])
    today = timezone.localdate()
    return render(request, "meetings/action_list.html", {
        "page": page, "rows": rows, "visible_case_ids": visible, "today": today,
        "acting_agency_ids": selectors.acting_agency_ids(request.user),
        "overdue": sum(1 for a in rows if a.is_overdue(today)),
        **page_parts(OUR_ACTIONS, user=request.user),  # the apps above add theirs (providers: plan items)
    })


def _after_action(request, action):
    if action.agency_id in standing(request.user).agency_ids and not selectors.is_case_lado(request.user, action.case):
        return redirect("meetings:action_list")
    if action.case_id:
        return redirect(reverse("allegations:case_actions", args=[action.case.referral.reference]))
    return redirect("meetings:action_list")


@require_http_methods(["GET", "POST"])
def action_complete(request, pk):
    action = selectors.action_get(user=request.user, pk=pk)
    if not selectors.can_complete(request.user, action):
        raise PermissionDenied
    form = forms.ActionCompleteForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_complete(actor=request.user, action=action, evidence=form.cleaned_data["evidence"])
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Action marked as done.")
            return _after_action(request, action)
    return _form_page(request, form, title="Mark the action as done", caption=action.description[:120],
                      back=reverse("meetings:action_list") if action.agency_id in standing(request.user).agency_ids
                      else reverse("allegations:case_actions", args=[action.case.referral.reference]),
                      submit="Mark as done")


@require_http_methods(["GET", "POST"])
def action_cancel(request, pk):
    action = selectors.action_get(user=request.user, pk=pk)
    if action.case is None or not selectors.can_manage_actions(request.user, action.case):
        raise PermissionDenied
    form = forms.ActionCancelForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_cancel(actor=request.user, action=action, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Action cancelled.")
            return redirect(reverse("allegations:case_actions", args=[action.case.referral.reference]))
    return _form_page(request, form, title="Cancel the action", caption=action.description[:120],
                      back=reverse("allegations:case_actions", args=[action.case.referral.reference]),
                      submit="Cancel action")



# --- PDFs of the minutes ------------------------------------------------------------------------------

def _version_url(meeting: Meeting, number: int) -> str:
    return reverse("meetings:minutes_version", args=[meeting.pk, number])


def _pdf_url(meeting: Meeting, pdf) -> str:
    return reverse("meetings:pdf_detail", args=[meeting.pk, pdf.pk])


def _variant_choices(user, meeting: Meeting):
    choices = [(v.value, v.label) for v in PdfVariant if v != PdfVariant.REDACTED or selectors.is_chair(user, meeting)]
    return choices


@require_http_methods(["GET", "POST"])
def pdf_request(request, pk, number):
    """The chair or the LADO service prepare a PDF of a version: full, per access level, or redacted."""
    meeting = _managed_meeting(request, pk)
    version = selectors.version_get(meeting=meeting, number=number)
    invitations = selectors.invitations_of(meeting)
    form = forms.PdfRequestForm(_data(request), invitations=invitations,
                                variants=_variant_choices(request.user, meeting),
                                initial={"variant": request.GET.get("variant") or None})
    if request.method == "POST" and form.is_valid():
        try:
            pdf = services.minutes_pdf_request(
                actor=request.user, version=version, variant=form.cleaned_data["variant"],
                invitation=form.chosen_invitation(), recipient=form.cleaned_data["recipient"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "The PDF is being made. It takes a few seconds.")
            return redirect(_pdf_url(meeting, pdf))
    return _form_page(request, form, title=f"Prepare a PDF of version {version.number}", caption=_caption(meeting),
                      back=_version_url(meeting, version.number), submit="Prepare the PDF")


@require_POST
def pdf_request_mine(request, pk, number):
    """An invitee asks for a PDF of a version sent to them, at their own access level."""
    meeting = _meeting(request, pk)
    user = request.user
    invitations = selectors.invitations_of(meeting)
    version = selectors.version_get(meeting=meeting, number=number, user=user, invitations=invitations)
    level = selectors.access_level_for(user, meeting, invitations)
    if level is None:
        raise PermissionDenied
    # (Whoever manages the meeting gets theirs prepared for themselves, like anyone else's.)
    pdf = services.minutes_pdf_request(actor=user, version=version, variant=level,
                                       recipient=user.get_full_name() or user.username)
    return redirect(_pdf_url(meeting, pdf))


def pdf_detail(request, pk, pdf_id):
    """Whether the PDF is ready; the download link when it is. Works without JavaScript: a link to look again."""
    meeting = _meeting(request, pk)
    pdf = selectors.pdf_get(user=request.user, meeting=meeting, pk=pdf_id)
    manage = selectors.can_manage(request.user, meeting)
    return render(request, "meetings/pdf_detail.html", {
        "meeting": meeting, "pdf": pdf, "version": pdf.version, "manage": manage,
        "downloads": list(selectors.downloads_of(pdf)[:200]) if manage else [],
        "withheld_count": len(pdf.withheld or []),
    })


def pdf_download(request, pk, pdf_id):
    """The file, through the same checks as the page, and every download logged (who, when, which PDF)."""
    meeting = _meeting(request, pk)
    pdf = selectors.pdf_get(user=request.user, meeting=meeting, pk=pdf_id)
    if not pdf.is_done:
        return redirect(_pdf_url(meeting, pdf))
    try:
        handle = pdf.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    PdfDownload.objects.create(pdf=pdf, user=request.user)
    reference = meeting.case.referral.reference if meeting.case_id else f"meeting-{meeting.pk}"
    response = FileResponse(handle, as_attachment=True, content_type="application/pdf",
                            filename=f"minutes-{reference}-v{pdf.version.number}-{pdf.variant}.pdf")
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET", "POST"])
def withholding_create(request, pk, number):
    """The chair marks a passage to withhold from the redacted version (003 §49–50)."""
    meeting = _meeting(request, pk)
    if not selectors.is_chair(request.user, meeting):
        raise PermissionDenied
    version = selectors.version_get(meeting=meeting, number=number)
    form = forms.WithholdingForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.withholding_add(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Passage withheld from the redacted version.")
            return redirect(_version_url(meeting, version.number) + "#withheld")
    return _form_page(request, form, title="Withhold a passage from the redacted version", caption=_caption(meeting),
                      back=_version_url(meeting, version.number), submit="Withhold the passage")


# --- Guests --------------------------------------------------------------------------------------------

def _guest_meeting(request, pk) -> Meeting:
    """The chair's meeting; for an administrator (who sees no cases), any meeting, for this page only."""
    if standing(request.user).is_administrator:
        meeting = Meeting.objects.select_related("case__referral").filter(pk=pk).first()
        if meeting is None:
            raise Http404
        return meeting
    meeting = _meeting(request, pk)
    if not services.can_grant_guest(request.user, meeting):
        raise PermissionDenied
    return meeting


@require_http_methods(["GET", "POST"])
def guest_grant(request, pk, invitation_pk):
    meeting = _guest_meeting(request, pk)
    invitation = _invitation(meeting, invitation_pk)
    form = forms.GuestAccessForm(_data(request), initial={
        "expires_on": timezone.localdate() + dt.timedelta(days=services.GUEST_DAYS)})
    if request.method == "POST" and form.is_valid():
        try:
            services.guest_access_grant(actor=request.user, invitation=invitation, expires_at=form.expires_at())
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"Guest account made. {invitation.display_name} has been e-mailed a link to set a password.")
            if selectors.can_manage(request.user, meeting) or Meeting.objects.visible_to(request.user).filter(pk=meeting.pk).exists():
                return redirect(_detail_url(meeting) + "#invitees")
            return redirect("home")
    who = invitation.display_name + (f" ({invitation.email})" if invitation.email else "")
    return _form_page(request, form, title=f"Give {who} a guest account", caption=_caption(meeting),
                      back=_detail_url(meeting), submit="Make the guest account")


@require_POST
def guest_end(request, pk, invitation_pk):
    meeting = _guest_meeting(request, pk)
    guest = GuestAccess.objects.filter(meeting=meeting, invitation_id=invitation_pk).first()
    if guest is None:
        raise Http404
    services.guest_access_end(actor=request.user, guest=guest)
    messages.success(request, "Guest access ended.")
    return redirect(_detail_url(meeting) + "#invitees")


@method_decorator(login_not_required, name="dispatch")
class GuestSetPasswordView(auth_views.PasswordResetConfirmView):
    """A guest's one-time link (Django's token generator): set a password, signed in, sent to their meeting."""

    template_name = "meetings/guest_set_password.html"
    token_generator = guest_link_tokens  # once, and for GUEST_LINK_DAYS days
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    reset_url_token = "set-password"

    def get_success_url(self):
        return reverse("home")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # Only guest accounts set their password this way.
        if user is not None and not GuestAccess.objects.filter(user=user).exists():
            return None
        return user


guest_set_password = GuestSetPasswordView.as_view()


def meeting_list(request):
    """Every meeting the user may see: a chair's and a LADO officer's work list, an agency's invitations."""
    page = Paginator(selectors.meeting_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "meetings/meeting_list.html", {"page": page})
