"""Test settings for a worker process whose e-mail the test must read: written to files in
TEST_MAIL_DIR (the locmem outbox of another process cannot be seen)."""

import os

from config.settings.test import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["TEST_MAIL_DIR"]},
    }
}
