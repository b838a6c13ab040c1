#!/usr/bin/env python
"""The partner API (issue 20 §3): 1,000 referral submissions through the API (median and p95 per call), and the
cursor-paged case list over 100,000 referrals (median and p95 per page, and the queries per page: the same on
every page, however deep).

Run by hand; it is not part of the test suite (tests/api/test_query_counts.py pins the queries per page). It
uses the benchmark database of queue_and_case.py (``ma_bench``, or ``BENCH_DATABASE_URL``), loading the same
synthetic data on the first run:

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python benchmarks/api.py [--reload] [--submissions N]

Requests go through Django's test client (the whole server side: middleware, authentication by bearer token,
throttle, view, queries; no network). The submissions are rolled back at the end, so the database stays as
loaded. A call that answers anything but what it should stops the run (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queue_and_case import (  # noqa: E402
    OFFICER_USERNAME,
    REFERENCE_PREFIX,
    database_url,
    ensure_database,
    load,
    migrate,
)

REFERRAL = {
    "request_kind": "referral", "workforce": "children", "referrer_name": "Bench Referrer",
    "referrer_role": "Designated safeguarding lead", "given_name": "Bench", "family_name": "Person",
    "subject_role": "Teaching assistant", "employment_type": "paid", "employer_name": "Bench School",
    "sector": "education", "concern_kind": "allegation", "category": "physical",
    "description": "Grabbed a pupil's arm.", "concern_arose_on": "2026-01-05", "how_arose": "child_or_parent",
    "timing": "contemporaneous", "children": [{"given_name": "Sam", "relationship": "complainant"}],
}


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def _stop(message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(2)


def _client_for(agency, role, name):
    from api import services
    from api.models import ApiClient
    from django.contrib.auth import get_user_model
    from django.test import Client
    import base64

    admin, _ = get_user_model().objects.get_or_create(username="bench.admin", defaults={"is_superuser": True})
    ApiClient.objects.filter(name__startswith=name).exclude(revoked_at__isnull=False).count()
    made = services.api_client_create(actor=admin, name=f"{name} {uuid.uuid4().hex[:6]}", agency=agency, role=role,
                                      scopes=sorted(services.SCOPES_FOR_ROLE[role]))
    basic = base64.b64encode(f"{made.client_id}:{made.client_secret}".encode()).decode()
    response = Client().post("/api/v1/oauth/token/", {"grant_type": "client_credentials"},
                             HTTP_AUTHORIZATION=f"Basic {basic}")
    if response.status_code != 200:
        _stop(f"The token endpoint answered {response.status_code}")
    return Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reload", action="store_true", help="drop the benchmark database and load it again")
    parser.add_argument("--referrals", type=int, default=100_000, help="how many referrals to load (100,000)")
    parser.add_argument("--submissions", type=int, default=1_000, help="referrals to send through the API (1,000)")
    parser.add_argument("--pages", type=int, default=30, help="case list pages to walk (30)")
    parser.add_argument("--page-size", type=int, default=100, help="cases per page (100)")
    args = parser.parse_args(argv)

    url = database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    ensure_database(url, drop=args.reload)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from agencies.models import Agency, AgencyKind, Role
    from allegations.models import Referral

    migrate()
    loaded = Referral.objects.filter(reference__startswith=REFERENCE_PREFIX).count()
    if loaded != args.referrals or not get_user_model().objects.filter(username=OFFICER_USERNAME).exists():
        if loaded:
            connection.close()
            ensure_database(url, drop=True)
            migrate()
        print(f"Loading {args.referrals:,} referrals into {connection.settings_dict['NAME']}")
        load(args.referrals)
    else:
        print(f"Reusing {loaded:,} referrals in {connection.settings_dict['NAME']} (--reload to rebuild)")
    settings.API_REQUESTS_PER_MINUTE = 10_000_000  # the benchmark measures the calls, not the throttle
    settings.ALLOWED_HOSTS = ["*"]

    lado = Agency.objects.filter(kind=AgencyKind.LADO_SERVICE).order_by("pk").first()
    school = Agency.objects.filter(lado_service=lado).exclude(kind=AgencyKind.LADO_SERVICE).order_by("pk").first()

    # 1. Referral submissions, each with its own Idempotency-Key; rolled back at the end.
    times = []
    with transaction.atomic():
        agency_api = _client_for(school, Role.SENIOR_MANAGER, "Bench school system")
        body = json.dumps(REFERRAL)
        for _ in range(args.submissions):
            start = time.perf_counter()
            response = agency_api.post("/api/v1/referrals/", body, content_type="application/json",
                                       HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 201:
                _stop(f"POST /api/v1/referrals/ answered {response.status_code}: {response.content[:300]!r}")
        transaction.set_rollback(True)
    median, p95 = percentiles(times)
    print(f"\n{args.submissions:,} referral submissions through the API: median {median:.1f} ms, p95 {p95:.1f} ms")

    # 2. The cursor-paged case list, as the LADO service's client (every case of the service).
    lado_api = _client_for(lado, Role.LADO_OFFICER, "Bench LADO system")
    page_times, queries = [], []
    next_url = f"/api/v1/cases/?page_size={args.page_size}"
    with transaction.atomic():  # the access log rows each page writes are rolled back too
        for _ in range(args.pages):
            if not next_url:
                break
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = lado_api.get(next_url)
                page_times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                _stop(f"GET {next_url} answered {response.status_code}")
            queries.append(len(captured.captured_queries))
            next_url = response.json()["next"]
        transaction.set_rollback(True)
    median, p95 = percentiles(page_times)
    print(f"Case list, {len(page_times)} pages of {args.page_size} by cursor: median {median:.1f} ms, p95 {p95:.1f} ms; "
          f"queries per page: {sorted(set(queries))}")
    if len(set(queries)) != 1:
        print("The number of queries changes from page to page: investigate.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
