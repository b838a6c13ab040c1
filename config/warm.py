"""What a long-running process loads once when it starts, not in its first request or task.

The URLconf is imported and its reverse tables built on the first `reverse()` or request: about 0.6 s here (issue
19: it was an eighth of the first deadline sweep a worker ran). A Celery worker loads it before it forks its
processes (config.celery), and each gunicorn worker as it boots (config.wsgi), so that no one waits for it.
"""

from __future__ import annotations


def urls_load() -> None:
    """Import the URLconf and build what `reverse()` reads (names, namespaces and their apps)."""
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.reverse_dict, resolver.namespace_dict, resolver.app_dict  # noqa: B018 — each is built when first read
