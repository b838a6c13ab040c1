"""The minutes template of each meeting kind, as data.

Sources: seed 001 "Record keeping" (the initial, review, and outcome and lessons learned
frameworks of the serious concerns process, item by item) and seed 003 §25–37 (strategy
discussions and position-of-trust meetings). A strategy discussion keeps the child's
safeguarding apart from the adult's employment matters (003 §29, §32): each section has an
audience, and an invitee sees only the audiences their access level allows
(models.AUDIENCES_FOR).

Every kind ends with the sections 004 §3.10 found missing and that must be completed
before the chair can approve: how confidentiality was handled, the risk assessment,
decisions with rationale, and disagreements and challenges (or an explicit "none raised").
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Audience, MeetingKind

G, C, E, R = Audience.GENERAL, Audience.CHILD, Audience.EMPLOYMENT, Audience.RESTRICTED


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    audience: str = Audience.GENERAL
    guidance: str = ""
    required: bool = False
    allows_none: bool = False


def _s(key, title, audience=G, guidance="", required=False, allows_none=False) -> SectionSpec:
    return SectionSpec(key, title, audience, guidance, required, allows_none)


# --- Sections every kind has --------------------------------------------------------------

PURPOSE = _s("purpose", "Purpose of the meeting and introductions", G,
             "Why the meeting was convened, who chaired it and the roles of those present.")
CONFIDENTIALITY = _s(
    "confidentiality", "How confidentiality was handled", G,
    "Who was present for which part of the discussion, what could not be shared with whom, and how "
    "confidentiality issues were discussed and resolved.",  # 003 §29
    required=True,
)
DECISIONS = _s("decisions", "Decisions and rationale", G,
               "Each decision with the reasons for it, so it can be traced and justified later.",  # 003 §45
               required=True)
DISAGREEMENTS = _s(
    "disagreements", "Disagreements and professional challenges", G,
    "Any disagreement or challenge to a decision (for example a decision not to suspend), who raised it, "
    "and how it was resolved or escalated.",  # 004 §3.10
    required=True, allows_none=True,
)
NEXT_MEETING = _s("next_meeting", "Next meeting and timescales", G, "When the group meets again, and who attends.")
RESTRICTED_NOTES = _s("restricted_notes", "Information for the chair and LADO service only", R,
                      "Third-party or sensitive information that is not to be circulated.")


def _with_common(*middle: SectionSpec, risk: tuple[SectionSpec, ...], next_meeting: bool = True) -> tuple[SectionSpec, ...]:
    """Purpose and confidentiality first; the kind's own items; the risk assessment, decisions,
    disagreements (and the next meeting, where the kind's framework has no item of its own); restricted notes last."""
    tail = (NEXT_MEETING,) if next_meeting else ()
    return (PURPOSE, CONFIDENTIALITY, *middle, *risk, DECISIONS, DISAGREEMENTS, *tail, RESTRICTED_NOTES)


# --- Strategy discussion (003 §25–33, §43) --------------------------------------------------

STRATEGY_DISCUSSION = _with_common(
    _s("child_information", "The child or children: information shared", C,
       "What is known about the child or children and their family, and the child's views. Safeguarding "
       "professionals only: not for the employer or HR."),  # 003 §29
    _s("child_safeguarding", "Safeguarding the child: section 47 enquiries and protective actions", C,
       "Whether section 47 enquiries are needed, what children's social care will do, and support for the "
       "child and family, including how the parents or carers are told."),
    _s("police_investigation", "Police: possible offences and the investigation", C,
       "Whether there is a criminal investigation, consent to share statements with the employer, "
       "the target date for review and consulting the CPS."),  # 003 §33; 003 §43
    _s("other_children", "Other children who may be at risk", C,
       "The person's own children, and children in other settings where they work or volunteer."),  # 003 §25
    _s("adult_allegation", "The adult: their role, employment and other settings", E,
       "The person's role and employer, other settings where they work or volunteer, and previous concerns "
       "relevant to their work with children."),  # 003 §32
    _s("adult_employment", "Employment arrangements: suspension or alternatives, support", E,
       "Suspension or alternative arrangements and who decides, support for the person and a named "
       "contact."),  # 003 §34; 003 §35
    _s("employer_process", "The employer's enquiries or disciplinary process", E,
       "What the employer will do, and when, alongside the police and social care enquiries."),
    _s("communication", "Informing the person and managing media interest", G,
       "Who tells the person and when (without prejudicing the investigation), and any media interest."),
    risk=(
        _s("risk_child", "Risk assessment: the child and other children", C,
           "The risk to the child and to other children, and what is in place to manage it.", required=True),
        _s("risk_adult", "Risk assessment: the adult's work with children", E,
           "Whether the person poses a risk in their work, and what arrangements manage it.", required=True),
    ),
)

# --- Position-of-trust (managing allegations) meetings (003 §36, §25, §34–35, §40–43, §55–56) --

INITIAL = _with_common(
    _s("allegation", "The allegation or concern and how it came to light", G,
       "The facts as known, without opinion."),
    _s("children_involved", "The children involved and safeguarding enquiries", C,
       "Details of the children and any social care enquiries. Safeguarding professionals only."),
    _s("police", "Police: possible offences and any investigation", C,
       "Whether a criminal offence may have been committed, the investigation and its review date."),  # 003 §43
    _s("other_settings", "Other children or settings that may be at risk", C,
       "The person's own children and other roles such as scout leader or sports coach."),  # 003 §25
    _s("adult_employment", "Employment arrangements: suspension or alternatives, support", E,
       "Suspension or alternative arrangements and who decides; support and a named contact."),  # 003 §34; 003 §35
    _s("employer_process", "Further disciplinary investigation or other action needed", E,
       "Whether the employer needs to investigate further, or act without formal disciplinary action within "
       "3 working days, or hold a hearing within 15 working days."),  # 003 §40; 003 §41
    _s("communication", "Informing the person, parents or carers, and media", G),
    risk=(
        _s("risk", "Evaluation of the level of concern and risk assessment", G,
           "How serious the concern is and whether the person poses a risk in their work.",  # 003 §36, §38
           required=True),
    ),
)

REVIEW = _with_common(
    _s("progress", "Progress of the actions agreed", G, "Each action agreed last time: done, late, or outstanding."),
    _s("police_update", "Police investigation: update", C, "Progress, review date and any CPS decision."),  # 003 §43
    _s("safeguarding_update", "Children's safeguarding: update", C, "Social care enquiries and the children's welfare."),
    _s("employer_update", "Employer's enquiries or disciplinary process: update", E),
    _s("employment_review", "Review of suspension or alternative arrangements", E,
       "Whether the arrangements are still needed, and support for the person."),  # 003 §34–35
    _s("outcome", "Outcome, if reached, and referrals to the DBS or regulators", E,
       "Substantiated, unsubstantiated, unfounded, false or malicious; the employer's duty to refer to "
       "the DBS and any regulator referrals."),  # 003 §55; 003 §56
    risk=(
        _s("risk", "Review of the risk assessment", G, "Has the risk changed? What manages it now?", required=True),
    ),
)

# --- Serious concerns about a care provider (001 "Record keeping") ---------------------------------

SERIOUS_CONCERNS_INITIAL = _with_common(
    _s("convened", "Why the meeting was convened now", G,
       "Timing by the level of risk and the evidence, and any investigations under way."),
    _s("safeguarding_enquiries", "Safeguarding enquiries and the outcome of safeguarding investigations", C),
    _s("multi_agency_concerns", "Multi-agency concerns", G),
    _s("provider_information", "Information known about the service provider, including other services", G),
    _s("cqc_outcomes", "Outcomes from CQC inspections", G),
    _s("contract_reviews", "Outcomes from contract service reviews", G),
    _s("investigation_issues", "Issues requiring investigation", G),
    _s("roles", "Roles and responsibilities in the investigation framework", G),
    _s("resources", "Resources required to support the investigations", G),
    _s("safety_actions", "Actions to ensure the ongoing safety of adults at risk", G),
    _s("admissions", "Suspension of new admissions and when the decision is reviewed", G),
    _s("individuals_at_risk", "Individuals specifically at risk, and whether individual safeguarding procedures apply", C),
    _s("further_meetings", "Timescales for further meetings", G),
    _s("provider_involvement", "How the provider, organisation or adults at risk are involved in future meetings", G),
    _s("communication_plan", "Communication plan and who keeps people informed", G),
    _s("partnership_informed", "The safeguarding partnership informed of the outcome", G),
    risk=(_s("risk", "Multi-agency assessment of risk", G, required=True),),
    next_meeting=False,
)

SERIOUS_CONCERNS_REVIEW = _with_common(
    _s("additional_concerns", "Additional safeguarding or multi-agency concerns", G),
    _s("investigation_reports", "Reports on the outcome of investigations and actions", G),
    _s("individual_feedback", "Feedback from individual safeguarding investigations and assessments", C),
    _s("outcomes_met", "Whether the stated outcomes of the process have been met", G),
    _s("action_plan_progress", "Progress with the multi-agency action plan or provider improvement plan", G),
    _s("further_action", "Further action to ensure the ongoing safety of adults at risk", G),
    _s("contract_compliance", "Additional contract compliance arrangements", G),
    _s("future_meetings", "Timescales and attendees for future meetings", G),
    _s("communication_plan", "The communication plan and who keeps people informed", G),
    _s("admissions_review", "Review of the suspension of new placements", G),
    risk=(_s("risk", "Review of the multi-agency assessment of risk", G, required=True),),
    next_meeting=False,
)

OUTCOME_LESSONS_LEARNED = _with_common(
    _s("action_plan_final", "Finalisation of the action or improvement plan", G),
    _s("conclude", "Whether it is appropriate to conclude the process", G,
       "For example, clear and sustained improvement in the quality of care delivered."),
    _s("records", "Storage of records and what is recorded on individual files", G),
    _s("lessons", "Lessons learned and how changes will be made to reduce risks", G),
    _s("recommendations", "Follow-up recommendations", G),
    _s("follow_up_actions", "Follow-up action plans and timescales", G),
    _s("multi_agency_issues", "Multi-agency issues and considerations", G),
    _s("timescales", "Timescales", G),
    risk=(_s("risk", "Assessment of risk now: is care delivered to a sustained, safe standard?", G, required=True),),
    next_meeting=False,
)

TEMPLATES: dict[str, tuple[SectionSpec, ...]] = {
    MeetingKind.STRATEGY_DISCUSSION: STRATEGY_DISCUSSION,
    MeetingKind.INITIAL: INITIAL,
    MeetingKind.REVIEW: REVIEW,
    MeetingKind.SERIOUS_CONCERNS_INITIAL: SERIOUS_CONCERNS_INITIAL,
    MeetingKind.SERIOUS_CONCERNS_REVIEW: SERIOUS_CONCERNS_REVIEW,
    MeetingKind.OUTCOME_LESSONS_LEARNED: OUTCOME_LESSONS_LEARNED,
}


# --- The adults' workforce (PiPoT, seed 000) -------------------------------------------------------
# A case about a person who works with adults with care and support needs speaks of the adult at risk and
# the other adults who use the service, and of adults' safeguarding enquiries (Care Act 2014 section 42),
# never of children. Same keys and audiences (the child-safeguarding audience is the safeguarding
# professionals' part either way): only the words change. Keyed by section key, for the case kinds.

ADULT_WORDS: dict[str, tuple[str, str]] = {
    "child_information": (
        "The adult at risk: information shared",
        "What is known about the adult at risk, their care and support needs, their family or carers, and "
        "their views. Safeguarding professionals only: not for the employer or HR."),
    "child_safeguarding": (
        "Safeguarding the adult at risk: section 42 enquiries and protective actions",
        "Whether a section 42 safeguarding enquiry is needed, what adults' social care will do, and support for "
        "the adult at risk and their family or carers, including how they are told."),
    "other_children": (
        "Other adults who use the service and may be at risk",
        "Other adults who use the service, and adults with care and support needs in other settings where the "
        "person works or volunteers. Any child at risk is a matter for the LADO."),
    "adult_allegation": (
        "The person: their role, employment and other settings",
        "The person's role and employer, other settings where they work or volunteer, and previous concerns "
        "relevant to their work with adults with care and support needs."),
    "risk_child": (
        "Risk assessment: the adult at risk and other adults who use the service",
        "The risk to the adult at risk and to other adults who use the service, and what is in place to manage "
        "it."),
    "risk_adult": (
        "Risk assessment: the person's work with adults with care and support needs",
        "Whether the person poses a risk in their work, and what arrangements manage it."),
    "children_involved": (
        "The adult at risk and safeguarding enquiries",
        "Details of the adult at risk and other adults who use the service, and any section 42 safeguarding "
        "enquiries. Safeguarding professionals only."),
    "other_settings": (
        "Other adults who use the service, or other settings, that may be at risk",
        "Other adults who use the service, and other roles such as volunteering or caring elsewhere."),
    "safeguarding_update": (
        "Safeguarding the adult at risk: update",
        "Adults' social care enquiries, and the wellbeing of the adult at risk and of other adults who use the "
        "service."),
}
ADULT_COMMUNICATION = {  # the same key says different things in the two kinds
    MeetingKind.INITIAL: ("Informing the person, the adult at risk and their family or carers, and media", ""),
}


def _for_adults(kind: MeetingKind, spec: SectionSpec) -> SectionSpec:
    words = ADULT_WORDS.get(spec.key)
    if spec.key == "communication":
        words = ADULT_COMMUNICATION.get(kind)
    if words is None:
        return spec
    title, guidance = words
    return SectionSpec(spec.key, title, spec.audience, guidance or spec.guidance, spec.required, spec.allows_none)


def audience_labels(meeting) -> dict[str, str]:
    """Who each section is for, in words; a PiPoT case's safeguarding part is the adult at risk's, not a child's."""
    labels = dict(Audience.choices)
    case = getattr(meeting, "case", None)
    if case is not None and case.referral.workforce == "adults":
        labels[Audience.CHILD] = "Safeguarding the adult at risk: safeguarding professionals only"
    return labels


def template_for(kind: str, workforce: str = "children") -> tuple[SectionSpec, ...]:
    """The kind's sections; for a case about the adults' workforce (PiPoT), in the words of adults' safeguarding."""
    kind = MeetingKind(kind)
    sections = TEMPLATES[kind]
    if workforce == "adults" and kind in (MeetingKind.STRATEGY_DISCUSSION, MeetingKind.INITIAL, MeetingKind.REVIEW):
        return tuple(_for_adults(kind, spec) for spec in sections)
    return sections
