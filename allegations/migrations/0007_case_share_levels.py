# Issue 12 §1: a case is shared at a level. view_case alone is now the employer level; the new
# view_case_safeguarding beside it is the safeguarding level. Cases already shared with a police force,
# social care or health keep what those agencies need (safeguarding); every other share becomes employer.

from django.db import migrations

SAFEGUARDING_KINDS = ("police", "childrens_social_care", "adults_social_care", "nhs_trust", "icb")


def existing_shares_at_a_level(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    CaseGroupObjectPermission = apps.get_model("allegations", "CaseGroupObjectPermission")
    Agency = apps.get_model("agencies", "Agency")
    content_type, _ = ContentType.objects.get_or_create(app_label="allegations", model="case")
    safeguarding, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_case_safeguarding",
        defaults={"name": "See the safeguarding parts of a shared case"},
    )
    groups = Agency.objects.filter(kind__in=SAFEGUARDING_KINDS).values("group_id")
    shares = CaseGroupObjectPermission.objects.filter(permission__codename="view_case", group_id__in=groups)
    for share in shares:
        CaseGroupObjectPermission.objects.get_or_create(
            group_id=share.group_id, permission=safeguarding, content_object_id=share.content_object_id
        )


class Migration(migrations.Migration):

    dependencies = [
        ("allegations", "0006_provider_deadlines"),
        ("agencies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="case",
            options={"permissions": [("share_case", "Share a case with an agency"),
                                     ("view_case_safeguarding", "See the safeguarding parts of a shared case")]},
        ),
        migrations.RunPython(existing_shares_at_a_level, migrations.RunPython.noop),
    ]
