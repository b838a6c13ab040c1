from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo story (`manage.py seed_demo`), told through every app's services at the story's times.

    The top layer: it may use any app; no app uses it."""

    name = "demo"
    verbose_name = "Demo data"
