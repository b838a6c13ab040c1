"""Celery entry points of the statutory clock: take ids, load, call one service."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings

from . import chasing

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def chase_deadlines(batch: int = 500) -> dict:
    """Beat runs this every minute (CELERY_BEAT_SCHEDULE). Safe to run twice or at the same time. A pass with more
    due than one batch asks DEADLINE_SWEEPS_ALONGSIDE more worker processes to sweep with it (chasing.sweep)."""

    def alongside(now: dt.datetime) -> None:
        try:
            for _ in range(settings.DEADLINE_SWEEPS_ALONGSIDE):
                chase_deadlines_alongside.apply_async(args=(now.isoformat(), batch), retry=False)
        except Exception as error:  # noqa: BLE001 — any broker failure: this pass sweeps alone, nothing is lost
            logger.warning("No sweep alongside (%s): this pass sweeps alone", type(error).__name__)

    return chasing.sweep(batch=batch, alongside=alongside if settings.DEADLINE_SWEEPS_ALONGSIDE > 0 else None)


@shared_task(acks_late=True, ignore_result=True)
def chase_deadlines_alongside(now: str, batch: int = 500) -> dict:
    """Sweep with the pass that asked (chasing.sweep's `alongside`), at its `now`; its digests are that pass's to
    send. Lost or late, it costs nothing: what it would have claimed is claimed by that pass or the next."""
    return chasing.sweep(now=dt.datetime.fromisoformat(now), batch=batch, digests=False)
