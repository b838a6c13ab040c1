"""An external invitee's link to set a password and sign in: it works once (setting the password changes what the
token is made from) and for GUEST_LINK_DAYS days (default 14), not Django's password-reset timeout."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class GuestLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "meetings.tokens.GuestLinkTokenGenerator"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
                   for secret in [self.secret, *self.secret_fallbacks]):
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.GUEST_LINK_DAYS * 24 * 60 * 60


guest_link_tokens = GuestLinkTokenGenerator()


def guest_link(user) -> str:
    """The path of a new one-time link for this guest (made when the e-mail is sent, never stored)."""
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return reverse("meetings:guest_set_password",
                   args=[urlsafe_base64_encode(force_bytes(user.pk)), guest_link_tokens.make_token(user)])
