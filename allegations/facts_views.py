"""Pages for facts that change and the people told (allegations/facts.py). Thin: fetch through a selector (404 for
what the person may not see, 403 for a change they may not make), bind a form, call one service, redirect."""

from __future__ import annotations

from typing import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from config.forms import apply_service_errors

from . import facts, facts_forms, people, selectors
from .models import Child, Referral, Section
from .wording import wording


def _changeable(request, reference) -> Referral:
    referral = selectors.referral_get(user=request.user, reference=reference)
    if not people.can_change_facts(request.user, referral):
        raise PermissionDenied
    return referral


def _child_of(referral: Referral, pk: int) -> Child:
    child = referral.children.filter(pk=pk).first()
    if child is None:
        raise Http404("No such person on this referral")
    return child


def _has_case(referral) -> bool:
    return hasattr(referral, "case")


def _back(referral: Referral, anchor: str = "") -> str:
    return reverse("allegations:referral_detail", args=[referral.reference]) + (f"#{anchor}" if anchor else "")


def _told_back(referral: Referral) -> str:
    if _has_case(referral):
        return reverse("allegations:case_people_told", args=[referral.reference])
    return _back(referral, "people")


def _form_page(request, referral, form, perform: Callable[[dict], object], *, title: str, done: str, back: str,
               submit: str = "Save", warning: str = ""):
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, "allegations/form_page.html", {
        "form": form, "title": title, "caption": f"Referral {referral.reference}", "submit": submit, "back": back,
        "warning": warning,
    })


def _data(request):
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def referral_facts_change(request, reference):
    referral = _changeable(request, reference)
    form = facts_forms.ReferralFactsForm(_data(request), initial=facts_forms.ReferralFactsForm.initial_for(referral))

    def perform(data):
        facts.referral_facts_change(actor=request.user, referral=referral, reason=data["reason"],
                                    **form.facts(referral))

    return _form_page(request, referral, form, perform, title="Change what was referred", done="The referral is changed.",
                      back=_back(referral, "concern"))


@require_http_methods(["GET", "POST"])
def subject_change(request, reference):
    referral = _changeable(request, reference)
    form = facts_forms.SubjectFactsForm(_data(request), initial=facts_forms.SubjectFactsForm.initial_for(referral))

    def perform(data):
        data = dict(data)
        facts.subject_facts_change(actor=request.user, referral=referral, reason=data.pop("reason"), **data)

    return _form_page(request, referral, form, perform, title="Change the person's details",
                      done="The person's details are changed.", back=_back(referral, "person"))


@require_http_methods(["GET", "POST"])
def other_subject_add(request, reference):
    referral = _changeable(request, reference)
    form = facts_forms.OtherSubjectForm(_data(request))

    def perform(data):
        data = dict(data)
        facts.other_subject_add(actor=request.user, referral=referral, reason=data.pop("reason"), **data)

    return _form_page(request, referral, form, perform, title="Add another person alleged against",
                      done="Person added.", back=_back(referral, "person"))


@require_http_methods(["GET", "POST"])
def child_add(request, reference):
    referral = _changeable(request, reference)
    w = wording(referral.workforce)
    form = facts_forms.ChildFactsForm(_data(request))

    def perform(data):
        data = dict(data)
        facts.child_add(actor=request.user, referral=referral, reason=data.pop("reason"), **data)

    return _form_page(request, referral, form, perform, title=f"Add a {w['person']}", done="Person added.",
                      back=_back(referral, "people"))


@require_http_methods(["GET", "POST"])
def child_change(request, reference, pk):
    referral = _changeable(request, reference)
    child = _child_of(referral, pk)
    form = facts_forms.ChildFactsForm(_data(request), instance=Child.objects.get(pk=child.pk))

    def perform(data):
        data = dict(data)
        facts.child_change(actor=request.user, child=child, reason=data.pop("reason"), **data)

    return _form_page(request, referral, form, perform, title=f"Change the details of {child}",
                      done="Details changed.", back=_back(referral, "people"))


@require_http_methods(["GET", "POST"])
def child_remove(request, reference, pk):
    referral = _changeable(request, reference)
    child = _child_of(referral, pk)
    form = facts_forms.ChildRemoveForm(_data(request))
    return _form_page(
        request, referral, form,
        lambda data: facts.child_remove(actor=request.user, child=child, reason=data["reason"]),
        title=f"Remove {child} from this referral", done="Person removed.", back=_back(referral, "people"),
        submit="Remove", warning="Only remove someone named in error. What was recorded about them stays in the "
                                 "history, with who removed them and why.",
    )


@require_http_methods(["GET", "POST"])
def parents_told(request, reference, pk):
    referral = _changeable(request, reference)
    child = _child_of(referral, pk)
    record = child.parents_told if hasattr(child, "parents_told") else None
    w = wording(referral.workforce)
    form = facts_forms.ParentsToldForm(_data(request), initial=facts_forms.ParentsToldForm.initial_for(record),
                                       changing=record is not None, person=w["person"])

    def perform(data):
        facts.parents_told_record(actor=request.user, child=child, **data)

    return _form_page(request, referral, form, perform, title=f"Parents or carers of {child}: were they told?",
                      done="Recorded.", back=_told_back(referral))


@require_http_methods(["GET", "POST"])
def associated_person_add(request, reference):
    referral = _changeable(request, reference)
    form = facts_forms.AssociatedPersonForm(_data(request))

    def perform(data):
        data = dict(data)
        facts.associated_person_add(actor=request.user, referral=referral, reason=data.pop("reason"), **data)

    return _form_page(request, referral, form, perform, title="Add an associated person", done="Person added.",
                      back=_back(referral, "associated"))


# --- What the referral's and the case's pages add ---------------------------------------------------------------

def people_context(user, referral: Referral, parts) -> dict:
    """The referral summary's extra people and its "Change" links (only for those who may change the facts)."""
    change = people.can_change_facts(user, referral)
    ref = referral.reference
    links = {}
    if change:
        links = {
            "subject": reverse("allegations:subject_change", args=[ref]),
            "other_subject": reverse("allegations:other_subject_add", args=[ref]),
            "facts": reverse("allegations:referral_facts_change", args=[ref]),
            "child_add": reverse("allegations:child_add", args=[ref]),
            "associated": reverse("allegations:associated_person_add", args=[ref]),
        }
    return {
        "change_links": links,
        "child_links": change,
        "other_subjects": people.other_subjects(parts, referral),
        "associated_people": people.associated_people(parts, referral),
        "shows_associated": parts.shows(Section.ASSOCIATED),
    }
