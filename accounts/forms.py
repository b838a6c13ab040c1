from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings


class CodeForm(AuthenticateForm):
    """allauth's code step after the password, under the same lockout as passwords: a wrong code
    counts as a failed sign-in for that username from that address (django-axes), and a locked
    username cannot go on guessing codes in a sign-in it had already started."""

    def clean_code(self) -> str:
        request = context.request
        credentials = {"username": self.user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            raise forms.ValidationError(
                f"Too many failed attempts. Wait {minutes} minutes and sign in again.", code="locked"
            )
        try:
            return super().clean_code()
        except forms.ValidationError:
            AxesProxyHandler.user_login_failed(sender=CodeForm, credentials=credentials, request=request)
            raise
