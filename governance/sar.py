"""A subject access request: everything held about one person, third parties redacted (issue 7 §6).

The draft is assembled from the records each time (nothing is copied into the SAR row): the subject's
record and other names, every referral about them (and about records merged into theirs), its triage,
case, decisions, strands, meetings and the approved minutes, and the business log.

Redacted by default, each as "[redacted: child 1]", "[redacted: referrer 1]", "[redacted: person 3]":
- children and adults at risk: names and dates of birth, wherever they appear;
- referrers: name, e-mail and telephone;
- every other person the database knows by name (other subjects and their other names, other children,
  other referrers, the product's users) wherever their name appears in free text or minutes.
The subject's own names are never redacted. A reviewer may lift a redaction (003 §49: advice from
Information Governance) before release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from allegations.models import Child, Referral, Subject, SubjectName

WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%-d %B %Y", "%d %B %Y", "%-d/%-m/%Y")


@dataclass
class Redaction:
    key: str
    label: str
    original: str


@dataclass
class Person:
    key: str
    label: str
    patterns: set[str] = field(default_factory=set)  # full names, e-mails, telephones, dates: any case
    words: set[str] = field(default_factory=set)  # one part of a name: as written ("Child", not "child")


@dataclass
class Row:
    label: str
    value: list  # of str and Redaction


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    level: int = 2


@dataclass
class Draft:
    subject: Subject | None
    sections: list[Section]
    redactions: dict[str, Person]

    def kept(self, revealed) -> int:
        return len(set(self.redactions) - set(revealed))

    def lifted(self, revealed) -> int:
        return len(set(self.redactions) & set(revealed))


def subject_records(subject: Subject) -> list[Subject]:
    """The subject and every record merged into theirs."""
    return [subject, *Subject.objects.filter(merged_into=subject).order_by("pk")]


class _Redactor:
    def __init__(self, own_names: set[str]):
        self.own = {n.lower() for n in own_names if n}
        self.people: dict[str, Person] = {}
        self.counters: dict[str, int] = {}
        self._by_pattern: dict[str, str] = {}
        self._regex = None

    def person(self, kind: str, ident, names=(), other=()) -> Person:
        key = f"{kind}:{ident}"
        if key not in self.people:
            self.counters[kind] = self.counters.get(kind, 0) + 1
            self.people[key] = Person(key=key, label=f"{kind} {self.counters[kind]}")
        p = self.people[key]
        names = [n.strip() for n in names if n and n.strip()]
        full = " ".join(names)
        if len(full.split()) > 1:
            p.patterns.add(full)
        for n in names:
            for part in n.split():
                if len(part) > 1 and part.lower() not in self.own:
                    p.words.add(part)
        for o in other:
            if o:
                p.patterns.add(str(o).strip())
        self._regex = None
        return p

    def _compiled(self):
        if self._regex is None:
            self._by_pattern, self._by_word = {}, {}
            for p in self.people.values():
                for pattern in p.patterns:
                    self._by_pattern.setdefault(pattern.lower(), p.key)
                for word in p.words:
                    self._by_word.setdefault(word, p.key)
            alternatives = [(x, True) for x in self._by_pattern] + [(w, False) for w in self._by_word]
            alternatives.sort(key=lambda pair: len(pair[0]), reverse=True)  # the longest first
            self._regex = re.compile("|".join(
                rf"(?<!\w)(?i:{re.escape(x)})(?!\w)" if any_case else rf"(?<!\w){re.escape(x)}(?!\w)"
                for x, any_case in alternatives
            )) if alternatives else False
        return self._regex

    def _key_of(self, found: str) -> str:
        return self._by_word.get(found) or self._by_pattern[found.lower()]

    def text(self, value) -> list:
        text = "" if value is None else str(value)
        regex = self._compiled()
        if not text or not regex:
            return [text]
        out, last = [], 0
        for m in regex.finditer(text):
            if m.start() > last:
                out.append(text[last:m.start()])
            p = self.people[self._key_of(m.group(0))]
            out.append(Redaction(p.key, p.label, m.group(0)))
            last = m.end()
        out.append(text[last:])
        return [part for part in out if part != ""]

    def whole(self, person: Person, value) -> list:
        return [Redaction(person.key, person.label, str(value))] if value not in (None, "") else [""]


def _dates(day) -> list[str]:
    return [day.strftime(f) for f in DATE_FORMATS] if day else []


def _display(obj, name):
    getter = getattr(obj, f"get_{name}_display", None)
    return getter() if getter else getattr(obj, name)


def _words(texts) -> set[str]:
    found = set()
    for t in texts:
        found.update(w.lower() for w in WORD.findall(t or ""))
    return found


def assemble(sar) -> Draft:
    subject = sar.subject
    if subject is None:
        return Draft(subject=None, sections=[], redactions={})
    records = subject_records(subject)
    other_names = list(SubjectName.objects.filter(subject__in=records))
    own = {subject.given_name, subject.family_name, subject.known_as}
    for s in records:
        own |= {s.given_name, s.family_name, s.known_as}
    for n in other_names:
        own |= {n.given_name, n.family_name}
    own = {part for name in own if name for part in name.split()}
    r = _Redactor(own)

    referrals = list(
        Referral.objects.filter(subject__in=records, lado_service=sar.lado_service)
        .select_related("case", "triage", "employer").prefetch_related("children")
        .order_by("received_at", "pk")
    )
    # Named third parties of these records first (numbered in order of appearance).
    for ref in referrals:
        if ref.referrer_name or ref.referrer_email or ref.referrer_phone:
            r.person("referrer", ref.pk, [ref.referrer_name], [ref.referrer_email, ref.referrer_phone])
        for child in ref.children.all():
            r.person("child", child.pk, [child.given_name, child.family_name], _dates(child.date_of_birth))
        if ref.initial_discussion_with:
            r.person("person", f"discussion-{ref.pk}", [ref.initial_discussion_with])

    from meetings.models import Meeting, MinutesVersion

    cases = [ref.case for ref in referrals if hasattr(ref, "case")]
    meetings = list(Meeting.objects.filter(case__in=cases).select_related("minutes").order_by("scheduled_at", "pk"))
    versions = {}
    for v in MinutesVersion.objects.filter(minutes__meeting__in=meetings).order_by("minutes_id", "-number"):
        versions.setdefault(v.minutes_id, v)

    # Everything free text, to find other names the database knows in it.
    texts = []
    for ref in referrals:
        texts += [ref.description, ref.known_history, ref.other_settings, ref.initial_discussion_notes]
        if hasattr(ref, "triage"):
            texts.append(ref.triage.rationale)
    for case in cases:
        texts += [case.closure_summary, case.dbs_referral_notes, case.return_to_work_support]
        texts += [d.decision + " " + d.rationale + " " + d.agreed_with for d in case.decisions.all()]
        texts += [a.summary + " " + a.controls for a in case.risk_assessments.all()]
        texts += [s.lead + " " + s.notes for s in case.strands.all()]
        texts += [s.decided_by + " " + s.notes for s in case.suspensions.all()]
        # The person's own records (issue 16 §2): who told and updated them, their contact, what they said.
        texts += [t.told_by + " " + t.what_told for t in case.person_told.all()]
        texts += [c.name + " " + c.role + " " + c.agency for c in case.person_contacts.all()]
        texts += [p.offered_by + " " + p.detail for p in case.person_support.all()]
        texts += [u.given_by + " " + u.summary + " " + u.views for u in case.person_updates.all()]
        texts += [v.summary for v in case.reviews.all()]
        texts += [d.raised_by + " " + d.about + " " + d.resolution for d in case.disagreements.all()]
        texts += [s.raised_by + " " + s.raised_to + " " + s.answer  # the escalation steps (allegations.ladder)
                  for d in case.disagreements.all() for s in d.steps.all()]
    for v in versions.values():
        texts += [s.get("body", "") for s in v.sections]
    for m in meetings:
        if hasattr(m, "minutes") and m.minutes.pk not in versions:
            texts += list(m.minutes.sections.values_list("body", flat=True))
    words = _words(texts) - {w.lower() for w in own}
    if words:
        User = get_user_model()
        for c in Child.objects.annotate(g=Lower("given_name"), f=Lower("family_name")).filter(
                Q(g__in=words) | Q(f__in=words)).order_by("pk")[:500]:
            r.person("child", c.pk, [c.given_name, c.family_name], _dates(c.date_of_birth))
        for s in Subject.objects.exclude(pk__in=[x.pk for x in records]).annotate(
                g=Lower("given_name"), f=Lower("family_name")).filter(Q(g__in=words) | Q(f__in=words)).order_by("pk")[:500]:
            r.person("person", f"subject-{s.pk}", [s.given_name, s.family_name])
        for n in SubjectName.objects.exclude(subject__in=records).annotate(
                g=Lower("given_name"), f=Lower("family_name")).filter(Q(g__in=words) | Q(f__in=words)).order_by("pk")[:500]:
            r.person("person", f"subject-{n.subject_id}", [n.given_name, n.family_name])
        for u in User.objects.annotate(g=Lower("first_name"), f=Lower("last_name")).filter(
                Q(g__in=words) | Q(f__in=words)).order_by("pk")[:500]:
            r.person("person", f"user-{u.pk}", [u.first_name, u.last_name])
        for ref in Referral.objects.exclude(pk__in=[x.pk for x in referrals]).exclude(referrer_name="").annotate(
                n=Lower("referrer_name")).filter(n__in=words).order_by("pk")[:500]:
            r.person("referrer", ref.pk, [ref.referrer_name])

    T = r.text
    sections = []
    about = Section("About you")
    about.rows += [Row("Name", [subject.full_name]), Row("Known as", [subject.known_as or "—"]),
                   Row("Date of birth", [subject.date_of_birth.strftime("%-d %B %Y") if subject.date_of_birth else "Not recorded"]),
                   Row("Address", [subject.address or "Not recorded"]),
                   Row("Registration", [" ".join(x for x in [subject.registration_body, subject.registration_number] if x) or "—"])]
    for n in other_names:
        about.rows.append(Row(n.get_kind_display(), [f"{n.given_name} {n.family_name}".strip()]))
    sections.append(about)

    for ref in referrals:
        sec = Section(f"Referral {ref.reference}")
        sec.rows += [
            Row("Received", [timezone.localtime(ref.received_at).strftime("%-d %B %Y")]),
            Row("Type of contact", [ref.get_contact_type_display()]),
            Row("Status", [ref.get_status_display()]),
            Row("Category", [ref.get_category_display() or "—"]),
            Row("Your role", [ref.subject_role or "—"]),
            Row("Employer", [ref.employer_name]),
            Row("What was alleged", T(ref.description)),
        ]
        if ref.known_history:
            sec.rows.append(Row("Known history", T(ref.known_history)))
        referrer = r.people.get(f"referrer:{ref.pk}")
        if referrer:
            sec.rows.append(Row("Referred by", r.whole(referrer, ref.referrer_name or ref.referrer_email)
                                + [f" ({ref.referrer_role})" if ref.referrer_role else ""]))
        for child in ref.children.all():
            p = r.people[f"child:{child.pk}"]
            value = r.whole(p, str(child)) + [f", {child.get_relationship_display().lower()}"]
            if child.date_of_birth:
                value += [", born "] + r.whole(p, child.date_of_birth.strftime("%-d %B %Y"))
            sec.rows.append(Row("Child or adult at risk", value))
        if ref.initial_discussion_at:
            sec.rows.append(Row("Initial discussion", [timezone.localtime(ref.initial_discussion_at).strftime("%-d %B %Y"), " with "]
                                + T(ref.initial_discussion_with) + ["; "] + T(ref.initial_discussion_notes)))
        if hasattr(ref, "triage"):
            sec.rows.append(Row("Decision on the referral", [ref.triage.get_decision_display(), ". "] + T(ref.triage.rationale)))
        sections.append(sec)

        case = getattr(ref, "case", None)
        if case is not None:
            cs = Section(f"Case {ref.reference}", level=3)
            cs.rows += [Row("Status", [case.get_status_display()]), Row("Route", [case.get_route_display() or "—"]),
                        Row("Outcome", [case.get_outcome_display() or "Not yet recorded"])]
            if case.police_outcome:
                cs.rows.append(Row("Police outcome", [case.get_police_outcome_display()]))
            if case.employer_outcome:
                cs.rows.append(Row("Employer outcome", [case.get_employer_outcome_display()]))
            for s in case.suspensions.all():
                cs.rows.append(Row("Suspension or arrangements", [f"{s.get_arrangement_display()} from {s.decided_on:%-d %B %Y}, decided by "] + T(s.decided_by)))
            # What the person was told, their contact, support and updates (issue 16 §2). What was held back on
            # someone's advice (the police's, while they investigate) is left out: whether it may be disclosed is for
            # the person answering the request to decide with that advice, not for a draft to reveal.
            for t in case.person_told.all():
                if t.told_on:
                    cs.rows.append(Row(f"Told, {t.told_on:%-d %B %Y}, by", T(t.told_by) + [": "] + T(t.what_told)))
            for c in case.person_contacts.all():
                cs.rows.append(Row(f"Named contact from {c.from_on:%-d %B %Y}", T(c.name) + [", "] + T(c.agency)))
            for p in case.person_support.all():
                cs.rows.append(Row("Support offered", [f"{p.label()}, {p.offered_on:%-d %B %Y}: {p.get_taken_up_display().lower()}"]))
            for u in case.person_updates.all():
                cs.rows.append(Row(f"Update, {u.given_on:%-d %B %Y}", T(u.summary) + ([" Your views: "] + T(u.views) if u.views else [])))
            for a in case.risk_assessments.all():
                cs.rows.append(Row(f"Risk assessment ({a.get_level_display()})", T(a.summary) + [" "] + T(a.controls)))
            for d in case.decisions.all():
                cs.rows.append(Row(f"Decision, {timezone.localtime(d.decided_at):%-d %B %Y}", T(d.decision) + [" Why: "] + T(d.rationale)))
            for s in case.strands.all():
                cs.rows.append(Row(s.get_kind_display(), [s.get_status_display(), ". "] + T(s.lead) + [" "] + T(s.notes)))
            for v in case.reviews.all():
                cs.rows.append(Row(f"{v.get_kind_display()}, {v.held_on:%-d %B %Y}", T(v.summary)))
            for d in case.disagreements.all():
                cs.rows.append(Row(d.get_kind_display(), T(d.about) + [" "] + T(d.resolution)))
                for step in d.steps.all():  # its escalation steps (allegations.ladder)
                    cs.rows.append(Row(f"{step.get_level_display()}, {step.raised_on:%-d %B %Y}",
                                       T(step.raised_by) + [" raised it with "] + T(step.raised_to or "—") + [" "]
                                       + T(step.answer)))
            for g in case.regulator_referrals.all():
                cs.rows.append(Row("Referral to a regulator", [f"{g.get_regulator_display()}, {g.made_on:%-d %B %Y}"]))
            if case.closure_summary:
                cs.rows.append(Row("Closure", T(case.closure_summary)))
            sections.append(cs)
            for m in [m for m in meetings if m.case_id == case.pk]:
                ms = Section(f"{m.get_kind_display()}, {timezone.localtime(m.scheduled_at):%-d %B %Y}", level=3)
                ms.rows.append(Row("Status", [m.get_status_display()]))
                minutes = getattr(m, "minutes", None)
                if minutes is not None:
                    version = versions.get(minutes.pk)
                    parts = version.sections if version else [s.snapshot() for s in minutes.sections.all()]
                    for part in parts:
                        if part.get("body"):
                            ms.rows.append(Row(part.get("title", "Minutes"), T(part["body"])))
                sections.append(ms)

        log = Section(f"What was done on {ref.reference}, and when", level=3)
        for e in ref.events.order_by("at", "pk"):
            log.rows.append(Row(timezone.localtime(e.at).strftime("%-d %B %Y %H:%M"), T(e.summary)))
        sections.append(log)

    return Draft(subject=subject, sections=sections, redactions=r.people)


def rendered(value: list, revealed) -> str:
    """Plain text of a value as it will be released."""
    revealed = set(revealed)
    return "".join(p if isinstance(p, str) else (p.original if p.key in revealed else f"[redacted: {p.label}]")
                   for p in value)
