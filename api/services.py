"""Writes: making and revoking API clients (the partnership administrator), and a referral sent through the API
(the referral form's validation and service, allegations.intake)."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from oauth2_provider.models import AccessToken, Application, RefreshToken

from agencies.models import REFERRER_ROLES, AgencyKind, Membership, Role
from agencies.permissions import standing
from allegations import forms as referral_forms
from allegations import intake
from allegations.models import Referral
from config.forms_dates import date_parts
from outbox.submissions import AlreadySubmitted

from .models import ApiClient, IdempotentRequest, Scope
from .problems import Invalid

# Which scopes suit which roles: refer only for those who may refer (as on the pages); figures for the business
# unit's analyst; export for the LADO service.
SCOPES_FOR_ROLE = {
    Role.SENIOR_MANAGER: {Scope.REFER, Scope.CASES, Scope.ACTIONS, Scope.MEETINGS},
    Role.AGENCY_VIEWER: {Scope.CASES, Scope.ACTIONS, Scope.MEETINGS},
    Role.PARTICIPANT: {Scope.CASES, Scope.ACTIONS, Scope.MEETINGS},
    Role.LADO_OFFICER: {Scope.CASES, Scope.ACTIONS, Scope.MEETINGS},
    Role.LADO_MANAGER: {Scope.CASES, Scope.ACTIONS, Scope.MEETINGS, Scope.EXPORT},
    Role.ANALYST: {Scope.FIGURES},
}


def may_manage_clients(user) -> bool:
    return standing(user).is_administrator


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    client_id: str
    client_secret: str  # shown once, then only its hash is kept


@transaction.atomic
def api_client_create(*, actor, name: str, agency, role: str, scopes: list[str]) -> NewClient:
    if not may_manage_clients(actor):
        raise PermissionDenied("Only the partnership administrator can make API clients.")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Enter a name for the client, for example the system that will use it."
    elif ApiClient.objects.filter(name__iexact=name).exists():
        errors["name"] = "There is already a client with this name."
    allowed = SCOPES_FOR_ROLE.get(role, set())
    if agency.kind == AgencyKind.LADO_SERVICE and role not in (Role.LADO_OFFICER, Role.LADO_MANAGER):
        errors["role"] = "A LADO service's client acts as a LADO officer or the LADO service manager."
    elif agency.kind != AgencyKind.LADO_SERVICE and role in (Role.LADO_OFFICER, Role.LADO_MANAGER):
        errors["role"] = "Only a LADO service's client can act as a LADO officer or manager."
    elif role not in SCOPES_FOR_ROLE:
        errors["role"] = "Choose a role an API client can act in."
    if not scopes:
        errors["scopes"] = "Choose at least one thing the client may do."
    elif set(scopes) - allowed:
        refused = ", ".join(Scope(s).label.lower() for s in sorted(set(scopes) - allowed) if s in Scope.values)
        errors["scopes"] = f"A client acting as {Role(role).label if role in Role.values else role} cannot: {refused}."
    if errors:
        raise ValidationError(errors)
    User = get_user_model()
    username = f"api-{slugify(name)[:40]}-{secrets.token_hex(3)}"
    # A service account: its name is the client's (the access log shows it), no e-mail, no usable password.
    user = User(username=username, first_name=name[:150], last_name="(API client)")
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, agency=agency, role=role, job_title="API client", system=True)
    secret = secrets.token_urlsafe(40)
    application = Application(
        name=name, client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, client_secret=secret, hash_client_secret=True,
        skip_authorization=True, algorithm="",
    )
    application.save()
    client = ApiClient(name=name, agency=agency, role=role, scopes=sorted(set(scopes)), user=user,
                       application=application, created_by=actor)
    client._history_user = actor
    client._change_reason = "API client made"
    client.save()
    return NewClient(client=client, client_id=application.client_id, client_secret=secret)


@transaction.atomic
def api_client_revoke(*, actor, client: ApiClient, reason: str) -> ApiClient:
    """No new tokens, and the tokens given out stop working at once."""
    if not may_manage_clients(actor):
        raise PermissionDenied("Only the partnership administrator can revoke API clients.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the client is revoked."})
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        return client
    application = client.application
    application.client_secret = secrets.token_urlsafe(40)  # the old secret gets no token any more (kept hashed)
    application.save()
    AccessToken.objects.filter(application=client.application).delete()
    RefreshToken.objects.filter(application=client.application).delete()
    client.revoked_at, client.revoked_by = timezone.now(), actor
    client._history_user, client._change_reason = actor, f"API client revoked: {reason}"
    client.save()
    user = client.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    return client


# --- A referral through the API ---------------------------------------------------------------------------

# The form's fields a client sends (JSON names are the form's); the referring agency is the client's own.
REFERRAL_FIELDS = (
    "request_kind", "workforce", "referrer_name", "referrer_role", "referrer_phone", "referrer_email",
    "given_name", "family_name", "described_as", "known_as", "previous_family_name", "date_of_birth", "address",
    "subject_role", "employment_type", "employer_name", "sector", "registration_body", "registration_number",
    "concern_kind", "category", "description", "concern_arose_on", "how_arose", "timing", "children_count",
    "subject_works_in", "subject_lives_in", "other_settings", "known_history",
)
CHILD_FIELDS = ("given_name", "family_name", "date_of_birth", "relationship", "social_worker", "looked_after")
DATE_FIELDS = {"date_of_birth", "concern_arose_on"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_MESSAGE = "Enter the date as YYYY-MM-DD, for example 2026-03-27."


def _text(value, field: str, errors: list[dict]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        errors.append({"field": field, "message": "Enter text or a number, not true or false."})
        return ""
    if isinstance(value, (int, float, str)):
        return str(value)
    errors.append({"field": field, "message": "Enter text, not a list or an object."})
    return ""


def _put(data: dict, name: str, value, field: str, errors: list[dict]) -> None:
    """One answer into the form's data: a date into its three boxes."""
    if name.split("-")[-1] in DATE_FIELDS:
        text = _text(value, field, errors).strip()
        if not text:
            return
        if not _ISO_DATE.fullmatch(text):
            errors.append({"field": field, "message": DATE_MESSAGE})
            return
        try:
            data.update(date_parts(name, text))
        except ValueError:
            errors.append({"field": field, "message": DATE_MESSAGE})
        return
    data[name] = _text(value, field, errors)


def referral_form_data(payload, *, agency) -> tuple[dict, list[dict]]:
    """The JSON body as the referral form's posted data, and the errors of its shape (unknown fields, lists)."""
    errors: list[dict] = []
    if not isinstance(payload, dict):
        return {}, [{"field": "", "message": "Send the referral as a JSON object."}]
    data = {"referring_agency": str(agency.pk)}
    for key, value in payload.items():
        if key == "children":
            continue
        if key not in REFERRAL_FIELDS:
            errors.append({"field": key, "message": "This is not a field of a referral."})
            continue
        _put(data, key, value, key, errors)
    children = payload.get("children") or []
    if not isinstance(children, list):
        errors.append({"field": "children", "message": "Send the children or adults as a list."})
        children = []
    if len(children) > referral_forms.MAX_CHILDREN_AT_INTAKE:
        errors.append({"field": "children", "message": f"Send at most {referral_forms.MAX_CHILDREN_AT_INTAKE} people."})
        children = []
    data.update({"children-TOTAL_FORMS": str(len(children)), "children-INITIAL_FORMS": "0",
                 "children-MIN_NUM_FORMS": "0", "children-MAX_NUM_FORMS": str(referral_forms.MAX_CHILDREN_AT_INTAKE)})
    for index, child in enumerate(children):
        where = f"children[{index}]"
        if not isinstance(child, dict):
            errors.append({"field": where, "message": "Send each person as an object."})
            continue
        for key, value in child.items():
            if key not in CHILD_FIELDS:
                errors.append({"field": f"{where}.{key}", "message": "This is not a field of a person."})
                continue
            _put(data, f"children-{index}-{key}", value, f"{where}.{key}", errors)
    return data, errors


def _form_errors(form, children) -> list[dict]:
    errors = []
    for name, messages in form.errors.items():
        field = "" if name in ("__all__", "referring_agency") else name
        errors += [{"field": field, "message": str(m)} for m in messages]
    for index, child_errors in enumerate(children.errors):
        for name, messages in child_errors.items():
            field = f"children[{index}]" + ("" if name == "__all__" else f".{name}")
            errors += [{"field": field, "message": str(m)} for m in messages]
    errors += [{"field": "children", "message": str(m)} for m in children.non_form_errors()]
    return errors


def fingerprint(body: bytes) -> str:
    """The request body's SHA-256, read as JSON when it is JSON (so key order and spacing do not count)."""
    try:
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        pass
    return hashlib.sha256(body).hexdigest()


class KeyReused(Exception):
    pass


def _earlier(client: ApiClient, key: str, print_: str) -> Referral | None:
    earlier = IdempotentRequest.objects.filter(client=client, key=key).select_related("referral").first()
    if earlier is None:
        return None
    if earlier.fingerprint != print_:
        raise KeyReused()
    return earlier.referral


def referral_submit_api(*, client: ApiClient, payload, key: str = "", body: bytes = b"") -> tuple[Referral, bool]:
    """Validate the body with the referral form and send it as the client's agency. Returns the referral and
    whether it is new: a retry with the same Idempotency-Key returns the first one (KeyReused for another body)."""
    actor = client.user
    print_ = fingerprint(body)
    if key:
        earlier = _earlier(client, key, print_)
        if earlier is not None:
            return earlier, False
    if client.role not in REFERRER_ROLES:
        raise PermissionDenied("This API client's role cannot make referrals.")
    data, errors = referral_form_data(payload, agency=client.agency)
    if errors:
        raise Invalid(errors)
    s = standing(actor)
    form = referral_forms.ReferralForm(data, agencies=client.agency.__class__.objects.filter(pk__in=s.referrer_agency_ids),
                                       phone=False)
    children = referral_forms.ChildFormSet(data, prefix="children")
    lado_service = None
    if form.is_valid() and children.is_valid():
        lado_service = intake.lado_service_for(form.cleaned_data["referring_agency"], s)
        if lado_service is None:
            form.add_error(None, "This agency is not linked to a LADO service. Contact the LADO service by phone.")
    if lado_service is None:
        raise Invalid(_form_errors(form, children))
    # The key's token: two requests with one key at the same moment make one referral (the second waits on
    # the token's unique index, then finds the first's).
    form.cleaned_data["form_token"] = (
        "api-" + hashlib.sha256(f"{client.pk}:{key}".encode()).hexdigest()[:56] if key else ""
    )
    try:
        with transaction.atomic():
            referral = intake.referral_send(actor=actor, form=form, children=children, lado_service=lado_service,
                                            phone=False)
            if key:
                IdempotentRequest.objects.create(client=client, key=key, fingerprint=print_, referral=referral)
    except AlreadySubmitted:
        earlier = _earlier(client, key, print_)
        if earlier is None:
            raise
        return earlier, False
    return referral, True
