"""The agency's actions and meetings, the business unit's figures and the LADO service's export (issue 20 §1).
Reads go through the pages' selectors (meetings.selectors, reporting, interchange); writes through their
services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import standing
from allegations.models import Referral
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.models import Action, ActionStatus, Meeting

from . import identifiers
from .models import Scope
from .paging import KeysetPagination
from .serializers import Instant


# --- Actions ------------------------------------------------------------------------------------------------

class ActionOut(serializers.Serializer):
    id = serializers.CharField(help_text="The case's reference and the action's number, for example MAS-2026-00042-A3")
    case = serializers.CharField()
    description = serializers.CharField()
    agency = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    overdue = serializers.BooleanField()
    progress = serializers.CharField(help_text="The latest note on how it is going")
    progress_at = Instant(allow_null=True)
    evidence = serializers.CharField()
    completed_at = Instant(allow_null=True)


class ActionDoneIn(serializers.Serializer):
    evidence = serializers.CharField(help_text="What shows the action was done")


def action_data(action) -> dict:
    today = dt.date.today()
    return ActionOut({
        "id": identifiers.name_of(action, "A"), "case": action.case.referral.reference,
        "description": action.description, "agency": action.agency.name, "due_on": action.due_on,
        "status": action.status, "overdue": action.is_overdue(today), "evidence": action.evidence,
        "progress": action.progress, "progress_at": action.progress_at,
        "completed_at": action.completed_at,
    }).data


ACTION = OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH,
                          description="The action's name, for example MAS-2026-00042-A3")
MEETING = OpenApiParameter("meeting", OpenApiTypes.STR, OpenApiParameter.PATH,
                           description="The meeting's name, for example MAS-2026-00042-M1")


def _action(user, name: str):
    pk = identifiers.pk_of(name, "A", Action)
    meeting_selectors.action_get(user=user, pk=pk)  # 404 for an action the client may not see
    return identifiers.numbered(Action.objects.select_related("case__referral", "agency"), Action).get(pk=pk)


class ActionList(generics.GenericAPIView):
    """The agency's actions (the pages' "Our actions"): open ones, or all with ?status=all, soonest due first."""

    scope = Scope.ACTIONS
    pagination_class = KeysetPagination
    keyset = ("due_on", "pk")

    @extend_schema(operation_id="actions_list", responses=ActionOut(many=True), parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=["open", "all"], required=False)])
    def get(self, request):
        include_done = request.query_params.get("status") == "all"
        actions = meeting_selectors.actions_for_agency(user=request.user, include_done=include_done)
        rows = self.paginate_queryset(identifiers.numbered(actions.filter(case__isnull=False), Action))
        return self.get_paginated_response([action_data(a) for a in rows])


class ActionDetail(APIView):
    scope = Scope.ACTIONS

    @extend_schema(operation_id="actions_retrieve", parameters=[ACTION], responses=ActionOut)
    def get(self, request, action):
        return Response(action_data(_action(request.user, action)))


class ProgressIn(serializers.Serializer):
    note = serializers.CharField(help_text="How the action is going")


class ActionProgress(APIView):
    """Record how the action is going (the latest note is shown; earlier ones stay in its history)."""

    scope = Scope.ACTIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="actions_progress", parameters=[ACTION], request=ProgressIn, responses=ActionOut)
    def post(self, request, action):
        found = _action(request.user, action)
        note = request.data.get("note") if isinstance(request.data, dict) else None
        meeting_services.action_progress_record(actor=request.user, action=found,
                                                note=note if isinstance(note, str) else "")
        return Response(action_data(_action(request.user, action)))


class ActionDone(APIView):
    """Mark the action done with the evidence that it was; a document may come with it (multipart, `document`),
    attached to the referral when the client's agency may attach documents to it."""

    scope = Scope.ACTIONS
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(operation_id="actions_done", parameters=[ACTION], request={
        "application/json": ActionDoneIn,
        "multipart/form-data": inline_serializer("ActionDoneWithDocument", {
            "evidence": serializers.CharField(), "document": serializers.FileField(required=False),
            "document_title": serializers.CharField(required=False)}),
    }, responses=ActionOut)
    def post(self, request, action):
        from records import services as record_services

        found = _action(request.user, action)
        data = request.data
        evidence = data.get("evidence") if hasattr(data, "get") else None
        if not isinstance(evidence, str):
            evidence = ""
        upload = request.FILES.get("document") if hasattr(request, "FILES") else None
        if upload is not None:
            # Checked before the document is kept (document_add commits on its own): the same checks and words
            # as action_complete's, which follows.
            if not meeting_selectors.can_complete(request.user, found):
                raise PermissionDenied("Only the agency the action is for, or the LADO service, can mark it done.")
            if not evidence.strip():
                raise ValidationError({"evidence": "Describe the evidence that the action was done."})
            if found.status != ActionStatus.OPEN:
                raise ValidationError({"": "This action is not open: it cannot be marked done."})
            record_services.document_add(
                actor=request.user, upload=upload, kind="evidence", referral=found.case.referral,
                title=(data.get("document_title") or f"Evidence for action {identifiers.name_of(found, 'A')}"))
        meeting_services.action_complete(actor=request.user, action=found, evidence=evidence)
        return Response(action_data(_action(request.user, action)))


# --- Meetings -------------------------------------------------------------------------------------------------

class VersionOut(serializers.Serializer):
    number = serializers.IntegerField()
    approved_at = Instant()


class MeetingOut(serializers.Serializer):
    id = serializers.CharField(help_text="The case's reference and the meeting's number, for example MAS-2026-00042-M1")
    case = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    scheduled_at = Instant()
    held_at = Instant(allow_null=True)
    calendar = serializers.CharField(help_text="The meeting's calendar file (.ics)")
    minutes_versions = VersionOut(many=True, help_text="The versions of the minutes sent to this client's agency")


def meeting_data(user, meeting) -> dict:
    from django.urls import reverse

    name = identifiers.name_of(meeting, "M")
    versions = meeting_selectors.versions_of(meeting, user=user) if meeting.status == "held" else []
    return MeetingOut({
        "id": name, "case": meeting.case.referral.reference, "kind": meeting.kind, "status": meeting.status,
        "scheduled_at": meeting.scheduled_at, "held_at": meeting.held_at,
        "calendar": reverse("api:meeting_calendar", args=[name]),
        "minutes_versions": [{"number": v.number, "approved_at": v.approved_at} for v in versions],
    }).data


def _meeting(user, name: str):
    pk = identifiers.pk_of(name, "M", Meeting)
    meeting_selectors.meeting_get(user=user, pk=pk)  # 404 for a meeting the client may not see
    return identifiers.numbered(Meeting.objects.select_related("case__referral"), Meeting).get(pk=pk)


class MeetingList(generics.GenericAPIView):
    """The meetings the agency is invited to or that are shared with it, newest first."""

    scope = Scope.MEETINGS
    pagination_class = KeysetPagination
    keyset = ("-scheduled_at", "-pk")

    @extend_schema(operation_id="meetings_list", responses=MeetingOut(many=True))
    def get(self, request):
        meetings = meeting_selectors.meeting_list(user=request.user).filter(case__isnull=False)
        rows = self.paginate_queryset(identifiers.numbered(meetings, Meeting))
        return self.get_paginated_response([meeting_data(request.user, m) for m in rows])


class MeetingDetail(APIView):
    scope = Scope.MEETINGS

    @extend_schema(operation_id="meetings_retrieve", parameters=[MEETING], responses=MeetingOut)
    def get(self, request, meeting):
        return Response(meeting_data(request.user, _meeting(request.user, meeting)))


class MeetingCalendar(APIView):
    scope = Scope.MEETINGS

    @extend_schema(operation_id="meetings_calendar", parameters=[MEETING],
                   responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="iCalendar")})
    def get(self, request, meeting):
        from django.conf import settings
        from icalendar import Calendar, Event

        found = _meeting(request.user, meeting)
        name = identifiers.name_of(found, "M")
        calendar = Calendar()
        calendar.add("prodid", "-//Managing allegations//Partner API//EN")
        calendar.add("version", "2.0")
        event = Event()
        event.add("uid", f"{name}@{settings.SITE_URL.split('://')[-1]}")
        # A reference and the kind of meeting only: no names of the person or children (like e-mails).
        event.add("summary", f"{found.get_kind_display()} — {found.case.referral.reference}")
        event.add("dtstart", found.scheduled_at.astimezone(dt.UTC))
        event.add("dtend", found.scheduled_at.astimezone(dt.UTC) + dt.timedelta(hours=1))
        event.add("dtstamp", dt.datetime.now(dt.UTC))
        if found.location:
            event.add("location", found.location)
        event.add("url", settings.SITE_URL.rstrip("/") + f"/meetings/{found.pk}/")
        calendar.add_component(event)
        response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
        return response


# --- Figures and the export -------------------------------------------------------------------------------

class Figures(APIView):
    """The business unit's headline figures (counts only, never names) and, with ?year=2025, that financial
    year's annual report."""

    scope = Scope.FIGURES

    @extend_schema(operation_id="figures_retrieve", parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, required=False,
                         description="The financial year starting in April of this year: its annual report")],
        responses=OpenApiTypes.OBJECT)
    def get(self, request):
        from reporting import annual
        from reporting.permissions import may_see_reports
        from reporting.views import headline_figures

        if not may_see_reports(request.user):
            raise PermissionDenied("Figures are for the business unit and the LADO service manager.")
        year = request.query_params.get("year")
        if year is None:
            return Response(headline_figures())
        if not year.isdigit() or not 2000 <= int(year) <= 2100:
            from .problems import Invalid

            raise Invalid([{"field": "year", "message": "Enter a year from 2000 to 2100, for example 2025."}])
        return Response(annual.annual_report(int(year)))


class Export(APIView):
    """The LADO service's referrals and cases in the interchange format, one JSON object per line, streamed."""

    scope = Scope.EXPORT

    @extend_schema(operation_id="export_retrieve",
                   responses={(200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR, description="JSON Lines")})
    def get(self, request):
        from interchange.exporting import export_lines

        s = standing(request.user)
        if not s.is_lado_manager:
            raise PermissionDenied("The export is for the LADO service manager.")
        within = Referral.objects.filter(lado_service_id__in=s.managed_service_ids).open_to(request.user)
        from .selectors import log_export

        log_export(user=request.user, within=within)  # every referral sent is a read, under the client's name
        response = StreamingHttpResponse(export_lines(within=within), content_type="application/jsonl")
        response["Content-Disposition"] = 'attachment; filename="cases.jsonl"'
        return response
