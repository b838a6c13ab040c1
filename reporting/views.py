from django.db.models import Count
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from agencies.permissions import standing
from allegations.models import Referral


def figures(request):
    """Headline counts for the business unit: numbers only, never names."""
    s = standing(request.user)
    if not (s.is_analyst or s.is_lado_manager):
        raise Http404
    year = timezone.localdate().year
    rows = (
        Referral.objects.filter(received_at__year__gte=year - 1)
        .annotate(year=ExtractYear("received_at"), quarter=ExtractQuarter("received_at"))
        .values("year", "quarter", "contact_type")
        .annotate(n=Count("pk"))
        .order_by("year", "quarter", "contact_type")
    )
    return render(request, "reporting/figures.html", {"rows": list(rows)})
