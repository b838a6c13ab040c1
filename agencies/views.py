from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from config.forms import apply_service_errors

from . import forms, notices as notice_kinds, selectors, services
from .access import role_required
from .home import place_without_role
from .models import Notification, Partnership, Role
from .permissions import standing


def home(request):
    """Send each person to where their work is."""
    s = standing(request.user)
    if s.is_lado:
        return redirect("allegations:my_work")
    if s.referrer_agency_ids:
        return redirect("allegations:referral_list")
    if s.roles & {Role.DIRECTOR, Role.ADULT_SAFEGUARDING_MANAGER}:  # adult services: provider concerns (001)
        return redirect("allegations:my_work")
    if s.agency_ids:
        return redirect("allegations:case_list")
    if s.is_analyst:
        return redirect("reporting:figures")
    if s.is_administrator:
        # Django's administration is for staff; an agency's own administrator looks after its webhooks.
        return redirect("admin:index" if request.user.is_staff or request.user.is_superuser else "webhooks:endpoint_list")
    if not s.roles:
        # A guest (an external person given an account for one meeting) is sent to that meeting while it lasts
        # (registered by meetings: home.py).
        place = place_without_role(request.user)
        if place is not None:
            return redirect(place)
    return render(request, "agencies/no_role.html", status=200)


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request):
    notices = Notification.objects.filter(user=request.user).order_by("-created_at")[:100]
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("inbox")
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "agencies/inbox.html", {"notices": notices, "unread": unread})


@login_required
@require_http_methods(["GET", "POST"])
def notice_preferences(request):
    """Each person's own choice, per kind of notice, of an e-mail straight away or one e-mail a day."""
    current = notice_kinds.preferences_of(request.user)
    form = forms.NoticePreferencesForm(request.POST if request.method == "POST" else None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            notice_kinds.notice_preferences_update(actor=request.user, choices=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Your e-mail choices are saved. Your inbox still shows every notice.")
            return redirect("notice_preferences")
    hour = Partnership.current().digest_hour
    return render(request, "agencies/notice_preferences.html", {
        "form": form, "digest_hour": selectors.hour_words(hour),
        "has_email": bool(request.user.email),
    })


@require_http_methods(["GET", "POST"])
@role_required(services.may_change_settings, Role.LADO_MANAGER, Role.ADMINISTRATOR)
def settings_deadlines(request):
    """The partnership's nation and deadline spans, with their history: the LADO service manager's page."""
    partnership = Partnership.current()
    initial = {name: getattr(partnership, name) for name in services.SETTING_FIELDS}
    form = forms.PartnershipSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.partnership_settings_update(actor=request.user, reason=reason, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Settings saved. Deadlines opened from now on use them; "
                                      "existing deadlines keep their due times.")
            return redirect("settings_deadlines")
    return render(request, "agencies/settings_deadlines.html", {
        "form": form, "partnership": partnership, "history": selectors.settings_history(partnership),
    })
