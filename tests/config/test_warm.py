"""A worker loads the URLconf when it starts, not in the first sweep it runs (config.warm, issue 19)."""

from celery.signals import worker_init
from django.urls import clear_url_caches, get_resolver, reverse

from config.celery import app
from config.warm import urls_load


def test_urls_load_builds_what_reverse_reads():
    clear_url_caches()
    resolver = get_resolver()
    assert not resolver._populated  # a fresh process: nothing built until the first reverse()
    urls_load()
    assert get_resolver() is resolver and resolver._populated
    assert "allegations" in resolver.namespace_dict
    assert reverse("allegations:team")  # read from what was built


def test_a_worker_starting_loads_the_urlconf_before_it_forks():
    clear_url_caches()
    assert not get_resolver()._populated
    worker_init.send(sender=None, app=app)  # what `celery worker` sends in its first process, before the pool
    assert get_resolver()._populated
