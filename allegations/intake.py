"""Sending a referral from the referral form's answers: the pages (views.referral_check) and the partner API
(api.views) bind the same form and send it through here, so both validate and save a referral alike."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agencies.models import Agency

from . import services


def referral_send(*, actor, form, children, lado_service: Agency, phone: bool):
    """Send a valid referral form and its people (the referral form's check page, and the partner API)."""
    data = form.cleaned_data
    arose = data["concern_arose_on"]
    return services.referral_submit(
        actor=actor,
        lado_service=lado_service,
        referring_agency=data["referring_agency"],
        taken_by_phone=phone,
        subject_fields={
            k: data[k] for k in ("given_name", "family_name", "known_as", "date_of_birth", "address",
                                 "registration_body", "registration_number", "described_as")
        },
        previous_family_name=data["previous_family_name"],
        referral_fields={
            "contact_type": {"advice": "advice", "transfer_in": "transfer_in"}.get(data["request_kind"], "referral"),
            "transferred_from": (data.get("transferred_from") or "").strip() if data["request_kind"] == "transfer_in" else "",
            "referrer_name": data["referrer_name"], "referrer_role": data["referrer_role"],
            "referrer_email": data["referrer_email"], "referrer_phone": data["referrer_phone"],
            "workforce": data["workforce"], "timing": data["timing"], "category": data["category"],
            "concern_kind": data["concern_kind"], "description": data["description"],
            "concern_arose_at": dt.datetime.combine(arose, dt.time(12, 0), tzinfo=timezone.get_current_timezone()),
            "how_arose": data["how_arose"], "subject_role": data["subject_role"],
            "employment_type": data["employment_type"], "employer_name": data["employer_name"],
            "employer": Agency.objects.filter(name__iexact=data["employer_name"]).first(),
            "sector": data["sector"], "subject_works_in": data["subject_works_in"],
            "subject_lives_in": data["subject_lives_in"], "other_settings": data["other_settings"],
            "known_history": data["known_history"], "children_count": data["children_count"],
        },
        children=[c for c in children.cleaned_data if c],
        form_token=data["form_token"],
    )


def lado_service_for(agency: Agency | None, s) -> Agency | None:
    if agency is not None and agency.lado_service_id:
        return agency.lado_service
    if s.lado_service_ids:
        return Agency.objects.filter(pk__in=s.lado_service_ids).order_by("pk").first()
    return None
