from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"

    def ready(self) -> None:
        from allegations.outcomes import register_retention

        from . import retention

        register_retention(retention.retention_of)  # the retention date follows the outcome (issue 16 §4)
