from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self) -> None:
        from allegations.pages import MY_WORK, OUR_ACTIONS, TRIAGE_QUEUE, register_page_part
        from meetings.services import register_meeting_suggestions, register_meeting_timeline

        from . import receivers, selectors, services

        receivers.connect()
        # A serious concerns meeting's events go on its provider concern's timeline (meetings imports no providers).
        register_meeting_timeline(services.concern_meeting_event_record)
        # Who to invite to a serious concerns meeting (001).
        register_meeting_suggestions(services.concern_meeting_suggestions)
        # The prompt to consider the process, and the concerns' deadlines, on allegations' pages.
        register_page_part(TRIAGE_QUEUE, selectors.triage_queue_part, selectors.prompts_cache_keys)
        register_page_part(MY_WORK, selectors.my_work_part, selectors.prompts_cache_keys)
        # "Our actions": the action plan items the agency is responsible for.
        register_page_part(OUR_ACTIONS, selectors.our_actions_part)
        from . import deadline_about

        deadline_about.register()  # how the statutory clock chases a provider concern's deadlines
