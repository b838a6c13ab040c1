from django.apps import AppConfig


class AllegationsConfig(AppConfig):
    name = "allegations"
    verbose_name = "Referrals and cases"

    def ready(self) -> None:
        from . import deadline_about

        deadline_about.register()  # how the statutory clock chases a referral's deadlines
