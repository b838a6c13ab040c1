#!/usr/bin/env python
"""Time to render a 5-page minutes PDF with WeasyPrint, in-process, through meetings.pdf (issue part 6).

Run by hand; not part of the test suite. It needs no database: the meeting, minutes and version are unsaved
model instances, and the rendering is exactly the task's (template, print CSS, restricted URL fetcher,
PDF/UA-1). The section text is generated until the employer-level PDF is 5 pages long; then it is rendered
N times (default 7) after one warm-up, and the median is printed.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python benchmarks/minutes_pdf.py [-n 7] [--pages 5]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("weasyprint.progress").setLevel(logging.ERROR)

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from meetings import pdf as renderer  # noqa: E402
from meetings.agendas import template_for  # noqa: E402
from meetings.models import Meeting, MeetingKind, Minutes, MinutesVersion  # noqa: E402

SENTENCE = ("The group discussed the arrangements agreed at the last meeting, what has changed since, and what "
            "each agency will do next, with the reasons for each decision recorded so that it can be traced later. ")


def make_version(paragraphs: int) -> MinutesVersion:
    chair = get_user_model()(username="bench.chair", first_name="Alex", last_name="Chair")
    meeting = Meeting(kind=MeetingKind.STRATEGY_DISCUSSION, scheduled_at=timezone.now(), location="Room 4, County Hall",
                      chair=chair)
    minutes = Minutes(meeting=meeting)
    sections = []
    for spec in template_for(MeetingKind.STRATEGY_DISCUSSION):
        body = "\n".join(f"{n}. {SENTENCE * 2}" for n in range(1, paragraphs + 1))
        sections.append({"key": spec.key, "title": spec.title, "audience": spec.audience, "body": body,
                         "required": spec.required, "allows_none": spec.allows_none, "none_raised": False})
    return MinutesVersion(minutes=minutes, number=3, sections=sections, approved_by=chair, approved_at=timezone.now())


def render(version: MinutesVersion):
    return renderer.render_minutes(version=version, variant="employer", recipient="Jo Bloggs, HR officer, Riverside Charity")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7, help="timed renders (default 7)")
    parser.add_argument("--pages", type=int, default=5, help="pages wanted (default 5)")
    args = parser.parse_args()

    paragraphs = 1
    while True:
        pages = render(make_version(paragraphs)).pages
        if pages >= args.pages:
            break
        paragraphs += 1
    version = make_version(paragraphs)
    warm = render(version)
    times = []
    for _ in range(args.n):
        start = time.perf_counter()
        result = render(version)
        times.append(time.perf_counter() - start)
    print(f"minutes PDF: {result.pages} pages (employer level, {paragraphs} paragraphs per section), "
          f"{len(result.data) / 1024:.0f} KiB, fetched {[str(p.relative_to(ROOT)) for p in warm.fetcher.served]}")
    print(f"renders: {args.n}; median {statistics.median(times):.2f} s; "
          f"min {min(times):.2f} s; max {max(times):.2f} s")


if __name__ == "__main__":
    main()
