"""One-time tokens for forms that create a record (a referral, a meeting, a document).

The form carries a hidden token made when the page is shown (`new_token`). The service that creates the
record calls `submission_claim` inside its own transaction, before it writes anything, and
`submission_done` with the new record's address at the end: the token's row commits with the record or
not at all. A second post of the same form (a double click, the browser resubmitting after an error page)
finds the row and raises `AlreadySubmitted` with the address of the record already made, and makes
nothing. Two posts at the same moment: the second waits on the unique index until the first commits.
"""

from __future__ import annotations

import secrets

from django import forms
from django.db import IntegrityError, transaction

from .models import FormSubmission

TOKEN_FIELD = "form_token"


class AlreadySubmitted(Exception):
    def __init__(self, url: str):
        super().__init__("This form was already sent")
        self.url = url


def new_token() -> str:
    return secrets.token_urlsafe(24)


class OneTimeTokenField(forms.CharField):
    """The hidden field: a fresh token on a new form; the posted one is kept when the form is shown again."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)  # a form posted without one (an old page) still works, unguarded
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("initial", new_token)
        super().__init__(**kwargs)


def submission_claim(*, token: str, user) -> FormSubmission | None:
    """Use the token inside the creating transaction; AlreadySubmitted if it was used. None for no token."""
    token = (token or "").strip()
    if not token:
        return None
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(token=token, user=user)
    except IntegrityError:
        used = FormSubmission.objects.filter(token=token).first()
        raise AlreadySubmitted(used.url if used is not None and used.user_id == user.pk else "") from None


def submission_done(submission: FormSubmission | None, *, url: str) -> None:
    """Say where the record made is shown (in the same transaction as the record)."""
    if submission is not None:
        submission.url = url[:300]
        submission.save(update_fields=["url"])


def submission_find(*, token: str, user) -> str | None:
    """The address of what a used token made for this person ("" if not shown anywhere); None if it is unused."""
    used = FormSubmission.objects.filter(token=(token or "").strip()).first()
    if used is None or used.user_id != user.pk:
        return None
    return used.url
