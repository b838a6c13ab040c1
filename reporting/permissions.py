"""Who sees reports: the business unit (analysts) and the LADO service manager. Numbers only:
seeing reports gives no access to case records (agencies.permissions.Standing.sees_cases)."""

from agencies.permissions import standing


def may_see_reports(user) -> bool:
    s = standing(user)
    return s.is_analyst or s.is_lado_manager
