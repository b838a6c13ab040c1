from django.db.models import Count
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.shortcuts import render
from django.utils import timezone

from agencies.access import role_required
from agencies.models import Role
from allegations.models import Case, CaseStatus, ContactType, Outcome, Referral
from config.replica import reads_from_replica

from .permissions import may_see_reports


@role_required(may_see_reports, Role.ANALYST, Role.LADO_MANAGER)
@reads_from_replica  # reads only: from the replica when there is one (config.replica)
def figures(request):
    """Headline counts for the business unit: numbers only, never names."""
    return render(request, "reporting/figures.html", headline_figures())


def headline_figures() -> dict:
    """The figures page's counts (also the partner API's, api.operations.Figures): referrals by quarter and
    type, cases closed by quarter and outcome, this year and last."""
    year = timezone.localdate().year
    rows = (
        Referral.objects.filter(received_at__year__gte=year - 1)
        .annotate(year=ExtractYear("received_at"), quarter=ExtractQuarter("received_at"))
        .values("year", "quarter", "contact_type")
        .annotate(n=Count("pk"))
        .order_by("year", "quarter", "contact_type")
    )
    # Each type in the words the referral form uses ("Not an allegation …"), not its stored code.
    rows = [{**row, "type": ContactType(row["contact_type"]).label} for row in rows]
    # Cases closed, read live from the cases (no stored totals): a case closed today is counted today (issue 17 §4).
    closed = (
        Case.objects.filter(status=CaseStatus.CLOSED, closed_at__year__gte=year - 1)
        .annotate(year=ExtractYear("closed_at"), quarter=ExtractQuarter("closed_at"))
        .values("year", "quarter", "outcome")
        .annotate(n=Count("pk"))
        .order_by("year", "quarter", "outcome")
    )
    closed = [{**row, "outcome": Outcome(row["outcome"]).label if row["outcome"] else "Not recorded"} for row in closed]
    return {"rows": rows, "closed": closed}
