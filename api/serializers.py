"""What the API sends and reads. References name records (MAS-2026-00042), never database ids; instants are
ISO 8601 in UTC ("2026-03-27T09:30:00Z")."""

from __future__ import annotations

import datetime as dt

from rest_framework import serializers

from agencies.models import Sector
from allegations.models import (
    Category,
    Child,
    ConcernKind,
    EmploymentType,
    HowArose,
    Timing,
    Workforce,
    YesNoNotKnown,
)
from deadlines.models import Deadline


class Instant(serializers.DateTimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", dt.timezone.utc)
        super().__init__(**kwargs)


class DeadlineOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Deadline.Kind.choices)
    description = serializers.CharField()
    due_at = Instant()
    overdue = serializers.BooleanField()


class ReferralOut(serializers.Serializer):
    reference = serializers.CharField(help_text="The referral's reference, for example MAS-2026-00042")
    status = serializers.CharField()
    status_description = serializers.CharField()
    contact_type = serializers.CharField()
    workforce = serializers.CharField()
    received_at = Instant()
    referring_agency = serializers.CharField(allow_null=True)
    case = serializers.CharField(allow_null=True, help_text="The case's reference once a case is opened")
    next_deadline = DeadlineOut(allow_null=True, help_text="The soonest unmet deadline this client may see")


class StrandOut(serializers.Serializer):
    kind = serializers.CharField()
    status = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    review_on = serializers.DateField(allow_null=True)


class CaseOut(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    route = serializers.CharField()
    workforce = serializers.CharField()
    opened_at = Instant()
    closed_at = Instant(allow_null=True)
    outcome = serializers.CharField(help_text="Blank until an outcome is recorded")
    open_deadlines = serializers.IntegerField()
    next_deadline = DeadlineOut(allow_null=True)


class CaseDetailOut(CaseOut):
    level = serializers.ChoiceField(choices=["full", "safeguarding", "employer"],
                                    help_text="What this client sees of the case: the need-to-know level")
    strands = StrandOut(many=True)
    deadlines = DeadlineOut(many=True, help_text="Unmet deadlines this client may see, soonest first")


# --- A referral sent in (for the schema: the referral form validates it, api.services) --------------------

class ChildIn(serializers.Serializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    relationship = serializers.ChoiceField(choices=Child.Relationship.choices)
    social_worker = serializers.ChoiceField(choices=YesNoNotKnown.choices, required=False)
    looked_after = serializers.ChoiceField(choices=YesNoNotKnown.choices, required=False)


class ReferralIn(serializers.Serializer):
    """The referral form's questions. A referral names the person (given_name, family_name, subject_role,
    employment_type); an advice request may describe them instead (described_as). An allegation needs its
    category."""

    request_kind = serializers.ChoiceField(choices=[("referral", "Making a referral"), ("advice", "Asking for advice")])
    workforce = serializers.ChoiceField(choices=Workforce.choices)
    referrer_name = serializers.CharField(max_length=150)
    referrer_role = serializers.CharField(max_length=150, required=False, allow_blank=True)
    referrer_phone = serializers.CharField(required=False, allow_blank=True)
    referrer_email = serializers.EmailField(required=False, allow_blank=True)
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    described_as = serializers.CharField(max_length=200, required=False, allow_blank=True)
    known_as = serializers.CharField(max_length=100, required=False, allow_blank=True)
    previous_family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True)
    subject_role = serializers.CharField(max_length=150, required=False, allow_blank=True)
    employment_type = serializers.ChoiceField(choices=EmploymentType.choices, required=False, allow_blank=True)
    employer_name = serializers.CharField(max_length=200)
    sector = serializers.ChoiceField(choices=Sector.choices)
    registration_body = serializers.CharField(max_length=60, required=False, allow_blank=True)
    registration_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    concern_kind = serializers.ChoiceField(choices=ConcernKind.choices)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    description = serializers.CharField()
    concern_arose_on = serializers.DateField()
    how_arose = serializers.ChoiceField(choices=HowArose.choices)
    timing = serializers.ChoiceField(choices=Timing.choices)
    children_count = serializers.IntegerField(min_value=0, max_value=999, required=False, allow_null=True)
    subject_works_in = serializers.CharField(max_length=120, required=False, allow_blank=True)
    subject_lives_in = serializers.CharField(max_length=120, required=False, allow_blank=True)
    other_settings = serializers.CharField(required=False, allow_blank=True)
    known_history = serializers.CharField(required=False, allow_blank=True)
    children = ChildIn(many=True, required=False)
