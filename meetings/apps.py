from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"

    def ready(self) -> None:
        from agencies.home import register_place_without_role
        from allegations.pages import CASE_DETAIL, CASE_OVERVIEW, MY_WORK, register_page_part
        from records import parents

        from . import deliveries, my_work, selectors  # noqa: F401 (deliveries registers its outbox hooks)

        register_place_without_role(selectors.guest_home)  # a guest's home is their one meeting
        register_page_part(CASE_DETAIL, selectors.case_page_part)  # the case page lists its meetings
        register_page_part(CASE_OVERVIEW, selectors.case_overview_part)  # its next meeting, the actions it waits on
        register_page_part(MY_WORK, my_work.my_work_part)  # a chair's meetings and minutes, an agency's actions
        # Documents of meetings (records imports no app above it: records/parents.py).
        parents.register(
            meeting_get=selectors.meeting_get,
            meeting_insider=selectors.can_edit_minutes,
            meeting_manager=selectors.can_manage,
            case_lado=selectors.is_case_lado,
        )

        from . import deadline_about

        deadline_about.register()  # an action's deadline: who else its escalation goes to

        from allegations.closing import register_took_part

        from . import took_part

        register_took_part(took_part.agencies_of_case)  # told when the case closes: its meetings' agencies, actions'
