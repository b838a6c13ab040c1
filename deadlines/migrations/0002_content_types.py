# The content types of the moved models (deadlines 0001) are renamed rather than made anew, so what
# points at them by content type keeps pointing at them: the model permissions (auth.Permission,
# and through them groups' and guardian's rows), the admin log, anything generic.

from django.db import migrations

MODELS = ("deadline", "historicaldeadline")


def rename(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue  # already there (made by a migrate that ran before this one): leave both as they are
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor, "allegations", "deadlines")


def backwards(apps, schema_editor):
    rename(apps, schema_editor, "deadlines", "allegations")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
