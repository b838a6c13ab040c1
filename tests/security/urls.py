"""Every URL pattern of the product, and how to fill its parameters from the sweep's world.

A pattern whose parameter has no filler fails tests/security/test_url_sweep.py with a message saying
where to add one: new URLs are swept without anyone remembering to list them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from django.urls import URLPattern, URLResolver, get_resolver

# Not ours, or not pages: Django's admin (its own sign-in and permissions), static and media files.
EXCLUDED_PREFIXES = ("admin/", "static/", "media/", "__debug__/")
# An id no record has: for a parameter whose record the world does not build (everyone must get 404).
MISSING = 2_147_483_647


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    params: tuple[str, ...]
    callback: Callable

    @property
    def public(self) -> bool:
        """Marked login_not_required (sign-in pages, a guest's set-password link)."""
        return getattr(self.callback, "login_required", True) is False

    def __str__(self):
        return self.name or self.route


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            converters = getattr(p.pattern, "converters", None)
            params = tuple(converters) if converters else tuple(p.pattern.regex.groupindex)
            yield Route(route=route.lstrip("^"), name=namespace + (p.name or ""), params=params, callback=p.callback)


def all_routes() -> list[Route]:
    seen, found = set(), []
    for r in _walk(get_resolver().url_patterns):
        if r.route.startswith(EXCLUDED_PREFIXES) or (r.name, r.route) in seen:
            continue
        seen.add((r.name, r.route))
        found.append(r)
    return found


def _circulation(w):
    from meetings.models import Circulation

    circulation = Circulation.objects.filter(version=w.version).order_by("pk").first()
    return circulation.pk if circulation is not None else MISSING


def _document(w, key="document"):
    doc = w.records.get(key)
    return doc.pk if doc is not None else MISSING


def _api_name(row, letter):
    from api import identifiers

    return identifiers.name_of(identifiers.numbered(type(row).objects.filter(pk=row.pk).select_related("case__referral"),
                                                    type(row)).get(), letter)


# parameter -> [(route regex, value from the world)], first match wins.
FILLERS: dict[str, list[tuple[str, Callable]]] = {
    "reference": [
        (r"^providers/", lambda w: w.concern.reference),
        (r"", lambda w: w.referral.reference),
    ],
    "pk": [
        (r"^referrals/[^/]+/deadlines/", lambda w: w.deadline.pk),
        (r"^(records/)?meetings/", lambda w: w.meeting.pk),
        (r"^actions/", lambda w: w.action.pk),
        (r"^webhooks/", lambda w: w.endpoint.pk),  # agency A's webhook endpoint (issue 20)
        (r"^reporting/annual/pdfs/", lambda w: w.report_pdf.pk),
        (r"^assurance/requests/", lambda w: w.assurance_request.pk),
        (r"^assurance/", lambda w: w.round.pk),
        (r"^governance/deletions/", lambda w: w.deletion_request.pk),
        (r"^governance/subject-access/", lambda w: w.sar.pk),
        (r"^records/documents/", _document),
        # Need to know (issue 12 §1): one item of the case, its employer strand.
        (r"^cases/[^/]+/parts/", lambda w: w.case.strands.get(kind="employer").pk),
        # Issue 16: a child of the referral, support offered to the person, a complaint, a low-level concern.
        (r"^referrals/[^/]+/children/", lambda w: w.child.pk),
        (r"^cases/[^/]+/person/support/", lambda w: w.person_support.pk),
        (r"^cases/[^/]+/conclusion/complaints/", lambda w: w.complaint.pk),
        (r"^low-level-concerns/", lambda w: w.low_level.pk),
        (r"^letters/cases/", lambda w: w.letter.pk),
        (r"^api-clients/", lambda w: w.api_client.pk),  # agency A's API client (issue 20): the administrator's only  # a draft letter on agency A's case (issue 17 §3)
        # The outcome's checklist is made by recording an outcome, which would change the world's case for every
        # other route: not built by the world (tests/allegations/test_outcomes.py covers its permissions).
        (r"^cases/[^/]+/conclusion/checklist/", lambda w: MISSING),
        # A provider concern's suspensions of admissions and plan items: not built by the world.
        (r"^providers/[^/]+/(admissions|plan)/", lambda w: MISSING),
        # An action plan item's progress for its agency, and the letters to the provider: not built by the world
        # (tests/providers/test_views.py's matrix and test_gates.py say who may open them).
        (r"^providers/plan-items/", lambda w: MISSING),
        (r"^providers/[^/]+/letters/", lambda w: MISSING),
    ],
    # A serious concerns meeting after which the provider is written to: not built by the world.
    "meeting_pk": [(r"^providers/", lambda w: MISSING)],
    "number": [(r"", lambda w: w.version.number)],
    # Opening a referral from low-level concerns: the concerns' keys (lowlevel.urls).
    "key": [(r"^low-level-concerns/open-referral/", lambda w: str(w.low_level.pk))],
    "pdf_id": [(r"", lambda w: w.pdf.pk)],
    "invitation_pk": [(r"", lambda w: w.invitation.pk)],
    "delivery_pk": [(r"^webhooks/", lambda w: w.webhook_delivery.pk)],  # a delivery to agency A's endpoint
    # A circulation of the minutes (issue 17): the world's version is approved, not circulated, unless a test did.
    "circulation_pk": [(r"", lambda w: _circulation(w))],
    "question_pk": [(r"", lambda w: w.question.pk)],
    # A letter template is each LADO service's own, about no agency's record (its kind names no record: each
    # service edits its own): a throwaway here; tests/allegations/test_permissions.py says who may edit one.
    "kind": [(r"strands/", lambda w: "police"), (r"^letters/templates/", lambda w: MISSING)],
    "part": [(r"^cases/[^/]+/parts/", lambda w: "strand")],
    "action": [(r"^cases/", lambda w: "suspension"), (r"^api/v1/actions/", lambda w: _api_name(w.action, "A"))],
    # The partner API names actions and meetings by their case's reference and number (api.identifiers).
    "meeting": [(r"^api/v1/meetings/", lambda w: _api_name(w.meeting, "M"))],
    # Withdrawing a share: the police (the world's case is not shared with them, so 404 for everyone).
    "agency": [(r"^cases/[^/]+/sharing/", lambda w: w.agencies["police_agency"].pk)],
    "fmt": [(r"^governance/subject-access/", lambda w: "html")],
    # A guest's set-password link: public; garbage must be refused calmly.
    "uidb64": [(r"^guest/", lambda w: "MTIzNDU")],
    "token": [(r"^guest/", lambda w: "not-a-token")],
    # A development e-mail's file name (DEBUG only): none exists, and none is about agency A.
    "name": [(r"^dev/mail/", lambda w: MISSING)],
}


class NoFiller(LookupError):
    pass


def fill(route: Route, world) -> dict:
    kwargs = {}
    for param in route.params:
        for pattern, getter in FILLERS.get(param, []):
            if re.search(pattern, route.route):
                kwargs[param] = getter(world)
                break
        else:
            raise NoFiller(
                f"{route} ({route.route}) has a parameter <{param}> the sweep cannot fill: add a line for it to "
                f"FILLERS in tests/security/urls.py (and build the record it names in tests/security/conftest.py)"
            )
    return kwargs
