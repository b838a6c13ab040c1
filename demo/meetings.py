"""The demo's meetings, minutes and actions (seed_demo): six meetings on three open cases, played through
meetings.services at the story's times (demo.clock), with their invitations, attendance, minutes and actions.

Added only when no case of the demo LADO service has a meeting yet."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils import timezone
from faker import Faker

from agencies.models import Agency, Partnership, Sector
from allegations import services
from allegations.models import Case, CaseStatus, Category, Part, RiskAssessment, Route, Suspension, Timing
from meetings import services as meeting_services
from meetings.models import (
    AccessLevel,
    Action,
    Attendance,
    Invitation,
    Meeting,
    MeetingKind,
    Minutes,
)

from . import clock
from .people import ASC, BRIGHTPATH, CSC, LADO, MEADOWBANK, NHS, POLICE, RIVERSIDE, SEED, demo_user


def meetings_story(*, agencies, users) -> list[str]:
    """Tell the story once. Returns what it did, for the command's output, one line each."""
    meetings = Meeting.objects.filter(case__referral__lado_service=agencies[LADO]).count()
    if meetings:
        return [f"Demo meetings already exist ({meetings}): none added."]
    made, skipped = MeetingStory(agencies=agencies, users=users).hold()
    return [f"Created {made} demo meetings."] + [f"  Skipped: {reason}" for reason in skipped]


# What the minutes say of the employer's arrangements (the case's latest Suspension record), for "the {role}".
ARRANGEMENT_TEXT = {
    Suspension.Arrangement.SUSPENDED: "The employer suspended the {role} as a neutral act while enquiries continue.",
    Suspension.Arrangement.ALTERNATIVE_DUTIES: "The {role} works on alternative duties, away from {people}, while "
                                               "enquiries continue.",
    Suspension.Arrangement.NO_CONTACT: "The {role} keeps working, with no unsupervised contact with {people}, while "
                                       "enquiries continue.",
    Suspension.Arrangement.NOT_NEEDED: "Suspension was considered and is not needed: the {role} keeps working, with "
                                       "closer supervision.",
    Suspension.Arrangement.NOT_WORKING: "The {role} is not working at present, by agreement with the employer, while "
                                        "enquiries continue.",
}


class MeetingStory:
    """Six meetings on three open cases, played through meetings.services, with their minutes and actions.

    - a school's case on the strategy route: the strategy discussion (minutes circulated on time) and a review
      held last week whose minutes are still a draft (their deadline has passed);
    - a fostering agency's position-of-trust case: the initial meeting (a disagreement recorded, minutes
      circulated late), a review (minutes circulated on time) and the next review, scheduled;
    - a care home's position-of-trust case (adults' workforce): the initial meeting, held this week, minutes
      approved but not yet sent.

    The cases are picked by their facts (route, setting, category), so that the minutes fit them; what the
    minutes say of the employer's arrangements and the risk follows what the case records. Eleven actions are
    agreed, for the school, the police, the fostering agency, the care home and social care: some done with
    evidence, some open and not yet due, some overdue.
    """

    def __init__(self, *, agencies, users):
        self.agencies = agencies
        self.users = users
        self.chair = users["chair"]
        self.minute_taker = users["lado2"]
        self.fake = Faker("en_GB")
        self.fake.seed_instance(SEED + 1)  # a stream of its own: the referrals' invented names stay as they were
        self.tz = Partnership.current().time_zone
        now = timezone.now()
        self.latest = now - dt.timedelta(minutes=5)  # the story never reaches the present
        self.today = timezone.localdate(now)
        self.made = 0
        self.skipped: list[str] = []

    def hold(self) -> tuple[int, list[str]]:
        plan = [
            ("school's case on the strategy route, about physical harm", self._strategy_case,
             dict(route=Route.STRATEGY_DISCUSSION, sector=Sector.EDUCATION, prefer=RIVERSIDE,
                  categories=[Category.PHYSICAL], days=30)),
            ("fostering agency's position-of-trust case, about harm to a child in placement", self._fostering_case,
             dict(route=Route.POSITION_OF_TRUST, sector=Sector.FOSTERING, prefer=BRIGHTPATH,
                  categories=[Category.PHYSICAL, Category.EMOTIONAL, Category.NEGLECT], days=45)),
            ("care home's position-of-trust case, about suitability", self._care_case,
             dict(route=Route.POSITION_OF_TRUST, sector=Sector.CARE_HOME, prefer=MEADOWBANK,
                  categories=[Category.SUITABILITY], days=10)),
        ]
        used: set[int] = set()
        for label, play, wanted in plan:
            case = self._pick(used=used, **wanted)
            if case is None:
                self.skipped.append(f"no open {label} (without an outcome, opened {wanted['days']}+ days ago).")
                continue
            used.add(case.pk)
            play(case)
        return self.made, self.skipped

    def _pick(self, *, route: str, sector: str, prefer: str, categories: list[str], days: int,
              used: set[int]) -> Case | None:
        """The most recently opened matching case (open, no outcome yet, a recent concern, opened at least `days`
        ago, its employer an agency of the demo), `prefer`'s if it has one."""
        cases = (
            Case.objects.filter(
                referral__lado_service=self.agencies[LADO], status=CaseStatus.OPEN, route=route, outcome="",
                referral__sector=sector, referral__category__in=categories, referral__timing=Timing.CONTEMPORANEOUS,
                referral__employer__isnull=False, opened_at__lte=self.latest - dt.timedelta(days=days),
            )
            .exclude(pk__in=used).select_related("referral__employer", "owner").order_by("-opened_at", "-pk")
        )
        return cases.filter(referral__employer=self.agencies[prefer]).first() or cases.first()

    # --- time ------------------------------------------------------------------------

    def _local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(self.tz))

    @staticmethod
    def _weekday(day: dt.date, step: int = 1) -> dt.date:
        while day.weekday() >= 5:
            day += dt.timedelta(days=step)
        return day

    def _after(self, start: dt.datetime, days: int, hour: int, minute: int = 0) -> dt.datetime:
        """`days` after `start`, on a weekday, at that local time; never after the present."""
        day = self._weekday(timezone.localtime(start, ZoneInfo(self.tz)).date() + dt.timedelta(days=days))
        return min(self._local(day, hour, minute), self.latest)

    def _ago(self, days: int, hour: int, minute: int = 0) -> dt.datetime:
        day = self._weekday(self.today - dt.timedelta(days=days), step=-1)
        return min(self._local(day, hour, minute), self.latest)

    def _ahead(self, days: int, hour: int, minute: int = 0) -> dt.datetime:
        return self._local(self._weekday(self.today + dt.timedelta(days=days)), hour, minute)

    # --- one step each, through meetings.services ------------------------------------

    def _schedule(self, case: Case, kind: str, *, at: dt.datetime, scheduled_at: dt.datetime, officer,
                  location: str = "", online_link: str = "") -> Meeting:
        with clock.at(at):
            meeting = meeting_services.meeting_schedule(
                actor=officer, case=case, kind=kind, scheduled_at=scheduled_at, chair=self.chair,
                minute_taker=self.minute_taker, location=location, online_link=online_link,
            )
        self.made += 1
        return meeting

    def _invite(self, meeting: Meeting, *, officer, at: dt.datetime, suggested: tuple[str, ...],
                extra: dict[str, dict] | None = None) -> dict[str, Invitation]:
        """Take up the suggestions of these kinds ("employer", "police", "social_care"...), then add `extra`."""
        invitations = {}
        with clock.at(at):
            for suggestion in meeting_services.meeting_suggest_invitees(meeting.case, meeting):
                kind = suggestion.key.split(":")[0]
                if kind in suggested and kind not in invitations:
                    invitations[kind] = meeting_services.invitation_add_suggested(actor=officer, meeting=meeting,
                                                                                  key=suggestion.key)
            for key, fields in (extra or {}).items():
                invitations[key] = meeting_services.invitation_add(actor=officer, meeting=meeting, **fields)
            # Someone not set up in the product (a regulator's inspector) is invited by name: the officer adds the
            # address the invitation and the minutes go to, as the meeting's page asks.
            for key, invitation in invitations.items():
                if not invitation.agency_id and not invitation.user_id and not invitation.email:
                    slug = re.sub(r"[^a-z]+", ".", invitation.name.lower()).strip(".")
                    invitations[key] = meeting_services.invitation_update(
                        actor=officer, invitation=invitation, access_level=invitation.access_level,
                        name=invitation.name, role=invitation.role, email=f"{slug}.enquiries@example.org")
            # The invitations go out with their calendar files, and the worker sends them a minute later.
            meeting_services.invitations_send(actor=officer, meeting=meeting)
        self._deliver(at=at + dt.timedelta(minutes=1))
        return invitations

    def _deliver(self, *, at: dt.datetime) -> None:
        """What the worker does: send the meetings' deliveries waiting, at the story's moment (so the minutes
        deadline is met when they reach everyone, not when the demo is seeded)."""
        from outbox.delivery import delivery_send
        from outbox.models import Delivery, DeliveryStatus, Message

        waiting = Delivery.objects.filter(status=DeliveryStatus.QUEUED,
                                          kind__in=("meeting_invitation", "meeting_cancellation", "minutes"))
        with clock.at(min(at, self.latest)):
            for delivery_id in waiting.order_by("pk").values_list("pk", flat=True):
                delivery_send(delivery_id=delivery_id)
                Message.objects.filter(key=f"delivery:{delivery_id}").update(done_at=timezone.now())

    def _hold(self, meeting: Meeting, invitations: dict[str, Invitation], *, held_at: dt.datetime,
              apologies: tuple[str, ...] = ()) -> Meeting:
        attendance = {i.pk: Attendance.APOLOGIES if key in apologies else Attendance.ATTENDED
                      for key, i in invitations.items()}
        with clock.at(held_at):
            return meeting_services.meeting_hold(actor=self.chair, meeting=meeting, held_at=held_at,
                                                 attendance=attendance)

    def _write(self, meeting: Meeting, sections: dict[str, str], *, at: dt.datetime, none_raised: tuple[str, ...] = ()):
        """The minute taker writes the minutes."""
        minutes = Minutes.objects.select_related("meeting").get(meeting=meeting)
        data = {key: {"body": body} for key, body in sections.items()}
        data.update({key: {"body": "", "none_raised": True} for key in none_raised})
        with clock.at(at):
            meeting_services.minutes_save(actor=self.minute_taker, minutes=minutes, revision=minutes.revision,
                                          sections=data)

    def _approve(self, meeting: Meeting, *, at: dt.datetime) -> None:
        minutes = Minutes.objects.select_related("meeting").get(meeting=meeting)
        with clock.at(at):
            meeting_services.minutes_approve(actor=self.chair, minutes=minutes, revision=minutes.revision)

    def _circulate(self, meeting: Meeting, *, at: dt.datetime) -> None:
        """The chair sends the approved minutes to everyone invited; the minutes deadline is met at `at`."""
        minutes = Minutes.objects.select_related("meeting").get(meeting=meeting)
        approved_at = minutes.versions.get(number=minutes.version).approved_at
        at = min(max(at, approved_at + dt.timedelta(hours=2)), self.latest)  # weekends can bring the two together
        with clock.at(at):
            meeting_services.minutes_circulate(actor=self.chair, minutes=minutes,
                                               invitations=list(meeting.invitations.all()))
        self._deliver(at=at + dt.timedelta(minutes=2))  # sent by the worker: the deadline is met then

    def _action(self, meeting: Meeting, agency: Agency, description: str, *, at: dt.datetime, due_on: dt.date,
                done: tuple[dt.datetime, object, str] | None = None) -> Action:
        """An action agreed at the meeting at `at`, due on `due_on`; `done` = (when, by whom, evidence). An action
        meant to be overdue is agreed before its due date, like any other, and the story's days pass it."""
        user = self._demo_user(agency)
        with clock.at(at):
            action = meeting_services.action_create(
                actor=self.chair, case=meeting.case, meeting=meeting, description=description, agency=agency,
                due_on=due_on, assignee=user,
                assignee_name="" if user else f"{self.fake.first_name()} {self.fake.last_name()}",
            )
        if done is not None:
            when, by, evidence = done
            with clock.at(when):
                meeting_services.action_complete(actor=by or self.chair, action=action, evidence=evidence)
        return action

    def _demo_user(self, agency: Agency):
        return demo_user(self.users, agency)

    # --- what the case records ------------------------------------------------------------

    @staticmethod
    def _facts(case: Case, people: str) -> dict[str, str]:
        """Words for the minutes from the case: the role, the employer's arrangements and the latest risk level."""
        referral = case.referral
        role = referral.subject_role.lower()
        suspension = Suspension.objects.filter(case=case).order_by("-decided_on", "-pk").first()
        arrangement = ARRANGEMENT_TEXT.get(suspension.arrangement if suspension else "",
                                           "The employer will decide on working arrangements with the LADO.")
        risk = RiskAssessment.objects.filter(case=case).order_by("-assessed_at", "-pk").first()
        return {
            "role": role,
            "employer": referral.employer_name,
            "arrangement": arrangement.format(role=role, people=people),
            "risk": (risk.get_level_display() if risk else "Medium").capitalize(),
            "history": (f"Previous concerns: {referral.known_history}" if referral.known_history.strip()
                        else "There are no previous concerns on the employer's file."),
        }

    # --- the three cases --------------------------------------------------------------

    def _strategy_case(self, case: Case) -> None:
        referral = case.referral
        officer = case.owner or self.users["lado"]
        employer = referral.employer
        police, social_care = self.agencies[POLICE], self.agencies[CSC]
        police_user = self._demo_user(police)
        f = self._facts(case, "pupils")

        # The strategy discussion, the day after the case opened: on time for the strategy meeting deadline.
        held = self._after(case.opened_at, 1, 10)
        sd = self._schedule(case, MeetingKind.STRATEGY_DISCUSSION, officer=officer, scheduled_at=held,
                            at=min(case.opened_at + dt.timedelta(minutes=40), held),
                            online_link="https://meet.example.org/northshire-lado/strategy-discussion")
        nurse = f"{self.fake.first_name()} {self.fake.last_name()}"
        invited = self._invite(sd, officer=officer, at=min(case.opened_at + dt.timedelta(minutes=45), held),
                               suggested=("employer", "police", "social_care"),
                               extra={"health": dict(
                                   access_level=AccessLevel.SAFEGUARDING, agency=self.agencies[NHS], name=nurse,
                                   role="School nurse, 0-19 public health nursing team",
                                   email=re.sub(r"[^a-z.]", "", nurse.lower().replace(" ", ".")) + "@example.org",
                                   why_suggested="Knows the child through the school nursing service.")})
        self._hold(sd, invited, held_at=held)
        # The police keep the risk assessment (widened to the school) from the employer until the child's interview.
        first_risk = case.risk_assessments.order_by("assessed_at", "pk").first()
        if first_risk is not None:
            with clock.at(min(held + dt.timedelta(hours=2), self.latest)):
                services.case_part_hold(actor=police_user, case=case, part=Part.RISK, part_id=first_risk.pk, held=True,
                                        reason="It records what the child's family told us: not for the school until "
                                               "the child has been interviewed.")
        self._write(sd, {
            "purpose": f"Strategy discussion under section 47, convened by the LADO service the day after a pupil's "
                       f"allegation against a {f['role']} at {f['employer']}. Chaired by the service's independent "
                       "chair, with the police Child Abuse Investigation Team, children's social care, the school nurse "
                       "and the school's designated safeguarding lead (for the employment items only).",
            "confidentiality": "The school's designated safeguarding lead joined for the employment items and left before "
                               "the child's information and the police investigation were discussed. Nothing about the "
                               f"child or the investigation is to be passed to the {f['role']} or to other staff. These "
                               "minutes are not to be filed on the child's school record.",
            "child_information": "Child A lives with their mother and a younger brother; the family has had no involvement "
                                 "with children's social care. Child A told their mother the same evening and repeated the "
                                 "account, unprompted, to the designated safeguarding lead the next morning. Child A wants "
                                 "to stay in the same class as their friends.",
            "child_safeguarding": "The threshold for section 47 enquiries is met. Children's social care will visit the "
                                  "family within two working days, speak to Child A with their mother's agreement and "
                                  "agree how Child A is supported in school. The mother has been told that a strategy "
                                  "discussion took place and has agreed not to discuss the detail with other parents.",
            "police_investigation": "A possible offence of assault on a child. The police will hold an achieving best "
                                    "evidence (ABE) interview with Child A and take first accounts from two pupils who "
                                    "were present. They have no objection to the school meeting the member of staff about "
                                    "working arrangements, but no questions about the allegation until the police have "
                                    "interviewed them. Investigation review in 28 days; CPS advice if the evidence supports it.",
            "other_children": f"On current information the {f['role']} has no children of their own and does not "
                              "volunteer with children elsewhere. The police will check for other roles with children.",
            "adult_allegation": f"As set out in the referral: {referral.description} {f['history']}",
            "adult_employment": f"{f['arrangement']} A named contact at the school's HR provider supports the member of "
                                "staff, who has been told about the employee assistance programme.",
            "employer_process": "The school's disciplinary enquiry waits until the police confirm they have no objection; "
                                "the school will then appoint an investigating officer and report within 15 working days.",
            "communication": "The police tell the member of staff about the allegation when they invite them to interview; "
                             "the head teacher meets them the same day, with their union representative. No media interest; "
                             "a holding statement is ready if needed.",
            "risk_child": f"{f['risk']}. Child A has no contact with the member of staff and has a named trusted adult in "
                          "school; the family has the social worker's contact details.",
            "risk_adult": f"{f['risk']} while enquiries continue, managed by the employer's arrangements and no access to "
                          "the pupils' records.",
            "decisions": "1. A section 47 enquiry begins (possible significant harm to a child). 2. The police open an "
                         "investigation (a possible offence). 3. The employer's arrangements stand until the review "
                         "meeting (they keep pupils safe while enquiries continue). 4. The school's disciplinary enquiry "
                         "waits for the police's agreement, so as not to prejudice the investigation.",
            "next_meeting": "A review meeting once the ABE interview has taken place and the police have spoken to the "
                            "member of staff.",
            "restricted_notes": "A neighbour gave the police third-party information about the family. It is held by the "
                                "police and is not to be circulated.",
        }, at=self._after(held, 1, 15), none_raised=("disagreements",))
        self._action(sd, police, "Hold an achieving best evidence (ABE) interview with Child A and take first accounts "
                                 "from the two pupils who were present; tell the LADO when done.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 7, 17).date(),
                     done=(self._after(held, 5, 16), police_user,
                           "ABE interview held and recorded; first accounts from both pupils taken and logged under the "
                           "crime reference. The LADO was told by phone the same afternoon."))
        self._action(sd, social_care, "Complete the section 47 enquiry: visit the family, speak to Child A, and share the "
                                      "outcome with the LADO.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 15, 17).date(),
                     done=(self._after(held, 13, 14), officer,
                           "The section 47 outcome was received from the assessment team manager: Child A is safe at "
                           "home and supported in school; no child protection plan is needed."))
        self._approve(sd, at=self._after(held, 4, 16))
        self._circulate(sd, at=self._after(held, 5, 11))  # within 14 days: the minutes deadline is met on time

        # A review meeting last week; its minutes are still being written, so their 7-day deadline has passed.
        review_held = max(self._ago(9, 14), held + dt.timedelta(days=20))
        review = self._schedule(case, MeetingKind.REVIEW, officer=officer, scheduled_at=review_held,
                                at=max(self._ago(16, 9, 30), held + dt.timedelta(days=6)),
                                location="Committee Room 2, Northshire County Hall")
        invited = self._invite(review, officer=officer, at=max(self._ago(16, 9, 45), held + dt.timedelta(days=6)),
                               suggested=("employer", "police", "social_care"))
        self._hold(review, invited, held_at=review_held, apologies=("social_care",))
        self._write(review, {
            "purpose": "Review of the enquiries agreed at the strategy discussion. Children's social care sent apologies "
                       "and a written update, read out by the chair.",
            "confidentiality": "The designated safeguarding lead attended for the employment items only, as before.",
            "progress": "The ABE interview and the section 47 enquiry are done (see the actions). The school's chronology "
                        "of the member of staff's contact with the class is still awaited.",
            "police_update": "The member of staff was interviewed under caution and denies the allegation. The file has "
                             "gone to the CPS for charging advice; the police expect an answer within three weeks.",
            "safeguarding_update": "Child A is settled in class, sees the named trusted adult weekly and has had no further "
                                   "worries. The section 47 enquiry closed with no further action by social care.",
            "employer_update": "The school's enquiry is still waiting for the police's agreement to start.",
            "employment_review": f"{f['arrangement']} The arrangements are working and continue; the member of staff is "
                                 "supported by the HR contact and has asked for an update every two weeks.",
            "risk": "Reviewed: low for the children in the class while the arrangements continue.",
        }, at=self._after(review_held, 1, 16))
        self._action(review, employer, "Send the LADO a chronology of the member of staff's contact with the class this "
                                       "term, with the staff rota and the notes of the head teacher's meeting with them.",
                     at=review_held + dt.timedelta(hours=1), due_on=self._ago(3, 12).date())  # now overdue
        self._action(review, employer, "If the police confirm no further action, complete a risk assessment for a return "
                                       "to normal duties and share it with the LADO before the next review.",
                     at=review_held + dt.timedelta(hours=1), due_on=self.today + dt.timedelta(days=10))
        self._action(review, police, "Tell the LADO and the chair the CPS charging advice as soon as it is received.",
                     at=review_held + dt.timedelta(hours=1), due_on=self.today + dt.timedelta(days=21))

    def _fostering_case(self, case: Case) -> None:
        referral = case.referral
        officer = case.owner or self.users["lado"]
        employer = referral.employer
        police, social_care = self.agencies[POLICE], self.agencies[CSC]
        police_user, employer_user = self._demo_user(police), self._demo_user(employer)
        criminal = bool(getattr(getattr(referral, "triage", None), "criminal_offence", False))
        f = self._facts(case, "children in placement")
        room = "Committee Room 2, Northshire County Hall"

        # The initial meeting, three days after opening; its minutes went out after 19 days, late.
        held = self._after(case.opened_at, 3, 10, 30)
        initial = self._schedule(case, MeetingKind.INITIAL, officer=officer, scheduled_at=held, location=room,
                                 at=min(case.opened_at + dt.timedelta(hours=1), held))
        invited = self._invite(initial, officer=officer, at=min(case.opened_at + dt.timedelta(hours=1), held),
                               suggested=("employer", "police", "social_care", "setting_regulator"))
        self._hold(initial, invited, held_at=held, apologies=("setting_regulator",))
        self._write(initial, {
            "purpose": f"Initial position-of-trust meeting about a {f['role']} approved by {f['employer']}. Chaired by "
                       "the LADO service's independent chair. The fostering agency's registered manager, the police and "
                       "the child's social worker attended; the setting's regulator sent apologies.",
            "confidentiality": "The fostering agency attended throughout, but the child's information was shared only as "
                               "far as needed to keep the child safe in placement. The foster carers are not to be told "
                               "what the child said until the police and social care agree.",
            "allegation": f"As set out in the referral: {referral.description} {f['history']}",
            "children_involved": "Child B, aged 11, has lived with the carers for two years under a care order and has a "
                                 "social worker. Child B has moved, for now, to respite carers they already know, and "
                                 "will be seen alone by their social worker within five days.",
            "police": ("The police are investigating a possible offence and will interview the carer once Child B has "
                       "given an account. Review of the investigation in 28 days."
                       if criminal else
                       "The police advise that no offence is indicated on what is known so far; they will complete checks "
                       "on the household and say if anything changes that view."),
            "other_settings": "The carers have a child of their own at home; the carer also helps at a church holiday club, "
                              "whose safeguarding lead the LADO service will tell, without details, that a concern is "
                              "being looked into.",
            "adult_employment": f"{f['arrangement']} No new placements with the carers while enquiries continue. The "
                                "carers have a named independent supporter, arranged by the agency.",
            "employer_process": "The fostering agency will hold an unannounced supervisory visit and review the carers' "
                                "safer caring plan, then take the carers' approval to its fostering panel once the "
                                "enquiries end.",
            "communication": "The agency's supervising social worker tells the carers the outcome of this meeting today, "
                             "without details of the allegation. Child B's mother is told by the social worker.",
            "risk": f"{f['risk']}: the concern is specific and the carers have a child of their own at home. Managed by "
                    "the weekly supervisory visits, no new placements and Child B's move to respite carers.",
            "decisions": "1. Child B stays with the respite carers until the review (the child's safety during the "
                         "enquiries comes first). 2. No new placements with the carers. 3. The fostering agency reviews "
                         "the safer caring plan. 4. A review meeting once the agency's and the police's enquiries are done.",
            "disagreements": "The fostering agency's registered manager disagreed with moving Child B while enquiries "
                             "continue: the carers have a long, positive record and a move may itself harm the child. The "
                             "chair explained that the child's safety during the enquiries comes first and that respite "
                             "carers Child B already knows are the least disruptive option. The agency accepted the "
                             "decision and asked for its view to be recorded; the move will be reconsidered at the review "
                             "meeting. Not escalated.",
            "next_meeting": "Review meeting once the agency's and the police's enquiries are done; the same people invited.",
            "restricted_notes": "Child B's mother has asked that her new address is not shared with the carers.",
        }, at=self._after(held, 2, 15))
        self._action(initial, employer, "Review the carers' safer caring plan with them and their supervising social "
                                        "worker, and send the revised plan to the LADO.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 10, 17).date(),
                     done=(self._after(held, 8, 11), employer_user,
                           "Revised safer caring plan agreed with the carers at an unannounced visit and sent to the LADO; "
                           "it is on the carers' file."))
        self._action(initial, police, "Complete police checks on every adult in the foster household and tell the LADO "
                                      "of anything relevant.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 14, 17).date(),
                     done=(self._after(held, 12, 10), police_user,
                           "Checks completed on both carers: nothing relevant recorded. The LADO was told by secure "
                           "e-mail."))
        self._approve(initial, at=self._after(held, 17, 16))
        self._circulate(initial, at=self._after(held, 19, 10))  # after 14 days: the minutes deadline is met late

        # A review meeting twelve days ago, its minutes circulated within the 7 days.
        review_held = max(self._ago(12, 10), held + dt.timedelta(days=25))
        review = self._schedule(case, MeetingKind.REVIEW, officer=officer, scheduled_at=review_held, location=room,
                                at=max(self._ago(19, 9), held + dt.timedelta(days=20)))
        invited = self._invite(review, officer=officer, at=max(self._ago(19, 9, 15), held + dt.timedelta(days=20)),
                               suggested=("employer", "police", "social_care"))
        self._hold(review, invited, held_at=review_held, apologies=("police",))
        self._write(review, {
            "purpose": "Review of the actions agreed at the initial meeting. The police sent apologies and an update in "
                       "writing, read out by the chair.",
            "confidentiality": "As at the initial meeting: the child's details were shared only as needed.",
            "progress": "The safer caring plan was revised and the household checks are complete, both on time.",
            "police_update": ("The investigation continues; the carer has been interviewed and denies the allegation."
                              if criminal else "No police investigation: the household checks found nothing relevant."),
            "safeguarding_update": "Child B is settled with the respite carers and has said they would like to go back "
                                   "to their foster carers, with more time alone with their social worker.",
            "employer_update": "The fostering panel will review the carers' approval at its next sitting.",
            "employment_review": f"{f['arrangement']} No new placements until the panel has met; the weekly supervisory "
                                 "visits continue.",
            "outcome": "No outcome yet: the panel's review and the child's views are needed first.",
            "risk": "Reviewed: low. The supervisory visits found good care in the household.",
            "decisions": "1. The fostering panel reviews the carers' approval. 2. Child B's return is considered at the "
                         "next review, with the child's views.",
            "next_meeting": "Next review in about two weeks, after the fostering panel.",
        }, at=self._after(review_held, 1, 15), none_raised=("disagreements",))
        self._action(review, employer, "Send the LADO the report of the fostering panel's review of the carers' approval, "
                                       "with the panel's recommendation.",
                     at=review_held + dt.timedelta(hours=1), due_on=self._ago(4, 12).date())  # now overdue
        self._action(review, social_care, "Do direct work with Child B about a possible return to the foster carers, and "
                                          "share the child's views with the chair before the next review.",
                     at=review_held + dt.timedelta(hours=1), due_on=self.today + dt.timedelta(days=9))
        self._approve(review, at=self._after(review_held, 3, 16))
        self._circulate(review, at=self._after(review_held, 4, 10))

        # The next review, in the future: invitations sent, the police have already sent apologies.
        sent = self._ago(1, 15)
        upcoming = self._schedule(case, MeetingKind.REVIEW, officer=officer, scheduled_at=self._ahead(8, 10),
                                  location=room, at=sent)
        invited = self._invite(upcoming, officer=officer, at=sent, suggested=("employer", "police", "social_care"))
        with clock.at(sent):
            meeting_services.attendance_record(actor=self.chair, meeting=upcoming,
                                               attendance={invited["police"].pk: Attendance.APOLOGIES})

    def _care_case(self, case: Case) -> None:
        referral = case.referral
        officer = case.owner or self.users["lado"]
        employer = referral.employer
        f = self._facts(case, "residents")

        # The initial meeting this week: minutes approved, not yet sent (the 14 days are still running).
        held = max(self._ago(4, 11), case.opened_at + dt.timedelta(hours=2))
        scheduled = max(self._ago(9, 16), case.opened_at + dt.timedelta(hours=1))
        meeting = self._schedule(case, MeetingKind.INITIAL, officer=officer, scheduled_at=held,
                                 online_link="https://meet.example.org/northshire-lado/pipot-initial", at=scheduled)
        invited = self._invite(meeting, officer=officer, at=scheduled, suggested=("employer", "police", "social_care"))
        self._hold(meeting, invited, held_at=held, apologies=("police",))
        self._write(meeting, {
            "purpose": f"Initial position-of-trust (PiPoT) meeting about a {f['role']} at {f['employer']}, who works "
                       "with adults with care and support needs. The police sent apologies and a written update.",
            "confidentiality": "The registered manager attended throughout; residents' health details were shared only "
                               "as far as needed to judge the risk.",
            "allegation": f"As set out in the referral: {referral.description} {f['history']}",
            "children_involved": "No child is involved. The people who may be at risk are the home's residents, adults "
                                 "with care and support needs; none has reported harm. Adult social care will review the "
                                 "home's incident and medication records for the worker's shifts and decide whether a "
                                 "section 42 enquiry is needed.",
            "police": "The police confirmed the charge and the date of the first court hearing. They have no objection "
                      "to the employer's enquiry going ahead now.",
            "other_settings": f"The {f['role']} has no other employment; the care home checked their declaration of "
                              "secondary work.",
            "adult_employment": f"{f['arrangement']} No medication rounds and no driving residents; the home's "
                                "fitness-for-work policy applies at the start of each shift. Their line manager is their "
                                "named contact.",
            "employer_process": "The care home will investigate the undeclared charge and the colleague's account under "
                                "its disciplinary procedure, and decide within 15 working days whether a hearing is needed.",
            "communication": "The registered manager meets the worker today, with a representative, to explain the "
                             "arrangements. Residents and families are told only if harm is found.",
            "risk": f"{f['risk']}: no resident has reported harm. Managed by the arrangements above and a check by the "
                    "senior on duty at the start of each shift.",
            "decisions": "1. The employment arrangements above (the least restrictive safe option). 2. Adult social care "
                         "review the records and decide on a section 42 enquiry. 3. The employer's disciplinary "
                         "investigation goes ahead now, as the police agree. 4. Review in four weeks.",
            "next_meeting": "Review in four weeks, or sooner if the records show harm.",
        }, at=self._after(held, 1, 12), none_raised=("disagreements",))
        self._action(meeting, employer, f"Take the {f['role']} off medication rounds and driving duties, roster them "
                                        "with a senior colleague, and confirm it to the LADO in writing.",
                     at=held + dt.timedelta(hours=1), due_on=self._after(held, 2, 17).date(),
                     done=(self._after(held, 1, 9, 30), self._demo_user(employer),
                           "Rota and duties changed from the next shift; the registered manager's letter confirming the "
                           "arrangements is on the case file."))
        self._action(meeting, self.agencies[ASC], f"Review the incident and medication records for the {f['role']}'s "
                                                  "shifts over the last three months with the registered manager, and "
                                                  "tell the LADO whether a section 42 enquiry is needed.",
                     at=held + dt.timedelta(hours=1), due_on=self.today + dt.timedelta(days=12))
        self._approve(meeting, at=self._after(held, 2, 15))

