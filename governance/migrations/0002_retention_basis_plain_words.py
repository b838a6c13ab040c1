# Issue 15 §8: the retention schedule's bases name no internal documents. Rules still holding a default
# basis as first written (with its citations) take the plain-words default; a basis someone wrote is kept.
# Each change is recorded in the rule's history with a reason.

from django.db import migrations
from django.utils import timezone

# The old default -> the new one (governance/retention.py DEFAULTS).
REWORDED = {
    "003 §44–47 and KCSIE Part 4: the LADO keeps how the allegation was investigated and why, to identify "
    "patterns; until normal retirement age or 10 years, whichever is longer.":
    "Keeping children safe in education, Part 4: the LADO keeps how the allegation was investigated and why, "
    "to identify patterns; until normal retirement age or 10 years, whichever is longer.",
    "KCSIE Part 4: false, unfounded and malicious allegations are removed from personnel records; the LADO keeps "
    "the record to prevent re-investigation if it resurfaces (003 §46).":
    "Keeping children safe in education, Part 4: false, unfounded and malicious allegations are removed from "
    "personnel records; the LADO keeps the record to prevent re-investigation if it resurfaces.",
    "Below the harm threshold; kept to answer a later DBS disclosure or a recurrence (003 §46).":
    "Below the harm threshold; kept to answer a later DBS disclosure or a recurrence.",
    "Not an allegation (complaint or conduct matter); kept to answer a recurrence (003 §46).":
    "Not an allegation (complaint or conduct matter); kept to answer a recurrence.",
}


def reword(apps, schema_editor):
    RetentionRule = apps.get_model("governance", "RetentionRule")
    HistoricalRetentionRule = apps.get_model("governance", "HistoricalRetentionRule")
    fields = [f.attname for f in RetentionRule._meta.concrete_fields]
    for rule in RetentionRule.objects.filter(basis__in=list(REWORDED)):
        rule.basis = REWORDED[rule.basis]
        rule.save(update_fields=["basis"])
        HistoricalRetentionRule.objects.create(
            **{name: getattr(rule, name) for name in fields}, history_date=timezone.now(), history_type="~",
            history_change_reason="Basis reworded in plain words", history_user_id=None,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(reword, migrations.RunPython.noop),
    ]
