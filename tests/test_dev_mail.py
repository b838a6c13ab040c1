"""Development e-mail (`make run`): each e-mail a file in var/mail/, listed for a signed-in person with DEBUG on."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from config.mail import MailboxBackend, mailbox_read


def test_development_settings_write_e_mail_to_files():
    """`make run` (an http SITE_URL, no EMAIL_BACKEND): e-mail goes to var/mail/, never to the terminal."""
    from config.settings import base

    assert base.MAILERS["default"] == {"BACKEND": "config.mail.MailboxBackend",
                                       "OPTIONS": {"folder": str(base.BASE_DIR / "var" / "mail")}}


def test_the_mailbox_backend_writes_one_file_per_message(tmp_path):
    backend = MailboxBackend(folder=str(tmp_path / "mail"))
    messages = [mail.EmailMessage("Overdue: Case review for MAS-2026-00001", "Open it: http://x/cases/1/",
                                  "from@example.org", [f"person{i}@example.org"]) for i in range(3)]

    assert backend.send_messages(messages) == 3

    read = mailbox_read(tmp_path / "mail")
    assert len(read) == 3
    assert {m["to"] for m in read} == {"person0@example.org", "person1@example.org", "person2@example.org"}
    assert read[0]["subject"] == "Overdue: Case review for MAS-2026-00001"
    assert "http://x/cases/1/" in read[0]["body"]


@pytest.mark.django_db
def test_the_e_mails_page_lists_and_opens_them_only_with_debug_on(tmp_path, login, lado_officer):
    folder = tmp_path / "mail"
    MailboxBackend(folder=str(folder)).send_messages([mail.EmailMessage(
        "Reminder: Initial discussion for MAS-2026-00007 is due soon", "Open it: http://127.0.0.1:8000/x/",
        "from@example.org", [lado_officer.email]), mail.EmailMessage(
        "Overdue: Case review for MAS-2026-00009", "Open it: http://127.0.0.1:8000/y/", "from@example.org",
        ["someone.else@example.org"])])
    client = login(lado_officer)
    with override_settings(DEV_MAIL_DIR=folder, DEBUG=True):
        listing = client.get(reverse("dev_mail"))
        assert listing.status_code == 200
        page = listing.content.decode()
        assert "Reminder: Initial discussion for MAS-2026-00007 is due soon" in page
        assert "MAS-2026-00009" not in page  # someone else's e-mail
        name = next(m["name"] for m in mailbox_read(folder) if "00007" in m["subject"])
        opened = client.get(reverse("dev_mail_message", args=[name]))
        assert opened.status_code == 200
        assert 'href="http://127.0.0.1:8000/x/"' in opened.content.decode()
        assert client.get(reverse("dev_mail_message", args=["..%2F..%2Fetc%2Fpasswd"])).status_code == 404  # only listed names
    with override_settings(DEV_MAIL_DIR=folder, DEBUG=False):
        assert client.get(reverse("dev_mail")).status_code == 404
        assert client.get(reverse("dev_mail_message", args=[name])).status_code == 404
