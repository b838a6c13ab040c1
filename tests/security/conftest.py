"""The world the break-in tests run against: every kind of record, belonging to agency A (and its LADO
service), built once per module inside a transaction that is rolled back at the end (as in
tests/allegations/test_permissions.py). Each test's own changes are rolled back too (a savepoint)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.models import AgencyKind, Partnership, Role, Sector
from tests.agencies.factories import AgencyFactory, UserFactory, member
from tests.allegations.factories import make_case, make_referral

PERSONAS = ["anonymous", "lado_officer", "lado_manager", "chair", "other_officer", "agency_a_manager",
            "agency_a_viewer", "agency_b_outsider", "police_user", "analyst"]
# People with no business with agency A's records: never a 200 on them.
OUTSIDERS = ["other_officer", "agency_b_outsider", "analyst"]


@dataclass
class World:
    people: dict
    agencies: dict
    records: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["records"][name]
        except KeyError:
            raise AttributeError(name) from None


def _documents(world: World) -> None:
    """Documents of agency A's case and meeting, when the records app has them (checked at run time)."""
    try:
        from records import services as record_services
        from tests.records.factories import PDF
    except ImportError:
        return
    if not hasattr(record_services, "document_add"):
        return
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = world.people["lado_officer"]
    world.records["document"] = record_services.document_add(
        actor=officer, upload=SimpleUploadedFile("statement.pdf", PDF, "application/pdf"), title="Statement",
        kind="evidence", case=world.case)
    world.records["meeting_document"] = record_services.document_add(
        actor=officer, upload=SimpleUploadedFile("agenda.pdf", PDF, "application/pdf"), title="Agenda",
        kind="other", meeting=world.meeting)


def build_world() -> World:
    from governance.models import DeletionRequest, SubjectAccessRequest
    from meetings.models import MinutesPdf
    from meetings import services as meeting_services
    from reporting.models import ReportPdf
    from tests.assurance.factories import make_round
    from tests.meetings.factories import approve, held_meeting_with_minutes, invite
    from tests.providers.factories import care_home, director_of, invoked_concern, safeguarding_manager_of

    Partnership.objects.create(name="Testshire Partnership")
    lado = AgencyFactory(name="Testshire LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE)
    agencies = {
        "lado_service": lado,
        "other_lado_service": AgencyFactory(name="Elsewhere LADO Service", kind=AgencyKind.LADO_SERVICE,
                                            sector=Sector.SOCIAL_CARE),
        "agency_a": AgencyFactory(name="Riverside Primary", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION, lado_service=lado),
        "agency_b": AgencyFactory(name="Hilltop Academy", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION, lado_service=lado),
        "police_agency": AgencyFactory(name="Testshire Police", kind=AgencyKind.POLICE, sector=Sector.POLICE, lado_service=lado),
        "business_unit": AgencyFactory(name="Business Unit", kind=AgencyKind.BUSINESS_UNIT, sector=Sector.OTHER,
                                       lado_service=lado),
    }
    people = {
        "lado_officer": member(UserFactory(username="officer"), lado, Role.LADO_OFFICER),
        "lado_manager": member(UserFactory(username="manager"), lado, Role.LADO_MANAGER),
        "chair": member(UserFactory(username="chair"), lado, Role.CHAIR),
        "other_officer": member(UserFactory(username="elsewhere"), agencies["other_lado_service"], Role.LADO_OFFICER),
        "agency_a_manager": member(UserFactory(username="a.manager"), agencies["agency_a"], Role.SENIOR_MANAGER,
                                   "Designated safeguarding lead"),
        "agency_a_viewer": member(UserFactory(username="a.viewer"), agencies["agency_a"], Role.AGENCY_VIEWER),
        "agency_b_outsider": member(UserFactory(username="b.manager"), agencies["agency_b"], Role.SENIOR_MANAGER),
        "police_user": member(UserFactory(username="police"), agencies["police_agency"], Role.PARTICIPANT),
        "analyst": member(UserFactory(username="analyst"), agencies["business_unit"], Role.ANALYST),
    }
    world = World(people=people, agencies=agencies)
    officer, chair, manager = people["lado_officer"], people["chair"], people["lado_manager"]
    referral = make_referral(actor=people["agency_a_manager"], lado_service=lado, agency=agencies["agency_a"])
    case = make_case(officer=officer, referral=referral)
    meeting = held_meeting_with_minutes(case, actor=officer, chair=chair)
    invitation = invite(meeting, actor=officer, agency=agencies["agency_a"])
    approve(meeting, chair=chair)
    meeting.refresh_from_db()
    version = meeting.minutes.versions.get(number=1)
    pdf = MinutesPdf.objects.create(version=version, variant="full", recipient="Testshire LADO Service",
                                    status="done", requested_by=officer, finished_at=timezone.now())
    pdf.file.save(f"sweep-{pdf.pk}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    action = meeting_services.action_create(actor=officer, case=case, description="Share the risk assessment.",
                                            agency=agencies["agency_a"], due_on=timezone.localdate() + dt.timedelta(days=7))
    provider = care_home(lado)
    concern = invoked_concern(actor=safeguarding_manager_of(lado), director=director_of(lado), lado_service=lado,
                              provider=provider)
    round_ = make_round(analyst=people["analyst"], agencies=[agencies["agency_a"]])
    world.records.update(
        referral=referral, case=case, meeting=meeting, invitation=invitation, version=version, pdf=pdf,
        action=action, deadline=referral.deadlines.order_by("pk").first(), concern=concern, round=round_,
        question=round_.questions.order_by("pk").first(), assurance_request=round_.requests.get(agency=agencies["agency_a"]),
        report_pdf=ReportPdf.objects.create(year=2022, requested_by=people["analyst"]),
        deletion_request=DeletionRequest.objects.create(
            referral=referral, lado_service=lado, reference=referral.reference, record_type="closed_case",
            due_on=timezone.localdate(), reason="Sweep", requested_by=manager),
        sar=SubjectAccessRequest.objects.create(subject=referral.subject, lado_service=lado, requested_by=manager),
    )
    _issue_16_records(world)
    _documents(world)
    _webhooks(world)
    _api_client(world)
    return world


def _webhooks(world: World) -> None:
    """A webhook endpoint of agency A (registered by its administrator, who is not a persona) and a delivery to it."""
    from webhooks.events import event_add
    from webhooks.services import endpoint_create

    admin = member(UserFactory(username="a.admin"), world.agencies["agency_a"], Role.ADMINISTRATOR)
    endpoint, _ = endpoint_create(actor=admin, agency=world.agencies["agency_a"], url="https://a.example.org/hooks",
                                  events=["case.shared"])
    event_add(agency=world.agencies["agency_a"], event="case.shared", reference=world.referral.reference,
              link=f"/cases/{world.referral.reference}/")
    world.records.update(endpoint=endpoint, webhook_delivery=endpoint.deliveries.get())


def _api_client(world: World) -> None:
    """Agency A's API client (issue 20), made by a partnership administrator outside the personas."""
    from api import services as api_services
    from tests.agencies.factories import UserFactory

    admin = UserFactory(username="partnership.admin.sweep", is_superuser=True)
    world.records["api_client"] = api_services.api_client_create(
        actor=admin, name="Riverside Primary HR system", agency=world.agencies["agency_a"], role=Role.SENIOR_MANAGER,
        scopes=["refer", "cases"]).client


def _issue_16_records(world: World) -> None:
    """A child of the referral, support offered to the person, a complaint, one of agency A's low-level concerns and a
    draft letter."""
    from allegations import outcomes, person
    from allegations.letters import letter_draft
    from tests.lowlevel.factories import record

    officer = world.people["lado_officer"]
    world.records.update(
        child=world.referral.children.order_by("pk").first(),
        person_support=person.person_support_record(actor=officer, case=world.case, kind="union",
                                                    offered_on=timezone.localdate(), offered_by="Head teacher"),
        complaint=outcomes.complaint_record(actor=officer, case=world.case, received_on=timezone.localdate(),
                                            made_by="parent", complainant="", about="process",
                                            summary="Not kept informed.", stage="stage_1"),
        low_level=record(actor=world.people["agency_a_manager"], agency=world.agencies["agency_a"]),
        letter=letter_draft(actor=officer, case=world.case, kind="outcome_employer", recipient="The head teacher"),
    )


@pytest.fixture(scope="module")
def sweep_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # like TestCase's class-wide atomic: durable services may nest in it
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(db, sweep_world):
    return sweep_world
