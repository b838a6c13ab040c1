from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"

    def ready(self) -> None:
        from agencies.home import register_place_without_role

        from . import selectors

        register_place_without_role(selectors.guest_home)  # a guest's home is their one meeting
