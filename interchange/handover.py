"""A transfer's handover bundle (issue 16 part 7; 003 §4, §14, §69–72): what is sent to the receiving LADO
service, made when the referral is sent (allegations.transfers.transfer_send) and kept as documents of it.

- a PDF of the referral as received, its initial discussion and triage, the children and the transfer itself
  (WeasyPrint through the minutes' renderer and its restricted URL fetcher: meetings.pdf);
- the referral's line of the export (interchange.md "Export — JSON Lines"), limited to this referral, so the
  receiving service can import it with `import_cases`' columns.

Registered with allegations in InterchangeConfig.ready(): allegations sits below us and does not import us.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone

from agencies.models import Partnership
from allegations.transfers import BundleFile
from meetings.pdf import render_pdf

from .exporting import full_record, referrals_for_export

TEMPLATE = "interchange/pdf/handover.html"


def export_line(referral, *, now=None) -> str:
    """The export's line of one referral, exactly as `export_cases` writes it."""
    partnership = Partnership.objects.order_by("pk").first() or Partnership()
    tz = ZoneInfo(partnership.time_zone)
    record = referrals_for_export().get(pk=referral.pk)
    return json.dumps(full_record(record, tz, now or timezone.now()), ensure_ascii=False) + "\n"


def render_html(referral, transfer) -> str:
    partnership = Partnership.objects.order_by("pk").first() or Partnership()
    triage = getattr(referral, "triage", None)  # a reverse one-to-one: None when there is none
    return render_to_string(TEMPLATE, {
        "title": f"Handover of referral {referral.reference}",
        "partnership_name": partnership.name if partnership.pk else "",
        "referral": referral,
        "subject": referral.subject,
        "children": list(referral.children.all()),
        "triage": triage,
        "transfer": transfer,
        "generated_at": timezone.now(),
    })


def bundle(referral, transfer) -> list[BundleFile]:
    pdf = render_pdf(render_html(referral, transfer)).data
    line = export_line(referral).encode("utf-8")
    return [
        BundleFile(role="pdf", title=f"Handover to {transfer.authority_name} (PDF)",
                   name=f"{referral.reference}-handover.pdf", checked_as="handover.pdf", content=pdf),
        BundleFile(role="jsonl", title=f"Handover to {transfer.authority_name} (JSON Lines)",
                   name=f"{referral.reference}-handover.jsonl", checked_as="handover.txt", content=line),
    ]
