"""The partner API's operations (/api/v1/). Thin, like the pages' views: fetch through a selector (404 for what
the client may not see, never 403), call one service, answer. Errors are problem details (api.problems)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from allegations import services as case_services
from allegations.selectors import referral_get

from . import selectors, serializers, services
from .models import Scope
from .paging import KeysetPagination
from .permissions import client_of
from .problems import problem


def referral_data(referral) -> dict:
    case = getattr(referral, "case", None) if _has_case(referral) else None
    return serializers.ReferralOut({
        "reference": referral.reference, "status": referral.status, "status_description": referral.get_status_display(),
        "contact_type": referral.contact_type, "workforce": referral.workforce, "received_at": referral.received_at,
        "referring_agency": referral.referring_agency.name if referral.referring_agency_id else None,
        "case": referral.reference if case is not None else None,
        "next_deadline": selectors.next_deadline_of(referral),
    }).data


def _has_case(referral) -> bool:
    from allegations.models import Case

    try:
        referral.case
    except Case.DoesNotExist:
        return False
    return True


def case_data(case) -> dict:
    referral = case.referral
    return serializers.CaseOut({
        "reference": referral.reference, "status": case.status, "route": case.route, "workforce": referral.workforce,
        "opened_at": case.opened_at, "closed_at": case.closed_at, "outcome": case.outcome,
        "open_deadlines": getattr(case, "open_deadlines", 0), "next_deadline": selectors.next_deadline_of(case),
    }).data


REFERENCE = OpenApiParameter("reference", OpenApiTypes.STR, OpenApiParameter.PATH,
                             description="The referral's (and its case's) reference, for example MAS-2026-00042")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Any unique string (a UUID): sending the same referral again with the same key returns the "
                "referral made the first time (200) instead of making another")


class ReferralList(generics.GenericAPIView):
    """The agency's referrals (those it sent, and those of cases shared with it), newest first."""

    scope = Scope.CASES
    pagination_class = KeysetPagination
    keyset = ("-received_at", "-pk")
    idempotent = True
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        # Reading needs the "cases" scope; sending a referral the "refer" scope.
        self.scope = Scope.REFER if request.method == "POST" else Scope.CASES
        super().initial(request, *args, **kwargs)

    @extend_schema(operation_id="referrals_list", responses=serializers.ReferralOut(many=True))
    def get(self, request):
        rows = self.paginate_queryset(selectors.referrals(user=request.user))
        selectors.log_reads(user=request.user, referral_rows=rows)
        return self.get_paginated_response([referral_data(r) for r in rows])

    @extend_schema(
        operation_id="referrals_create", request=serializers.ReferralIn, parameters=[IDEMPOTENCY_KEY],
        responses={201: serializers.ReferralOut, 200: OpenApiResponse(serializers.ReferralOut,
                                                                      description="Sent before with this Idempotency-Key")},
        description="Send a referral or an advice request for the client's agency. The same questions, checks and "
                    "messages as the referral form; dates as YYYY-MM-DD.",
    )
    def post(self, request):
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if len(key) > 255:
            return problem(400, "The Idempotency-Key is longer than 255 characters.", request=request,
                           errors=[{"field": "Idempotency-Key", "message": "Use at most 255 characters."}])
        try:
            referral, new = services.referral_submit_api(client=client_of(request), payload=request.data, key=key,
                                                         body=request.body)
        except services.KeyReused:
            return problem(422, "This Idempotency-Key was used for another request body: use a new key for a new "
                                "referral.", request=request)
        referral = (selectors.referrals(user=request.user)).get(pk=referral.pk)
        location = reverse("api:referral_detail", args=[referral.reference])
        return Response(referral_data(referral), status=status.HTTP_201_CREATED if new else status.HTTP_200_OK,
                        headers={"Location": location})


class ReferralDetail(APIView):
    scope = Scope.CASES

    @extend_schema(operation_id="referrals_retrieve", parameters=[REFERENCE], responses=serializers.ReferralOut)
    def get(self, request, reference):
        referral_get(user=request.user, reference=reference)  # 404 for what the client may not see
        referral = selectors.referrals(user=request.user).get(reference=reference)
        case_services.access_record(user=request.user, referral=referral)
        return Response(referral_data(referral))


class CaseList(generics.GenericAPIView):
    """The cases the agency may see (its own referrals' and those shared with it), newest first."""

    scope = Scope.CASES
    pagination_class = KeysetPagination
    keyset = ("-opened_at", "-pk")

    @extend_schema(operation_id="cases_list", responses=serializers.CaseOut(many=True))
    def get(self, request):
        rows = self.paginate_queryset(selectors.cases(user=request.user))
        selectors.log_reads(user=request.user, case_rows=rows)
        return self.get_paginated_response([case_data(c) for c in rows])


class CaseDetail(APIView):
    scope = Scope.CASES

    @extend_schema(operation_id="cases_retrieve", parameters=[REFERENCE], responses=serializers.CaseDetailOut)
    def get(self, request, reference):
        detail = selectors.case_detail(user=request.user, reference=reference)
        case, parts = detail["case"], detail["parts"]
        case_services.access_record(user=request.user, referral=case.referral, case=case)
        data = dict(case_data(case))
        data["open_deadlines"] = len(detail["deadlines"])
        data["next_deadline"] = detail["deadlines"][0] if detail["deadlines"] else None
        data.update(level=parts.level, deadlines=detail["deadlines"], strands=[
            {"kind": s.kind, "status": s.status, "started_on": s.started_on, "review_on": s.review_on}
            for s in parts.strands
        ])
        return Response(serializers.CaseDetailOut(data).data)
