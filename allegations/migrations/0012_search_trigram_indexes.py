# Trigram indexes for search across everything (search.selectors): previous names and aliases of a person,
# the employer's name, and any part of a reference. The same shape as the person's own name indexes in
# 0002_bench_indexes (GIN on UPPER(column) with gin_trgm_ops): the search's expressions are written to match
# them, so PostgreSQL can use them for "%>" (word similarity) and "LIKE '%...%'" (icontains).

from django.db import migrations

INDEXES = {
    "subjectname_given_trgm": ("allegations_subjectname", "given_name"),
    "subjectname_family_trgm": ("allegations_subjectname", "family_name"),
    "referral_employer_trgm": ("allegations_referral", "employer_name"),
    "referral_reference_trgm": ("allegations_referral", "reference"),
}


def _create(apps, schema_editor):
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def _drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("allegations", "0011_deadline_moved_to_deadlines"),
    ]

    operations = [migrations.RunPython(_create, _drop)]
