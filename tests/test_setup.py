"""The set-up that `make run` and CI rely on."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def test_collectstatic_succeeds_with_the_production_manifest_storage(tmp_path):
    """`make run` and the web container run collectstatic with hashed, compressed names."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "govuk/app.css" in manifest
    assert "govuk/govuk-frontend.min.js" in manifest


def test_find_python_returns_a_python_of_at_least_3_12():
    found = subprocess.run([str(ROOT / "scripts" / "find-python")], capture_output=True, text=True, check=True)
    version = subprocess.run([found.stdout.strip(), "-c", "import sys; print(sys.version_info[:2] >= (3, 12))"],
                             capture_output=True, text=True, check=True)
    assert version.stdout.strip() == "True"


@pytest.mark.django_db
def test_the_tests_run_on_postgresql():
    assert connection.vendor == "postgresql"
    assert sys.version_info >= (3, 12)


def _manage(args, **env_vars):
    """Run manage.py with only these environment variables (no development .env)."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DJANGO_DOTENV": "/nonexistent/.env",
           "DJANGO_SETTINGS_MODULE": "config.settings.base", **env_vars}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], capture_output=True, text=True, env=env, cwd=ROOT)


PRODUCTION = {
    "DJANGO_SECRET_KEY": "p" * 20 + "-production-secret-with-enough-unique-characters-0123456789",
    "SITE_URL": "https://allegations.example.org",
    "DJANGO_ALLOWED_HOSTS": "allegations.example.org",
    "BEHIND_TLS_PROXY": "true",
    "DATABASE_URL": "postgres://managing_allegations@db:5432/managing_allegations",
}


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_have_hsts_https_redirect_secure_cookies_and_smtp():
    code = ("from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.MAILERS['default']['BACKEND'], s.DEBUG, 'script-src' in s.SECURE_CSP)")
    result = _manage(["shell", "--verbosity", "0", "-c", code], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True", "django.core.mail.backends.smtp.EmailBackend",
                                     "False", "True"]


def test_gov_uk_notify_is_chosen_by_settings_and_the_check_names_each_kind_without_a_template(tmp_path):
    """EMAIL_BACKEND chooses GOV.UK Notify; its key is a secret (here from a file); `check` refuses to pass while a
    kind of e-mail has no template, and passes once every kind has one."""
    key_file = tmp_path / "notify_key"
    key_file.write_text("live-" + "1" * 36 + "-" + "2" * 36 + "\n")
    notify = {**PRODUCTION, "EMAIL_BACKEND": "outbox.notify.NotifyBackend", "NOTIFY_API_KEY_FILE": str(key_file),
              "NOTIFY_TEMPLATES": '{"referral_received": "t-1"}'}
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], **notify)
    assert result.returncode != 0
    assert "outbox.E002" in result.stderr and "deadline_overdue" in result.stderr and "digest" in result.stderr
    assert "referral_received," not in result.stderr

    code = ("import json; from django.conf import settings as s; from outbox.delivery import kinds; "
            "m = s.MAILERS['default']; print(m['BACKEND'], m['OPTIONS']['api_key'][-3:], json.dumps(kinds()))")
    shown = _manage(["shell", "--verbosity", "0", "-c", code], **notify)
    assert shown.returncode == 0, shown.stderr
    backend, key_end, every_kind = shown.stdout.split(" ", 2)
    assert (backend, key_end) == ("outbox.notify.NotifyBackend", "222")
    templates = json.dumps({kind: f"t-{n}" for n, kind in enumerate(json.loads(every_kind))})
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], **{**notify, "NOTIFY_TEMPLATES": templates})
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage(["check"], **env)
    assert result.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable" in result.stderr


@pytest.mark.parametrize(
    ("database_url", "message"),
    [
        ("", "DATABASE_URL is not set: use `make run`"),
        ("sqlite:////tmp/db.sqlite3", "DATABASE_URL must be a PostgreSQL database"),
        ("mysql://root@127.0.0.1:3306/test", "DATABASE_URL must be a PostgreSQL database"),
    ],
    ids=["unset", "sqlite", "mysql"],
)
def test_only_postgresql_is_accepted_with_a_one_line_message(database_url, message):
    """One database engine: anything but PostgreSQL is refused at start, saying what to do."""
    result = _manage(["check"], DJANGO_SECRET_KEY="x" * 50, DATABASE_URL=database_url)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert message in last_line


def test_a_socket_directory_is_a_database_host():
    """The private server of `make run` listens on a socket in var/postgres (postgres://user@%2Fpath/name)."""
    result = _manage(["shell", "--verbosity", "0", "-c", "from django.conf import settings; print(settings.DATABASES['default']['HOST'])"],
                     DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://postgres@%2Fwork%2Fvar%2Fpostgres/managing_allegations")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "/work/var/postgres"

