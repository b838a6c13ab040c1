from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from markupsafe import Markup

from config.jinja2 import plain_url
from config.prepared import Prepared

from .models import Notification, Role
from .permissions import standing

# The person's unread notifications, counted for the navigation on every page: compiled once (config/prepared.py).
# Grouped by person, so no row means none.
_UNREAD = Prepared(
    lambda user_id: Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    .values("user_id")
    .annotate(unread=Count("pk"))
    .values_list("unread")
)


def navigation(request):
    """The service navigation for the signed-in user, by what they may do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    s = standing(user)
    path = request.path
    items = []

    def add(text, name, group=None):
        href = plain_url(name)
        items.append({"text": text, "href": href, "active": path.startswith(href) and href != "/", "group": group})

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
        add("Provider concerns", "providers:concern_list", group="Concerns")
    if s.is_lado or s.referrer_agency_ids:
        # Beside provider concerns in one menu, so a LADO manager's navigation still fits one row at 1280 px.
        add("Low-level concerns", "lowlevel:concern_list", group="Concerns")
    if s.is_analyst:
        add("Provider register", "providers:register", group="Reports")
    if s.is_analyst:
        add("Figures", "reporting:figures", group="Reports")
    if s.is_analyst or s.is_lado_manager:
        add("Annual report", "reporting:annual", group="Reports")
    if s.is_analyst or s.is_lado_manager:
        add("Dashboard", "reporting:dashboard", group="Reports")
    if s.is_analyst:
        add("Assurance", "assurance:round_list")
    elif s.referrer_agency_ids:
        add("Assurance", "assurance:request_list")
    if s.is_lado_manager or s.is_administrator:
        add("Settings", "settings_deadlines", group="Manage")
        add("Access log", "records:access_log", group="Manage")
        add("Retention", "governance:retention", group="Manage")
    if Role.ADMINISTRATOR in s.roles:
        add("Webhooks", "webhooks:endpoint_list", group="Manage")  # an agency's own system told of events
    if s.is_lado_manager:
        add("Subject access", "governance:sar_list", group="Manage")
        add("Letter templates", "allegations:letter_templates", group="Manage")  # allegations/letters.py
    if s.roles:
        add("Inbox", "inbox")
        unread = next(iter(_UNREAD.rows(user.pk)), (0,))[0]
        if unread:
            items[-1]["html"] = Markup('Inbox <strong class="govuk-tag govuk-tag--turquoise app-nav-count">{}'
                                       '<span class="govuk-visually-hidden"> unread</span></strong>').format(unread)
    if s.is_administrator:
        # The partner API's clients (api/page_urls.py, by name: agencies imports no app above it).
        add("API clients", "api_clients:list", group="Manage")
        items.append({"text": "Administration", "href": reverse("admin:index"), "active": False, "group": "Manage"})
    # Development only: the e-mails `make run` writes to var/mail/ (config.views.dev_mail).
    dev_mail_url = reverse("dev_mail") if settings.DEBUG else ""
    return {"nav_items": items, "nav_menu": _grouped(items), "standing": s, "dev_mail_url": dev_mail_url}


def _grouped(items: list[dict]) -> dict:
    """The navigation in one row: items of a group of two or more fold into a menu named by the group
    (reports, managing the service); a group of one stays a plain link. Groups go after the plain links."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        if item.get("group"):
            groups.setdefault(item["group"], []).append(item)
    plain = [item for item in items if not item.get("group") or len(groups[item["group"]]) < 2]
    menus = [{"text": name, "items": members, "active": any(m["active"] for m in members)}
             for name, members in groups.items() if len(members) >= 2]
    return {"items": plain, "groups": menus}
