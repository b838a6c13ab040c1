"""The partnership administrator manages agencies, people and their roles here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, Membership, Partnership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "sector", "lado_service", "is_active"]
    list_filter = ["kind", "sector", "is_active"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "agency", "role", "job_title"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["name", "nation", "time_zone"]


# People: the standard user admin, with their roles in agencies alongside.
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.admin import UserAdmin  # noqa: E402

User = get_user_model()


class UserMembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["agency"]
    verbose_name = "role in an agency"


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    inlines = [UserMembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]

    def has_delete_permission(self, request, obj=None):
        # People are deactivated, never deleted: the history tables (append-only in the database,
        # records/append_only.py) name who made each change. Deactivating ends their sessions.
        return False
