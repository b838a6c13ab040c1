"""The root URLconf: it includes the apps' URLconfs by dotted string, and imports no app (config is the
bottom layer, pyproject.toml [tool.importlinter])."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from config import views as config_views

# The admin's own password-only sign-in would skip two-factor authentication: it sends to ours instead.
admin.site.login = secure_admin_login(admin.site.login)

# Error pages people can act on (config/errors.py); CSRF_FAILURE_VIEW in the settings.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"  # and the 503 "try again" when the database could not be reached

urlpatterns = [
    # The home page, the inbox and the deadline settings (agencies/urls.py); sign-in and two factors
    # (accounts/sign_in_urls.py). Both without a namespace: allauth and our pages reverse these names as they are.
    path("", include("agencies.urls")),
    path("", include("accounts.sign_in_urls")),
    path("admin/", admin.site.urls),
    # Development only (DEBUG): the e-mails `make run` wrote to var/mail/ instead of sending them.
    path("dev/mail/", config_views.dev_mail, name="dev_mail"),
    path("dev/mail/<str:name>/", config_views.dev_mail, name="dev_mail_message"),
    path("", include("allegations.urls")),
    path("", include("meetings.urls")),
    path("reporting/", include("reporting.urls")),
    path("providers/", include("providers.urls")),
    path("assurance/", include("assurance.urls")),
    path("account/", include("accounts.urls")),
    path("records/", include("records.urls")),
    path("governance/", include("governance.urls")),
    path("search/", include("search.urls")),
    path("low-level-concerns/", include("lowlevel.urls")),
    # GOV.UK Notify's delivery receipts (a bearer token, not a session): outbox/views.py.
    path("notify/", include("outbox.urls")),
    path("webhooks/", include("webhooks.urls")),
    # The partner API (issue 20): its operations, and the administrator's pages for its clients.
    path("api/v1/", include("api.urls")),
    path("api-clients/", include("api.page_urls")),
]
