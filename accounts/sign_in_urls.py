"""Sign-in (django-allauth): only the views this product uses, with our own GOV.UK templates
(templates/account/, templates/mfa/). No sign-up, no e-mail management, no password reset by e-mail.

Included at the root without a namespace (config/urls.py): allauth reverses these names as they are.
Named "login"/"logout" first (what resolve() reports and other code may reverse), then allauth's names.
"""

from allauth.account import views as allauth_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import views as totp_views
from django.urls import path

from . import views

urlpatterns = [
    path("accounts/login/", views.sign_in, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("accounts/login/", views.sign_in, name="account_login"),
    path("accounts/logout/", allauth_views.logout, name="account_logout"),
    path("accounts/reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path("accounts/2fa/", views.mfa_index, name="mfa_index"),
    path("accounts/2fa/authenticate/", mfa_views.authenticate, name="mfa_authenticate"),
    path("accounts/2fa/reauthenticate/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path("accounts/2fa/totp/activate/", totp_views.activate_totp, name="mfa_activate_totp"),
    path("accounts/2fa/totp/deactivate/", totp_views.deactivate_totp, name="mfa_deactivate_totp"),
    path("accounts/2fa/recovery-codes/", recovery_views.view_recovery_codes, name="mfa_view_recovery_codes"),
    path("accounts/2fa/recovery-codes/generate/", recovery_views.generate_recovery_codes,
         name="mfa_generate_recovery_codes"),
    path("accounts/2fa/recovery-codes/download/", recovery_views.download_recovery_codes,
         name="mfa_download_recovery_codes"),
]
