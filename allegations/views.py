"""Thin views: fetch through a selector (404 for what the user may not see), bind a
form, call one service, redirect. 403 only for an action on something they can see."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Callable

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST
from markupsafe import Markup, escape

from agencies.access import CASE_ROLES, LADO, REFERRERS, role_required
from agencies.models import Agency, AgencyKind
from agencies.permissions import standing
from config.forms import apply_service_errors as _apply_service_errors
from config.jinja2 import field_id, govuk_date
from outbox.submissions import TOKEN_FIELD, AlreadySubmitted, new_token, submission_find
from records.selectors import documents_context

from deadlines import wording
from deadlines.models import Deadline

from . import facts, facts_forms, forms, intake, listing, pages, paging, people, person, selectors, services, transfers
from .filters import CaseFilter, TriageFilter
from .models import Case, CaseGroupObjectPermission, Disagreement, Part, Section, Strand, Subject

PAGE_SIZE = 25



def _page(request, queryset):
    """Counts at most a few rows past the page shown: "More than 1,000" beyond that (paging.py)."""
    return paging.page_of(request, queryset, PAGE_SIZE)


# --- Referral intake ------------------------------------------------------------

REFERRAL_ROLES = (lambda user: standing(user).can_refer, *REFERRERS, *LADO)
DRAFTS = "referral_drafts"  # the session key: answers checked before they are sent, by the form's one-time token
MAX_DRAFTS = 5


def _referral_forms(request, data):
    """The referral form and its people, bound to `data` (a POST, a kept draft) or unbound (None)."""
    s = standing(request.user)
    phone = s.is_lado and not s.referrer_agency_ids
    agencies = (
        Agency.objects.filter(is_active=True).exclude(kind=AgencyKind.LADO_SERVICE)
        if phone
        else Agency.objects.filter(pk__in=s.referrer_agency_ids)
    )
    initial = {}
    if not phone:
        membership = request.user.memberships.filter(agency_id__in=s.referrer_agency_ids).select_related("agency").first()
        initial = {
            "referrer_name": request.user.get_full_name(),
            "referrer_email": request.user.email,
            "referrer_role": membership.job_title if membership else "",
            "referring_agency": membership.agency_id if membership else None,
            "employer_name": membership.agency.name if membership else "",
            "sector": membership.agency.sector if membership else "",
        }
    form = forms.ReferralForm(data, agencies=agencies, phone=phone, initial=initial)
    children = forms.ChildFormSet(data, prefix="children")
    return form, children, phone


def _referral_valid(request, form, children):
    """Valid, and the referring agency leads to a LADO service: the LADO service to send it to, or None."""
    if not (form.is_valid() and children.is_valid()):
        return None
    lado_service = _lado_service_for(form.cleaned_data["referring_agency"], standing(request.user))
    if lado_service is None:
        form.add_error("referring_agency", "This agency is not linked to a LADO service. Contact the LADO service by phone.")
    return lado_service


def _draft_get(request, token: str):
    """The answers kept for the check page, as a QueryDict, or None."""
    kept = request.session.get(DRAFTS, {}).get(token or "")
    if kept is None:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept.items():
        data.setlist(key, values)
    return data


def _draft_keep(request, data) -> str:
    """Keep the posted answers in the session (not in the page) until they are sent; their key is the token."""
    answers = {key: data.getlist(key) for key in data if key != "csrfmiddlewaretoken"}
    token = (data.get(TOKEN_FIELD) or "").strip() or new_token()
    answers[TOKEN_FIELD] = [token]
    drafts = {k: v for k, v in request.session.get(DRAFTS, {}).items() if k != token}
    drafts = dict(list(drafts.items())[-(MAX_DRAFTS - 1):])  # a few tabs at once, not a growing pile
    drafts[token] = answers
    request.session[DRAFTS] = drafts
    return token


def _draft_drop(request, token: str) -> None:
    drafts = request.session.get(DRAFTS, {})
    if token in drafts:
        drafts = {k: v for k, v in drafts.items() if k != token}
        request.session[DRAFTS] = drafts


ADD_CHILD = "add_child"  # the name of the form's "Add another person" button


def _with_another_child(data, *, children_prefix: str):
    """The posted answers with one more (empty) row of people, up to the form's limit."""
    data = data.copy()
    key = f"{children_prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(max(total, 0) + 1, forms.MAX_CHILDREN_AT_INTAKE))
    data.pop(ADD_CHILD, None)
    return data


def _quiet(form, children) -> None:
    """Show the answers as typed without judging them yet: adding a row is not sending the form."""
    from django.forms.utils import ErrorDict

    form._errors = ErrorDict()
    for child in children.forms:
        child._errors = ErrorDict()
    children._errors = [ErrorDict() for _ in children.forms]
    children._non_form_errors = children.error_class()


@require_http_methods(["GET", "POST"])
@role_required(*REFERRAL_ROLES)
def referral_create(request):
    """The referral form. Valid answers go to the check page (nothing is sent yet); "Change" there comes back here
    with the answers kept (`?draft=`)."""
    if request.method == "POST" and ADD_CHILD in request.POST:  # "Add another person": the form again, one row more
        form, children, phone = _referral_forms(request, _with_another_child(request.POST, children_prefix="children"))
        _quiet(form, children)
    elif request.method == "POST":
        form, children, phone = _referral_forms(request, request.POST)
        if _referral_valid(request, form, children) is not None:
            token = _draft_keep(request, request.POST)
            return redirect(reverse("allegations:referral_check") + "?" + urlencode({"draft": token}))
    else:
        form, children, phone = _referral_forms(request, _draft_get(request, request.GET.get("draft", "")))
    return render(request, "allegations/referral_form.html", {"form": form, "children": children, "phone": phone})


@require_http_methods(["GET", "POST"])
@role_required(*REFERRAL_ROLES)
def referral_check(request):
    """Check your answers, then send: the referral is made only here, from the kept answers."""
    token = (request.POST.get("draft") if request.method == "POST" else request.GET.get("draft")) or ""
    data = _draft_get(request, token)
    if data is None:
        already = submission_find(token=token, user=request.user) if token else None
        if already is not None:  # "Send referral" pressed twice: the first one made it
            messages.info(request, "This referral was already sent: it was saved once, and here it is.")
            return redirect(already or "home")
        messages.info(request, "Your answers were not kept. Fill in the referral form again.")
        return redirect("allegations:referral_create")
    form, children, phone = _referral_forms(request, data)
    lado_service = _referral_valid(request, form, children)
    if lado_service is None:  # something changed since (an agency closed): back to the form, with the errors
        return render(request, "allegations/referral_form.html", {"form": form, "children": children, "phone": phone})
    if request.method == "POST":
        try:
            referral = _referral_send(request, form, children, lado_service=lado_service, phone=phone)
        except AlreadySubmitted as already:
            _draft_drop(request, token)
            messages.info(request, "This referral was already sent: it was saved once, and here it is.")
            return redirect(already.url or "home")
        except ValidationError as error:
            _apply_service_errors(form, error)
            return render(request, "allegations/referral_form.html", {"form": form, "children": children, "phone": phone})
        _draft_drop(request, token)
        return redirect("allegations:referral_confirmation", reference=referral.reference)
    change = reverse("allegations:referral_create") + "?" + urlencode({"draft": token})
    return render(request, "allegations/referral_check.html", {
        "form": form, "phone": phone, "draft": token, "change_url": change,
        "sections": _referral_answers(form, children, change),
    })


def _referral_send(request, form, children, *, lado_service, phone):
    return intake.referral_send(actor=request.user, form=form, children=children, lado_service=lado_service, phone=phone)


REFERRAL_SECTIONS = (
    ("About the referral", ("workforce", "request_kind", "transferred_from", "referring_agency", "referrer_name", "referrer_role",
                            "referrer_phone", "referrer_email")),
    ("The person the concern is about", ("given_name", "family_name", "described_as", "known_as", "previous_family_name",
                                         "date_of_birth", "address", "subject_role", "employment_type",
                                         "employer_name", "sector", "registration_body", "registration_number")),
    ("What happened", ("concern_kind", "category", "description", "concern_arose_on", "how_arose", "timing",
                       "children_count")),
    ("Where the person works and lives", ("subject_works_in", "subject_lives_in", "other_settings")),
    ("What is known already", ("known_history",)),
)


def _answer(bound_field) -> str:
    """A cleaned answer in words: the chosen option's label, a date as "27 March 2026", "Not given" when blank."""
    value = bound_field.form.cleaned_data.get(bound_field.name)
    if value in (None, "", []):
        return "Not given"
    field = bound_field.field
    if isinstance(value, dt.date):
        return govuk_date(value)
    if isinstance(field, django_forms.ModelChoiceField):
        return str(field.label_from_instance(value))
    if getattr(field, "choices", None) and not isinstance(field, django_forms.ModelChoiceField):
        return str(dict((str(k), v) for k, v in field.choices).get(str(value), value))
    return str(value)


def _referral_answers(form, children, change_url: str) -> list[dict]:
    """The check page's summary lists (govukSummaryList rows), each "Change" linking to its input on the form."""
    def row(key, value, anchor, hidden):
        lines = [escape(line) for line in str(value).splitlines()] or [Markup("")]
        return {"key": {"text": key}, "value": {"html": Markup("<br>").join(lines)},
                "actions": {"items": [{"href": f"{change_url}#{anchor}", "text": "Change", "visuallyHiddenText": hidden}]}}

    sections = []
    for heading, names in REFERRAL_SECTIONS:
        rows = [row(str(form[name].label), _answer(form[name]), field_id(form[name]), str(form[name].label).lower())
                for name in names if name in form.fields]
        if heading == "What happened":
            for index, child in enumerate(c for c in children.forms if c.cleaned_data):
                data = child.cleaned_data
                name = " ".join(p for p in (data.get("given_name"), data.get("family_name")) if p)
                details = [_answer(child["relationship"]),
                           f"born {govuk_date(data['date_of_birth'])}" if data.get("date_of_birth") else "",
                           {"yes": "has a social worker", "no": "no social worker"}.get(data.get("social_worker"), ""),
                           {"yes": "looked after", "no": "not looked after"}.get(data.get("looked_after"), "")]
                value = ", ".join(p for p in [name, *details] if p and p != "Not given")
                rows.append(row(f"Person {index + 1}", value, field_id(child["given_name"]), f"person {index + 1}"))
        sections.append({"heading": heading, "rows": rows})
    return sections


def _lado_service_for(agency: Agency | None, s) -> Agency | None:
    return intake.lado_service_for(agency, s)


def referral_confirmation(request, reference):
    referral = selectors.referral_get(user=request.user, reference=reference)
    return render(request, "allegations/referral_confirmation.html", {"referral": referral})


@role_required(lambda user: bool(standing(user).agency_ids), *CASE_ROLES)
def referral_list(request):
    page = _page(request, selectors.referrals_for_agency(user=request.user))
    listing.remember(request, "allegations:referral_list")
    return render(request, "allegations/referral_list.html", {"page": page,
                                                              "can_refer": standing(request.user).can_refer})


# --- Referral detail and triage -----------------------------------------------

def referral_detail(request, reference):
    referral = selectors.referral_get(user=request.user, reference=reference)
    services.access_record(user=request.user, referral=referral)
    manage = selectors.can_manage(request.user, referral)
    parts = selectors.referral_parts_for(request.user, referral)  # need to know: what this person may see
    now = timezone.now()
    back = (listing.back_url(request, "allegations:triage_queue") if manage
            else listing.back_url(request, "allegations:referral_list"))
    context = {"referral": referral, "manage": manage, "parts": parts, "back": back,
               "show_children": parts.shows(Section.CHILDREN), "children_list": parts.children,
               **documents_context(request.user, referral=referral)}
    from .facts_views import people_context

    context.update(people_context(request.user, referral, parts))  # other people, and "Change" links
    if manage:
        initial = referral.deadlines.filter(kind=Deadline.Kind.INITIAL_DISCUSSION).first()
        rejected = set(referral.subject_matches.filter(decision="rejected").values_list("candidate_id", flat=True))
        context.update(
            clock=wording.deadline_clock(initial, now),
            deadline_rows=wording.deadline_list(referral.deadlines.select_related("waived_by"), now=now),
            matches=selectors.earlier_records(user=request.user, referral=referral, exclude_ids=rejected)
            if referral.is_open or not hasattr(referral, "case") else [],
            previous=list(selectors.previous_referrals(user=request.user, referral=referral)),
            other_names=list(referral.subject.other_names.all()),
            events=parts.events,
            who_opened=list(selectors.who_opened(referral=referral)),
            assign_form=forms.AssignForm(officers=selectors.lado_officers(service_ids=[referral.lado_service_id]),
                                         initial={"officer": referral.assigned_to_id}),
        )
        context["match_referrals"] = _referrals_of([m.subject for m in context["matches"]], request.user)
        context["restriction"] = selectors.restriction_of(referral)
        context["may_restrict"] = selectors.can_restrict(request.user, referral)
        context["transfer"] = transfers.transfer_for(request.user, referral)
        context["may_send_transfer"] = context["transfer"] is None and transfers.may_send(request.user, referral)
    return render(request, "allegations/referral_detail.html", context)


def _referrals_of(subjects: list[Subject], user) -> dict[int, list]:
    from .models import Referral

    found: dict[int, list] = {}
    for r in Referral.objects.visible_to(user).filter(subject__in=subjects).select_related("case").order_by("-received_at"):
        found.setdefault(r.subject_id, []).append(r)
    return found


def _managed_referral(request, reference):
    referral = selectors.referral_get(user=request.user, reference=reference)
    if not selectors.can_manage(request.user, referral):
        raise PermissionDenied
    return referral


@require_POST
def referral_assign(request, reference):
    referral = _managed_referral(request, reference)
    form = forms.AssignForm(request.POST, officers=selectors.lado_officers(service_ids=[referral.lado_service_id]))
    if form.is_valid():
        try:
            services.referral_assign(actor=request.user, referral=referral, officer=form.cleaned_data["officer"])
            messages.success(request, "Referral assigned.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Choose an officer from the list.")
    return redirect("allegations:referral_detail", reference=reference)


@require_http_methods(["GET", "POST"])
def referral_discussion(request, reference):
    referral = _managed_referral(request, reference)
    # Usually recorded straight after the call: now, with the referrer, unless changed.
    form = forms.DiscussionForm(request.POST if request.method == "POST" else None,
                                initial={"with_whom": referral.referrer_name,
                                         "held_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_record_discussion(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Initial discussion recorded.")
            return redirect("allegations:referral_detail", reference=reference)
    return render(request, "allegations/form_page.html", {
        "form": form, "title": "Record the initial discussion", "caption": referral.reference,
        "back": reverse("allegations:referral_detail", args=[reference]), "submit": "Save discussion",
    })


@require_http_methods(["GET", "POST"])
def referral_decision(request, reference):
    referral = _managed_referral(request, reference)
    form = forms.TriageForm(request.POST if request.method == "POST" else None, workforce=referral.workforce,
                            concern_kind=referral.concern_kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_triage(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Triage decision recorded.")
            referral.refresh_from_db()
            if hasattr(referral, "case"):
                return redirect("allegations:case_detail", reference=reference)
            if transfers.may_send(request.user, referral):  # next: to whom it goes, and the handover
                return redirect("allegations:transfer_send", reference=reference)
            return redirect("allegations:referral_detail", reference=reference)
    return render(request, "allegations/referral_decision.html", {"form": form, "referral": referral})


@require_POST
def referral_match(request, reference):
    referral = _managed_referral(request, reference)
    form = forms.SubjectMatchForm(request.POST)
    if not form.is_valid():
        raise Http404
    candidate = Subject.objects.live().filter(pk=form.cleaned_data["candidate"]).first()
    if candidate is None or not _candidate_visible(request.user, candidate):
        raise Http404
    try:
        services.subject_match_decide(actor=request.user, referral=referral, candidate=candidate,
                                      decision=form.cleaned_data["decision"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Recorded as the same person." if form.cleaned_data["decision"] == "confirmed"
                         else "Recorded as not the same person.")
    return redirect("allegations:referral_detail", reference=reference)


@require_http_methods(["GET", "POST"])
def referral_restrict(request, reference):
    """The LADO service manager restricts a confidential referral and its case to named people."""
    referral = selectors.referral_get(user=request.user, reference=reference)
    if not selectors.can_restrict(request.user, referral):
        raise PermissionDenied
    restriction = selectors.restriction_of(referral)
    initial = {"reason": restriction.reason, "may_open": list(restriction.may_open.all()),
               "subject_account": restriction.subject_account_id,
               "line_manager": restriction.line_manager_id} if restriction else {}
    form = forms.RestrictForm(request.POST if request.method == "POST" else None, initial=initial,
                              staff=selectors.lado_officers(service_ids=[referral.lado_service_id]),
                              people=selectors.service_people(service_id=referral.lado_service_id))
    back = (reverse("allegations:case_access", args=[reference]) if hasattr(referral, "case")
            else reverse("allegations:referral_detail", args=[reference]))
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_restrict(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Restricted. Only the people named can open it.")
            return redirect(back)
    return render(request, "allegations/form_page.html", {
        "form": form, "title": "Restrict to named people", "caption": f"Referral {reference}",
        "back": back, "submit": "Restrict",
    })


def _candidate_visible(user, subject: Subject) -> bool:
    from .models import Referral

    return Referral.objects.visible_to(user).filter(subject=subject).exists()


@role_required(lambda user: standing(user).is_lado, *LADO)
def triage_queue(request):
    s = standing(request.user)
    queryset = selectors.triage_queue(user=request.user)
    officers = selectors.lado_officers(service_ids=s.lado_service_ids)
    data = request.GET.copy()
    # Open work unless asked for more; a search looks through everything (a reference is found whatever its state).
    data.setdefault("status", "all" if data.get("q", "").strip() else "open")
    filters = TriageFilter(data, queryset=queryset, officers=officers, officer_rows=functools.partial(
        selectors.lado_officer_rows, service_ids=s.lado_service_ids))
    ordered, headers = listing.sorted_by(request, filters.qs, QUEUE_COLUMNS)
    listing.remember(request, "allegations:triage_queue")
    # The count's and the page's SQL kept for everything they are made from (selectors.TRIAGE_QUEUE_READS): the
    # person's services and restrictions (triage_queue_key), the filters, the order and the page. None: not kept.
    shape = filters.kept_key()
    kept = None if shape is None else (selectors.TRIAGE_QUEUE_READS, (
        selectors.triage_queue_key(request.user), shape, listing.sort_key(request, QUEUE_COLUMNS)))
    page = paging.page_of(request, ordered, PAGE_SIZE, kept=kept)
    # The page's rows read as values (no models); the count from the queryset without their joins.
    values = functools.partial(page.object_list.values_list, *selectors.QUEUE_VALUES)
    if kept is None:
        values = values()
    else:
        reads, key = kept
        query = page.object_list.query
        values = reads.rows((*key, "rows", query.low_mark, query.high_mark), values)
    rows = listing.queue_rows(values, timezone.now())
    page.object_list = rows  # what the page holds, read once (the pagination asks its length)
    # Several concerns about one provider: consider the process (001): the prompt, from providers (pages.py).
    return render(request, "allegations/triage_queue.html", {"page": page, "rows": rows, "filters": filters,
                                                             "headers": headers,
                                                             **pages.page_parts(pages.TRIAGE_QUEUE, user=request.user)})


# The queue's columns; without ?sort= it keeps its own order (open work, nearest the 24-hour clock first).
QUEUE_COLUMNS = [
    listing.Column("reference", "Reference", ("reference",)),
    listing.Column("person", "Person", ("subject__family_name", "subject__given_name")),
    listing.Column("received", "Received", ("received_at",), first="desc"),
    listing.Column("status", "Status", ("status",)),
    listing.Column("clock", "Initial discussion"),
    listing.Column("officer", "Officer", ("assigned_to__first_name", "assigned_to__last_name")),
]


# --- Cases -----------------------------------------------------------------------

@role_required(lambda user: standing(user).sees_cases, *CASE_ROLES)
def case_list(request):
    s = standing(request.user)
    filters = CaseFilter(request.GET or None, queryset=selectors.case_list(user=request.user))
    # Past the first 1,000 cases, next and previous by position (paging.py): an offset there grows with the page.
    # The page's rows read as values (no models); the count from the queryset without their joins.
    page = paging.keyset_page_of(request, filters.qs, PAGE_SIZE, selectors.CASE_LIST_KEYSET,
                                 values=selectors.CASE_LIST_VALUES)
    listing.remember(request, "allegations:case_list")  # the case page's back link: listing.back_url
    return render(request, "allegations/case_list.html", {"page": page, "rows": listing.case_rows(page.object_list),
                                                          "filters": filters, "lado": s.is_lado})


# The pages of a case: the overview (the case at a glance) and one page per part, each reading only its own
# kinds of items through case_parts_for (need to know), so each page's queries are bounded by what it shows.
# selectors.case_tabs lists the pages a person may open; any other answers 404.
CASE_PAGES: dict[str, frozenset] = {
    "overview": frozenset({Part.REGULATOR}),  # the children's details are on the referral's page
    # The support offered to the person is shown beside the arrangements (003 §35).
    "strands": frozenset({Part.STRAND, Part.SUSPENSION, Part.REVIEW, Part.RISK, Part.PERSON_SUPPORT}),
    "decisions": frozenset({Part.DECISION, Part.DISAGREEMENT}),
    "person": frozenset(selectors.PERSON_PARTS),  # the person the allegation is about (issue 16 §2)
    "meetings": frozenset(),
    "actions": frozenset(),
    "documents": frozenset(),
    "conclusion": frozenset({Part.REGULATOR, Part.COMPLAINT, selectors.OUTCOME_RECORDS}),  # outcome_views.py
    "people_told": frozenset(),  # its children and who told their parents or carers (people.people_told)
    "timeline": frozenset({selectors.EVENTS}),
    "access": frozenset(),
}

# The things the case's button menu offers, in order (the last, closing, leads to a confirmation page).
CASE_MENU = ("assign", "route", "outcome", "dbs", "regulator", "link", "share", "close")


def case_page_url(reference: str, slug: str) -> str:
    viewname = "allegations:case_detail" if slug == "overview" else f"allegations:case_{slug}"
    return _case_url(get_script_prefix(), viewname, (reference,))


@functools.lru_cache(maxsize=2048)
def _case_url(script_prefix: str, viewname: str, args: tuple) -> str:
    """A case's address, reversed once per process: every page of a case links to its pages and actions (about 20
    addresses), the same on every request (issue 19). The URLconf does not change while the process runs; the
    script prefix it is mounted under is part of the key."""
    return reverse(viewname, args=args)


def _case_page(request, reference, slug: str) -> tuple[Case, dict]:
    """The case (404 unless the user sees it and this page of it), its reading logged, and what every page of it
    shows: the header, the sub-navigation and the menu of actions."""
    case = selectors.case_get(user=request.user, reference=reference, related=selectors.CASE_PAGE_RELATED,
                              overview=slug == "overview", people=selectors.CASE_PAGE_PEOPLE)
    referral = case.referral
    parts = selectors.case_parts_for(request.user, case, load=CASE_PAGES[slug])  # need to know: the one place
    tabs = selectors.case_tabs(parts)
    if slug not in {tab.slug for tab in tabs}:
        raise Http404("No such page of this case")
    services.access_record(user=request.user, referral=referral, case=case)
    manage = selectors.can_manage(request.user, referral)
    prefix = get_script_prefix()
    menu = [(CASE_ACTIONS[action].title, _case_url(prefix, "allegations:case_action", (case.reference, action)))
            for action in CASE_MENU] if manage and case.is_open else []
    return case, {
        "case": case, "referral": referral, "manage": manage, "parts": parts, "tab": slug,
        "tabs": [(tab, case_page_url(case.reference, tab.slug)) for tab in tabs], "menu": menu,
    }


# What the overview shows of each deadline (its state in words, deadlines.wording.deadline_words, and who waived it).
OVERVIEW_DEADLINE_FIELDS = ("id", "referral_id", "kind", "due_at", "met_at", "status", "waived_reason",
                            "waived_by__id", "waived_by__first_name", "waived_by__last_name", "waived_by__username")
ALL_DEADLINE_KINDS = frozenset(Deadline.Kind.values)


def case_detail(request, reference):
    """The case at a glance: who, what is alleged, where, route, status, the next deadline and what it waits on."""
    case, context = _case_page(request, reference, "overview")
    referral, parts = case.referral, context["parts"]
    now = timezone.now()
    deadlines = referral.deadlines.select_related("waived_by").only(*OVERVIEW_DEADLINE_FIELDS)
    if parts.deadline_kinds != ALL_DEADLINE_KINDS:  # (the LADO service sees every kind: no filter to build)
        deadlines = deadlines.filter(kind__in=parts.deadline_kinds)
    deadline_rows = wording.deadline_list(deadlines, now=now)
    # The next meeting and the open actions (pages.py: the meetings app reads them).
    meetings = pages.page_parts(pages.CASE_OVERVIEW, user=request.user, case=case)
    context.update(
        deadline_rows=deadline_rows,
        next_deadline=selectors.next_deadline(deadline_rows),
        next_meeting=meetings["next_meeting"],
        waiting=selectors.waiting_on(referral=referral, deadline_rows=deadline_rows, actions=meetings["open_actions"],
                                     today=meetings["today"]),
        regulator_referrals=parts.regulator_referrals,
        show_children=False,  # read on the referral's page (one query fewer here)
        # Only linked cases the user may see: a reference alone confirms that a case exists. (reference, reason)
        # pairs: the overview shows nothing else of them.
        links=list(case.links.filter(linked_case__in=Case.objects.visible_to(request.user))
                   .values_list("linked_case__referral__reference", "reason").order_by("pk"))
        if parts.shows(Section.LINKS) and case.has_links else [],
        # A second person alleged against (case_get said whether there is one).
        other_subjects=people.other_subjects(parts, referral) if case.has_other_subjects else [],
    )
    return render(request, "allegations/case_detail.html", context)


def case_strands(request, reference):
    """The strands (police, social care, employer), the arrangements while they run, reviews and risk."""
    case, context = _case_page(request, reference, "strands")
    parts = context["parts"]
    context.update(strands=parts.strands, suspensions=parts.suspensions, risks=parts.risks, reviews=parts.reviews,
                   person_support=parts.person_support)
    return render(request, "allegations/case_strands.html", context)


def case_person(request, reference):
    """The person the allegation is about: what they were told (and what is held back, on whose advice), their
    named contact, the support offered and the updates to them, with the next update due (issue 16 §2)."""
    case, context = _case_page(request, reference, "person")
    parts = context["parts"]
    now = timezone.now()
    kinds = [k for k in (Deadline.Kind.PERSON_UPDATE,) if k in parts.deadline_kinds]
    context.update(
        told=parts.person_told, contacts=parts.person_contacts, support=parts.person_support,
        updates=parts.person_updates,
        update_deadlines=wording.deadline_list(
            case.referral.deadlines.filter(kind__in=kinds).select_related("waived_by").order_by("-due_at")[:3], now=now),
    )
    return render(request, "allegations/case_person.html", context)


@require_http_methods(["GET", "POST"])
def person_support_taken_up(request, reference, pk):
    """Whether the person took up the support offered, once it is known."""
    case = _managed_case(request, reference)
    support = case.person_support.filter(pk=pk).first()
    if support is None:
        raise Http404
    form = forms.PersonSupportTakenUpForm(request.POST if request.method == "POST" else None,
                                          initial={"taken_up": support.taken_up})
    if request.method == "POST" and not case.is_open:
        form.add_error(None, "This case is closed. Nothing more can be recorded on it.")
    if request.method == "POST" and form.is_valid():
        try:
            person.person_support_taken_up(actor=request.user, support=support, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Recorded.")
            return redirect(case_page_url(reference, "person"))
    return render(request, "allegations/form_page.html", {
        "form": form, "title": f"Did the person take up {support.label().lower()}?", "caption": f"Case {case.reference}",
        "back": case_page_url(reference, "person"), "submit": "Save",
    })


def case_decisions(request, reference):
    case, context = _case_page(request, reference, "decisions")
    parts = context["parts"]
    context.update(decisions=parts.decisions, disagreements=parts.disagreements)
    return render(request, "allegations/case_decisions.html", context)


def case_meetings(request, reference):
    case, context = _case_page(request, reference, "meetings")
    context.update(pages.page_parts(pages.CASE_DETAIL, user=request.user, case=case))  # its meetings (pages.py)
    return render(request, "allegations/case_meetings.html", context)


def case_actions(request, reference):
    case, context = _case_page(request, reference, "actions")
    context.update(pages.page_parts(pages.CASE_DETAIL, user=request.user, case=case))  # its meetings (pages.py)
    return render(request, "allegations/case_actions.html", context)


def case_documents(request, reference):
    case, context = _case_page(request, reference, "documents")
    context.update(documents_context(request.user, case=case))
    parts = context["parts"]
    if context["manage"] or parts.may_hold:
        context["document_views"] = selectors.document_views(case.referral, context["documents"], parts.overrides)
    return render(request, "allegations/case_documents.html", context)


def case_people_told(request, reference):
    """Each child, whether their parents or carers were told (by whom, when, what) or why not, and the child's views
    for those whose level sees them (people.people_told)."""
    case, context = _case_page(request, reference, "people_told")
    context.update(rows=people.people_told(context["parts"], case.referral),
                   may_record=people.can_change_facts(request.user, case.referral))
    return render(request, "allegations/case_people_told.html", context)


def case_timeline(request, reference):
    case, context = _case_page(request, reference, "timeline")
    context["events"] = context["parts"].events
    return render(request, "allegations/case_timeline.html", context)


def case_access(request, reference):
    """Who may see the case (sharing, restriction) and who has opened it: the LADO service's page."""
    case, context = _case_page(request, reference, "access")
    referral = case.referral
    context.update(
        who_opened=list(selectors.who_opened(referral=referral)),
        shared_with=_shared_with(case),
        previous=list(selectors.previous_referrals(user=request.user, referral=referral)),
        restriction=selectors.restriction_of(referral),
        may_restrict=selectors.can_restrict(request.user, referral),
    )
    return render(request, "allegations/case_access.html", context)


def _shared_with(case: Case) -> list[tuple[Agency, str]]:
    """The agencies the case is shared with, and at which level (the LADO service's view)."""
    from .permissions import case_share_levels

    groups = CaseGroupObjectPermission.objects.filter(content_object=case).values("group")
    agencies = list(Agency.objects.filter(group__in=groups))
    levels = case_share_levels(case=case, group_ids=[a.group_id for a in agencies])
    return [(agency, levels[agency.group_id]) for agency in agencies if agency.group_id in levels]


def _managed_case(request, reference) -> Case:
    case = selectors.case_get(user=request.user, reference=reference)
    if not selectors.can_manage(request.user, case.referral):
        raise PermissionDenied
    return case


@dataclass(frozen=True)
class CaseAction:
    title: str
    form: Callable[..., django_forms.Form]
    perform: Callable[..., object]
    done: str
    submit: str = "Save"
    needs_open: bool = True
    page: str = "overview"  # the page of the case the form returns to (CASE_PAGES)
    template: str = "allegations/form_page.html"


def _link(actor, case, linked_reference, reason):
    from .models import Case as CaseModel

    linked = CaseModel.objects.visible_to(actor).filter(referral__reference=linked_reference.strip()).first()
    if linked is None:
        raise ValidationError({"linked_reference": "There is no case with that reference."})
    return services.case_link(actor=actor, case=case, linked_case=linked, reason=reason)


def _close(actor, case, data):
    """Close, with the reason given for each child whose parents or carers were not told (facts_forms.ClosingForm)."""
    reasons = {int(name.removeprefix("not_told_")): value for name, value in data.items() if name.startswith("not_told_")}
    rest = {name: value for name, value in data.items() if not name.startswith("not_told_")}
    return services.case_close(actor=actor, case=case, parents_not_told=reasons, **rest)


CASE_ACTIONS: dict[str, CaseAction] = {
    "suspension": CaseAction("Record suspension or other arrangements", lambda case, **kw: forms.SuspensionForm(**kw),
                             lambda actor, case, data: services.suspension_record(actor=actor, case=case, **data),
                             "Arrangement recorded.", page="strands"),
    "risk": CaseAction("Record a risk assessment", lambda case, **kw: forms.RiskAssessmentForm(**kw),
                       lambda actor, case, data: services.risk_assessment_record(actor=actor, case=case, **data),
                       "Risk assessment recorded.", page="strands"),
    "decision": CaseAction("Record a decision", lambda case, **kw: forms.DecisionForm(**kw),
                           lambda actor, case, data: services.decision_record(actor=actor, case=case, **data),
                           "Decision recorded.", page="decisions"),
    "disagreement": CaseAction("Record a disagreement or professional challenge",
                               lambda case, **kw: forms.DisagreementForm(**kw),
                               lambda actor, case, data: services.disagreement_record(actor=actor, case=case, **data),
                               "Disagreement recorded.", page="decisions"),
    "link": CaseAction("Link another case", lambda case, **kw: forms.CaseLinkForm(**kw),
                       lambda actor, case, data: _link(actor, case, **data), "Cases linked."),
    "share": CaseAction("Share this case with an agency", lambda case, **kw: forms.ShareForm(**kw),
                        lambda actor, case, data: services.case_share_with(actor=actor, case=case, **data),
                        "Case shared.", page="access"),
    "outcome": CaseAction("Record the outcome", lambda case, **kw: forms.OutcomeForm(
        initial={"outcome": case.outcome, "police_outcome": case.police_outcome,
                 "employer_outcome": case.employer_outcome, "police_outcome_detail": case.police_outcome_detail}, **kw),
        lambda actor, case, data: services.case_record_outcome(actor=actor, case=case, **data), "Outcome recorded."),
    "dbs": CaseAction("Record the DBS referral", lambda case, **kw: forms.DbsReferralForm(
        initial={"referred_on": case.dbs_referral_on, "notes": case.dbs_referral_notes}, **kw),
        lambda actor, case, data: services.case_record_dbs_referral(actor=actor, case=case, **data),
        "DBS referral recorded."),
    # A claim may come years after the case closed (needs_open=False; the outcome section links to it).
    "civil-claim": CaseAction("Record a civil claim", lambda case, **kw: forms.CivilClaimForm(
        initial={"civil_claim": "yes" if case.civil_claim else "no", "claim_on": case.civil_claim_on,
                 "notes": case.civil_claim_notes}, **kw),
        lambda actor, case, data: services.case_record_civil_claim(actor=actor, case=case, **data),
        "Civil claim recorded.", needs_open=False),
    "regulator": CaseAction("Record a referral to a regulator", lambda case, **kw: forms.RegulatorReferralForm(**kw),
                            lambda actor, case, data: services.regulator_referral_record(actor=actor, case=case, **data),
                            "Regulator referral recorded."),
    "assign": CaseAction("Change the case owner", lambda case, **kw: forms.CaseAssignForm(
        officers=selectors.lado_officers(service_ids=[case.referral.lado_service_id]), initial={"officer": case.owner_id}, **kw),
        lambda actor, case, data: services.case_assign(actor=actor, case=case, owner=data["officer"]), "Case owner changed."),
    "review": CaseAction("Record a case review", lambda case, **kw: forms.ReviewForm(**kw),
                         lambda actor, case, data: services.review_record(actor=actor, case=case, kind="case", **data),
                         "Case review recorded.", page="strands"),
    "police-review": CaseAction("Record a police review", lambda case, **kw: forms.PoliceReviewForm(**kw),
                                lambda actor, case, data: services.review_record(actor=actor, case=case, kind="police", **data),
                                "Police review recorded.", page="strands"),
    "route": CaseAction("Change how the case is managed", lambda case, **kw: forms.RouteForm(initial={"route": case.route}, **kw),
                        lambda actor, case, data: services.case_change_route(actor=actor, case=case, **data),
                        "Route changed."),
    # The person the allegation is about (issue 16 §2).
    "person-told": CaseAction("Record what the person was told", lambda case, **kw: forms.PersonToldForm(**kw),
                              lambda actor, case, data: person.person_told_record(actor=actor, case=case, **data),
                              "Recorded what the person was told.", page="person"),
    "person-contact": CaseAction("Record the person's named contact", lambda case, **kw: forms.PersonContactForm(**kw),
                                 lambda actor, case, data: person.person_contact_record(actor=actor, case=case, **data),
                                 "Named contact recorded.", page="person"),
    "person-support": CaseAction("Record support offered to the person", lambda case, **kw: forms.PersonSupportForm(**kw),
                                 lambda actor, case, data: person.person_support_record(actor=actor, case=case, **data),
                                 "Support recorded.", page="person"),
    "person-update": CaseAction("Record an update to the person", lambda case, **kw: forms.PersonUpdateForm(**kw),
                                lambda actor, case, data: person.person_update_record(actor=actor, case=case, **data),
                                "Update recorded.", page="person"),
    "close": CaseAction("Close the case", lambda case, **kw: facts_forms.ClosingForm(
        children=facts.children_without_answer(case.referral), **kw), lambda actor, case, data: _close(actor, case, data),
                        "Case closed.", submit="Close the case", template="allegations/case_close.html"),
}


@require_http_methods(["GET", "POST"])
def case_action(request, reference, action):
    spec = CASE_ACTIONS.get(action)
    if spec is None:
        raise Http404
    case = _managed_case(request, reference)
    form = spec.form(case, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and not case.is_open and spec.needs_open:
        form.add_error(None, "This case is closed. Nothing more can be recorded on it.")
    if request.method == "POST" and form.is_valid():
        try:
            spec.perform(request.user, case, form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, spec.done)
            return redirect(case_page_url(reference, spec.page))
    return render(request, spec.template, {
        "form": form, "title": spec.title, "caption": f"Case {case.reference}", "submit": spec.submit,
        "back": case_page_url(reference, spec.page), "case": case,
        "dbs_duty": case.dbs_duty if action in ("dbs", "close") else "",
    })


@require_http_methods(["GET", "POST"])
def case_share_withdraw(request, reference, agency):
    """The LADO service withdraws sharing with one agency, with a reason; access ends at once."""
    case = _managed_case(request, reference)
    shared = Agency.objects.filter(pk=agency, group__in=CaseGroupObjectPermission.objects.filter(
        content_object=case).values("group")).first()
    if shared is None:
        raise Http404
    form = forms.ShareWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_share_withdraw(actor=request.user, case=case, agency=shared, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"{shared.name} can no longer see this case.")
            return redirect(case_page_url(reference, "access"))
    return render(request, "allegations/case_share_withdraw.html", {
        "form": form, "case": case, "agency": shared, "back": case_page_url(reference, "access"),
    })


@require_http_methods(["GET", "POST"])
def strand_edit(request, reference, kind):
    if kind not in Strand.Kind.values:
        raise Http404
    case = _managed_case(request, reference)
    strand = case.strands.get(kind=kind)
    form = forms.StrandForm(request.POST if request.method == "POST" else None, instance=strand, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.strand_update(actor=request.user, case=case, kind=kind, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"{strand.get_kind_display()} updated.")
            return redirect(case_page_url(reference, "strands"))
    return render(request, "allegations/form_page.html", {
        "form": form, "title": f"Update: {strand.get_kind_display().lower()}", "caption": f"Case {case.reference}",
        "back": case_page_url(reference, "strands"), "submit": "Save",
    })


@require_http_methods(["GET", "POST"])
def disagreement_resolve(request, reference):
    case = _managed_case(request, reference)
    form = forms.DisagreementResolveForm(request.POST if request.method == "POST" else None, initial={"disagreement": request.GET.get("id")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        item = Disagreement.objects.filter(case=case, pk=data.pop("disagreement")).first()
        if item is None:
            raise Http404
        try:
            services.disagreement_resolve(actor=request.user, disagreement=item, **data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Recorded.")
            return redirect(case_page_url(reference, "decisions"))
    return render(request, "allegations/form_page.html", {
        "form": form, "title": _answer_title(case, form), "caption": f"Case {case.reference}",
        "back": case_page_url(reference, "decisions"), "submit": "Save",
    })


def _answer_title(case: Case, form) -> str:
    """"Record the answer of the LADO manager" while the disagreement climbs its ladder (allegations.ladder)."""
    from .models import DisagreementStep

    pk = form.data.get("disagreement") if form.is_bound else form.initial.get("disagreement")
    step = DisagreementStep.objects.filter(disagreement__case=case, disagreement_id=pk if str(pk or "").isdigit() else None,
                                           answered_at__isnull=True).order_by("-pk").first()
    if step is None:
        return "Record how the disagreement ended"
    return f"Record the answer of {step.level_in_words}"


# --- Need to know: who may see one item of a case (issue 12 §1) -------------------------------------------

def _case_item(request, reference, part, pk):
    """The case (visible to the user) and who may see its item `part` `pk`, if the user sees that item: 404
    otherwise, whether it exists or not."""
    from records.selectors import documents_of

    if part not in Part.values:
        raise Http404
    case = selectors.case_get(user=request.user, reference=reference)
    if part == Part.DOCUMENT:
        documents = [d for d in documents_of(user=request.user, case=case) if d.pk == pk]
        view = selectors.document_views(case.referral, documents).get(pk)
    else:
        view = selectors.case_parts_for(request.user, case, timeline_limit=0).items.get((part, pk))
    if view is None:
        raise Http404
    return case, view


# The page of the case that lists each kind of item (where its "who may see it" links are).
PART_PAGE = {Part.STRAND: "strands", Part.SUSPENSION: "strands", Part.REVIEW: "strands", Part.RISK: "strands",
             Part.DECISION: "decisions", Part.DISAGREEMENT: "decisions", Part.REGULATOR: "overview",
             Part.DOCUMENT: "documents", Part.PERSON_TOLD: "person", Part.PERSON_CONTACT: "person",
             Part.PERSON_SUPPORT: "person", Part.PERSON_UPDATE: "person", Part.COMPLAINT: "conclusion"}


def _item_form_page(request, case, form, perform: Callable[[dict], object], *, title: str, done: str, part: str):
    """Bind, call the service, go back to the case's page of the item; or show the form again with what was typed."""
    back = case_page_url(case.reference, PART_PAGE[part])
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, "allegations/form_page.html", {
        "form": form, "title": title, "caption": f"Case {case.reference}", "submit": "Save", "back": back,
    })


@require_http_methods(["GET", "POST"])
def part_audience(request, reference, part, pk):
    """The LADO service widens or narrows who may see one item."""
    case, view = _case_item(request, reference, part, pk)
    if not selectors.can_manage(request.user, case.referral):
        raise PermissionDenied
    form = forms.PartAudienceForm(request.POST if request.method == "POST" else None, default=view.default)
    return _item_form_page(
        request, case, form, title=f"Who may see this: {view.label}", done="Who may see it is changed.", part=part,
        perform=lambda data: services.case_part_set_audience(actor=request.user, case=case, part=part, part_id=pk, **data),
    )


@require_http_methods(["GET", "POST"])
def part_hold(request, reference, part, pk):
    """The police (or the LADO service) keep one item from the employer while the investigation runs, or lift that."""
    case, view = _case_item(request, reference, part, pk)
    if not selectors.may_hold_from_employer(request.user, case):
        raise PermissionDenied
    form = forms.PartHoldForm(request.POST if request.method == "POST" else None,
                              initial={"held": "released" if view.held else "held"})
    return _item_form_page(
        request, case, form, title=f"Keep from the employer while the investigation runs: {view.label}",
        done="Recorded.", part=part,
        perform=lambda data: services.case_part_hold(actor=request.user, case=case, part=part, part_id=pk, **data),
    )
