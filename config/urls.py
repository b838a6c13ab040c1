from allauth.account import views as allauth_views
from allauth.account.decorators import secure_admin_login
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import views as totp_views
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

from agencies import views as agency_views
from config import views as config_views

# The admin's own password-only sign-in would skip two-factor authentication: it sends to ours instead.
admin.site.login = secure_admin_login(admin.site.login)

# Error pages people can act on (config/errors.py); CSRF_FAILURE_VIEW in the settings.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"  # and the 503 "try again" when the database could not be reached

urlpatterns = [
    path("", agency_views.home, name="home"),
    # Sign-in (django-allauth): only the views this product uses, with our own GOV.UK templates
    # (templates/account/, templates/mfa/). No sign-up, no e-mail management, no password reset by e-mail.
    # Named "login"/"logout" first (what resolve() reports and other code may reverse), then allauth's names.
    path("accounts/login/", account_views.sign_in, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("accounts/login/", account_views.sign_in, name="account_login"),
    path("accounts/logout/", allauth_views.logout, name="account_logout"),
    path("accounts/reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path("accounts/2fa/", account_views.mfa_index, name="mfa_index"),
    path("accounts/2fa/authenticate/", mfa_views.authenticate, name="mfa_authenticate"),
    path("accounts/2fa/reauthenticate/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path("accounts/2fa/totp/activate/", totp_views.activate_totp, name="mfa_activate_totp"),
    path("accounts/2fa/totp/deactivate/", totp_views.deactivate_totp, name="mfa_deactivate_totp"),
    path("accounts/2fa/recovery-codes/", recovery_views.view_recovery_codes, name="mfa_view_recovery_codes"),
    path("accounts/2fa/recovery-codes/generate/", recovery_views.generate_recovery_codes,
         name="mfa_generate_recovery_codes"),
    path("accounts/2fa/recovery-codes/download/", recovery_views.download_recovery_codes,
         name="mfa_download_recovery_codes"),
    path("inbox/", agency_views.inbox, name="inbox"),
    path("settings/deadlines/", agency_views.settings_deadlines, name="settings_deadlines"),
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
]
