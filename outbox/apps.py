from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"

    def ready(self):
        # Each app registers its handlers in its tasks module (outbox.registry.handler): import them all, so
        # the web process can check a name when it records a message and the worker can run it.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
        from . import notify  # noqa: F401 (its system check: GOV.UK Notify has a template for every kind)
