"""An upload larger than the documents' limit is dropped while it arrives, not after it is on disk."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from . import conf


class SizeLimitUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts a file's bytes as they arrive and, past the limit, skips the
    rest of it (read and thrown away: nothing reaches memory or a temporary file). The request remembers
    it (`request.upload_too_big`), so the form can say so; the other fields are kept."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > conf.document_max_size():
            self.request.upload_too_big = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file
