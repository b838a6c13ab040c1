"""The statutory clock's one table: a deadline, what it is about, its due time and how it is chased.

Moved from allegations (issue 13) with its table and data: the migration renames the tables
(allegations_deadline -> deadlines_deadline, and its history) and the content types, so
permissions and history keep pointing at it.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


# Kinds chased although their contact is closed: a transferred referral is closed here when it is sent, and
# the receiving service's acknowledgement is still owed (services._chase_ended, allegations.deadline_about).
CHASED_AFTER_CLOSING = frozenset({"transfer_acknowledgement"})


class Timeliness(models.TextChoices):
    """Was the referral received within 1 working day of the concern arising (003 §16)?"""

    WITHIN_1_WORKING_DAY = "within_1_working_day", "Within 1 working day"
    LATER = "later", "Later than 1 working day"
    UNKNOWN = "unknown", "Not known (no date the concern arose)"



class _HistoricalRecords(HistoricalRecords):
    """HistoricalRecords whose model also has the given indexes (its own Meta is simple_history's to write)."""

    def __init__(self, *args, indexes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indexes = list(indexes)

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["indexes"] = [*options.get("indexes", ()), *self.indexes]
        return options


class Deadline(models.Model):
    """A statutory timescale (deadlines.md "The deadlines"), chased by deadlines/chasing.py."""

    class Kind(models.TextChoices):
        INITIAL_DISCUSSION = "initial_discussion", "Initial discussion"
        STRATEGY_MEETING = "strategy_meeting", "Strategy meeting"
        MINUTES_INITIAL = "minutes_initial", "Minutes of an initial meeting"
        MINUTES_REVIEW = "minutes_review", "Minutes of a review meeting"
        EMPLOYER_ACTION = "employer_action", "Employer action"
        DISCIPLINARY_HEARING = "disciplinary_hearing", "Disciplinary hearing"
        CASE_REVIEW = "case_review", "Case review"
        POLICE_REVIEW = "police_review", "Police review"
        ACTION = "action", "Action"
        ADMISSIONS_REVIEW = "admissions_review", "Review of suspended admissions"
        DISAGREEMENT_STEP = "disagreement_step", "Answer to a disagreement"  # 004 §3.5, §3.13: allegations.ladder
        PERSON_UPDATE = "person_update", "Update to the person"  # 003 §35: regular updates to the person
        SUSPENSION_REVIEW = "suspension_review", "Review of the suspension"  # 003 §34-35
        # The receiving LADO service acknowledges a transfer (003 §4, §69–72): 1 working day from sending.
        TRANSFER_ACKNOWLEDGEMENT = "transfer_acknowledgement", "Acknowledgement of a transfer"
        # A provider concern's action / improvement plan item, due by its timescale (001), chased like an action.
        PLAN_ITEM = "plan_item", "Action plan item"
        # The next serious concerns review meeting, on the schedule set at the initial meeting (001).
        CONCERN_REVIEW = "concern_review", "Serious concerns review meeting"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        OVERDUE = "overdue", "Overdue"
        MET = "met", "Met"
        MET_LATE = "met_late", "Met late"
        WAIVED = "waived", "Waived"

    # A deadline belongs to a referral (and its case) or to a provider concern (001): exactly one of the two.
    # Each key's index is in Meta.indexes, not a one-column index of its own (issue 19: every chase of a deadline
    # changes a column of a partial index's predicate, so each row chased is written again into every index: a
    # one-column index covered by a wider one, or holding mostly NULLs, was a write per row for no read).
    referral = models.ForeignKey("allegations.Referral", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="deadlines", db_index=False)
    case = models.ForeignKey("allegations.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines",
                             db_index=False)
    provider_concern = models.ForeignKey(
        "providers.ProviderConcern", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines",
        db_index=False,
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    anchor_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    waived_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  db_index=False)
    waived_reason = models.TextField(blank=True)
    # Chasing (deadlines/chasing.py): when each notice falls due, and when it was sent.
    remind_at = models.DateTimeField(null=True, blank=True)  # anchor + 75% of (due - anchor)
    escalate_at = models.DateTimeField(null=True, blank=True)  # end of the first working day after due
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_sent_at = models.DateTimeField(null=True, blank=True)
    escalation_sent_at = models.DateTimeField(null=True, blank=True)
    # When chasing stopped for good although the deadline is unmet: its case or contact closed (or was
    # imported closed), or the route changed after it fell due. It keeps its status (a missed deadline
    # stays missed) but leaves the sweep's partial indexes, so closed work never slows the sweep.
    chase_ended_at = models.DateTimeField(null=True, blank=True)

    # A history row is written for each deadline chased (issue 19): the keys most rows leave empty are indexed only
    # where set, for what reads them (governance.purge finds a record's history rows by each key).
    history = _HistoricalRecords(
        no_db_index=["case", "provider_concern", "waived_by"],
        indexes=[models.Index(fields=["case"], name="hdeadline_case", condition=models.Q(case__isnull=False)),
                 models.Index(fields=["provider_concern"], name="hdeadline_concern",
                              condition=models.Q(provider_concern__isnull=False)),
                 models.Index(fields=["waived_by"], name="hdeadline_waived_by", condition=models.Q(waived_by__isnull=False))],
    )

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # the queue's clock: unmet deadlines by due time.
            models.Index(fields=["status", "due_at"], name="deadline_status_due"),
            # A referral's deadlines (by kind: deadlines.services), and the referral's deletion (its deadlines cascade).
            models.Index(fields=["referral", "kind"], name="deadline_referral_kind"),
            # providers.selectors.concern_detail(): a provider concern's deadlines; and the concern's deletion.
            models.Index(fields=["provider_concern", "kind"], name="deadline_concern_kind",
                         condition=models.Q(provider_concern__isnull=False)),
            # A case's deletion (governance.purge; its deadlines cascade, found by case). Only the rows with a case (a
            # lookup by case implies one): a contact's deadlines, and a referral's before its case opens, have none.
            models.Index(fields=["case"], name="deadline_case", condition=models.Q(case__isnull=False)),
            # A user's deletion sets waived_by to NULL: only the few waived deadlines are in it.
            models.Index(fields=["waived_by"], name="deadline_waived_by", condition=models.Q(waived_by__isnull=False)),
            # My work's overdue rows (allegations.urgency): the live deadlines of referrals in the page's order, most
            # recently due first, read a window at a time instead of all of them sorted. Only referrals' deadlines, so
            # the sweep's claims (which take provider concerns' too) can never read it instead of their own indexes.
            models.Index(
                fields=["-due_at", "-id"], name="deadline_live_due",
                condition=models.Q(met_at__isnull=True, status__in=["open", "overdue"], chase_ended_at__isnull=True,
                                   referral__isnull=False),
            ),
            # The sweep's three reads: only the rows still to chase are in each index, so a
            # sweep's work grows with the number due, not with the number open.
            models.Index(
                fields=["remind_at"], name="deadline_chase_reminder",
                condition=models.Q(met_at__isnull=True, status__in=["open", "overdue"], chase_ended_at__isnull=True,
                                   reminder_sent_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"], name="deadline_chase_overdue",
                condition=models.Q(met_at__isnull=True, status__in=["open", "overdue"], chase_ended_at__isnull=True,
                                   overdue_sent_at__isnull=True),
            ),
            models.Index(
                fields=["escalate_at"], name="deadline_chase_escalation",
                condition=models.Q(met_at__isnull=True, status__in=["open", "overdue"], chase_ended_at__isnull=True,
                                   escalation_sent_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(referral__isnull=False, provider_concern__isnull=True)
                | models.Q(referral__isnull=True, provider_concern__isnull=False, case__isnull=True),
                name="deadline_referral_or_provider_concern",
            ),
        ]
