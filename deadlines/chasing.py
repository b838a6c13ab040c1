"""Chasing deadlines (deadlines.md "Chasing"): reminder, overdue notice and escalation, each once.

`sweep()` is run by Celery beat every minute (deadlines.tasks.chase_deadlines), and sends the daily digests that
are due in the same pass (agencies.digests: each person's once a day, from the partnership's hour). For each
stage it claims a bounded batch of due deadlines with `SELECT ... FOR UPDATE SKIP LOCKED`,
ordered by the stage's time column and read through a partial index that holds only the
rows still to chase, so its work grows with the number due, not with the number open.

Exactly once
------------
* Two sweeps at the same moment: each claims rows under a row lock and skips rows the
  other holds; a row is claimed only while its `*_sent_at` is empty, and that column is set
  in the same transaction, so the second sweep either skips the row or sees it sent.
* The inbox entries (Notification rows, unique on (user, "deadline-<id>-<stage>")) and the
  `*_sent_at` mark are written in ONE transaction: a worker killed mid-sweep rolls back both,
  and the next sweep sends them; a committed batch is never sent again.
* E-mail is the one side effect outside the database. Each notice's e-mail is an outbox message
  (agencies.notifications.notice_once) written in the same transaction as the inbox entry and the
  `*_sent_at` mark: a crash before the commit leaves neither (the next sweep makes both), a committed
  batch has its e-mails recorded, and the worker sends each once (outbox.services). Neither a lost nor
  a repeated e-mail, where this used to choose "at most once".
* A batch is written in bulk, inside that one transaction: its inbox entries in one insert and their
  e-mails' outbox messages in another (agencies.notifications.notices_once, with notice_once's once-keys),
  and the deadlines' marks in one update with their history rows in one insert
  (one UPDATE per set of new values, and one `INSERT ... SELECT` of the history rows as bulk_history_create
  writes them, each row with its own reason).
* Sweeps alongside: a pass with more due than one batch asks other worker processes to sweep with it, at its
  `now` (`sweep`'s `alongside`, deadlines.tasks.chase_deadlines_alongside). They are sweeps at the same moment, as
  above; only the pass that asked sends the digests, once they have finished writing.
* Redis holds only the beat's trigger: a lost or repeated `chase_deadlines` message just
  means a sweep runs later or twice, and a sweep is idempotent.

Deadlines that are met, waived, or whose case is closed (including cases imported as
closed) send nothing. Closing work sets `chase_ended_at` on its unmet deadlines
(deadlines.services.deadlines_close), which takes them out of the partial indexes: closed work never
adds to a sweep's reads. The claim filters on nothing but the deadline (it is the partial index, in
order; what it is about is joined by key for each row claimed, not searched); a claimed row whose case or
contact turns out closed (written without the services, e.g. an import) gets `chase_ended_at` there and then,
sends nothing, and is never read again.

Never "due soon" for what is already overdue: a reminder claimed after its deadline fell due is
not sent (its `reminder_sent_at` marks it handled, with "No reminder" in the history); the overdue
stage sends what is owed.

The backlog: a deadline first claimed by the overdue stage when it is already past its escalation
time (imported or seeded overdue, or recorded late) was never live here. It is not chased one
notice per deadline per officer: its overdue and escalation marks are set without a notice, and
each LADO service's managers get ONE summary a day ("deadline-backlog-<service>-<date>") with the
number of the service's overdue deadlines and a link to the team's work.

Who is chased is told by the app that holds the thing the deadline is about (deadlines.about):
allegations for a referral and its case, providers for a provider concern, meetings for an action.

Recipients: the owner is the case owner if the deadline has a case, else the referral's
assigned officer, else every LADO officer of the referral's LADO service. Escalation goes
to the LADO managers of the service (falling back to the owner if the service has none).
For `action` deadlines the escalation also goes to the action agency's senior managers and the
chair of the meeting that agreed it; those who are not LADO staff get a link to their actions list.
Contacts closed without a case (advice, not an allegation, transfer) are not chased either.

E-mails carry the kind of deadline, the reference and a link: never names.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agencies.digests import digests_send
from agencies.models import LADO_ROLES, Membership, Role
from agencies.notifications import Notice, notice_once, notices_once
from outbox.bulk import array_literal, ids_in

from . import about
from .models import Deadline

logger = logging.getLogger(__name__)

CHASED_STATUSES = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)
MAX_BATCHES_PER_STAGE = 20  # a sweep's work is bounded: what is left waits for the next minute
# What a sweep changes on a deadline: saved for the whole batch at once, each row with its history.
CHASE_FIELDS = ["reminder_sent_at", "overdue_sent_at", "escalation_sent_at", "status", "chase_ended_at"]


@dataclasses.dataclass(frozen=True)
class Stage:
    name: str
    time_field: str
    sent_field: str
    reason: str
    title: str  # formatted with kind and reference: no names


STAGES = (
    Stage("reminder", "remind_at", "reminder_sent_at", "Reminder sent", "Reminder: {kind} for {reference} is due soon"),
    Stage("overdue", "due_at", "overdue_sent_at", "Overdue notice sent", "Overdue: {kind} for {reference}"),
    Stage("escalation", "escalate_at", "escalation_sent_at", "Escalation sent",
          "Escalation: {kind} for {reference} is overdue by a working day"),
)


def sweep(*, now: dt.datetime | None = None, batch: int = 500,
          alongside: Callable[[dt.datetime], object] | None = None, digests: bool = True) -> dict[str, int]:
    """Send every notice due at `now`, then the daily digests due (agencies.digests), in the same pass: a notice
    chased at or after the digest hour goes in that day's digest. Returns how many deadlines each stage chased,
    and how many digests were sent.

    Sweeps alongside (issue 19: a pass of 10,000 notices in one process kept one core busy while the other
    waited). `alongside` is called once, with the pass's `now`, when the pass finds more due than one batch (a
    claim comes back full: asked at once, while that batch is written): the beat's task (deadlines.tasks) asks
    other worker processes to sweep at the same `now`. They claim what this pass has not (SKIP LOCKED: as two sweeps
    at the same moment, each notice once) and send no digests (`digests=False`): the pass that asked sends them once
    every sweep has finished writing (`_sweeps_finished`), so that their notices are in today's digest too."""
    asked, now = now, now or timezone.now()
    counts = {}
    helped = False

    def full() -> None:  # a batch claimed full: more may be due than one batch
        nonlocal helped
        if alongside is not None and not helped:
            helped = True
            alongside(now)  # at once, so that they sweep while this batch is written

    with contextlib.nullcontext() if digests else _sweeping():
        for stage in STAGES:
            counts[stage.name] = 0
            for _ in range(MAX_BATCHES_PER_STAGE):
                claimed, chased = _sweep_batch(stage, now, batch, full=full)
                counts[stage.name] += chased
                if claimed < batch:
                    break
    counts["digests"] = 0
    if digests:
        if helped:
            _sweeps_finished()
        # The notices written by this pass are in the digests: those up to its end (or up to the `now` asked for).
        counts["digests"] = digests_send(now=asked or timezone.now(), batch=batch)
    return counts


# Every sweep alongside holds this PostgreSQL advisory lock, shared, while it claims and writes; the pass that asked
# for them waits, before it sends the digests, until it can hold it alone (none still writing). A pass that asked
# for none waits for nobody (and costs no query more). Any constant of our own will do.
SWEEPING_LOCK = 0x4D415F5357454550  # "MA_SWEEP"
SWEEPS_WAIT_SECONDS = 120  # a sweep alongside stuck longer than this: its notices wait for tomorrow's digest


@contextlib.contextmanager
def _sweeping():
    """This sweep alongside is claiming and writing (SWEEPING_LOCK held shared, on this session, until it ends; a
    worker killed mid-sweep loses it with its connection)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock_shared(%s)", [SWEEPING_LOCK])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [SWEEPING_LOCK])
        except DatabaseError:
            pass  # the connection is gone, and the lock with it


def _sweeps_finished(wait: float = SWEEPS_WAIT_SECONDS) -> bool:
    """Wait until no sweep alongside is claiming or writing (none holds SWEEPING_LOCK), at most `wait` seconds.
    Returns whether none was; after the wait the digests go anyway, and a late sweep's notices wait for tomorrow's."""
    give_up = time.monotonic() + wait
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEPING_LOCK])
            if cursor.fetchone()[0]:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEPING_LOCK])
                return True
            if time.monotonic() > give_up:
                logger.warning("A sweep alongside was still writing after %s s: the digests go without its notices",
                               wait)
                return False
            time.sleep(0.01)


def due_deadlines(stage: Stage, now: dt.datetime):
    """The deadlines this stage should chase at `now`: exactly the rows of the stage's partial index
    up to `now`, filtered on nothing joined (a filter on the referral let the planner hash every referral of the
    service)."""
    return Deadline.objects.filter(
        **{f"{stage.time_field}__lte": now, f"{stage.sent_field}__isnull": True},
        met_at__isnull=True,
        status__in=CHASED_STATUSES,
        chase_ended_at__isnull=True,
    )


# What the sweep itself reads of a deadline's relations: the backlog's service (_in_backlog, _backlog_summary).
SWEEP_READS = ("referral__lado_service",)


def claim_query(stage: Stage, now: dt.datetime, batch: int):
    """The next `batch` deadlines of this stage to chase, row-locked, skipping rows another sweep holds: with what
    the chase reads of them and nothing more, in the one query.

    The rows each deadline has of its own are joined with only the columns the registered subjects and kinds say
    their functions read (deadlines.about: Subject.reads; issue 19: a referral's dozens of columns were most of the
    batch's reading); the few people many deadlines share are read once each for the batch (one instance per person,
    not one per deadline). Claim and read are one query (issue 19: a claim of the ids then a read of them by id was
    two index probes a row, and the read by id hashed every referral): the join is driven by the stage's partial
    index in order under the LIMIT, each row's referral found by its key (a nested loop, as the benchmark's EXPLAIN
    at 1,000,000 shows), and only the deadline is locked (`of=self`)."""
    reads, people = about.chase_reads()
    reads = sorted({*reads, *SWEEP_READS})
    return (
        due_deadlines(stage, now)
        .select_related(*sorted({path.split("__")[0] for path in reads}))
        .only(*(field.name for field in Deadline._meta.concrete_fields), *reads)
        .prefetch_related(*people)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by(stage.time_field, "pk")[:batch]
    )


def _closed_work(deadline: Deadline):
    """When the deadline's work closed (its case, its contact closed without a case, its provider concern); else None."""
    return about.subject_of(deadline).closed_at(deadline)


def _sweep_batch(stage: Stage, now: dt.datetime, batch: int, *, full: Callable[[], object] | None = None
                 ) -> tuple[int, int]:
    """Claim a batch and chase it: returns (claimed, chased). The batch's inbox entries, their e-mails' outbox
    messages, and the deadlines' marks with their history rows are each written with one bulk insert or update
    (agencies.notifications.notices_once, _update_with_history), in the claim's transaction. `full` is called when
    the claim is full (sweep's `alongside`)."""
    with transaction.atomic(durable=True):
        claimed = list(claim_query(stage, now, batch))
        if full is not None and len(claimed) == batch:
            full()
        chased = 0
        backlog_services = set()
        notices: list[Notice] = []
        changed: list[Deadline] = []
        for deadline in claimed:
            changed.append(deadline)
            deadline._history_user = None  # the sweep, not a person (as save_with_history(actor=None))
            closed = _closed_work(deadline)
            if closed is not None:
                # Closed work written without the services (an import, a data fix): nothing is sent, and
                # the row leaves the partial indexes so no sweep reads it again.
                deadline.chase_ended_at = now
                deadline._change_reason = "Not chased: its case or contact is closed"
                continue
            if stage.name == "reminder" and deadline.due_at <= now:
                deadline.reminder_sent_at = now  # handled: a "due soon" reminder would be wrong now
                deadline._change_reason = "No reminder: already overdue when chased"
                continue
            if stage.name == "overdue" and _in_backlog(deadline, now):
                deadline.overdue_sent_at = deadline.escalation_sent_at = now
                deadline.status = Deadline.Status.OVERDUE
                deadline._change_reason = "Already overdue when first chased: in the backlog summary to the LADO managers"
                backlog_services.add(deadline.referral.lado_service_id)
                continue
            notices.extend(_chase(deadline, stage, now))
            chased += 1
        notices_once(notices)
        if changed:
            _update_with_history(changed)
        for service_id in sorted(backlog_services):
            _backlog_summary(service_id, now)
    return len(claimed), chased


def _update_with_history(changed: list[Deadline]) -> None:
    """simple_history's bulk_update_with_history, without its `CASE WHEN id = ...` per row and field, nor a model
    instance per history row: the rows share a few sets of new values (a batch is chased at one `now`), so one
    UPDATE per set; then one history row per deadline changed, each with its own reason, written by PostgreSQL
    from the rows as they now stand (`INSERT ... SELECT` over the updated rows joined to the arrays of ids and
    reasons): what bulk_history_create writes ("~", by nobody: the sweep), in one statement."""
    groups: dict[tuple, list[int]] = {}
    for deadline in changed:
        groups.setdefault(tuple(getattr(deadline, name) for name in CHASE_FIELDS), []).append(deadline.pk)
    for values, pks in groups.items():
        Deadline.objects.filter(ids_in("pk", pks)).update(**dict(zip(CHASE_FIELDS, values)))
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = Deadline.history.model
    quote = connection.ops.quote_name
    tracked = [quote(field.column) for field in history.tracked_fields]
    sql = (f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(tracked)}, history_date, history_user_id, "
           f"history_change_reason, history_type) "
           f"SELECT {', '.join('d.' + column for column in tracked)}, %s, NULL, c.reason, '~' "
           f"FROM unnest(%s::bigint[], %s::text[]) WITH ORDINALITY AS c(id, reason, n) "
           f"JOIN {quote(Deadline._meta.db_table)} AS d ON d.id = c.id ORDER BY c.n")
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), array_literal(d.pk for d in changed),
                             array_literal(getattr(d, "_change_reason", "") or "" for d in changed)])


def _in_backlog(deadline: Deadline, now: dt.datetime) -> bool:
    """Overdue by more than its escalation time when first chased: never live here (imported, seeded or
    recorded late). Provider concerns' deadlines are chased as ever (their own leads and directors)."""
    return bool(deadline.referral_id and deadline.escalate_at and deadline.escalate_at <= now)


def _backlog_summary(service_id: int, now: dt.datetime) -> None:
    """One notice a day to the service's LADO managers (else its officers): how much is overdue, and where."""
    managers = service_members(service_id, [Role.LADO_MANAGER]) or service_members(service_id, LADO_ROLES)
    overdue = Deadline.objects.filter(
        referral__lado_service_id=service_id, met_at__isnull=True, chase_ended_at__isnull=True,
        status=Deadline.Status.OVERDUE,
    ).count()
    title = (f"Overdue backlog: {overdue} deadline{'' if overdue == 1 else 's'} of the service "
             f"{'is' if overdue == 1 else 'are'} overdue, some from before they were recorded here")
    day = timezone.localdate(now).isoformat()
    for user in managers:
        notice_once(user=user, title=title, link=reverse("allegations:team"), key=f"deadline-backlog-{service_id}-{day}",
                    email_template="allegations/email/deadline_backlog", context={"count": overdue})


def _chase(deadline: Deadline, stage: Stage, now: dt.datetime) -> list[Notice]:
    """Mark the deadline chased at this stage (saved with the batch) and return its notices."""
    subject = about.subject_of(deadline)
    extra = about.kind_extra(deadline.kind)
    reference, link = subject.reference(deadline), subject.link(deadline)
    kind = _kind_label(deadline.kind)
    title = stage.title.format(kind=kind, reference=reference)
    key = f"deadline-{deadline.pk}-{stage.name}"
    recipients = escalation_recipients(deadline) if stage.name == "escalation" else owner_recipients(deadline)
    notices = [
        _notice(user=user, title=title, link=extra.link_for(deadline, user, link) if extra else link, key=key,
                stage=stage.name, reference=reference, kind=kind)
        for user in recipients
    ]
    setattr(deadline, stage.sent_field, now)
    if stage.name == "overdue":
        deadline.status = Deadline.Status.OVERDUE
        if extra is not None and extra.on_overdue is not None:
            extra.on_overdue(deadline)  # e.g. an action's agency's webhooks (meetings.webhook_events)
    deadline._change_reason = stage.reason
    return notices


@functools.cache
def _kind_label(kind: str) -> str:
    """deadline.get_kind_display(), once per kind (it flattens the choices at every call)."""
    return str(dict(Deadline.Kind.choices).get(kind, kind))


def service_members(service_id: int, roles, *, only: Q = Q()) -> list:
    memberships = (
        Membership.objects.people().filter(agency_id=service_id, role__in=roles, user__is_active=True)
        .filter(only)
        .select_related("user")
        .order_by("user_id")
    )
    users = {}
    for membership in memberships:
        users.setdefault(membership.user_id, membership.user)
    return list(users.values())


def owner_recipients(deadline: Deadline) -> list:
    """Who is reminded and told it is overdue: for a referral, the case owner; else the referral's assigned
    officer; else all LADO officers of the service (told by the app the deadline is about)."""
    return about.subject_of(deadline).owner_recipients(deadline)


def escalation_recipients(deadline: Deadline) -> list:
    """The owner's managers: the service's LADO managers (else the owner); for an agency action also
    the action agency's senior managers and the chair of the meeting that agreed it (deadlines.md)."""
    users = {u.pk: u for u in about.subject_of(deadline).escalation_recipients(deadline)}
    extra = about.kind_extra(deadline.kind)
    if extra is not None:
        for user in extra.escalation_recipients(deadline):
            users.setdefault(user.pk, user)
    return list(users.values())


def _notice(*, user, title: str, link: str, key: str, stage: str, reference: str, kind: str) -> Notice:
    """An inbox entry and its e-mail, written with the batch (notices_once): a person with several notices of the
    stage in the batch gets one e-mail listing them (deadline_<stage>_list), one alone the notice's own."""
    return Notice(user=user, title=title, link=link, key=key, email_template=f"allegations/email/deadline_{stage}",
                  context={"reference": reference, "kind": kind},
                  email_list_template=f"allegations/email/deadline_{stage}_list")
