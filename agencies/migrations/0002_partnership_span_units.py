"""Each partnership span setting becomes a number and a unit (deadlines.md: "003's 7 working days is
one authority's rule; others use 72 hours").

The numbers are renamed, not re-created, so today's values (and their history rows) are kept; the
units are what the old names said: working days for the strategy meeting, days for the rest.
"""

from django.db import migrations, models

UNITS = [("hours", "Hours"), ("working_days", "Working days"), ("days", "Days")]
RENAMES = [
    ("strategy_meeting_working_days", "strategy_meeting_span"),
    ("minutes_initial_days", "minutes_initial_span"),
    ("minutes_review_days", "minutes_review_span"),
    ("case_review_days", "case_review_span"),
]
DEFAULT_UNITS = [
    ("strategy_meeting_unit", "working_days"),
    ("minutes_initial_unit", "days"),
    ("minutes_review_unit", "days"),
    ("case_review_unit", "days"),
]


def _operations():
    operations = []
    for model in ("partnership", "historicalpartnership"):
        for old, new in RENAMES:
            operations.append(migrations.RenameField(model_name=model, old_name=old, new_name=new))
        for name, default in DEFAULT_UNITS:
            operations.append(
                migrations.AddField(
                    model_name=model, name=name, field=models.CharField(choices=UNITS, default=default, max_length=16)
                )
            )
    for kind in ("strategy_meeting", "minutes_initial", "minutes_review", "case_review"):
        operations.append(
            migrations.AddConstraint(
                model_name="partnership",
                constraint=models.CheckConstraint(
                    condition=models.Q((f"{kind}_span__gte", 1)), name=f"partnership_{kind}_span_positive"
                ),
            )
        )
    return operations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
    ]

    operations = _operations()
