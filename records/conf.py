"""The records app's settings, with their defaults (set DOCUMENT_ROOT / DOCUMENT_MAX_SIZE in settings or the
environment to change them)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def document_root() -> Path:
    """Where uploaded documents are kept: under MEDIA_ROOT by default, outside the static files and behind no
    URL of their own (records.views.document_download checks who may read one, and logs it)."""
    configured = getattr(settings, "DOCUMENT_ROOT", None) or os.environ.get("DOCUMENT_ROOT")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "documents"


def document_max_size() -> int:
    """The largest file accepted, in bytes (20 MB unless set)."""
    configured = getattr(settings, "DOCUMENT_MAX_SIZE", None) or os.environ.get("DOCUMENT_MAX_SIZE")
    return int(configured) if configured else 20 * 1024 * 1024
