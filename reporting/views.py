from django.db.models import Count
from django.db.models.functions import TruncQuarter
from django.shortcuts import render
from django.utils import timezone

from agencies.access import role_required
from agencies.models import Partnership, Role
from allegations.models import Case, CaseStatus, ContactType, Outcome, Referral
from config.replica import reads_from_replica

from .annual import BOTH, WORKFORCES, _financial, _wf, time_zone, year_bounds, year_label
from .forms import WorkforceForm
from .permissions import may_see_reports


def financial_year_of(day) -> int:
    return day.year if day.month >= 4 else day.year - 1


@role_required(may_see_reports, Role.ANALYST, Role.LADO_MANAGER)
@reads_from_replica  # reads only: from the replica when there is one (config.replica)
def figures(request):
    """Headline counts for the business unit: numbers only, never names. This financial year and last, by the
    financial year's quarters (Q1 April–June … Q4 January–March, as the annual report), for the workforce chosen."""
    form = WorkforceForm(request.GET if "workforce" in request.GET else None, initial={"workforce": BOTH})
    workforce = form.cleaned_data["workforce"] if form.is_bound and form.is_valid() else BOTH
    return render(request, "reporting/figures.html", {
        **headline_figures(workforce), "form": form, "workforce": workforce, "workforce_label": WORKFORCES[workforce]})


def headline_figures(workforce: str = BOTH) -> dict:
    """The figures page's counts (also the partner API's, api.operations.Figures): referrals by type and cases
    closed by outcome, by the financial year's quarters, this financial year and last, for the workforce."""
    tz = time_zone(Partnership.current())
    this_year = financial_year_of(timezone.localdate())
    start, _ = year_bounds(this_year - 1, tz)
    _, end = year_bounds(this_year, tz)

    def by_quarter(queryset, field, key, label):
        counts: dict[tuple, int] = {}
        rows = (queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
                .annotate(q=TruncQuarter(field, tzinfo=tz)).values("q", key).annotate(n=Count("pk")).order_by())
        for row in rows:
            fy, index = _financial(row["q"].astimezone(tz))
            counts[(fy, index, label(row[key]))] = counts.get((fy, index, label(row[key])), 0) + row["n"]
        return [{"year": year_label(fy), "quarter": index + 1, "label": what, "n": n}
                for (fy, index, what), n in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1], item[0][2]))]

    # Each type in the words the referral form uses ("Not an allegation …"), not its stored code.
    rows = by_quarter(Referral.objects.filter(_wf(workforce)), "received_at", "contact_type",
                      lambda value: ContactType(value).label)
    # Cases closed, read live from the cases (no stored totals): a case closed today is counted today (issue 17 §4).
    closed = by_quarter(Case.objects.filter(_wf(workforce, "referral__"), status=CaseStatus.CLOSED), "closed_at",
                        "outcome", lambda value: Outcome(value).label if value else "Not recorded")
    return {"rows": rows, "closed": closed, "years": f"{year_label(this_year - 1)} and {year_label(this_year)}"}
