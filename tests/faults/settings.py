"""Settings of the fault test's processes (web server, worker, beat, setup): the test settings, e-mail
written to files in TEST_MAIL_DIR (another process's locmem outbox cannot be seen), the product's own
error pages (DEBUG off)."""

import os

from config.settings.test import *  # noqa: F403

DEBUG = False
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["TEST_MAIL_DIR"]},
    }
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
