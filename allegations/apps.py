from django.apps import AppConfig


class AllegationsConfig(AppConfig):
    name = "allegations"
    verbose_name = "Referrals and cases"

    def ready(self) -> None:
        from config.jinja2 import register_global
        from records import parents

        from . import querysets, selectors, services, wording

        # ``{% set w = wording(referral.workforce) %}``: children's or adults' (PiPoT) words (wording.py);
        # ``{{ for_workforce(case.get_route_display(), referral.workforce) }}``: "the LADO" becomes "the PiPoT lead".
        register_global("wording", wording.wording)
        register_global("for_workforce", wording.adapt)
        # Documents of referrals and cases (records imports no app above it: records/parents.py).
        parents.register(
            referral_get=selectors.referral_get,
            case_get=selectors.case_get,
            visible_documents=selectors.visible_documents,
            hidden_referral_ids=querysets.hidden_referral_ids,
            event_record=services.event_record,
        )

        from . import deadline_about

        deadline_about.register()  # how the statutory clock chases a referral's deadlines
