from django.apps import AppConfig


class AllegationsConfig(AppConfig):
    name = "allegations"
    verbose_name = "Referrals and cases"
