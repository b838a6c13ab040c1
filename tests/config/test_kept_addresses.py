"""Addresses the templates look up once per process (issue 19): a view's address without arguments, for each script
prefix, and a static file's, again after a test changes the static settings."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse, set_script_prefix

from allegations.listing import link_maker
from config.jinja2 import kept_static, url


def test_an_address_without_arguments_is_reverses_for_each_script_prefix():
    assert url("allegations:triage_queue") == reverse("allegations:triage_queue") == "/triage/"
    assert url("allegations:referral_detail", "MAS-1") == reverse("allegations:referral_detail", args=["MAS-1"])
    try:
        set_script_prefix("/mounted/")
        assert url("allegations:triage_queue") == reverse("allegations:triage_queue") == "/mounted/triage/"
        assert link_maker("allegations:referral_detail")("MAS 1") == reverse("allegations:referral_detail",
                                                                             args=["MAS 1"])
    finally:
        set_script_prefix("/")
    assert url("allegations:triage_queue") == "/triage/"
    assert link_maker("allegations:referral_detail")("MAS-1") == reverse("allegations:referral_detail", args=["MAS-1"])


def test_a_static_address_follows_the_static_settings():
    from django.templatetags.static import static

    assert kept_static("govuk/app.css") == static("govuk/app.css")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert kept_static("govuk/app.css") == static("govuk/app.css") == "/elsewhere/govuk/app.css"
    assert kept_static("govuk/app.css") == static("govuk/app.css")
