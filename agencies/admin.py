"""The partnership administrator manages agencies, people and their roles here."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import MEETING_ROLE_CHOICES, MEETING_ROLES_DEFAULT, Agency, Membership, Partnership, Role


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class AgencyForm(forms.ModelForm):
    meeting_roles = forms.MultipleChoiceField(
        choices=MEETING_ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
        label="Who receives meeting invitations and minutes",
        help_text=("The people of the agency who hold these roles receive its meeting invitations and minutes. "
                   f"None ticked: its {' and '.join(Role(r).label.lower() for r in MEETING_ROLES_DEFAULT)}. "
                   "With nobody in these roles, they go to the agency's e-mail address."),
    )

    class Meta:
        model = Agency
        fields = "__all__"


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    form = AgencyForm
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
