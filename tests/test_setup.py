"""The set-up that `make run` and CI rely on."""

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
def test_ci_runs_on_postgresql():
    if os.environ.get("REQUIRE_POSTGRES"):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor in {"postgresql", "sqlite"}
    assert sys.version_info >= (3, 12)
