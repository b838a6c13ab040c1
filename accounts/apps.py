from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import receivers

        receivers.connect()
        # allauth's rate limits and used two-factor codes live in the database cache (settings: CACHES): its
        # table is made with every migrate (make run, make test, the containers' start), never forgotten.
        post_migrate.connect(_create_cache_table, sender=self)


def _create_cache_table(sender, using="default", verbosity=1, **kwargs) -> None:
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))
