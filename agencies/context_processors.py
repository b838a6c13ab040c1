from django.conf import settings
from django.urls import reverse
from markupsafe import Markup

from .models import Notification, Role
from .permissions import standing


def navigation(request):
    """The service navigation for the signed-in user, by what they may do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    s = standing(user)
    path = request.path
    items = []

    def add(text, name):
        href = reverse(name)
        items.append({"text": text, "href": href, "active": path.startswith(href) and href != "/"})

    if s.is_lado or s.referrer_agency_ids:
        add("My work", "allegations:my_work")
    if s.is_lado_manager:
        add("Team", "allegations:team")
    if s.is_lado:
        add("Triage queue", "allegations:triage_queue")
        add("Cases", "allegations:case_list")
    if s.can_refer:
        add("Make a referral", "allegations:referral_create")
    if s.referrer_agency_ids:
        add("Our referrals", "allegations:referral_list")
    if s.agency_ids and not s.is_lado:
        add("Shared cases", "allegations:case_list")
    if s.is_lado or s.agency_ids:
        add("Meetings", "meetings:meeting_list")
    if s.agency_ids:
        add("Our actions", "meetings:action_list")
    if s.is_lado or s.roles & {Role.DIRECTOR, Role.ADULT_SAFEGUARDING_MANAGER}:
        add("Provider concerns", "providers:concern_list")
    if s.is_analyst:
        add("Provider register", "providers:register")
    if s.is_analyst:
        add("Figures", "reporting:figures")
    if s.is_analyst or s.is_lado_manager:
        add("Annual report", "reporting:annual")
    if s.is_analyst or s.is_lado_manager:
        add("Dashboard", "reporting:dashboard")
    if s.is_analyst:
        add("Assurance", "assurance:round_list")
    elif s.referrer_agency_ids:
        add("Assurance", "assurance:request_list")
    if s.is_lado_manager or s.is_administrator:
        add("Settings", "settings_deadlines")
        add("Access log", "records:access_log")
        add("Retention", "governance:retention")
    if s.is_lado_manager:
        add("Subject access", "governance:sar_list")
    if s.roles:
        add("Inbox", "inbox")
        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
        if unread:
            items[-1]["html"] = Markup('Inbox <strong class="govuk-tag govuk-tag--turquoise app-nav-count">{}'
                                       '<span class="govuk-visually-hidden"> unread</span></strong>').format(unread)
    if s.is_administrator:
        items.append({"text": "Administration", "href": reverse("admin:index"), "active": False})
    # Development only: the e-mails `make run` writes to var/mail/ (config.views.dev_mail).
    dev_mail_url = reverse("dev_mail") if settings.DEBUG else ""
    return {"nav_items": items, "standing": s, "dev_mail_url": dev_mail_url}
