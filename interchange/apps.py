from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Importing and exporting cases with their meetings and deadlines (`import_cases`, `export_cases`).
    It uses allegations and meetings, so it sits in the top layer (pyproject.toml [tool.importlinter])."""

    name = "interchange"
    verbose_name = "Importing and exporting cases"

    def ready(self):
        # A transfer's handover bundle is a PDF and this app's export line (allegations.transfers).
        from allegations.transfers import bundle_register

        from .handover import bundle

        bundle_register(bundle)
