from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Partner API"

    def ready(self):
        from . import schema  # noqa: F401  the authentication's schema extension registers itself
