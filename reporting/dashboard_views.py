"""The live dashboard's view (kept apart from views.py, where the annual report is being built)."""

from django.shortcuts import render

from agencies.access import role_required
from agencies.models import Role
from config.replica import reads_from_replica

from . import dashboard


@role_required(dashboard.may_see, Role.ANALYST, Role.LADO_MANAGER)
@reads_from_replica  # reads only: from the replica when there is one (config.replica)
def dashboard_view(request):
    """Counts only, for the business unit and the LADO service manager: never references or names."""
    return render(request, "reporting/dashboard.html", dashboard.dashboard(user=request.user))
