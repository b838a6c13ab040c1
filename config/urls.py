from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agencies import views as agency_views

urlpatterns = [
    path("", agency_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", agency_views.inbox, name="inbox"),
    path("settings/deadlines/", agency_views.settings_deadlines, name="settings_deadlines"),
    path("admin/", admin.site.urls),
    path("", include("allegations.urls")),
    path("", include("meetings.urls")),
    path("reporting/", include("reporting.urls")),
    path("providers/", include("providers.urls")),
    path("assurance/", include("assurance.urls")),
    path("account/", include("accounts.urls")),
    path("records/", include("records.urls")),
    path("governance/", include("governance.urls")),
]
