from django.apps import AppConfig


class LowLevelConfig(AppConfig):
    name = "lowlevel"
    verbose_name = "Low-level concerns"

    def ready(self) -> None:
        from allegations.pages import MY_WORK, TRIAGE_QUEUE, register_page_part

        from . import receivers, selectors

        receivers.connect()
        # The prompt when concerns about one person form a pattern, on the LADO service's pages (as providers').
        register_page_part(TRIAGE_QUEUE, selectors.page_part, selectors.prompts_cache_keys)
        register_page_part(MY_WORK, selectors.page_part, selectors.prompts_cache_keys)
