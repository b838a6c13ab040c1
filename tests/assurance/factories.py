"""Assurance rounds made through the services, as the business unit makes them."""

import datetime as dt

from django.utils import timezone

from assurance import services


def make_round(*, analyst, agencies=(), send=True, title="PiPoT assurance audit"):
    round_ = services.round_create(actor=analyst, title=title, period="2025 to 2026",
                                   due_on=timezone.localdate() + dt.timedelta(days=28))
    if agencies:
        services.round_set_agencies(actor=analyst, round_=round_, agencies=list(agencies))
    if send:
        round_ = services.round_send(actor=analyst, round_=round_)
    return round_
