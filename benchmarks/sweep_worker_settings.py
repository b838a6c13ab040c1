"""Settings of the Celery worker `chasing_sweep.py` starts for its run as deployed: the test settings, each e-mail
written as a file in BENCH_MAIL_DIR (config.mail.MailboxBackend: the whole message made and written, as SMTP
would make and send it), so that the benchmark can check afterwards that every notice reached its person once."""

import os

from config.settings.test import *  # noqa: F401,F403

MAILERS = {"default": {"BACKEND": "config.mail.MailboxBackend", "OPTIONS": {"folder": os.environ["BENCH_MAIL_DIR"]}}}
