"""Low-level concerns recorded through the service, so history is real."""

import datetime as dt

from lowlevel import services


def record(*, actor, agency, given="Chris", family="Lowe", dob=None, role="Teaching assistant", occurred_on=None,
           what="Shouted at a pupil in the dinner hall.", action="Spoken to about expected conduct."):
    return services.concern_record(
        actor=actor, agency=agency, given_name=given, family_name=family, date_of_birth=dob, role=role,
        occurred_on=occurred_on or dt.date.today() - dt.timedelta(days=10), what_happened=what, employer_action=action,
    )
