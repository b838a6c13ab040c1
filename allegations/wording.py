"""The words a page uses for the workforce a referral is about (issue 6 §8, seed 000).

Children's workforce: the LADO, the child, the designated safeguarding lead. Adults' workforce
(people who work with adults with care and support needs, PiPoT): the PiPoT lead, the adult at
risk, the designated adult safeguarding manager. Templates call ``wording(referral.workforce)``
(a Jinja global); a page that does not yet know the workforce (the referral form before it is
answered) gets the wording that covers both.
"""

from __future__ import annotations

CHILDREN = {
    "workforce": "children's workforce",
    "service": "LADO",
    "service_name": "LADO service",
    "officer": "LADO officer",
    "person": "child",
    "people": "children",
    "Person": "Child",
    "People": "Children",
    "person_and_family": "child and parents",
    "lead": "designated safeguarding lead",
    "needs": "children",
}

ADULTS = {
    "workforce": "adults' workforce",
    "service": "PiPoT lead",
    "service_name": "PiPoT service",
    "officer": "PiPoT lead",
    "person": "adult at risk",
    "people": "adults at risk",
    "Person": "Adult at risk",
    "People": "Adults at risk",
    "person_and_family": "adult at risk and their family or representative",
    "lead": "designated adult safeguarding manager",
    "needs": "adults with care and support needs",
}

EITHER = {
    "workforce": "children's or adults' workforce",
    "service": "LADO or PiPoT lead",
    "service_name": "LADO or PiPoT service",
    "officer": "LADO officer or PiPoT lead",
    "person": "child or adult at risk",
    "people": "children or adults at risk",
    "Person": "Child or adult at risk",
    "People": "Children or adults at risk",
    "person_and_family": "child or adult at risk and their family",
    "lead": "designated safeguarding lead or designated adult safeguarding manager",
    "needs": "children or adults with care and support needs",
}

# Where a concern that is not an allegation goes instead (seed 000: an allegation against an
# individual, a concern about the quality of care or practice, and a formal complaint are
# distinguished; 003 §8, §10, §24 for the children's workforce).
ROUTE_AWAY = {
    "quality_of_care": {
        "children": "the setting's own procedure for lower-level concerns, with advice from the LADO",
        "adults": "the provider's quality assurance and the commissioners' contract monitoring "
                  "(and the provider concerns process if there is a pattern)",
    },
    "complaint": {
        "children": "the organisation's complaints procedure",
        "adults": "the organisation's complaints procedure",
    },
}


def wording(workforce: str | None) -> dict[str, str]:
    if workforce == "adults":
        return ADULTS
    if workforce == "children":
        return CHILDREN
    return EITHER


def route_away(concern_kind: str, workforce: str) -> str:
    """Where a quality-of-care concern or a complaint goes instead of the allegations process ('' for an allegation)."""
    return ROUTE_AWAY.get(concern_kind, {}).get("adults" if workforce == "adults" else "children", "")


# The triage decisions as the adults' workforce reads them (the form's choices and the pages' displays).
ADULTS_DECISIONS = {
    "advice": "Advice only — stays with the employer",
    "not_allegation": "Not an allegation — a quality-of-care concern or complaint, routed away from PiPoT",
    "transfer": "Transfer to another authority's PiPoT lead",
    "threshold_met": "Threshold met — open a PiPoT case",
    "strategy": "Threshold met — safeguarding adults enquiry (section 42) / strategy discussion route",
}
_ADULTS_BY_LABEL = {
    "Not an allegation — complaint or conduct procedure": ADULTS_DECISIONS["not_allegation"],
    "Threshold met — open a case": ADULTS_DECISIONS["threshold_met"],
    "Threshold met — section 47 / strategy discussion route": ADULTS_DECISIONS["strategy"],
}


def adapt(text: str, workforce: str | None) -> str:
    """A label written for the children's workforce (a choice's display), in the adults' words when it is theirs."""
    if workforce != "adults" or not text:
        return text
    if str(text) in _ADULTS_BY_LABEL:
        return _ADULTS_BY_LABEL[str(text)]
    return (str(text).replace("another authority's LADO", "another authority's PiPoT lead")
            .replace("the LADO", "the PiPoT lead").replace("section 47", "section 42"))
