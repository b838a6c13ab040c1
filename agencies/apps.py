from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and people"

    def ready(self):
        from outbox.delivery import kinds_register

        from .notices import DIGEST_KIND, NOTICE_KINDS

        # The notices' e-mails and the daily digest: kinds GOV.UK Notify needs a template for (outbox.notify).
        kinds_register(*NOTICE_KINDS, DIGEST_KIND)
