"""/api/v1/: the partner API (namespace "api"). Every view answers for itself (bearer tokens, problem details),
so none goes through the pages' sign-in (login_not_required); the token endpoint is django-oauth-toolkit's."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import TokenView

from . import operations, views

app_name = "api"


def _open(view):
    return login_not_required(view)


urlpatterns = [
    path("oauth/token/", _open(TokenView.as_view()), name="token"),
    path("schema/", _open(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", _open(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("referrals/", _open(views.ReferralList.as_view()), name="referral_list"),
    path("referrals/<str:reference>/", _open(views.ReferralDetail.as_view()), name="referral_detail"),
    path("cases/", _open(views.CaseList.as_view()), name="case_list"),
    path("cases/<str:reference>/", _open(views.CaseDetail.as_view()), name="case_detail"),
    path("actions/", _open(operations.ActionList.as_view()), name="action_list"),
    path("actions/<str:action>/", _open(operations.ActionDetail.as_view()), name="action_detail"),
    path("actions/<str:action>/progress/", _open(operations.ActionProgress.as_view()), name="action_progress"),
    path("actions/<str:action>/done/", _open(operations.ActionDone.as_view()), name="action_done"),
    path("meetings/", _open(operations.MeetingList.as_view()), name="meeting_list"),
    path("meetings/<str:meeting>/", _open(operations.MeetingDetail.as_view()), name="meeting_detail"),
    path("meetings/<str:meeting>/calendar.ics", _open(operations.MeetingCalendar.as_view()), name="meeting_calendar"),
    path("figures/", _open(operations.Figures.as_view()), name="figures"),
    path("export.jsonl", _open(operations.Export.as_view()), name="export"),
]
