from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"

    def ready(self) -> None:
        from . import append_only

        append_only.register()  # the access log and the history tables: append-only (append_only.py)
