"""Test settings: the real PostgreSQL and Redis on this machine, plain static storage."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/managing_allegations")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")

from .base import *  # noqa: E402,F403
from .base import STORAGES  # noqa: E402

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SESSION_COOKIE_SECURE = False
# Documents uploaded by tests go to a directory of their own, not the developer's var/media.
DOCUMENT_ROOT = os.environ.get("DOCUMENT_ROOT") or __import__("tempfile").mkdtemp(prefix="ma-test-documents-")
CSRF_COOKIE_SECURE = False

