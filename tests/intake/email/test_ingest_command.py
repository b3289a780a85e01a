"""`ombuds ingest-email` imports .eml files, mbox files and Maildir folders: each message
once, however often it runs, with progress and a summary of what became of them."""

from __future__ import annotations

import io
import mailbox
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ombuds.conversations.models import Message
from ombuds.intake.models import InboundMessage, InboundStatus

from .mailroom import sample


def run(*args) -> str:
    out = io.StringIO()
    call_command("ingest-email", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def archive(tmp_path) -> Path:
    """An export as people hand it over: a Maildir with a subfolder, an mbox file, and a
    folder of .eml files (and a file that is not mail)."""
    tmp_path = tmp_path / "export"
    tmp_path.mkdir()
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    maildir.add(sample("gmail_first.eml"))
    maildir.add(sample("gmail_reply.eml"))
    maildir.add_folder("Archive").add(sample("latin1_8bit.eml"))
    box = mailbox.mbox(str(tmp_path / "support.mbox"))
    for name in ("list_mail.eml", "no_from.eml", "dsn_exchange.eml", "shift_jis.eml"):
        box.add(sample(name))
    box.flush()
    box.close()
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "a.eml").write_bytes(sample("winmail.eml"))
    (loose / "b.eml").write_bytes(sample("forwarded_attached.eml"))
    (loose / "notes.txt").write_text("not mail")
    (loose / "README").write_text("not mail either")
    return tmp_path


def test_an_archive_is_imported_and_summarised(mail_workspace, archive):
    out = run(
        "--workspace",
        "resale",
        str(archive / "Maildir"),
        str(archive / "support.mbox"),
        str(archive / "loose"),
        str(archive / "loose" / "a.eml"),
    )

    assert InboundMessage.objects.count() == 9
    assert "Imported 10 messages" in out
    assert "6 filed, 1 duplicates" in out
    assert "3 ignored (" in out
    for reason in ("bulk 1", "no_sender 1", "bounce 1"):
        assert reason in out
    assert "0 rejected." in out
    first = Message.objects.get(external_id="<CAFfirst0001@mail.gmail.com>")
    reply = Message.objects.get(external_id="<CAFreply0002+abc@mail.gmail.com>")
    assert reply.case_id == first.case_id  # the Maildir's reply found its case
    sources = set(InboundMessage.objects.values_list("source", flat=True))
    assert "file:support.mbox#4" in sources and "file:a.eml" in sources


def test_running_it_again_imports_nothing_twice(mail_workspace, archive):
    run("--workspace", "resale", str(archive))
    messages = Message.objects.count()

    out = run("--workspace", "resale", str(archive))

    assert Message.objects.count() == messages
    assert "0 filed, 9 duplicates" in out


def test_a_message_stored_but_not_processed_is_finished_on_the_next_run(mail_workspace, archive):
    run("--workspace", "resale", str(archive / "loose" / "a.eml"))
    InboundMessage.objects.update(status=InboundStatus.PENDING, message=None)
    Message.objects.all().delete()

    out = run("--workspace", "resale", str(archive / "loose" / "a.eml"))

    assert "1 filed, 0 duplicates" in out
    assert Message.objects.count() == 1


def test_long_imports_report_progress(mail_workspace, archive):
    out = run("--workspace", "resale", "--progress-every", "3", str(archive))
    progress = [line for line in out.splitlines() if line.startswith("  ")]
    assert [line.split(" messages")[0].strip() for line in progress] == ["3", "6", "9"]
    assert all(line.endswith("/s") for line in progress)


def test_a_too_large_email_is_counted_as_rejected(mail_workspace, tmp_path, settings):
    settings.OMBUDS_MAX_INBOUND_BYTES = 500
    (tmp_path / "big.eml").write_bytes(sample("utf8_rfc2047_rfc2231.eml"))
    out = run("--workspace", "resale", str(tmp_path / "big.eml"))
    assert "1 rejected (payload_too_large 1)" in out


def test_an_unknown_workspace_is_refused_clearly(mail_workspace, archive):
    with pytest.raises(CommandError, match="No workspace 'nope'"):
        run("--workspace", "nope", str(archive))


def test_a_missing_path_is_refused_before_anything_is_imported(mail_workspace, archive):
    with pytest.raises(CommandError, match=r"No such file or folder: .*missing\.mbox"):
        run("--workspace", "resale", str(archive / "loose"), str(archive / "missing.mbox"))
    assert not InboundMessage.objects.exists()


def test_the_ombuds_command_exits_non_zero_with_the_reason(tmp_path):
    env = {**os.environ, "OMBUDS_DATA_DIR": str(tmp_path), "OMBUDS_TESTING": "1"}
    ombuds = Path(sys.executable).parent / "ombuds"
    done = subprocess.run(
        [ombuds, "ingest-email", "--workspace", "resale", str(tmp_path / "nothing.mbox")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "No such file or folder" in done.stderr and "nothing.mbox" in done.stderr


def test_a_maildir_is_filed_in_delivery_order(mail_workspace, tmp_path):
    # Maildir names carry the delivery time with unpadded microseconds: as text the
    # reply (102,000 µs) sorts before the email it answers (98,000 µs).
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1764693077.M98000P100Q1.host").write_bytes(sample("gmail_first.eml"))
    (maildir / "new" / "1764693077.M102000P100Q2.host").write_bytes(sample("gmail_reply.eml"))

    run("--workspace", "resale", str(maildir))

    first = Message.objects.get(external_id="<CAFfirst0001@mail.gmail.com>")
    reply = Message.objects.get(external_id="<CAFreply0002+abc@mail.gmail.com>")
    assert reply.case_id == first.case_id
    assert first.pk < reply.pk
