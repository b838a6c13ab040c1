from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .models import Notification
from .permissions import standing


def home(request):
    """Send each person to where their work is."""
    s = standing(request.user)
    if s.is_lado:
        return redirect("allegations:triage_queue")
    if s.referrer_agency_ids:
        return redirect("allegations:referral_list")
    if s.agency_ids:
        return redirect("allegations:case_list")
    if s.is_analyst:
        return redirect("reporting:figures")
    if s.is_administrator:
        return redirect("admin:index")
    if not s.roles:
        # A guest (an external person given an account for one meeting) is sent to that meeting while it lasts.
        from meetings.selectors import guest_access_of

        guest = guest_access_of(request.user)
        if guest is not None:
            return redirect("meetings:meeting_detail", guest.meeting_id)
    return render(request, "agencies/no_role.html", status=200)


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request):
    notices = Notification.objects.filter(user=request.user).order_by("-created_at")[:100]
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("inbox")
    return render(request, "agencies/inbox.html", {"notices": notices})
