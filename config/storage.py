"""Private file storage: files kept under MEDIA_ROOT, outside the static files, with no URL.

A file leaves only through a view that checks the reader and logs the download (minutes PDFs,
annual report PDFs). The folder is read when first used, so tests can point MEDIA_ROOT elsewhere.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    def __init__(self, folder: str, what: str):
        self.folder, self.what = folder, what
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, self.folder)

    def url(self, name):
        raise ValueError(f"{self.what} have no public URL: use the download view.")
