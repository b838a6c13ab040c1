"""Who runs assurance rounds (the business unit: analysts) and who answers (an agency's senior managers)."""

from agencies.permissions import standing


def is_business_unit(user) -> bool:
    return standing(user).is_analyst


def answering_agency_ids(user) -> frozenset[int]:
    """The agencies the user answers for: those where they are a senior manager."""
    return standing(user).referrer_agency_ids


def may_answer(user, request) -> bool:
    return request.agency_id in answering_agency_ids(user)

