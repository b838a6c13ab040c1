"""Deliveries: a message to a person or an address, recorded as a row from the moment it is asked for.

* `delivery_add` writes the `Delivery` row and its outbox message in the caller's transaction: a change
  that commits has its deliveries, whatever happens to Redis or the mail server after.
* The worker runs `delivery_send` (handler "outbox.deliver"): it renders the e-mail from the row's template
  and plain values, adds any attachments the kind's maker gives (a calendar file, a PDF), sends it through
  the configured backend and records "sent" (SMTP) or "sending" with the provider's reference (a backend
  with receipts, such as GOV.UK Notify, sets `message.provider_reference`).
* `delivery_receipt` records what a receipt says (delivered, or a failure) on the rows with that reference.
* One e-mail for several (`deliveries_add`'s `together`, the deadline sweep's one e-mail per person per batch):
  each delivery keeps its row and once-key, one outbox message ("outbox.deliver_together") sends them as one
  e-mail listing them, and every one is recorded sent when it is accepted, in the transaction that marks the
  message done: a failure records none, and the retry sends those still queued, once.

Apps above register attachment makers by kind (`attachments_for("meeting_invitation")`), as they register
outbox handlers, and what to do when a delivery of a kind changes status (`on_status_change("minutes")`: the
minutes deadline is met when the last recipient is reached): the outbox imports nothing above it.
"""

from __future__ import annotations

import email.policy
import functools
import json
from typing import Callable, NamedTuple

from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .bulk import ids_in, rows_insert
from .models import Delivery, DeliveryChannel, DeliveryStatus
from .registry import batch_form, handler
from .services import message_add, messages_add

# Every kind of delivery the product sends by e-mail (kinds_register): GOV.UK Notify needs a template for each,
# and the system check (outbox.notify) names any without one.
_kinds: set[str] = set()

# kind -> function(delivery) -> [(filename, content, mimetype)]
_attachment_makers: dict[str, Callable[[Delivery], list[tuple[str, bytes | str, str]]]] = {}

KIND_HEADER = "X-Managing-Allegations-Kind"
DELIVERY_HEADER = "X-Managing-Allegations-Delivery"
# An e-mail that lists several deliveries for one person (deliveries_add's `together`): all their ids, ", "
# between them (a long header folds at the spaces; without them it would be encoded).
DELIVERIES_HEADER = "X-Managing-Allegations-Deliveries"


class DeliveryRejected(Exception):
    """The e-mail service refused this message for good (GOV.UK Notify's 400: a bad address, a template that does
    not fit): the delivery is recorded as failed, not tried again. The text says only the kind of refusal."""


# kind -> functions(delivery) called when a delivery's status changes, inside the transaction that changes it
_status_hooks: dict[str, list[Callable[[Delivery], object]]] = {}


def on_status_change(kind: str):
    """Register the decorated function to be called with a delivery of `kind` whenever its status changes (sent,
    delivered, failed), in the same transaction as the change: what depends on it reaching someone (a deadline)
    changes with it, or not at all."""

    def register(function):
        hooks = _status_hooks.setdefault(kind, [])
        if all(h.__qualname__ != function.__qualname__ or h.__module__ != function.__module__ for h in hooks):
            hooks.append(function)
        return function

    return register


def _status_changed(delivery: Delivery) -> None:
    for hook in _status_hooks.get(delivery.kind, ()):
        hook(delivery)


# kind -> function(delivery) -> {name: value}: values made at the moment of sending and never stored (a one-time
# link whose token must not sit in the database)
_values_makers: dict[str, Callable[[Delivery], dict]] = {}


def values_at_sending(kind: str):
    """Register the decorated function as the maker of values added to the e-mail's context when it is sent."""

    def register(function):
        _values_makers[kind] = function
        return function

    return register


def attachments_for(kind: str):
    """Register the decorated function as the maker of attachments for deliveries of `kind`."""

    def register(function):
        _attachment_makers[kind] = function
        return function

    return register


class _KeptHeaderClasses:
    """An e-mail policy's header factory that makes the class for each header name once. The standard library's
    (email.headerregistry.HeaderRegistry) makes a new class, with type(), for every header of every e-mail it builds:
    a fifth of the CPU of building a listing's MIME (issue 19: the sweep sends hundreds at a time). The headers, and
    the bytes sent, are the same."""

    def __init__(self, factory):
        self._factory = factory
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._classes.get(key)
        if made is None:
            made = self._classes[key] = self._factory[name]
        return made

    def __call__(self, name: str, value):
        return self[name](name, value)

    def __getattr__(self, attribute):  # the rest of HeaderRegistry's interface (map_to_type, registry)
        if attribute.startswith("_"):
            raise AttributeError(attribute)  # never our own (a copy made without __init__)
        return getattr(self._factory, attribute)


@functools.cache
def _kept(policy: email.policy.Policy) -> email.policy.Policy:
    return policy.clone(header_factory=_KeptHeaderClasses(policy.header_factory))


class OutboxEmail(EmailMessage):
    """Django's EmailMessage, built (by any backend: SMTP gives its own policy, locmem the default) with the same
    policy whose header classes are made once per process (_KeptHeaderClasses)."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=_kept(policy))


def kinds_register(*kinds: str) -> None:
    """Name kinds of delivery this product e-mails (each app, for its own kinds)."""
    _kinds.update(kinds)


def kinds() -> list[str]:
    return sorted(_kinds)


def delivery_add(*, key: str, kind: str, address: str, template: str = "", context: dict | None = None,
                 about=None, user=None, recipient: str = "", channel: str = DeliveryChannel.EMAIL,
                 created_by=None, sent_at=None) -> Delivery | None:
    """Record a delivery and ask for it to be sent once the caller's transaction commits.

    Returns None if a delivery with this once-key exists already (asked for twice). A channel other than
    e-mail (post, by hand) is recorded as sent when it is recorded: the person who records it did it. So is
    a delivery given `sent_at`, whatever its channel: a person sent it themselves (a letter e-mailed from their
    own mailbox), and the product only records it.
    """
    from django.contrib.contenttypes.models import ContentType

    values = dict(kind=kind, address=address, template=template, context=context or {}, user=user,
                  recipient=recipient[:250], channel=channel, created_by=created_by)
    if about is not None:
        values.update(about_type=ContentType.objects.get_for_model(about), about_id=about.pk)
    recorded = channel != DeliveryChannel.EMAIL or sent_at is not None
    if recorded:
        values.update(status=DeliveryStatus.SENT, sent_at=sent_at or timezone.now())
    with transaction.atomic():
        delivery, created = Delivery.objects.get_or_create(key=key, defaults=values)
        if not created:
            return None
        if not recorded:
            message_add(handler="outbox.deliver", key=f"delivery:{delivery.pk}", delivery_id=delivery.pk)
        else:
            _status_changed(delivery)
    return delivery


def deliveries_add(items: list[dict]) -> list[int]:
    """delivery_add for many e-mails at once (a sweep's batch): each item holds delivery_add's key, kind, address,
    template, context, user and recipient. One insert that skips the once-keys already recorded (`ON CONFLICT (key)
    DO NOTHING`, as delivery_add's get_or_create would skip them: no second e-mail), and the outbox messages of
    those inserted now in one insert (outbox.services.messages_add), handed to Celery as one task after commit.
    Returns the ids of the deliveries recorded now.

    One e-mail for several: items may also hold `together` (a value naming one person and one kind of e-mail) and
    `list_template` (an e-mail that lists several such deliveries). The deliveries recorded now that share a
    `together` are sent as ONE e-mail through one outbox message (handler "outbox.deliver_together", once-key
    "deliveries:<first id>"): each is still its own Delivery with its own once-key, and that e-mail records every
    one of them sent (delivery_send_together). A `together` with one delivery is sent as delivery_add's is."""
    wanted = {item["key"][:200]: item for item in items}
    if not wanted:
        return []
    new = list(wanted.items())
    ids = _deliveries_insert(new)  # {key: id} of the rows inserted now
    messages, together = [], {}
    for key, item in new:
        pk = ids.get(key)
        if pk is None:
            continue  # recorded already (or meanwhile by another transaction): its own message sends it
        if item.get("together") and item.get("list_template"):
            together.setdefault((item["together"], item["list_template"]), []).append(pk)
        else:
            messages.append((f"delivery:{pk}", {"delivery_id": pk}))
    batched = []
    for (_, list_template), pks in together.items():
        if len(pks) == 1:
            messages.append((f"delivery:{pks[0]}", {"delivery_id": pks[0]}))
        else:
            batched.append((f"deliveries:{pks[0]}", {"delivery_ids": pks, "template": list_template}))
    messages_add(handler="outbox.deliver", messages=messages)
    if batched:
        messages_add(handler="outbox.deliver_together", messages=batched)
    return [ids[key] for key, _ in new if key in ids]


def _deliveries_insert(new: list[tuple[str, dict]]) -> dict[str, int]:
    """Insert the deliveries (e-mails, queued) in one statement, without a model instance each
    (outbox.bulk.rows_insert). A key recorded meanwhile by another transaction is skipped, as
    bulk_create(ignore_conflicts=True) skipped it; returns {key: id} of the rows inserted now."""
    columns = {
        "key": ("varchar", [key for key, _ in new]),
        "kind": ("varchar", [item["kind"] for _, item in new]),
        "address": ("varchar", [item["address"] for _, item in new]),
        "template": ("varchar", [item.get("template", "") for _, item in new]),
        "context": ("jsonb", [json.dumps(item.get("context") or {}) for _, item in new]),
        "user_id": ("integer", [getattr(item.get("user"), "pk", None) for _, item in new]),
        "recipient": ("varchar", [item.get("recipient", "")[:250] for _, item in new]),
    }
    constants = {"channel": DeliveryChannel.EMAIL, "status": DeliveryStatus.QUEUED, "provider_reference": "",
                 "created_at": timezone.now(), "failure": ""}
    return dict(rows_insert(Delivery._meta.db_table, columns, constants=constants, conflict="(key)",
                            returning="key, id"))


def deliveries_about(record):
    from django.contrib.contenttypes.models import ContentType

    return Delivery.objects.filter(about_type=ContentType.objects.get_for_model(record), about_id=record.pk)


def email_for(delivery: Delivery) -> EmailMessage:
    values = _values_makers.get(delivery.kind)
    context = {**delivery.context, **(values(delivery) if values else {})}
    subject = render_to_string(f"{delivery.template}-subject.txt", context).strip()
    body = render_to_string(f"{delivery.template}-body.txt", context)
    message = OutboxEmail(subject=" ".join(subject.split()), body=body, to=[delivery.address],
                          headers={KIND_HEADER: delivery.kind, DELIVERY_HEADER: str(delivery.pk)})
    maker = _attachment_makers.get(delivery.kind)
    for filename, content, mimetype in (maker(delivery) if maker else []):
        message.attach(filename, content, mimetype)
    return message


@handler("outbox.deliver", sends_mail=True)
def delivery_send(*, delivery_id: int, connection=None) -> bool:
    """Send one delivery, once: run inside the outbox's transaction, which marks it done with the row. Sent through
    `connection` when given, else the default mailer's; a batch's connection (outbox.services.Outgoing) sends it
    at the batch's end, and "sent" is recorded once the server has accepted it."""
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    return _send(delivery, connection)


@batch_form("outbox.deliver")
def deliveries_send(*, items: list[dict], connection) -> None:
    """delivery_send for a batch's deliveries (outbox.services.messages_run): one query locks and reads them all,
    each e-mail is made as delivery_send makes it, and the deliveries that need nothing more than "sent" (no
    receipt to wait for, nothing hooked to their kind) are marked sent with one UPDATE once the e-mails are
    accepted; the others are recorded one by one, as delivery_send records them."""
    rows = Delivery.objects.select_for_update().in_bulk([item["delivery_id"] for item in items])
    for position, item in enumerate(items):
        _send(rows.get(item["delivery_id"]), connection, item=position)


class Row(NamedTuple):
    """What sending a listing needs of a delivery: the batch form reads these few columns, not a model instance each
    (issue 19: 10,000 instances were a fifth of the sweep's sending)."""

    pk: int
    kind: str
    address: str
    status: str
    context: dict


def _rows_locked(delivery_ids: list[int]) -> dict[int, Row]:
    """The deliveries' rows, locked (FOR UPDATE: a second run of the same message waits, then finds them sent)."""
    rows = Delivery.objects.select_for_update().filter(ids_in("pk", delivery_ids)).values_list(*Row._fields)
    return {row[0]: Row(*row) for row in rows}


def email_listing(deliveries: list[Row], template: str) -> EmailMessage:
    """One e-mail listing several deliveries for one person (deliveries_add's `together`): `template` names
    `<name>-subject.txt` and `<name>-body.txt`, given `count` and `items` (each delivery's own plain values, as
    its single e-mail would have them: a reference, a kind, a link; never names)."""
    first = deliveries[0]
    context = {"count": len(deliveries), "items": [delivery.context for delivery in deliveries]}
    subject = render_to_string(f"{template}-subject.txt", context).strip()
    body = render_to_string(f"{template}-body.txt", context)
    return OutboxEmail(subject=" ".join(subject.split()), body=body, to=[first.address],
                       headers={KIND_HEADER: first.kind, DELIVERY_HEADER: str(first.pk),
                                DELIVERIES_HEADER: ", ".join(str(delivery.pk) for delivery in deliveries)})


def _alone(delivery: Delivery | Row) -> bool:
    """A delivery whose e-mail carries something of its own (attachments, values made at sending): never listed
    with others."""
    return delivery.kind in _attachment_makers or delivery.kind in _values_makers


@handler("outbox.deliver_together", sends_mail=True)
def delivery_send_together(*, delivery_ids: list[int], template: str, connection=None) -> bool:
    """Send several deliveries to one person as ONE e-mail listing them (deliveries_add's `together`), once: run
    inside the outbox's transaction, which marks the message done with the deliveries. Exactly once, as
    delivery_send: the deliveries are locked, those no longer waiting (sent already) are left out, and when the
    e-mail is accepted every one of the others is recorded sent, in the transaction that marks the message done.
    If it fails, none is recorded: the message is tried again and sends them all, once. One left to send gets its
    own e-mail, as delivery_send sends it."""
    rows = _rows_locked(delivery_ids)
    return _send_together([rows[pk] for pk in delivery_ids if pk in rows], template, connection)


@batch_form("outbox.deliver_together")
def deliveries_send_together(*, items: list[dict], connection) -> None:
    """delivery_send_together for a batch's listings (outbox.services.messages_run): one query locks and reads
    what sending needs of the deliveries of them all (their Rows)."""
    rows = _rows_locked([pk for item in items for pk in item["delivery_ids"]])
    for position, item in enumerate(items):
        _send_together([rows[pk] for pk in item["delivery_ids"] if pk in rows], item["template"], connection,
                       item=position)


def _send_together(rows: list[Row], template: str, connection, *, item: int | None = None) -> bool:
    waiting = [row for row in rows if row.status == DeliveryStatus.QUEUED]
    listed = [row for row in waiting if row.address and not _alone(row) and row.address == waiting[0].address]
    if len(listed) < 2:
        listed = []
    # Those that cannot be listed (their own attachments or values, another address, none) go as delivery_send
    # sends them, each with its model instance (rare: a listing is made of deliveries alike).
    own = {row.pk for row in listed}
    alone = [row.pk for row in waiting if row.pk not in own]
    if alone:
        instances = Delivery.objects.in_bulk(alone)
        for pk in alone:
            _send(instances[pk], connection, item=item)
    if not listed:
        return bool(waiting)
    return _dispatch(email_listing(listed, template), connection, item=item,
                     sent=lambda message, plain: _rows_sent(listed, message, plain),
                     refused=lambda failure: _rows_refused(listed, failure))


def _send(delivery: Delivery | None, connection, *, item: int | None = None) -> bool:
    if delivery is None or delivery.status != DeliveryStatus.QUEUED:
        return False
    if not delivery.address:
        _refused(delivery, "No address to send to")
        return False
    return _dispatch(email_for(delivery), connection, item=item,
                     sent=lambda message, plain: _one_sent(delivery, message, plain),
                     refused=lambda failure: _refused(delivery, failure))


def _dispatch(message: EmailMessage, connection, *, item: int | None, sent: Callable[[EmailMessage, list | None], None],
              refused: Callable[[str], None]) -> bool:
    """Send `message` and record what became of it, for one delivery (_send) or a listing (_send_together) alike:
    `sent(message, plain)` once the server has accepted it, `refused(failure)` if the service refused it for good;
    any other error is raised (outside a batch: message_run records it on the message, tried again later).

    Through a batch's connection (outbox.services.Outgoing) the e-mail goes at the batch's end, and `plain` is the
    batch's list of deliveries that need nothing more than "sent", marked with one UPDATE after the e-mails
    (_mark_sent); outside a batch it goes now, and `plain` is None."""
    if hasattr(connection, "send_later"):  # a batch's: sent at its end
        plain = connection.gathered("outbox.deliver", _mark_sent)
        connection.send_later(message, sent=lambda accepted: sent(accepted, plain),
                              refused=lambda error: _refusal(error, refused), item=item)
        return True
    try:
        (connection or mailers.default).send_messages([message])
    except DeliveryRejected as refusal:
        refused(str(refusal))
        return False
    sent(message, None)
    return True


def _refusal(error: Exception, refused: Callable[[str], None]) -> bool:
    """A batch's e-mail failed: if the service refused it for good, record it refused (True); else it is tried
    again (False)."""
    if not isinstance(error, DeliveryRejected):
        return False
    with transaction.atomic():
        refused(str(error))
    return True


def _one_sent(delivery: Delivery, message, plain: list | None) -> None:
    if plain is None:
        _sent(delivery, message)
    elif not getattr(message, "provider_reference", "") and not _status_hooks.get(delivery.kind):
        plain.append(delivery.pk)  # marked sent with the others, in one UPDATE
    else:
        with transaction.atomic():  # a status hook's error rolls back this delivery's record only
            _sent(delivery, message)


def _sent(delivery: Delivery, message) -> None:
    """The mail server accepted the delivery's e-mail: record it sent (or waiting for a receipt, with a backend
    that gives them)."""
    reference = getattr(message, "provider_reference", "")
    delivery.sent_at = timezone.now()
    delivery.provider_reference = reference or ""
    # A backend that gives receipts leaves the delivery waiting for one; SMTP's acceptance is all we learn.
    delivery.status = DeliveryStatus.SENDING if reference else DeliveryStatus.SENT
    delivery.save(update_fields=["sent_at", "provider_reference", "status"])
    _status_changed(delivery)


def _rows_sent(rows: list[Row], message, plain: list | None) -> None:
    """The listing e-mail was accepted: every delivery it lists is recorded sent, as _sent records one (with the one
    receipt reference a backend with receipts gave it, each waiting for that receipt). In a batch, those that need
    nothing more than "sent" join the batch's one UPDATE (`plain`); the others are recorded with one UPDATE, and
    their kinds' status hooks called, in a savepoint of their own (a hook's error rolls back their record only)."""
    reference = getattr(message, "provider_reference", "") or ""
    rest = rows
    if plain is not None and not reference:
        plain.extend(row.pk for row in rows if not _status_hooks.get(row.kind))
        rest = [row for row in rows if _status_hooks.get(row.kind)]
    if not rest:
        return
    with transaction.atomic():
        Delivery.objects.filter(pk__in=[row.pk for row in rest]).update(
            status=DeliveryStatus.SENDING if reference else DeliveryStatus.SENT, sent_at=timezone.now(),
            provider_reference=reference)
        _rows_changed(rest)


def _mark_sent(delivery_ids: list[int]) -> None:
    """What _sent records, for many deliveries at once (their kinds have no status hooks, no receipt to wait for)."""
    Delivery.objects.filter(ids_in("pk", delivery_ids)).update(status=DeliveryStatus.SENT, sent_at=timezone.now(),
                                                               provider_reference="")


def _refused(delivery: Delivery, failure: str) -> None:
    delivery.status, delivery.failed_at = DeliveryStatus.TECHNICAL_FAILURE, timezone.now()
    delivery.failure = failure[:200]
    delivery.save(update_fields=["status", "failed_at", "failure"])
    _status_changed(delivery)


def _rows_refused(rows: list[Row], failure: str) -> None:
    """_refused for every delivery a refused listing carried, with one UPDATE."""
    Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=DeliveryStatus.TECHNICAL_FAILURE, failed_at=timezone.now(), failure=failure[:200])
    _rows_changed(rows)


def _rows_changed(rows: list[Row]) -> None:
    """The status hooks of the rows' kinds (those that have them), each given its delivery as it now stands."""
    hooked = [row.pk for row in rows if _status_hooks.get(row.kind)]
    if hooked:
        instances = Delivery.objects.in_bulk(hooked)
        for pk in hooked:
            _status_changed(instances[pk])


RECEIPT_STATUSES = {
    "delivered": DeliveryStatus.DELIVERED,
    "permanent-failure": DeliveryStatus.PERMANENT_FAILURE,
    "temporary-failure": DeliveryStatus.TEMPORARY_FAILURE,
    "technical-failure": DeliveryStatus.TECHNICAL_FAILURE,
}


def delivery_receipt(*, reference: str, status: str, at=None) -> Delivery | None:
    """Record a receipt (Notify's statuses) on the deliveries sent with that reference (several when one e-mail
    listed them: deliveries_add's `together`). Safe to repeat. Returns the first of them."""
    new = RECEIPT_STATUSES.get(status)
    if new is None or not reference:
        return None  # "sending", "created" and the like say nothing new
    with transaction.atomic():
        deliveries = list(Delivery.objects.select_for_update().filter(provider_reference=reference).order_by("pk"))
        for delivery in deliveries:
            delivery.status = new
            if new == DeliveryStatus.DELIVERED:
                delivery.delivered_at = at or timezone.now()
            else:
                delivery.failed_at = at or timezone.now()
                delivery.failure = dict(DeliveryStatus.choices)[new]
            delivery.save(update_fields=["status", "delivered_at", "failed_at", "failure"])
            _status_changed(delivery)
    return deliveries[0] if deliveries else None
