from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self) -> None:
        from . import deadline_about, receivers

        receivers.connect()
        deadline_about.register()  # how the statutory clock chases a provider concern's deadlines
