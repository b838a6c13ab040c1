from django.db import migrations


def mark(apps, schema_editor):
    """The memberships API clients act through are systems, not people: never chosen, invited, told or chased."""
    ApiClient = apps.get_model("api", "ApiClient")
    Membership = apps.get_model("agencies", "Membership")
    Membership.objects.filter(user_id__in=ApiClient.objects.values("user_id")).update(system=True)


def unmark(apps, schema_editor):
    ApiClient = apps.get_model("api", "ApiClient")
    Membership = apps.get_model("agencies", "Membership")
    Membership.objects.filter(user_id__in=ApiClient.objects.values("user_id")).update(system=False)


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0001_api_clients'),
        ('agencies', '0010_membership_system'),
    ]

    operations = [
        migrations.RunPython(mark, unmark),
    ]
