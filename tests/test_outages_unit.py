"""What keeps working when Redis or PostgreSQL is away (issue 14 §2, §3), piece by piece. The whole, with
real servers stopped and restarted, is tests/faults/test_outages.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import OperationalError, connection
from django.test import RequestFactory

from config.cache import SoftRedisCache
from config.errors import server_error


def test_sign_in_limits_and_used_codes_are_kept_in_postgresql_not_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert not any("redis" in c["BACKEND"].lower() and c.get("LOCATION") == settings.CELERY_BROKER_URL
                   for c in settings.CACHES.values())


@pytest.mark.django_db
def test_a_failed_sign_in_is_counted_in_the_database_cache(client, lado_officer):
    response = client.post("/accounts/login/", {"login": lado_officer.username, "password": "wrong-password-1"})
    assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_cache")
        assert cursor.fetchone()[0] >= 1  # allauth's rate-limit record, in PostgreSQL
    assert cache.get("nothing-here") is None


def test_optional_redis_caching_is_skipped_when_redis_cannot_be_reached():
    unreachable = SoftRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    assert unreachable.get("key", "fallback") == "fallback"
    assert unreachable.get("key") is None
    unreachable.set("key", "value")  # dropped, no error
    assert unreachable.add("key", "value") is False
    assert unreachable.get_many(["a", "b"]) == {}
    unreachable.delete("key")


def test_the_cache_and_celery_may_not_share_a_redis_database():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "REDIS_URL": "redis://127.0.0.1:6379/3",
           "REDIS_CACHE_URL": "redis://127.0.0.1:6379/3"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "REDIS_CACHE_URL must name another Redis database" in result.stderr
    env["REDIS_CACHE_URL"] = "redis://127.0.0.1:6379/4"
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                             "print(settings.CACHES['redis']['LOCATION'])"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "redis://127.0.0.1:6379/4"


def test_connections_are_checked_before_reuse():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
def test_a_request_that_meets_the_database_away_gets_the_try_again_page(django_assert_num_queries):
    request = RequestFactory().get("/cases/")
    with django_assert_num_queries(0):  # the page needs no database: no user, no navigation
        try:
            raise OperationalError("connection to server failed")
        except OperationalError:
            response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    html = response.content.decode()
    assert "Sorry, the service is unavailable" in html and "try again" in html
    assert 'class="govuk-template"' in html  # the site's layout
    assert "Signed in as" not in html


def test_any_other_error_is_still_the_500_page():
    request = RequestFactory().get("/cases/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500


def test_the_redis_cache_alias_is_absent_unless_asked_for():
    assert "redis" not in settings.CACHES or settings.CACHES["redis"]["LOCATION"] != settings.CELERY_BROKER_URL
    assert caches["default"] is not None
