"""Who may open and do what: every URL of the allegations app (and /, /inbox/,
/reporting/figures/, /admin/) for every persona.

Outsiders get 404 whether the record exists or not; a 403 for an action a person
may not take on a record they can see, and for a page that names no record and is
not for their role (it says which roles it is for: agencies/access.py); anonymous
visitors go to the login page. The matrix is one table: a URL added to allegations/urls.py without a row
here fails test_every_allegations_url_is_in_the_matrix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlparse

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone

from agencies.models import AgencyKind, Partnership, Role, Sector
from allegations import services
from allegations.models import Case, Event, Strand
from allegations.views import CASE_ACTIONS
from tests.agencies.factories import AgencyFactory, UserFactory, member
from tests.allegations.factories import discuss, make_case, make_referral, tell_parents
from tests.forms import with_dates

pytestmark = pytest.mark.django_db

PERSONAS = [
    "lado_officer",
    "other_officer",
    "agency_a_manager",
    "agency_a_viewer",
    "agency_b_outsider",
    "police_user",
    "analyst",
    "anonymous",
]

LOGIN = "->login"  # LoginRequiredMiddleware sends anonymous visitors to /accounts/login/
DENIED = {403, 404, LOGIN}


def _outcome(response) -> int | str:
    """The status code, or '->view_name' for a redirect (compared by where it goes)."""
    if response.status_code in (301, 302):
        return "->" + resolve(urlparse(response.url).path).view_name
    return response.status_code


# --- What each kind of URL gives each persona -----------------------------------

def _row(lado, other, a_manager, a_viewer, b_outsider, police, analyst, anonymous=LOGIN):
    return dict(zip(PERSONAS, [lado, other, a_manager, a_viewer, b_outsider, police, analyst, anonymous]))


# A page of agency A's referral or case: the LADO service and agency A see it.
RECORD_PAGE = _row(200, 404, 200, 200, 404, 404, 404)
# A LADO action on agency A's referral or case: agency A can see the record, so 403.
LADO_ACTION = _row(200, 404, 403, 403, 404, 404, 404)
# The same for POST-only LADO actions, which redirect back when they work.
LADO_POST_TO_REFERRAL = _row("->allegations:referral_detail", 404, 403, 403, 404, 404, 404)
# The Django admin sends anyone who is not staff (no persona is) to its own sign-in page.
NON_ADMIN_STAFF = "->admin:login"


@dataclass
class World:
    """The partnership, personas and agency A's case the matrix runs against.

    Built once per module (see matrix_world); what a row adds (another case, a
    disagreement) is made inside the test's own transaction and rolled back."""

    people: dict
    agencies: dict
    case: Case
    _extra: dict = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return self.case.referral.reference

    def fixture(self, name):
        return self.people.get(name) or self.agencies[name]

    def second_case(self) -> Case:
        """Another case of the same LADO service (something to link to)."""
        if "case" not in self._extra:
            other = make_referral(actor=self.fixture("agency_a_manager"), lado_service=self.fixture("lado_service"),
                                  agency=self.fixture("agency_a"), given="Jordan", family="Blake")
            self._extra["case"] = make_case(officer=self.fixture("lado_officer"), referral=other)
        return self._extra["case"]

    def candidate(self):
        """A subject of another referral of this service: a possible earlier record."""
        return self.second_case().referral.subject


def _build_world() -> World:
    """The personas of conftest.py, with the same names (so its fixtures find the same rows)."""
    Partnership.objects.create(name="Testshire Partnership")
    lado = AgencyFactory(name="Testshire LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE)
    agencies = {
        "lado_service": lado,
        "other_lado_service": AgencyFactory(name="Elsewhere LADO Service", kind=AgencyKind.LADO_SERVICE,
                                            sector=Sector.SOCIAL_CARE),
        "agency_a": AgencyFactory(name="Riverside Primary", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION,
                                  lado_service=lado),
        "agency_b": AgencyFactory(name="Hilltop Academy", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION,
                                  lado_service=lado),
        "police_agency": AgencyFactory(name="Testshire Police", kind=AgencyKind.POLICE, sector=Sector.POLICE,
                                       lado_service=lado),
        "business_unit": AgencyFactory(name="Business Unit", kind=AgencyKind.BUSINESS_UNIT, sector=Sector.OTHER,
                                       lado_service=lado),
    }
    people = {
        "lado_officer": member(UserFactory(username="officer"), lado, Role.LADO_OFFICER),
        "lado_manager": member(UserFactory(username="manager"), lado, Role.LADO_MANAGER),
        "other_officer": member(UserFactory(username="elsewhere"), agencies["other_lado_service"], Role.LADO_OFFICER),
        "agency_a_manager": member(UserFactory(username="a.manager"), agencies["agency_a"], Role.SENIOR_MANAGER,
                                   "Designated safeguarding lead"),
        "agency_a_viewer": member(UserFactory(username="a.viewer"), agencies["agency_a"], Role.AGENCY_VIEWER),
        "agency_b_outsider": member(UserFactory(username="b.manager"), agencies["agency_b"], Role.SENIOR_MANAGER),
        "police_user": member(UserFactory(username="police"), agencies["police_agency"], Role.PARTICIPANT),
        "analyst": member(UserFactory(username="analyst"), agencies["business_unit"], Role.ANALYST),
    }
    referral = make_referral(actor=people["agency_a_manager"], lado_service=lado, agency=agencies["agency_a"])
    case = make_case(officer=people["lado_officer"], referral=referral)
    return World(people=people, agencies=agencies, case=case)


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """The matrix has ~280 rows: building the world once per module keeps it fast.

    It lives in a transaction that is rolled back when the module ends; each test's
    own transaction nests inside it (a savepoint) and is rolled back as usual."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # like TestCase's class-wide atomic: durable services may nest in it
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@dataclass(frozen=True)
class Endpoint:
    name: str
    args: Callable[[World], list] = lambda w: []
    method: str = "get"
    data: Callable[[World], dict] | None = None  # valid data for a POST that should work

    def __post_init__(self):
        if self.data is not None:  # dates posted as a browser posts them: day, month and year boxes
            raw = self.data
            object.__setattr__(self, "data", lambda w: with_dates(raw(w)))


TODAY = lambda: timezone.localdate().isoformat()  # noqa: E731

CASE_ACTION_DATA: dict[str, Callable[[World], dict]] = {
    "suspension": lambda w: {"arrangement": "suspended", "decided_on": TODAY(), "decided_by": "Head teacher, Riverside",
                             "alternatives_considered": ["redeployment"], "alternatives_notes": "No role without pupils.",
                             "risk": "Contact with pupils.", "lado_advice_sought": "yes", "lado_advice_on": TODAY(),
                             "person_informed": "yes", "person_informed_on": TODAY(),
                             "review_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat()},
    "risk": lambda w: {"level": "medium", "summary": "Contact with pupils is supervised.", "controls": "No lone working."},
    "decision": lambda w: {"decision": "Strategy meeting to be held.", "rationale": "Police interest.",
                           "made_at": "between_meetings", "agreed_with": "DS Patel"},
    "disagreement": lambda w: {"kind": "disagreement", "raised_on": TODAY(), "raised_by": "Police",
                               "about": "Whether suspension is needed."},
    "link": lambda w: {"linked_reference": w.second_case().reference, "reason": "Same setting"},
    "share": lambda w: {"agency": w.fixture("police_agency").pk, "level": "safeguarding", "reason": "Police investigation"},
    "outcome": lambda w: {"outcome": "unfounded", "police_outcome": "no_police_action", "employer_outcome": "no_sanction"},
    "dbs": lambda w: {"referred_on": "", "notes": "No duty: unfounded."},
    "regulator": lambda w: {"regulator": "TRA", "made_on": TODAY(), "made_by": "Riverside Primary"},
    "civil-claim": lambda w: {"civil_claim": "yes", "claim_on": TODAY(), "notes": "A claim for damages."},
    "assign": lambda w: {"officer": w.fixture("lado_manager").pk},
    "close": lambda w: {"closed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S.%f"), "summary": "Closed: unfounded."},
    "review": lambda w: {"held_on": TODAY(), "summary": "Progress reviewed with the police and the employer."},
    "police-review": lambda w: {"held_on": TODAY(), "summary": "Continue to investigate.",
                                "next_review_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat()},
    "route": lambda w: {"route": "strategy_discussion", "reason": "Police now investigating."},
    # The person the allegation is about (issue 16 §2).
    "person-told": lambda w: {"told_on": TODAY(), "told_by": "Head teacher, Riverside Primary",
                              "what_told": "That an allegation was made and the LADO is involved."},
    "person-contact": lambda w: {"name": "Sam Carter", "role": "Deputy head", "agency": "Riverside Primary",
                                 "from_on": TODAY()},
    "person-support": lambda w: {"kind": "union", "offered_on": TODAY(), "offered_by": "Head teacher",
                                 "taken_up": "yes"},
    "person-update": lambda w: {"given_on": TODAY(), "given_by": "Sam Carter", "summary": "Police enquiries continue."},
}
CASE_ACTION_VERBS = {
    "suspension": "suspension", "risk": "risk_assessment", "decision": "decision", "disagreement": "disagreement",
    "link": "case_linked", "share": "case_shared", "outcome": "outcome", "dbs": "dbs_referral",
    "regulator": "regulator_referral", "civil-claim": "civil_claim", "assign": "case_assigned", "close": "case_closed",
    "review": "case_review", "police-review": "police_review", "route": "route_changed",
    "person-told": "person_told", "person-contact": "person_contact", "person-support": "person_support",
    "person-update": "person_update",
}


def _open_disagreement(w: World) -> int:
    item = services.disagreement_record(
        actor=w.fixture("lado_officer"), case=w.case, kind="challenge", raised_on=timezone.localdate(),
        raised_by="Police", about="Threshold",
    )
    return item.pk


def _assurance_round(w: World, *, sent: bool = True):
    """An assurance round of the business unit asked of agency A (sent, or still a draft)."""
    from tests.assurance.factories import make_round

    key = f"assurance_round_{sent}"
    if key not in w._extra:
        w._extra[key] = make_round(analyst=w.fixture("analyst"), agencies=[w.fixture("agency_a")], send=sent)
    return w._extra[key]


def _assurance_request(w: World) -> int:
    return _assurance_round(w).requests.get().pk


def _report_pdf(w: World) -> int:
    """A PDF of the annual report, asked for by the analyst (not rendered: its page and download still answer)."""
    from reporting.models import ReportPdf

    if "report_pdf" not in w._extra:
        w._extra["report_pdf"] = ReportPdf.objects.create(year=2022, requested_by=w.fixture("analyst"))
    return w._extra["report_pdf"].pk


def _document(w: World) -> int:
    """A PDF on the world's case, attached by the LADO officer (records)."""
    if "document" not in w._extra:
        from tests.records.factories import attach

        w._extra["document"] = attach(actor=w.fixture("lado_officer"), case=w.case)
    return w._extra["document"].pk


def _meeting(w: World) -> int:
    """A meeting of the world's case, chaired by the LADO officer, nobody invited yet."""
    if "meeting" not in w._extra:
        from tests.meetings.factories import schedule

        w._extra["meeting"] = schedule(w.case, actor=w.fixture("lado_officer"), chair=w.fixture("lado_officer"))
    return w._extra["meeting"].pk


def _support(w: World) -> int:
    """Support offered to the person on the world's case (issue 16 §2)."""
    if "support" not in w._extra:
        from allegations.person import person_support_record

        w._extra["support"] = person_support_record(
            actor=w.fixture("lado_officer"), case=w.case, kind="union", offered_on=timezone.localdate(),
            offered_by="Head teacher").pk
    return w._extra["support"]


def _shared_with_police(w: World) -> int:
    """The world's case shared with the police (so that the share can be withdrawn)."""
    if "police_share" not in w._extra:
        services.case_share_with(actor=w.fixture("lado_officer"), case=w.case, agency=w.fixture("police_agency"),
                                 level="safeguarding", reason="Police investigation")
        w._extra["police_share"] = w.fixture("police_agency").pk
    return w._extra["police_share"]


def _checklist_item(w: World) -> int:
    """An item of the outcome's checklist (a false outcome: the personnel file)."""
    from allegations import outcomes

    if "checklist" not in w._extra:
        services.case_record_outcome(actor=w.fixture("lado_officer"), case=w.case, outcome="false",
                                     police_outcome="no_police_action", police_outcome_detail="",
                                     employer_outcome="no_sanction")
        w._extra["checklist"] = outcomes.current_checklist(Case.objects.get(pk=w.case.pk))[0].pk  # w.case is shared
    return w._extra["checklist"]


def _complaint(w: World) -> int:
    from allegations import outcomes

    if "complaint" not in w._extra:
        w._extra["complaint"] = outcomes.complaint_record(
            actor=w.fixture("lado_officer"), case=w.case, received_on=timezone.localdate(), made_by="parent",
            complainant="", about="process", summary="Not kept informed.", stage="stage_1").pk
    return w._extra["complaint"]


def _transferred(w: World, *, sent: bool):
    """Another referral of agency A, decided at triage as a transfer; sent to Westshire when `sent`."""
    key = f"transferred_{sent}"
    if key not in w._extra:
        from tests.allegations.test_transfers import decide_transfer, send

        referral = make_referral(actor=w.fixture("agency_a_manager"), lado_service=w.fixture("lado_service"),
                                 agency=w.fixture("agency_a"), given="Robin", family="Hale" if sent else "Lake")
        referral = decide_transfer(referral, w.fixture("lado_officer"))
        if sent:
            send(referral, w.fixture("lado_officer"))
        w._extra[key] = referral
    return w._extra[key]


def _letter(w: World) -> int:
    """A draft letter to agency A's employer on the case (allegations/letters.py)."""
    if "letter" not in w._extra:
        from allegations.letters import letter_draft

        w._extra["letter"] = letter_draft(actor=w.fixture("lado_officer"), case=w.case, kind="outcome_employer",
                                          recipient="The head teacher").pk
    return w._extra["letter"]


def _upload(w: World) -> dict:
    from tests.records.factories import PDF, upload

    return {"title": "Letter", "kind": "correspondence", "file": upload("letter.pdf", PDF)}


def _low_level_concern(w: World) -> int:
    """A low-level concern agency A recorded (issue 16 part 8)."""
    if "low_level" not in w._extra:
        from tests.lowlevel.factories import record

        w._extra["low_level"] = record(actor=w.fixture("agency_a_manager"), agency=w.fixture("agency_a")).pk
    return w._extra["low_level"]


ENDPOINTS: dict[str, Endpoint] = {
    "home": Endpoint("home"),
    "records:referral_document_upload": Endpoint("records:referral_document_upload", lambda w: [w.ref], "get", _upload),
    "records:case_document_upload": Endpoint("records:case_document_upload", lambda w: [w.ref], "get", _upload),
    "records:meeting_document_upload": Endpoint("records:meeting_document_upload", lambda w: [_meeting(w)], "get",
                                                _upload),
    "records:document_download": Endpoint("records:document_download", lambda w: [_document(w)]),
    "records:document_withdraw": Endpoint("records:document_withdraw", lambda w: [_document(w)], "get",
                                          lambda w: {"reason": "Wrong case"}),
    "records:access_log": Endpoint("records:access_log"),
    "records:access_log_csv": Endpoint("records:access_log_csv"),
    "inbox": Endpoint("inbox"),
    "notice_preferences": Endpoint("notice_preferences"),
    "outbox:notify_receipt": Endpoint("outbox:notify_receipt", method="post",
                                      data=lambda w: {"id": "n-1", "status": "delivered"}),
    "dev_mail": Endpoint("dev_mail"),
    "dev_mail_message": Endpoint("dev_mail_message", lambda w: ["20260101T000000.000000-0000abcd"]),
    "reporting:figures": Endpoint("reporting:figures"),
    "reporting:annual": Endpoint("reporting:annual"),
    "reporting:annual_csv": Endpoint("reporting:annual_csv"),
    "reporting:annual_xlsx": Endpoint("reporting:annual_xlsx"),
    "reporting:annual_pdf_request": Endpoint("reporting:annual_pdf_request", method="post",
                                             data=lambda w: {"year": "2022"}),
    "reporting:annual_pdf": Endpoint("reporting:annual_pdf", lambda w: [_report_pdf(w)]),
    "reporting:annual_pdf_download": Endpoint("reporting:annual_pdf_download", lambda w: [_report_pdf(w)]),
    "settings_deadlines": Endpoint("settings_deadlines"),
    "accounts:home": Endpoint("accounts:home"),
    "accounts:sign_ins": Endpoint("accounts:sign_ins"),
    "accounts:sign_ins_csv": Endpoint("accounts:sign_ins_csv"),
    "accounts:locked": Endpoint("accounts:locked"),
    "reporting:dashboard": Endpoint("reporting:dashboard"),
    "allegations:my_work": Endpoint("allegations:my_work"),
    # Assurance rounds (tests/assurance): the business unit's pages, and the agency's answering pages.
    "assurance:round_list": Endpoint("assurance:round_list"),
    "assurance:round_create": Endpoint("assurance:round_create"),
    "assurance:round_detail": Endpoint("assurance:round_detail", lambda w: [_assurance_round(w).pk]),
    "assurance:round_edit": Endpoint("assurance:round_edit", lambda w: [_assurance_round(w).pk]),
    "assurance:question_add": Endpoint("assurance:question_add", lambda w: [_assurance_round(w, sent=False).pk]),
    "assurance:question_edit": Endpoint(
        "assurance:question_edit",
        lambda w: [_assurance_round(w, sent=False).pk, _assurance_round(w, sent=False).questions.first().pk],
    ),
    "assurance:question_remove": Endpoint(
        "assurance:question_remove",
        lambda w: [_assurance_round(w, sent=False).pk, _assurance_round(w, sent=False).questions.first().pk],
        "post", lambda w: {},
    ),
    "assurance:round_agencies": Endpoint("assurance:round_agencies", lambda w: [_assurance_round(w).pk]),
    "assurance:round_send": Endpoint("assurance:round_send", lambda w: [_assurance_round(w, sent=False).pk], "post",
                                     lambda w: {}),
    "assurance:round_close": Endpoint("assurance:round_close", lambda w: [_assurance_round(w).pk], "post",
                                      lambda w: {}),
    "assurance:composite": Endpoint("assurance:composite", lambda w: [_assurance_round(w).pk]),
    "assurance:composite_csv": Endpoint("assurance:composite_csv", lambda w: [_assurance_round(w).pk]),
    "assurance:composite_xlsx": Endpoint("assurance:composite_xlsx", lambda w: [_assurance_round(w).pk]),
    "assurance:request_list": Endpoint("assurance:request_list"),
    "assurance:request_answer": Endpoint("assurance:request_answer", lambda w: [_assurance_request(w)]),
    "allegations:team": Endpoint("allegations:team"),
    "allegations:deadline_waive": Endpoint(
        "allegations:deadline_waive", lambda w: [w.ref, w.case.referral.deadlines.order_by("-due_at").first().pk], "get",
        lambda w: {"reason": "The route changed."},
    ),
    "admin:index": Endpoint("admin:index"),
    "allegations:referral_list": Endpoint("allegations:referral_list"),
    "allegations:referral_create": Endpoint("allegations:referral_create"),
    "allegations:referral_check": Endpoint("allegations:referral_check"),
    "allegations:referral_detail": Endpoint("allegations:referral_detail", lambda w: [w.ref]),
    "allegations:referral_confirmation": Endpoint("allegations:referral_confirmation", lambda w: [w.ref]),
    "allegations:referral_assign": Endpoint(
        "allegations:referral_assign", lambda w: [w.ref], "post", lambda w: {"officer": w.fixture("lado_manager").pk}
    ),
    "allegations:referral_discussion": Endpoint("allegations:referral_discussion", lambda w: [w.ref]),
    "allegations:referral_decision": Endpoint("allegations:referral_decision", lambda w: [w.ref]),
    "allegations:referral_match": Endpoint(
        "allegations:referral_match", lambda w: [w.ref], "post",
        lambda w: {"candidate": w.candidate().pk, "decision": "rejected"},
    ),
    "allegations:triage_queue": Endpoint("allegations:triage_queue"),
    "allegations:case_list": Endpoint("allegations:case_list"),
    "allegations:case_detail": Endpoint("allegations:case_detail", lambda w: [w.ref]),
    **{f"allegations:case_{slug}": Endpoint(f"allegations:case_{slug}", lambda w: [w.ref])
       for slug in ("strands", "decisions", "meetings", "actions", "documents", "timeline", "access", "person")},
    "allegations:referral_restrict": Endpoint(
        "allegations:referral_restrict", lambda w: [w.ref], "get",
        lambda w: {"reason": "The subject is on our staff.", "may_open": [w.fixture("lado_officer").pk]},
    ),
    "allegations:person_support_taken_up": Endpoint(
        "allegations:person_support_taken_up", lambda w: [w.ref, _support(w)], "get", lambda w: {"taken_up": "no"},
    ),
    "allegations:case_share_withdraw": Endpoint(
        "allegations:case_share_withdraw", lambda w: [w.ref, _shared_with_police(w)], "get",
        lambda w: {"reason": "Police enquiry ended."},
    ),
    "allegations:disagreement_resolve": Endpoint(
        "allegations:disagreement_resolve", lambda w: [w.ref], "get",
        lambda w: {"disagreement": _open_disagreement(w), "status": "resolved", "resolution": "Agreed at meeting.",
                   "resolved_on": TODAY()},
    ),
    **{
        f"allegations:strand_edit:{kind}": Endpoint(
            "allegations:strand_edit", lambda w, kind=kind: [w.ref, kind], "get",
            lambda w: {"status": "active", "lead": "DC Jones, Testshire Police", "started_on": TODAY()},
        )
        for kind in Strand.Kind.values
    },
    # Need to know (issue 12 §1): who may see one item; the police's "not for the employer" hold.
    "allegations:part_audience": Endpoint(
        "allegations:part_audience", lambda w: [w.ref, "strand", w.case.strands.get(kind="employer").pk], "get",
        lambda w: {"audience": "lado", "reason": "Kept to the LADO service"},
    ),
    "allegations:part_hold": Endpoint(
        "allegations:part_hold", lambda w: [w.ref, "strand", w.case.strands.get(kind="employer").pk], "get",
        lambda w: {"held": "held", "reason": "Investigation running"},
    ),
    **{
        f"allegations:case_action:{action}": Endpoint(
            "allegations:case_action", lambda w, action=action: [w.ref, action], "get", CASE_ACTION_DATA[action]
        )
        for action in CASE_ACTIONS
    },
    # Disagreements that climb a ladder (issue 16 §9): the answer of a step escalates it to the next one.
    "allegations:disagreement_resolve:escalate": Endpoint(
        "allegations:disagreement_resolve", lambda w: [w.ref], "post",
        lambda w: {"disagreement": _open_disagreement(w), "status": "escalated", "resolution": "Not agreed.",
                   "resolved_on": TODAY(), "escalated_to": "Alex Reid, LADO manager"},
    ),
    # Facts that change and the people told (issue 16 §1, §3; tests/allegations/test_facts.py).
    "allegations:case_people_told": Endpoint("allegations:case_people_told", lambda w: [w.ref]),
    "allegations:referral_facts_change": Endpoint(
        "allegations:referral_facts_change", lambda w: [w.ref], "get",
        lambda w: {"concern_kind": "allegation", "category": "physical", "description": "Corrected description.",
                   "concern_arose_on": TODAY(), "how_arose": "child_or_parent", "timing": "contemporaneous",
                   "employer_name": "Riverside Primary", "sector": "education", "reason": "The school corrected it."},
    ),
    "allegations:subject_change": Endpoint(
        "allegations:subject_change", lambda w: [w.ref], "get",
        lambda w: {"given_name": "Alexander", "family_name": "Morgan", "subject_role": "Teacher",
                   "employment_type": "paid", "reason": "Full first name given by HR."},
    ),
    "allegations:other_subject_add": Endpoint(
        "allegations:other_subject_add", lambda w: [w.ref], "get",
        lambda w: {"given_name": "Chris", "family_name": "Dale", "subject_role": "Teaching assistant",
                   "employment_type": "paid", "reason": "Named by the child as also involved."},
    ),
    "allegations:child_add": Endpoint(
        "allegations:child_add", lambda w: [w.ref], "get",
        lambda w: {"given_name": "Robin", "relationship": "other_in_setting", "social_worker": "no",
                   "looked_after": "not_known", "reason": "Another pupil who was there."},
    ),
    "allegations:child_change": Endpoint(
        "allegations:child_change", lambda w: [w.ref, w.case.referral.children.first().pk], "get",
        lambda w: {"given_name": "Sam", "family_name": "Child", "relationship": "complainant", "social_worker": "yes",
                   "looked_after": "no", "reason": "Social care confirmed a social worker."},
    ),
    "allegations:child_remove": Endpoint(
        "allegations:child_remove", lambda w: [w.ref, w.case.referral.children.first().pk], "get",
        lambda w: {"reason": "Named in error."},
    ),
    "allegations:parents_told": Endpoint(
        "allegations:parents_told", lambda w: [w.ref, w.case.referral.children.first().pk], "get",
        lambda w: {"told": "yes", "told_by": "Head teacher", "told_on": TODAY(), "what_told": "An allegation was made."},
    ),
    "allegations:associated_person_add": Endpoint(
        "allegations:associated_person_add", lambda w: [w.ref], "get",
        lambda w: {"name": "Jo Partner", "relationship": "The subject's partner", "reason": "Lives with the subject."},
    ),
    # After the outcome (issue 16 §4, §6): the outcome page, its checklist, complaints, reopening and amending.
    "allegations:case_conclusion": Endpoint("allegations:case_conclusion", lambda w: [w.ref]),
    "allegations:checklist_item": Endpoint(
        "allegations:checklist_item", lambda w: [w.ref, _checklist_item(w)], "get",
        lambda w: {"state": "done", "note": "Removed from the file."},
    ),
    "allegations:complaint_add": Endpoint(
        "allegations:complaint_add", lambda w: [w.ref], "get",
        lambda w: {"received_on": TODAY(), "made_by": "subject", "about": "outcome", "summary": "Unfair.",
                   "stage": "stage_1"},
    ),
    "allegations:complaint_update": Endpoint(
        "allegations:complaint_update", lambda w: [w.ref, _complaint(w)], "get",
        lambda w: {"stage": "stage_2", "stage_started_on": TODAY()},
    ),
    "allegations:case_reopen": Endpoint("allegations:case_reopen", lambda w: [w.ref], "get",
                                        lambda w: {"reason": "New evidence."}),
    "allegations:case_amend_outcome": Endpoint("allegations:case_amend_outcome", lambda w: [w.ref], "get",
                                               lambda w: {"outcome": "unsubstantiated", "reason": "Complaint upheld."}),
    "allegations:transfer_send": Endpoint(
        "allegations:transfer_send", lambda w: [_transferred(w, sent=False).reference], "get",
        lambda w: {"authority_name": "Westshire", "contact_name": "Jo Receiver", "contact_email": "jo@west.example",
                   "lead_authority": "Westshire", "lead_agreed_with": "Jo Receiver", "lead_agreed_on": TODAY()},
    ),
    "allegations:transfer_acknowledge": Endpoint(
        "allegations:transfer_acknowledge", lambda w: [_transferred(w, sent=True).reference], "get",
        lambda w: {"acknowledged_by": "Jo Receiver", "acknowledged_on": TODAY()},
    ),
    # Low-level concerns (lowlevel): agency A's concern; opening a referral from it (the prompt's link).
    "lowlevel:concern_list": Endpoint("lowlevel:concern_list"),
    "lowlevel:concern_create": Endpoint("lowlevel:concern_create"),
    "lowlevel:concern_detail": Endpoint("lowlevel:concern_detail", lambda w: [_low_level_concern(w)]),
    "lowlevel:referral_open": Endpoint("lowlevel:referral_open", lambda w: [str(_low_level_concern(w))]),
    # Letters from templates (issue 17 §3).
    "allegations:letter_templates": Endpoint("allegations:letter_templates"),
    "allegations:letter_template_edit": Endpoint(
        "allegations:letter_template_edit", lambda w: ["outcome_employer"], "get",
        lambda w: {"subject": "Outcome {{ reference }}", "body": "Dear {{ recipient }}"}),
    "allegations:case_letters": Endpoint("allegations:case_letters", lambda w: [w.case.reference], "get",
                                         lambda w: {"kind": "outcome_employer", "recipient": "The head teacher"}),
    "allegations:letter_detail": Endpoint(
        "allegations:letter_detail", lambda w: [w.case.reference, _letter(w)], "get",
        lambda w: {"recipient": "The head teacher", "subject": "Outcome", "body": "Dear head teacher",
                   "audience": "employer"}),
    "allegations:letter_approve": Endpoint("allegations:letter_approve", lambda w: [w.case.reference, _letter(w)],
                                           "post", lambda w: {}),
}

MATRIX: dict[str, dict[str, int | str]] = {
    # Documents (records): the LADO service attaches to its referrals and cases, the referring agency's
    # referrers to their referral, the chair and the LADO service to a meeting (nobody invited here).
    "records:referral_document_upload": _row(200, 404, 200, 403, 404, 404, 404),
    "records:case_document_upload": LADO_ACTION,
    "records:meeting_document_upload": _row(200, 404, 404, 404, 404, 404, 404),
    # A document the LADO service attached to the case is for the safeguarding level by default (issue 12 §1:
    # before, everyone who saw the case downloaded it); the referring agency is at the employer level.
    # Only the LADO service withdraws one.
    "records:document_download": _row(200, 404, 404, 404, 404, 404, 404),
    # (Agency A does not see the safeguarding-level document: 404, where it was 403 when it saw every document.)
    "records:document_withdraw": _row(200, 404, 404, 404, 404, 404, 404),
    # The LADO service changes who may see an item; the police (at the safeguarding level, tests/allegations/
    # test_need_to_know.py) and the LADO service hold one back from the employer. Agency A sees the case: 403.
    "allegations:part_audience": LADO_ACTION,
    "allegations:part_hold": LADO_ACTION,
    # The audit of the access log: the LADO manager and the administrator (tests/records/test_access_log.py).
    "records:access_log": _row(403, 403, 403, 403, 403, 403, 403),
    "records:access_log_csv": _row(403, 403, 403, 403, 403, 403, 403),
    "home": _row("->allegations:my_work", "->allegations:my_work", "->allegations:referral_list",
                 "->allegations:case_list", "->allegations:referral_list", "->allegations:case_list",
                 "->reporting:figures"),
    "inbox": _row(200, 200, 200, 200, 200, 200, 200),
    # Each person's own choice of e-mail now or a daily digest (tests/agencies/test_digests.py).
    "notice_preferences": _row(200, 200, 200, 200, 200, 200, 200),
    # GOV.UK Notify's receipts: its bearer token is the only credential, a session is none (tests/outbox/test_notify.py).
    "outbox:notify_receipt": _row(403, 403, 403, 403, 403, 403, 403, anonymous=403),
    # Development only: the e-mails written to var/mail/ exist only with DEBUG on (tests/test_dev_mail.py).
    "dev_mail": _row(404, 404, 404, 404, 404, 404, 404),
    "dev_mail_message": _row(404, 404, 404, 404, 404, 404, 404),
    # Numbers for the business unit and the LADO service manager, not for officers or agencies.
    "reporting:figures": _row(403, 403, 403, 403, 403, 403, 200),
    # The annual report: the business unit and the LADO service manager (test_reporting_for_the_lado_manager).
    "reporting:annual": _row(403, 403, 403, 403, 403, 403, 200),
    "reporting:annual_csv": _row(403, 403, 403, 403, 403, 403, 200),
    "reporting:annual_xlsx": _row(403, 403, 403, 403, 403, 403, 200),
    "reporting:annual_pdf_request": _row(403, 403, 403, 403, 403, 403, "->reporting:annual_pdf"),
    "reporting:annual_pdf": _row(404, 404, 404, 404, 404, 404, 200),
    # Not rendered yet: the download sends the analyst back to the PDF's page.
    "reporting:annual_pdf_download": _row(404, 404, 404, 404, 404, 404, "->reporting:annual_pdf"),
    # The partnership's deadline settings: the LADO service manager's (tests/views_deadlines/test_settings.py).
    "settings_deadlines": _row(403, 403, 403, 403, 403, 403, 403),
    # Everyone's own account page; the sign-in record and locked accounts are for LADO service managers
    # and partnership administrators (tests/accounts), none of them a matrix persona.
    "accounts:home": _row(200, 200, 200, 200, 200, 200, 200),
    "accounts:sign_ins": _row(403, 403, 403, 403, 403, 403, 403),
    "accounts:sign_ins_csv": _row(403, 403, 403, 403, 403, 403, 403),
    "accounts:locked": _row(403, 403, 403, 403, 403, 403, 403),
    # The live dashboard: counts for the business unit (and the LADO manager: tests/views_deadlines/).
    "reporting:dashboard": _row(403, 403, 403, 403, 403, 403, 200),
    # The duty officer's deadlines; a senior manager's agency actions.
    "allegations:my_work": _row(200, 200, 200, 403, 200, 403, 403),
    # Assurance rounds: the business unit (analysts) alone runs them and reads the composite.
    **{f"assurance:{name}": _row(403, 403, 403, 403, 403, 403, 200) for name in ("round_list", "round_create")},
    **{f"assurance:{name}": _row(404, 404, 404, 404, 404, 404, 200)
       for name in ("round_detail", "round_edit", "question_add", "question_edit",
                    "round_agencies", "composite", "composite_csv", "composite_xlsx")},
    **{f"assurance:{name}": _row(404, 404, 404, 404, 404, 404, "->assurance:round_detail")
       for name in ("question_remove", "round_send", "round_close")},
    # An agency's senior managers answer for it; agency B's manager has a (possibly empty) list of their own.
    "assurance:request_list": _row(403, 403, 200, 403, 200, 403, 403),
    "assurance:request_answer": _row(404, 404, 200, 404, 404, 404, 404),
    # The LADO manager's team (tests/views_deadlines/test_my_work.py).
    "allegations:team": _row(403, 403, 403, 403, 403, 403, 403),
    "allegations:deadline_waive": LADO_ACTION,
    # Anonymous visitors included: the admin has its own sign-in page.
    "admin:index": _row(*[NON_ADMIN_STAFF] * 8),
    # Anyone with a case role has a list of their agency's referrals (analysts have none).
    "allegations:referral_list": _row(200, 200, 200, 200, 200, 200, 403),
    # Senior managers refer; LADO officers take referrals by phone; viewers, police participants, analysts cannot.
    "allegations:referral_create": _row(200, 200, 200, 403, 200, 403, 403),
    # Checking the answers before sending: with no answers kept, back to the form; the same people only.
    "allegations:referral_check": _row(*(["->allegations:referral_create"] * 3), 403, "->allegations:referral_create",
                                       403, 403),
    "allegations:referral_detail": RECORD_PAGE,
    "allegations:referral_confirmation": RECORD_PAGE,
    "allegations:referral_assign": LADO_POST_TO_REFERRAL,
    "allegations:referral_discussion": LADO_ACTION,
    "allegations:referral_decision": LADO_ACTION,
    "allegations:referral_match": LADO_POST_TO_REFERRAL,
    "allegations:triage_queue": _row(200, 200, 403, 403, 403, 403, 403),
    "allegations:case_list": _row(200, 200, 200, 200, 200, 200, 403),
    "allegations:case_detail": RECORD_PAGE,
    # The pages of a case: those of its parts the employer level sees are agency A's too; decisions (for the
    # safeguarding level) and the access page (the LADO service's) are not, and answer 404 (need to know).
    **{f"allegations:case_{slug}": RECORD_PAGE for slug in ("strands", "meetings", "actions", "documents", "timeline")},
    "allegations:case_decisions": _row(200, 404, 404, 404, 404, 404, 404),
    "allegations:case_access": _row(200, 404, 404, 404, 404, 404, 404),
    "allegations:disagreement_resolve": LADO_ACTION,
    # Restricting a case to named people: the LADO service manager only (tests/allegations/test_restricted.py).
    "allegations:referral_restrict": _row(403, 404, 403, 403, 404, 404, 404),
    # Withdrawing a share: the LADO service; the police see the shared case, so 403 for them.
    "allegations:case_share_withdraw": _row(200, 404, 403, 403, 404, 403, 404),
    **{f"allegations:strand_edit:{kind}": LADO_ACTION for kind in Strand.Kind.values},
    **{f"allegations:case_action:{action}": LADO_ACTION for action in CASE_ACTIONS},
    "allegations:disagreement_resolve:escalate": _row("->allegations:case_decisions", 404, 403, 403, 404, 404, 404),
    # People told: whoever sees the children (the referring agency named them: its own words); the LADO service
    # alone changes the facts, the children and the people around the allegation, and records who was told.
    "allegations:case_people_told": RECORD_PAGE,
    **{f"allegations:{name}": LADO_ACTION for name in (
        "referral_facts_change", "subject_change", "other_subject_add", "child_add", "child_change", "child_remove",
        "parents_told", "associated_person_add")},
    # The person the allegation is about (issue 16 §2): for the employer level too, so agency A sees the page.
    "allegations:case_person": RECORD_PAGE,
    "allegations:person_support_taken_up": LADO_ACTION,
    # The outcome page: whoever sees the outcome (the employer level up); its checklist and complaints are the LADO
    # service's to record (a complaint is the LADO service's own to see by default: tests/allegations/
    # test_outcomes.py); reopening and amending the outcome are for a LADO service manager only (not a matrix
    # persona: there, the officer is refused too).
    "allegations:case_conclusion": RECORD_PAGE,
    "allegations:checklist_item": LADO_ACTION,
    "allegations:complaint_add": LADO_ACTION,
    "allegations:complaint_update": LADO_ACTION,
    "allegations:case_reopen": _row(403, 404, 403, 403, 404, 404, 404),
    "allegations:case_amend_outcome": _row(403, 404, 403, 403, 404, 404, 404),
    # Cross-border transfers (issue 16 part 7): sending agency A's referral decided as a transfer, and recording
    # the receiving service's acknowledgement, are the LADO service's; agency A sees the referral, so 403.
    "allegations:transfer_send": LADO_ACTION,
    "allegations:transfer_acknowledge": LADO_ACTION,
    # Low-level concerns: anyone with a role on cases has the list (their agency's own; the LADO service's, all of
    # its agencies'); an agency's senior managers record; the agency and its LADO service open one; the LADO
    # service alone opens a referral from concerns (another service's officer: not found).
    "lowlevel:concern_list": _row(200, 200, 200, 200, 200, 200, 403),
    "lowlevel:concern_create": _row(403, 403, 200, 403, 200, 403, 403),
    "lowlevel:concern_detail": _row(200, 404, 200, 200, 404, 404, 404),
    "lowlevel:referral_open": _row(200, 404, 403, 403, 404, 404, 404),
    # Letters from templates (issue 17 §3; tests/allegations/test_letters.py): the templates are a LADO manager's
    # (not a matrix persona: the officer is refused too); a case's letters are the LADO service's, and agency A,
    # which sees the case, is refused (403); approving is a LADO manager's, so the officer is refused too.
    "allegations:letter_templates": _row(403, 403, 403, 403, 403, 403, 403),
    "allegations:letter_template_edit": _row(403, 403, 403, 403, 403, 403, 403),
    "allegations:case_letters": LADO_ACTION,
    "allegations:letter_detail": LADO_ACTION,
    "allegations:letter_approve": _row(403, 404, 403, 403, 404, 404, 404),
}

ROWS = [(key, persona, MATRIX[key][persona]) for key in MATRIX for persona in PERSONAS]


@pytest.fixture
def world(db, matrix_world):
    matrix_world._extra.clear()
    return matrix_world


def _client(world: World, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(world.people[persona])
    return client


@pytest.mark.parametrize(("key", "persona", "expected"), ROWS, ids=[f"{k}-{p}" for k, p, _ in ROWS])
def test_authorization_matrix(world, key, persona, expected):
    endpoint = ENDPOINTS[key]
    url = reverse(endpoint.name, args=endpoint.args(world))
    client = _client(world, persona)
    if endpoint.method == "get":
        assert _outcome(client.get(url)) == expected, f"GET {url} as {persona}"
    else:
        assert _outcome(client.post(url, endpoint.data(world))) == expected, f"POST {url} as {persona}"
    if expected in DENIED and key.startswith(("allegations:", "records:")):
        # Denied for reading means denied for writing too, with valid data, and nothing is recorded.
        data = endpoint.data(world) if endpoint.data else {}
        events = Event.objects.count()
        assert _outcome(client.post(url, data)) == expected, f"POST {url} as {persona}"
        assert Event.objects.count() == events


def test_every_allegations_url_is_in_the_matrix():
    resolver = get_resolver()
    namespace = resolver.namespace_dict["allegations"][1]
    names = {p.name for p in namespace.url_patterns}
    covered = {key.split(":")[1] for key in MATRIX if key.startswith("allegations:")}
    assert names, "no allegations URL patterns found"
    assert names - covered == set(), f"URLs without a row in the permission matrix: {names - covered}"
    assert {key.split(":")[2] for key in MATRIX if key.startswith("allegations:case_action:")} == set(CASE_ACTIONS)
    assert {key.split(":")[2] for key in MATRIX if key.startswith("allegations:strand_edit:")} == set(Strand.Kind.values)
    assert set(MATRIX) == set(ENDPOINTS)
    assert all(set(row) == set(PERSONAS) for row in MATRIX.values())


def test_every_records_url_is_in_the_matrix():
    namespace = get_resolver().namespace_dict["records"][1]
    names = {p.name for p in namespace.url_patterns}
    assert names and names - {key.split(":")[1] for key in MATRIX if key.startswith("records:")} == set()


@pytest.mark.parametrize("key", ["records:referral_document_upload", "records:case_document_upload",
                                 "records:meeting_document_upload", "records:document_withdraw"])
def test_the_lado_officer_uploads_and_withdraws_with_valid_data(world, key):
    from records.models import Document

    endpoint = ENDPOINTS[key]
    url = reverse(endpoint.name, args=endpoint.args(world))
    before = Document.objects.filter(withdrawn_at__isnull=False).count() + Document.objects.count()
    response = _client(world, "lado_officer").post(url, endpoint.data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Document.objects.filter(withdrawn_at__isnull=False).count() + Document.objects.count() == before + 1


def test_the_lado_service_manager_sees_the_figures(login, lado_manager):
    assert login(lado_manager).get(reverse("reporting:figures")).status_code == 200


def test_the_lado_manager_restricts_a_case_through_the_page(world, login):
    endpoint = ENDPOINTS["allegations:referral_restrict"]
    url = reverse(endpoint.name, args=endpoint.args(world))
    client = login(world.people["lado_manager"])
    assert client.get(url).status_code == 200
    assert _outcome(client.post(url, endpoint.data(world))) == "->allegations:case_access"  # who may open it
    assert Event.objects.filter(case=world.case, verb="restricted", actor=world.people["lado_manager"]).exists()


def test_reporting_for_the_lado_manager(world):
    """The LADO service manager (not a matrix persona) has the annual report as the analyst has."""
    manager = member(UserFactory(username="manager"), world.fixture("lado_service"), Role.LADO_MANAGER)
    client = Client()
    client.force_login(manager)
    for key in ("reporting:annual", "reporting:annual_csv", "reporting:annual_xlsx", "reporting:annual_pdf",
                "reporting:annual_pdf_download", "reporting:annual_pdf_request"):
        endpoint = ENDPOINTS[key]
        url = reverse(endpoint.name, args=endpoint.args(world))
        response = client.post(url, endpoint.data(world)) if endpoint.method == "post" else client.get(url)
        assert _outcome(response) == MATRIX[key]["analyst"], f"{key} as the LADO manager"


def test_every_assurance_url_is_in_the_matrix():
    namespace = get_resolver().namespace_dict["assurance"][1]
    names = {p.name for p in namespace.url_patterns}
    covered = {key.split(":")[1] for key in MATRIX if key.startswith("assurance:")}
    assert names and names - covered == set(), f"assurance URLs without a row: {names - covered}"


def test_every_reporting_url_is_in_the_matrix():
    namespace = get_resolver().namespace_dict["reporting"][1]
    names = {p.name for p in namespace.url_patterns}
    covered = {key.split(":")[1] for key in MATRIX if key.startswith("reporting:")}
    # The live dashboard's URLs have their own tests (tests/reporting); every annual report URL has a row.
    assert {n for n in names if n.startswith("annual")} - covered == set()


# --- The LADO officer's POSTs work --------------------------------------------------

@pytest.mark.parametrize("action", sorted(CASE_ACTIONS))
def test_lado_officer_can_take_every_case_action(world, login, action):
    lado_officer = world.people["lado_officer"]
    if action == "close":
        services.case_record_outcome(actor=lado_officer, case=world.case, outcome="unfounded",
                                     police_outcome="no_police_action", police_outcome_detail="",
                                     employer_outcome="no_sanction")
        tell_parents(world.case, lado_officer)  # closing asks it of each child (tests/allegations/test_facts.py)
    url = reverse("allegations:case_action", args=[world.ref, action])
    response = login(lado_officer).post(url, with_dates(CASE_ACTION_DATA[action](world)))
    # Back to the page of the case that shows what was recorded.
    page = CASE_ACTIONS[action].page
    assert _outcome(response) == f"->allegations:{'case_detail' if page == 'overview' else 'case_' + page}", \
        response.content.decode()[:3000]
    assert Event.objects.filter(case=world.case, verb=CASE_ACTION_VERBS[action], actor=lado_officer).exists()


@pytest.mark.parametrize("kind", Strand.Kind.values)
def test_lado_officer_can_update_each_strand(world, login, kind):
    lado_officer = world.people["lado_officer"]
    url = reverse("allegations:strand_edit", args=[world.ref, kind])
    response = login(lado_officer).post(url, ENDPOINTS[f"allegations:strand_edit:{kind}"].data(world))
    assert _outcome(response) == "->allegations:case_strands"
    strand = world.case.strands.get(kind=kind)
    assert strand.status == Strand.Status.ACTIVE
    assert strand.lead == "DC Jones, Testshire Police"


def test_lado_officer_can_resolve_a_disagreement(world, login):
    lado_officer = world.people["lado_officer"]
    data = ENDPOINTS["allegations:disagreement_resolve"].data(world)
    response = login(lado_officer).post(reverse("allegations:disagreement_resolve", args=[world.ref]), data)
    assert _outcome(response) == "->allegations:case_decisions"
    assert world.case.disagreements.get().status == "resolved"


def test_lado_officer_can_assign_discuss_and_triage_a_referral(login, lado_officer, lado_manager, agency_a_manager,
                                                               lado_service, agency_a):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             received_at=timezone.now() - dt.timedelta(hours=2))
    client = login(lado_officer)
    ref = referral.reference

    response = client.post(reverse("allegations:referral_assign", args=[ref]), {"officer": lado_manager.pk})
    assert _outcome(response) == "->allegations:referral_detail"
    referral.refresh_from_db()
    assert referral.assigned_to == lado_manager

    held = timezone.now() - dt.timedelta(hours=1)
    response = client.post(reverse("allegations:referral_discussion", args=[ref]), with_dates({
        "held_at": timezone.localtime(held).strftime("%Y-%m-%dT%H:%M"), "with_whom": "Pat Referrer",
        "notes": "Facts established.",
    }))
    assert _outcome(response) == "->allegations:referral_detail", response.content.decode()[:3000]
    referral.refresh_from_db()
    assert referral.status == "discussed"

    response = client.post(reverse("allegations:referral_decision", args=[ref]), {
        "decision": "threshold_met", "harmed": "on", "route": "position_of_trust", "rationale": "Threshold 1.",
    })
    assert _outcome(response) == "->allegations:case_detail"
    assert Case.objects.filter(referral=referral).exists()


def test_lado_officer_can_decide_a_suggested_match(world, login):
    lado_officer = world.people["lado_officer"]
    candidate = world.candidate()
    response = login(lado_officer).post(reverse("allegations:referral_match", args=[world.ref]),
                                        {"candidate": candidate.pk, "decision": "rejected"})
    assert _outcome(response) == "->allegations:referral_detail"
    assert world.case.referral.subject_matches.get().candidate == candidate


# --- Guessed URLs --------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["close/", "share/", "outcome/", "assign/", "strands/police/",
                                    "disagreements/resolve/", "no-such-action/", ""])
def test_outsider_gets_404_on_guessed_case_urls_whether_the_case_exists_or_not(login, case, agency_b_outsider, suffix):
    client = login(agency_b_outsider)
    for reference in (case.referral.reference, "MAS-2099-99999"):
        url = f"/cases/{reference}/{suffix}"
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "summary": "x"}).status_code == 404, url
    case.refresh_from_db()
    assert case.is_open


# --- Police: a share gives access, revoking takes it away on the next request -------

def test_police_see_the_case_only_while_it_is_shared(login, case, lado_officer, police_user, police_agency):
    client = login(police_user)
    case_url = reverse("allegations:case_detail", args=[case.reference])
    referral_url = reverse("allegations:referral_detail", args=[case.reference])
    assert client.get(case_url).status_code == 404
    assert client.get(referral_url).status_code == 404

    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding", reason="Police investigation")
    assert client.get(case_url).status_code == 200
    assert client.get(referral_url).status_code == 200
    listed = client.get(reverse("allegations:case_list"))
    assert case.reference.encode() in listed.content
    # Seeing a case is not running it.
    assert client.get(reverse("allegations:case_action", args=[case.reference, "close"])).status_code == 403
    assert client.get(reverse("allegations:strand_edit", args=[case.reference, "police"])).status_code == 403

    services.case_share_withdraw(actor=lado_officer, case=case, agency=police_agency, reason="Police enquiry ended")
    assert client.get(case_url).status_code == 404
    assert client.get(referral_url).status_code == 404
    assert case.reference.encode() not in client.get(reverse("allegations:case_list")).content


def test_children_are_hidden_from_an_agency_the_case_is_shared_with_at_employer_level(login, case, lado_officer,
                                                                                     police_user, police_agency):
    # Issue 12 §1: the children's details are for the safeguarding level; an employer-level share does not show them.
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="employer", reason="Police investigation")
    client = login(police_user)
    case_page = client.get(reverse("allegations:case_detail", args=[case.reference]))
    assert case_page.status_code == 200
    assert b"Sam Child" not in case_page.content
    referral_page = client.get(reverse("allegations:referral_detail", args=[case.reference]))
    assert referral_page.status_code == 200
    assert b"Sam Child" not in referral_page.content


def test_the_lado_sees_the_children_on_the_referral_page_the_case_links_to(login, case, lado_officer):
    client = login(lado_officer)
    overview = client.get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    assert f'href="{reverse("allegations:referral_detail", args=[case.reference])}"' in overview
    assert "for the details of the children" in overview
    page = client.get(reverse("allegations:referral_detail", args=[case.reference]))
    assert b"Sam Child" in page.content


def test_the_referring_manager_sees_the_children_they_submitted(login, referral, agency_a_manager):
    page = login(agency_a_manager).get(reverse("allegations:referral_detail", args=[referral.reference]))
    assert page.status_code == 200
    assert b"Sam Child" in page.content


# --- No agency B data on agency A's pages; no other service's work in a queue -------

@pytest.fixture(params=["linked from B's case", "linked from A's case"])
def agency_b_case(request, agency_b_outsider, lado_service, agency_b, lado_officer, case):
    """Agency B's referral about the same person, confirmed by the LADO and linked to A's case
    (a link made from either case: the link and its timeline entry must not show B's reference to A)."""
    referral = make_referral(
        actor=agency_b_outsider, lado_service=lado_service, agency=agency_b, given="Alex", family="Morgan",
        description="Hilltop pupil reported being pushed by Mr Morgan at football.", employer_name="Hilltop Academy",
        children=[{"given_name": "Kit", "family_name": "Hilltopper", "relationship": "complainant"}],
    )
    services.subject_match_decide(actor=lado_officer, referral=referral, candidate=case.referral.subject,
                                  decision="confirmed")
    b_case = make_case(officer=lado_officer, referral=referral)
    if request.param == "linked from B's case":
        services.case_link(actor=lado_officer, case=b_case, linked_case=case, reason="Same subject")
    else:
        services.case_link(actor=lado_officer, case=case, linked_case=b_case, reason="Same subject")
    return b_case


B_ONLY = [b"Hilltop pupil reported", b"Kit", b"Hilltopper"]


@pytest.mark.parametrize("persona", ["agency_a_manager", "agency_a_viewer"])
def test_agency_a_pages_hold_nothing_of_agency_b(request, login, case, agency_b_case, persona):
    client = login(request.getfixturevalue(persona))
    b_reference = agency_b_case.reference.encode()
    for name in ("allegations:referral_detail", "allegations:case_detail"):
        page = client.get(reverse(name, args=[case.reference]))
        assert page.status_code == 200
        for secret in [b_reference, *B_ONLY]:
            assert secret not in page.content, (name, secret)
    for name in ("allegations:referral_list", "allegations:case_list"):
        page = client.get(reverse(name))
        assert case.reference.encode() in page.content
        assert b_reference not in page.content


def test_agency_b_lists_do_not_show_agency_a_work(login, case, agency_b_outsider):
    client = login(agency_b_outsider)
    for name in ("allegations:referral_list", "allegations:case_list"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        assert case.reference.encode() not in page.content
        assert b"Morgan" not in page.content


def test_the_lado_sees_the_other_agencys_referral_as_a_previous_allegation(login, case, agency_b_case, lado_officer):
    page = login(lado_officer).get(reverse("allegations:referral_detail", args=[case.reference]))
    assert agency_b_case.reference.encode() in page.content


def test_another_services_queue_does_not_list_this_services_referral(login, referral, other_officer, lado_officer):
    other_page = login(other_officer).get(reverse("allegations:triage_queue"))
    assert other_page.status_code == 200
    assert referral.reference.encode() not in other_page.content
    assert b"Morgan" not in other_page.content
    assert referral.reference.encode() in login(lado_officer).get(reverse("allegations:triage_queue")).content
    assert referral.reference.encode() not in login(other_officer).get(reverse("allegations:case_list")).content


def test_another_service_cannot_act_on_a_referral_before_it_becomes_a_case(login, referral, other_officer):
    client = login(other_officer)
    url = reverse("allegations:referral_discussion", args=[referral.reference])
    held = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, with_dates({"held_at": held, "with_whom": "x", "notes": "x"})).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "new"


def test_an_agency_manager_cannot_take_a_lado_action_through_the_service(referral, agency_a_manager):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        discuss(referral, agency_a_manager)


def test_the_lado_officer_withdraws_a_share_with_a_reason(world, login):
    """POST through the page: the police lose the case at once; the reason is in the history."""
    endpoint = ENDPOINTS["allegations:case_share_withdraw"]
    url = reverse(endpoint.name, args=endpoint.args(world))
    police = _client(world, "police_user")
    assert police.get(reverse("allegations:case_detail", args=[world.ref])).status_code == 200
    officer = login(world.people["lado_officer"])
    page = officer.get(reverse("allegations:case_access", args=[world.ref])).content.decode()
    assert url in page  # the case's access page links to it
    refused = officer.post(url, {"reason": ""})
    assert refused.status_code == 200 and "Say why the agency should no longer see the case." in refused.content.decode()
    assert _outcome(officer.post(url, {"reason": "Police enquiry ended."})) == "->allegations:case_access"
    assert police.get(reverse("allegations:case_detail", args=[world.ref])).status_code == 404
    world.case.refresh_from_db()
    assert world.case.history.first().history_change_reason == "Sharing with Testshire Police withdrawn: Police enquiry ended."
    assert Event.objects.filter(case=world.case, verb="case_unshared", reason="Police enquiry ended.").exists()
    # Nothing left to withdraw: 404.
    assert officer.get(url).status_code == 404


def test_every_lowlevel_url_is_in_the_matrix():
    namespace = get_resolver().namespace_dict["lowlevel"][1]
    names = {p.name for p in namespace.url_patterns}
    assert names and names - {key.split(":")[1] for key in MATRIX if key.startswith("lowlevel:")} == set()


def test_a_denied_low_level_page_records_nothing(world):
    """Denied for reading means denied for writing: nothing is recorded by a POST of someone refused."""
    from lowlevel.models import LowLevelConcern

    for key in ("lowlevel:concern_create", "lowlevel:referral_open"):
        endpoint = ENDPOINTS[key]
        url = reverse(endpoint.name, args=endpoint.args(world))
        for persona in PERSONAS:
            if MATRIX[key][persona] in DENIED:
                before = (LowLevelConcern.objects.count(), Event.objects.count())
                assert _outcome(_client(world, persona).post(url, {"given_name": "X"})) == MATRIX[key][persona]
                assert (LowLevelConcern.objects.count(), Event.objects.count()) == before
