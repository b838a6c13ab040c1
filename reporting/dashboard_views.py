"""The live dashboard's view (kept apart from views.py, where the annual report is being built)."""

from django.http import Http404
from django.shortcuts import render

from . import dashboard


def dashboard_view(request):
    """Counts only, for the business unit and the LADO service manager: never references or names."""
    if not dashboard.may_see(request.user):
        raise Http404
    return render(request, "reporting/dashboard.html", dashboard.dashboard(user=request.user))
