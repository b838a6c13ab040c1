import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("managing_allegations")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def urls_load_before_forking(**kwargs):
    """The URLconf loaded once in the worker's first process, before it forks the others (config.warm): the
    first sweep a worker runs does not wait for it, and its processes share it."""
    from django.apps import apps

    if apps.ready:
        from config.warm import urls_load

        urls_load()
