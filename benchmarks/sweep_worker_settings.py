"""Settings of the Celery worker `chasing_sweep.py` starts for its run as deployed: the test settings, each e-mail
written as a file in BENCH_MAIL_DIR (config.mail.MailboxBackend: the whole message made and written, as SMTP
would make and send it), so that the benchmark can check afterwards that every notice reached its person once."""

import os

from config.settings.test import *  # noqa: F401,F403

MAILERS = {"default": {"BACKEND": "config.mail.MailboxBackend", "OPTIONS": {"folder": os.environ["BENCH_MAIL_DIR"]}}}
# What the worker hands over itself (each batch's e-mails) goes to its own queue, not to the default one.
CELERY_TASK_DEFAULT_QUEUE = os.environ["BENCH_SWEEP_QUEUE"]
