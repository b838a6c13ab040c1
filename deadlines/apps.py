from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    """The statutory clock (deadlines.md): spans and working days, opening and meeting, waiving,
    the chasing sweep and its notices, the clock in words."""

    name = "deadlines"
    verbose_name = "Deadlines"
