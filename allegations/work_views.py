"""Deadlines seen everywhere: the duty officer's "My work", the LADO manager's team view, and
waiving a deadline with who and why. Thin views, as in views.py."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies.access import LADO, REFERRERS, role_required
from agencies.models import Role
from agencies.permissions import standing
from config.forms import apply_service_errors

from deadlines import waiving, wording, workload
from deadlines.models import Deadline

from . import pages, paging, selectors, urgency


# Adult services' roles (agencies.permissions.PROVIDER_ROLES) have provider concerns' deadlines on "My work".
ADULT_SERVICES = (Role.DIRECTOR, Role.ADULT_SAFEGUARDING_MANAGER)


def _has_work(user) -> bool:
    s = standing(user)
    return s.is_lado or bool(s.referrer_agency_ids) or bool(s.roles & set(ADULT_SERVICES))


@role_required(_has_work, *LADO, *REFERRERS, *ADULT_SERVICES)
def my_work(request):
    """The duty officer's page: the deadlines they own, by when; a senior manager's agency actions."""
    s = standing(request.user)
    adult_services = bool(s.roles & set(ADULT_SERVICES))
    work = workload.my_work(user=request.user, deadlines=False)  # the counts: the rows are urgency.duty_work's
    return render(request, "allegations/my_work.html", {
        "work": work, "lado": s.is_lado, "manager": s.is_lado_manager, "adult_services": adult_services,
        "duty": urgency.duty_work(user=request.user) if s.is_lado else None,
        "count_words": paging.count_words,  # counted up to 1,000, then "more than 1,000"
        # The chair's meetings and minutes, an agency's actions (meetings); provider concerns' prompt and
        # deadlines (providers): from the apps above, through pages.py.
        **pages.page_parts(pages.MY_WORK, user=request.user),
    })


@role_required(lambda user: standing(user).is_lado_manager, Role.LADO_MANAGER)
def team(request):
    """The LADO manager's team: each officer's open cases and deadlines, and every overdue deadline."""
    return render(request, "allegations/team.html", {"team": workload.team_work(user=request.user)})


class WaiveForm(django_forms.Form):
    """Validation only (kept beside its one view rather than in forms.py, which another change is editing)."""

    reason = django_forms.CharField(
        label="Why does this deadline no longer apply?",
        help_text="For example, the route changed, or the case closed before it fell due. Kept with the deadline.",
        widget=django_forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why this deadline no longer applies"},
    )


@require_http_methods(["GET", "POST"])
def deadline_waive(request, reference, pk):
    referral = selectors.referral_get(user=request.user, reference=reference)  # 404 for outsiders
    deadline = Deadline.objects.filter(referral=referral, pk=pk).select_related("case").first()
    if deadline is None:
        raise Http404
    if not selectors.can_manage(request.user, referral):
        raise PermissionDenied
    back = (reverse("allegations:case_detail", args=[reference]) if hasattr(referral, "case")
            else reverse("allegations:referral_detail", args=[reference]))
    form = WaiveForm(request.POST if request.method == "POST" else None)
    now = timezone.now()
    state = wording.deadline_words(deadline, now)
    # Said before anyone types a reason: a deadline already due stays overdue, one met or waived stays so.
    refusal = "" if state["can_waive"] else waiving.why_not(deadline)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            waiving.deadline_waive(actor=request.user, deadline=deadline, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{deadline.get_kind_display()} deadline waived.")
            return redirect(back + "#deadlines")
    return render(request, "allegations/deadline_waive.html", {
        "form": form, "referral": referral, "deadline": deadline, "state": state, "back": back,
        "refusal": refusal,
    })
