"""/api/v1/: the partner API (namespace "api"). Every view answers for itself (bearer tokens, problem details),
so none goes through the pages' sign-in (login_not_required); the token endpoint is django-oauth-toolkit's."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import TokenView

from . import views

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
]
