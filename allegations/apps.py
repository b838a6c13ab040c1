from django.apps import AppConfig


class AllegationsConfig(AppConfig):
    name = "allegations"
    verbose_name = "Referrals and cases"

    def ready(self) -> None:
        from config.jinja2 import register_global

        from . import wording

        # ``{% set w = wording(referral.workforce) %}``: children's or adults' (PiPoT) words (wording.py);
        # ``{{ for_workforce(case.get_route_display(), referral.workforce) }}``: "the LADO" becomes "the PiPoT lead".
        register_global("wording", wording.wording)
        register_global("for_workforce", wording.adapt)
