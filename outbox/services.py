"""Recording side effects with the change that caused them, handing them to Celery, running each once.

Exactly once
------------
* `message_add` writes the message in the caller's transaction: a change that rolls back asks for
  nothing, a change that commits has its message, whatever happens next. The once-key is unique, so a
  task that runs again (and asks again) records nothing new.
* After commit the message is handed to Celery (`message_hand_over`). If the broker cannot be reached the
  change still stands and the person still sees it saved: the failure is logged (ids and the error's
  kind only, never names) and the relay hands it over later.
* `messages_relay` (beat, every OUTBOX_RELAY_SECONDS) hands over every message not done whose `relay_at` has
  come: one whose hand-over failed, or one whose Celery message was lost (Redis restarted empty, a worker
  killed holding it). It claims them with `SELECT ... FOR UPDATE SKIP LOCKED`, so it never touches a
  message a worker is running, and it waits longer after each hand-over (a slow queue is not flooded).
* `message_run` (the worker) claims the message with `SELECT ... FOR UPDATE SKIP LOCKED` where it is
  not done, runs its handler inside that transaction and marks it done in the same transaction. A
  second copy of the Celery message (a relay, a redelivery) finds it done or locked and does nothing.
  A worker killed mid-run, or a database restart, rolls the whole run back (PostgreSQL drops a dead
  client's transaction and its locks), and the relay hands the message over again.
* What a handler writes to the database is therefore done exactly once. The one effect outside the
  database is an e-mail (outbox.delivery.delivery_send): it goes as the last step before the commit, so only
  a crash in the moment between the mail server accepting it and the commit could send it again; nothing can
  lose it.

A batch (a sweep's e-mails, the relay's: `messages_run`, outbox.tasks.deliver_many) runs in ONE transaction
----------------------------------------------------------------------------------------------------------
* It claims its messages with one `SELECT ... FOR UPDATE SKIP LOCKED` of those still pending (a message done,
  given up, or held by another worker is skipped, as message_run skips it).
* It runs the handlers, each message in its own savepoint (or a handler's batch form for all of a handler's
  messages at once, in one savepoint; if that raises, each of them is run on its own). A handler's error rolls
  back only its own work and is recorded on its message (tried again later, or given up, as message_run
  records it); the others go on.
* The handlers do not send: they hand their e-mails to the batch (`Outgoing.send_later`) with what to record
  once each is accepted. After every handler has run, the e-mails are sent in order through ONE connection to
  the mail server, and what each acceptance means (a delivery "sent") is written as it is accepted. An e-mail
  the server refuses for good is recorded as refused by its handler; one that fails otherwise (the server away,
  a recipient refused for now) leaves its message not done, its failure recorded, to be tried again, and the
  connection is opened afresh for the next e-mail.
* Then every message that ran is marked done with one UPDATE, and the batch commits.
* Nothing is lost: until the commit nothing is recorded done, and a worker killed, or a database gone, before
  it rolls the whole batch back and the relay hands it over again. A crash can at most repeat the e-mails of the
  batch in flight, in the moment between the mail server accepting them and the commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import traceback
from collections import Counter
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.core.mail import mailers
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import registry
from .bulk import rows_insert
from .models import Message

logger = logging.getLogger(__name__)

MAX_FAILURES = 8  # tries of a handler whose error may pass (mail server away), then given up
MAX_RELAYS = 30  # hand-overs by the relay (about four hours at the default spacing), then given up
KEEP_DONE_DAYS = 30  # a done message is removed after this (it holds ids only)


def _relay_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_RELAY_AFTER_SECONDS)


def pending():
    return Message.objects.filter(done_at__isnull=True, gave_up_at__isnull=True)


def message_add(*, handler: str, key: str, **arguments) -> Message | None:
    """Ask for a side effect in the caller's transaction; it is handed to Celery once that commits.

    `arguments` are ids and plain values (JSON), never names. Returns None if a message with this
    once-key was already recorded.
    """
    registry.get(handler)  # a misspelt name fails here, in the request, not later in the worker
    now = timezone.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(key=key[:200], handler=handler, arguments=arguments, created_at=now,
                                             relay_at=now + _relay_after())
    except IntegrityError:
        return None
    transaction.on_commit(functools.partial(message_hand_over, message_id=message.pk))
    return message


def messages_add(*, handler: str, messages: list[tuple[str, dict]]) -> list[int]:
    """message_add for many messages at once (a sweep's batch): `messages` are (once-key, arguments). One insert
    that skips the keys already recorded (`ON CONFLICT (key) DO NOTHING`, as message_add's IntegrityError would
    skip them), without a model instance each (outbox.bulk.rows_insert); those inserted now are handed to Celery
    as one task after commit. Returns the ids of the messages recorded now."""
    registry.get(handler)
    wanted = {key[:200]: arguments for key, arguments in messages}
    if not wanted:
        return []
    now = timezone.now()
    columns = {"key": ("varchar", list(wanted)),
               "arguments": ("jsonb", [json.dumps(arguments) for arguments in wanted.values()])}
    constants = {"handler": handler, "created_at": now, "relay_at": now + _relay_after(), "relayed": 0,
                 "failures": 0, "last_error": ""}
    ids = sorted(pk for (pk,) in rows_insert(Message._meta.db_table, columns, constants=constants, conflict="(key)",
                                              returning="id"))
    if ids:
        transaction.on_commit(functools.partial(_hand_over_all, ids))
    return ids


def _hand_over_all(message_ids: list[int]) -> bool:
    """Give a batch of messages to Celery as one task (outbox.tasks.deliver_many). Never raises: with the broker
    away the relay hands each over later, as message_hand_over does for one."""
    from .tasks import deliver_many

    try:
        deliver_many.apply_async(args=(message_ids,), retry=False)
    except Exception as error:  # noqa: BLE001 — any broker failure; the messages are safe in the database
        logger.warning("%d outbox messages not handed to the broker (%s): the relay will hand them over",
                       len(message_ids), type(error).__name__)
        try:
            Message.objects.filter(pk__in=message_ids, done_at__isnull=True).update(relay_at=timezone.now())
        except DatabaseError:
            pass  # they keep their later relay_at
        return False
    return True


def message_hand_over(*, message_id: int) -> bool:
    """Give a message to Celery. Never raises: with the broker away the relay hands it over later."""
    from .tasks import deliver

    try:
        # No retries: a person is waiting for this request, and the relay is the retry.
        deliver.apply_async(args=(message_id,), retry=False)
    except Exception as error:  # noqa: BLE001 — any broker failure; the message is safe in the database
        logger.warning("Outbox message %s not handed to the broker (%s): the relay will hand it over",
                       message_id, type(error).__name__)
        try:
            Message.objects.filter(pk=message_id, done_at__isnull=True).update(relay_at=timezone.now())
        except DatabaseError:
            pass  # it keeps its later relay_at
        return False
    return True


def message_run(*, message_id: int, connection=None) -> str:
    """Run one message and mark it done, in one transaction. Returns "done"; "skipped" when it is done
    already, given up, or another worker holds it; "retry" or "failed" when its handler raised. A handler that
    sends e-mail sends it through `connection` when given (messages_run's one connection for a batch)."""
    handler = None
    try:
        with transaction.atomic(durable=True):
            message = pending().select_for_update(skip_locked=True).filter(pk=message_id).first()
            if message is None:
                return "skipped"
            handler = registry.get(message.handler)
            extra = {"connection": connection} if handler.sends_mail and connection is not None else {}
            handler.function(**message.arguments, **extra)
            message.done_at = timezone.now()
            message.save(update_fields=["done_at"])
            return "done"
    except DatabaseError:
        raise  # the database is away (a restart): nothing is recorded, and the relay hands it over again
    except Exception as error:  # noqa: BLE001 — recorded on the row, the kind of error only
        return _failed(message_id, handler, error)


def messages_run(*, message_ids: list[int]) -> list[str]:
    """Run a batch of messages (a sweep's e-mails, outbox.tasks.deliver_many) in ONE transaction, their e-mails sent
    through ONE connection to the mail server as its last step (the module's docstring says how, and why nothing is
    lost). Returns each message's outcome, in the order given: "done", "skipped" (done already, given up, held by
    another worker), "retry" or "failed" (its handler raised, or its e-mail could not be sent)."""
    ids = list(dict.fromkeys(message_ids))
    outcomes = dict.fromkeys(ids, "skipped")
    with transaction.atomic(durable=True):
        messages = list(pending().select_for_update(skip_locked=True).filter(pk__in=ids).order_by("pk"))
        names = {message.pk: message.handler for message in messages}
        groups: dict[str, list[Message]] = {}
        for message in messages:
            groups.setdefault(message.handler, []).append(message)
        outgoing = Outgoing()
        for name, group in groups.items():
            try:
                handler = registry.get(name)
            except LookupError as error:
                for message in group:
                    outcomes[message.pk] = _failed(message.pk, None, error)
                continue
            if handler.batch is not None and len(group) > 1 and _run_batch_form(handler, group, outgoing):
                outcomes.update(dict.fromkeys((m.pk for m in group), "done"))
                continue
            for message in group:
                outcomes[message.pk] = _run_in_batch(handler, message, outgoing)
        # The e-mails, in the order of their messages, through one connection: the last step before the commit.
        order = {pk: position for position, pk in enumerate(ids)}
        failures = outgoing.send(sorted(outgoing.emails, key=lambda email: order[email.message_id]))
        for message_id, error in failures.items():
            outcomes[message_id] = _failed(message_id, registry.get(names[message_id]), error)
        done = [pk for pk, outcome in outcomes.items() if outcome == "done"]
        if done:
            Message.objects.filter(pk__in=done).update(done_at=timezone.now())
    return [outcomes[pk] for pk in message_ids]


def _run_batch_form(handler: registry.Handler, group: list[Message], outgoing: "Outgoing") -> bool:
    """All of a handler's messages in one call of its batch form, in one savepoint. False if it raised (its work
    and e-mails are dropped, and each message is then run on its own)."""
    pks = [message.pk for message in group]
    outgoing.message_ids = pks
    try:
        with transaction.atomic():
            handler.batch(items=[message.arguments for message in group], connection=outgoing)
        return True
    except Exception as error:  # noqa: BLE001 — each message is run again on its own, where its error is recorded
        outgoing.discard(set(pks))
        logger.info("Outbox batch of %s (%d messages) raised %s: run one by one", handler.name, len(pks),
                    type(error).__name__)
        return False
    finally:
        outgoing.message_ids = None


def _run_in_batch(handler: registry.Handler, message: Message, outgoing: "Outgoing") -> str:
    """One message of a batch in its own savepoint: its error rolls back its own work only."""
    outgoing.message_id = message.pk
    try:
        with transaction.atomic():
            extra = {"connection": outgoing} if handler.sends_mail else {}
            handler.function(**message.arguments, **extra)
        return "done"
    except DatabaseError as error:
        # As message_run: nothing is recorded, and the relay hands it over again. (If the database is away, the
        # next query fails and the whole batch rolls back.)
        outgoing.discard({message.pk})
        logger.warning("Outbox message %s (%s) failed with %s: the relay will hand it over again", message.pk,
                       handler.name, type(error).__name__)
        return "retry"
    except Exception as error:  # noqa: BLE001 — recorded on the row, the kind of error only
        outgoing.discard({message.pk})
        return _failed(message.pk, handler, error)
    finally:
        outgoing.message_id = None


@dataclasses.dataclass
class Email:
    message_id: int  # the outbox message whose handler made it
    email: object  # an EmailMessage
    sent: Callable[[object], object]  # what to record once the mail server has accepted it
    refused: Callable[[Exception], bool] | None  # records a refusal for good and returns True, else False


class Outgoing:
    """A batch's e-mails (messages_run): handed over by the handlers while they run, with what to record once each
    is accepted, and sent after them all, in order, through one connection.

    A handler that `sends_mail` is given it as `connection` and calls `send_later` instead of sending. What it
    writes because the e-mail went (a delivery "sent") belongs in `sent`, called once the server has accepted it;
    a handler's batch form may gather those writes (`gathered`) and write them once for the batch."""

    def __init__(self):
        self.emails: list[Email] = []
        self.message_id: int | None = None  # the message whose handler runs now
        self.message_ids: list[int] | None = None  # a batch form's messages, by the position of their items
        self._gathered: dict[str, tuple[list, Callable[[list], object]]] = {}

    def send_later(self, email, *, sent, refused=None, item: int | None = None) -> None:
        """Send `email` at the batch's end; `item` is the position of its message's arguments in a batch form's
        items."""
        message_id = self.message_ids[item] if item is not None else self.message_id
        self.emails.append(Email(message_id, email, sent, refused))

    def gathered(self, name: str, write: Callable[[list], object]) -> list:
        """A list that `write` is given once, after the batch's e-mails are sent (what many `sent` gathered)."""
        if name not in self._gathered:
            self._gathered[name] = ([], write)
        return self._gathered[name][0]

    def discard(self, message_ids: set[int]) -> None:
        self.emails = [email for email in self.emails if email.message_id not in message_ids]

    def send(self, emails: list[Email]) -> dict[int, Exception]:
        """Send them through one connection, recording each as it is accepted; the gathered writes after. Returns
        the messages whose e-mail failed (to be tried again), with the error."""
        failures: dict[int, Exception] = {}
        connection = BatchConnection()
        try:
            for email in emails:
                if email.message_id in failures:
                    continue  # its message is to be run again: its other e-mails with it
                try:
                    connection.send_messages([email.email])
                except Exception as error:  # noqa: BLE001 — recorded on its message, the kind only
                    if email.refused is not None and email.refused(error):
                        continue
                    failures[email.message_id] = error
                    connection.close()  # the server may have broken it: the next e-mail opens a fresh one
                    continue
                try:
                    email.sent(email.email)
                except Exception as error:  # noqa: BLE001 — as a handler's error: its message is tried again
                    failures[email.message_id] = error
        finally:
            connection.close()
        for values, write in self._gathered.values():
            if values:
                write(values)
        return failures


class BatchConnection:
    """The default mailer's connection, opened at the first e-mail sent through it and kept open until closed. An
    error opening it is the e-mail's error (messages_run records it on that e-mail's message, tried again later)."""

    def __init__(self):
        self.backend = mailers.default
        self.is_open = False

    def send_messages(self, email_messages) -> int:
        if not self.is_open:
            self.backend.open()
            self.is_open = True
        return self.backend.send_messages(email_messages)

    def close(self) -> None:
        if not self.is_open:
            return
        self.is_open = False
        try:
            self.backend.close()
        except Exception as error:  # noqa: BLE001 — what was sent is sent and marked; nothing is left to do with it
            logger.warning("The mail server connection did not close cleanly (%s)", type(error).__name__)


def _failed(message_id: int, handler: registry.Handler | None, error: Exception) -> str:
    retry = handler is not None and isinstance(error, handler.retry_for)
    # The error's kind and where it happened (file, line, function), never its text nor the values: an
    # error's message may quote a name.
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                       for f in reversed(traceback.extract_tb(error.__traceback__)))
    logger.warning("Outbox message %s (%s) failed with %s%s, at %s", message_id, handler.name if handler else "?",
                   type(error).__name__, "; it will be tried again" if retry else "", where)
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if not message.is_pending:
            return "skipped"
        message.failures += 1
        message.last_error = type(error).__name__[:200]
        if retry and message.failures < MAX_FAILURES:
            message.relay_at = now + _relay_after() * 2 ** (message.failures - 1)
        else:
            message.gave_up_at = now
            retry = False
        message.save(update_fields=["failures", "last_error", "relay_at", "gave_up_at"])
    return "retry" if retry else "failed"


def messages_relay(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Hand over again the messages not done whose time has come; returns how many were handed over."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        due = list(
            pending().filter(relay_at__lte=now).select_for_update(skip_locked=True)
            .order_by("relay_at", "pk").values_list("pk", "relayed", "handler")[:batch]
        )
        worn = [pk for pk, relayed, _ in due if relayed >= MAX_RELAYS]
        if worn:
            logger.error("Outbox messages given up after %s hand-overs: %s", MAX_RELAYS, worn)
            Message.objects.filter(pk__in=worn).update(gave_up_at=now, last_error="Never completed")
        send = [(pk, relayed, name) for pk, relayed, name in due if relayed < MAX_RELAYS]
        for pk, relayed, _ in send:  # each hand-over waits a little longer for the next
            Message.objects.filter(pk=pk).update(relay_at=now + _relay_after() * min(relayed + 1, 10),
                                                 relayed=F("relayed") + 1)
    # Done messages are kept a while (to see what was sent), then removed, a bounded batch at a time.
    old = Message.objects.filter(done_at__lt=now - dt.timedelta(days=KEEP_DONE_DAYS)).values_list("pk", flat=True)
    Message.objects.filter(pk__in=list(old[:batch])).delete()
    # E-mails go together, as one task sent through one mail connection (messages_run); the rest one by one.
    mail = [pk for pk, _, name in send if _sends_mail(name)]
    handed = 0
    if mail:
        if not _hand_over_all(mail):
            return 0  # the broker is away: they all keep their turn
        handed += len(mail)
    for pk, _, name in send:
        if _sends_mail(name):
            continue
        if not message_hand_over(message_id=pk):
            break  # the broker is away: the rest keep their turn
        handed += 1
    if handed:
        logger.info("Outbox relay handed over %s messages", handed)
    return handed


def _sends_mail(name: str) -> bool:
    try:
        return registry.get(name).sends_mail
    except LookupError:
        return False  # run on its own, where message_run records the missing handler


def messages_drain(*, limit: int = 10_000) -> Counter:
    """Run every message not done, here and now, as the worker would (`manage.py outbox_run`, the tests).
    Messages asked for by those it runs are run too; each is tried once."""
    tried: set[int] = set()
    counts: Counter = Counter()
    while len(tried) < limit:
        ids = list(pending().exclude(pk__in=tried).order_by("pk").values_list("pk", flat=True)[:100])
        if not ids:
            break
        for pk in ids:
            tried.add(pk)
            counts[message_run(message_id=pk)] += 1
    return counts


def messages_waiting(keys) -> set[str]:
    """Which of these once-keys are asked for and not done yet (a delivery "queued")."""
    return set(pending().filter(key__in=list(keys)).values_list("key", flat=True))
