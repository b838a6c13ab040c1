from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"

    def ready(self) -> None:
        from . import deadline_about

        deadline_about.register()  # an action's deadline: who else its escalation goes to
