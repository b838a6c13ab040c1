"""The fault test's data, made and counted in a process of its own against the private PostgreSQL.

    python -m tests.faults.world setup ROUNDS   # the partnership, people (password + authenticator), and for
                                                # each round a held meeting with approved minutes: prints JSON
    python -m tests.faults.world count          # what the database holds now: prints JSON

Everything is made through the services and the test factories, as in the rest of the suite.
"""

import json
import sys

import django


def setup(rounds: int) -> dict:
    from agencies.models import AgencyKind, Partnership, Role, Sector
    from tests.agencies.factories import AgencyFactory, UserFactory, give_authenticator, member
    from tests.allegations.factories import make_case, make_referral
    from tests.meetings.factories import approve, held_meeting_with_minutes, invite

    Partnership.objects.create(name="Faultshire Partnership")
    lado_service = AgencyFactory(name="Faultshire LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE)
    school = AgencyFactory(name="Riverside Primary", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION,
                           lado_service=lado_service)
    police = AgencyFactory(name="Faultshire Police", kind=AgencyKind.POLICE, sector=Sector.POLICE,
                           lado_service=lado_service)
    people = {
        "referrer": member(UserFactory(username="referrer"), school, Role.SENIOR_MANAGER, "Designated safeguarding lead"),
        "officer": member(UserFactory(username="officer"), lado_service, Role.LADO_OFFICER),
        "manager": member(UserFactory(username="manager"), lado_service, Role.LADO_MANAGER),
        "chair": member(UserFactory(username="chair"), lado_service, Role.CHAIR),
        "police": member(UserFactory(username="police"), police, Role.PARTICIPANT),
    }
    for user in people.values():
        give_authenticator(user)
    # Long minutes: a PDF that takes a few seconds to make, so the worker can be killed while it does.
    long_text = "\n\n".join(f"Paragraph {n}: the strategy agreed, who does what and by when, and why." * 3
                            for n in range(400))
    meetings = []
    for n in range(rounds):
        referral = make_referral(actor=people["referrer"], lado_service=lado_service, agency=school,
                                 given="Prepared", family=f"Subject{n}")
        case = make_case(officer=people["officer"], referral=referral)
        meeting = held_meeting_with_minutes(case, actor=people["officer"], chair=people["chair"],
                                            decisions=long_text)
        invitation = invite(meeting, actor=people["chair"], user=people["police"])
        approve(meeting, chair=people["chair"])
        meeting.minutes.refresh_from_db()
        meetings.append({"pk": meeting.pk, "invitation": invitation.pk, "version": meeting.minutes.version})
    return {"meetings": meetings, "school": school.pk, "people": {k: v.pk for k, v in people.items()}}


def count() -> dict:
    from django.db.models import Count

    from agencies.models import Notification
    from allegations.models import Case, Referral
    from meetings.models import Circulation, Meeting, MinutesPdf
    from outbox.models import FormSubmission, Message

    rendered = {pdf.pk: pdf.history.filter(history_change_reason="Rendered").count() for pdf in MinutesPdf.objects.all()}
    return {
        "referrals": {r.subject.family_name: r.reference for r in Referral.objects.select_related("subject")},
        "referrals_per_subject": dict(Referral.objects.values_list("subject__family_name").annotate(n=Count("pk"))),
        "cases": Case.objects.count(),
        "meetings": list(Meeting.objects.values_list("location", flat=True)),
        "circulations": list(Circulation.objects.values_list("version__minutes__meeting_id", "invitation_id")),
        "notices": list(Notification.objects.values_list("user__username", "key")),
        "pdfs": {pdf.pk: {"status": pdf.status, "file": bool(pdf.file), "renders": rendered[pdf.pk],
                          "meeting": pdf.version.minutes.meeting_id} for pdf in MinutesPdf.objects.select_related(
                              "version__minutes")},
        "outbox": {"pending": list(Message.objects.filter(done_at__isnull=True).values_list("handler", "key")),
                   "given_up": Message.objects.filter(gave_up_at__isnull=False).count(),
                   "done": Message.objects.filter(done_at__isnull=False).count(),
                   "relayed": sum(Message.objects.values_list("relayed", flat=True))},
        "form_tokens": FormSubmission.objects.count(),
    }


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "setup":
        print(json.dumps(setup(int(sys.argv[2]))))
    else:
        print(json.dumps(count()))
