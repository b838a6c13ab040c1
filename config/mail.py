"""Development e-mail: each message written as one .eml file in a folder (var/mail/ for `make run`).

A person trying the demo opens the link-only e-mails from the "E-mails sent" page (DEBUG only,
config.views.dev_mail), instead of having them dumped into the terminal. Production sends by SMTP.
"""

from __future__ import annotations

import uuid
from email import message_from_bytes, policy
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class MailboxBackend(BaseEmailBackend):
    """Writes every message as `<UTC time>-<random>.eml` in OPTIONS["folder"]."""

    def __init__(self, *, folder: str, **kwargs):
        super().__init__(**kwargs)
        self.folder = Path(folder)

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S.%f")
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
            sent += 1
        return sent


def mailbox_read(folder: Path, *, limit: int = 200) -> list[dict]:
    """The newest messages in a mailbox folder: name, date, to, subject and the plain text body."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        found.append({
            "name": path.stem, "date": parsed["Date"], "to": parsed["To"], "subject": parsed["Subject"],
            "body": body.get_content() if body is not None else "",
        })
    return found
