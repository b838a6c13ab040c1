from allauth.account.adapter import DefaultAccountAdapter
import datetime as dt

from allauth.core import context
from django.utils import timezone

JUST_SET_UP = dt.timedelta(minutes=10)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are made by the partnership (and guests by a chair), never by sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """allauth asks for the password again before any change to how someone signs in. Not for
        setting up a first authenticator app, which everyone is sent to straight after signing in
        (accounts.middleware): the account has no second factor to protect yet; nor for seeing the
        recovery codes in the minutes just after. Removing an app, or making new codes, still asks."""
        from allauth.mfa.models import Authenticator

        request = context.request
        if request is None or not request.user.is_authenticated:
            return super().is_reauthentication_required(app=app, **kwargs)
        totp = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).first()
        if request.path == "/accounts/2fa/totp/activate/" and totp is None:
            return False
        if (request.path == "/accounts/2fa/recovery-codes/" and totp is not None
                and timezone.now() - totp.created_at < JUST_SET_UP):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        """allauth's own flash messages ("Successfully signed in as …") are left out: our pages
        say what happened themselves."""
        return None
