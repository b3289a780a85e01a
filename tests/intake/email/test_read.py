"""Email as mail programs send it becomes a message: every charset, the real file names,
text and HTML, forwarded mail, inline images, and broken mail read as well as it can be."""

import pytest

from ombuds.conversations.models import Attachment
from ombuds.intake.email.read import external_id_of
from ombuds.intake.models import InboundStatus

from .mailroom import ingest, sample

SHIFT_JIS_TEXT = "先週購入したチケットがまだ届いていません"


@pytest.mark.parametrize(
    ("name", "subject", "sender", "text"),
    [
        (
            "latin1_8bit.eml",
            "Problème de réservation à l'hôtel",
            "François Léger",
            "L'hôtel a annulé ma réservation",
        ),
        ("windows1252_qp.eml", "Refund of €49 – “urgent”", "Pat O'Neil", "it’s “being handled”"),
        ("shift_jis.eml", "チケットが届きません", "山田太郎", SHIFT_JIS_TEXT),
        (
            "utf8_rfc2047_rfc2231.eml",
            "Factuur voor bestelling — ééé 🎫",
            "Åssa Lindén",
            "Bifogar fakturan",
        ),
        ("wrong_charset.eml", "Café au lait", "René", "La réservation n'apparaît pas."),
    ],
)
def test_every_charset_reads_as_the_sender_wrote_it(mail_workspace, name, subject, sender, text):
    inbound = ingest(mail_workspace, sample(name))

    assert inbound.status == InboundStatus.PROCESSED, inbound.error
    message = inbound.message
    assert message.case.subject == subject
    assert message.case.requester.name == sender
    assert text in message.body_text


def test_an_unknown_declared_charset_falls_back_instead_of_failing(mail_workspace):
    message = ingest(mail_workspace, sample("wrong_charset.eml")).message
    # The second part claims "x-mac-klingon": its Latin-1 bytes are still read.
    assert "Deuxième partie." in message.body_text


def test_attachments_keep_their_real_names_from_rfc2231_and_rfc2047(mail_workspace):
    message = ingest(mail_workspace, sample("utf8_rfc2047_rfc2231.eml")).message
    names = sorted(a.filename for a in message.attachments.all())
    assert names == ["Faktura € 49 – Lindén.pdf", "Kvitto för köp.pdf"]
    assert {a.content_type for a in message.attachments.all()} == {"application/pdf"}


def test_html_only_mail_gets_readable_text_and_a_sanitized_rendering(mail_workspace):
    message = ingest(mail_workspace, sample("html_only.eml")).message
    assert message.body_text == (
        "Hello,\n\nWhen will my order ORD-7731 be delivered?\n\n"
        "- Ordered on Monday\n- Paid by iDEAL\n\nThanks!"
    )
    assert "<b>ORD-7731</b>" in message.body_html
    assert "<script" not in message.body_html and "alert" not in message.body_text
    assert "color: red" not in message.body_text


def test_multipart_alternative_keeps_text_and_html(mail_workspace):
    message = ingest(mail_workspace, sample("gmail_first.eml")).message
    assert message.body_text == "Hello, my tickets for Saturday have not been transferred yet."
    assert "<b>not</b>" in message.body_html


def test_winmail_dat_is_kept_as_an_attachment(mail_workspace):
    message = ingest(mail_workspace, sample("winmail.eml")).message
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("winmail.dat", "application/ms-tnef")
    assert attachment.file.read().startswith(b"\x78\x9f\x3e\x22")
    assert message.body_text == "Zie de bijlage voor de factuur."


def test_a_forwarded_email_is_kept_as_eml_and_its_text_is_readable(mail_workspace):
    message = ingest(mail_workspace, sample("forwarded_attached.eml")).message

    eml = message.attachments.get()
    assert (eml.filename, eml.content_type) == ("Your order 7731.eml", "message/rfc822")
    assert b"Message-ID: <seller-7731@tickets.example>" in eml.file.read()
    assert message.body_text.startswith("See below what the seller wrote to me.")
    assert "From: Sam Seller <sam@tickets.example>" in message.body_text
    assert "I can only send the tickets after the concert date" in message.body_text
    assert message.meta["forwarded"] == [
        {"subject": "Your order 7731", "from": "Sam Seller <sam@tickets.example>"}
    ]


def test_an_inline_forward_is_never_cut(mail_workspace):
    message = ingest(mail_workspace, sample("forwarded_inline.eml")).message
    assert "we regret to inform you that your booking BK-2 has been cancelled" in message.body_text
    assert "Can I check in early?" in message.body_text
    assert "quote_stripped" not in message.meta


def test_an_inline_image_is_stored_and_mapped_by_content_id(mail_workspace):
    message = ingest(mail_workspace, sample("inline_image.eml")).message

    image = message.attachments.get()
    assert (image.filename, image.content_type) == ("parcel.png", "image/png")
    assert message.meta["inline_images"] == {"parcel.1@example.com": image.sha256}
    # Stored sanitized: our own inline image survives as cid:, the tracking pixel does not.
    assert '<img src="cid:parcel.1@example.com">' in message.body_html
    assert "tracker.example" not in message.body_html


def test_broken_mail_is_read_as_well_as_it_can_be(mail_workspace):
    raw = sample("broken_truncated.eml")
    inbound = ingest(mail_workspace, raw)

    assert inbound.status == InboundStatus.PROCESSED, inbound.error
    assert inbound.external_id == external_id_of(raw) and inbound.external_id.startswith("sha256:")
    assert inbound.message.external_id == inbound.external_id
    assert "the text is here" in inbound.message.body_text
    assert "sent_at" not in inbound.message.meta  # the date was garbage
    assert Attachment.objects.filter(message=inbound.message, filename="cut.pdf").exists()


def test_mail_without_a_sender_is_set_aside_saying_so(mail_workspace):
    inbound = ingest(mail_workspace, sample("no_from.eml"))
    assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "no_sender")
    assert inbound.message is None


def test_the_raw_original_stays_with_the_message(mail_workspace):
    raw = sample("outlook_reply.eml")
    inbound = ingest(mail_workspace, raw)
    assert bytes(inbound.raw) == raw
    assert inbound.message.meta["original"] == "eml"
    assert inbound.message.meta["to"] == ["support@resale.test"]
    assert "cc" not in inbound.message.meta


def test_a_blocked_file_type_is_left_out_of_the_case_not_the_whole_email(mail_workspace):
    raw = (
        b"From: ann@example.com\nTo: support@resale.test\nSubject: Invoice\n"
        b"Message-ID: <blocked-1@example.com>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nMy invoice, as a page.\n"
        b'--b\nContent-Type: text/html; name="invoice.html"\n'
        b'Content-Disposition: attachment; filename="invoice.html"\n\n<script>x</script>\n'
        b'--b\nContent-Type: application/pdf; name="invoice.pdf"\n\n%PDF-1.4\n--b--\n'
    )
    message = ingest(mail_workspace, raw).message
    assert [a.filename for a in message.attachments.all()] == ["invoice.pdf"]
    assert message.meta["dropped_attachments"] == ["invoice.html"]


def test_text_longer_than_a_message_holds_is_cut_with_a_note(mail_workspace, settings):
    settings.OMBUDS_MAX_MESSAGE_CHARS = 500
    raw = b"From: ann@example.com\nSubject: Long\nMessage-ID: <long@x>\n\n" + b"word " * 400
    message = ingest(mail_workspace, raw).message
    assert len(message.body_text) <= 500
    assert message.body_text.endswith("download the original email for all of it.")
    assert message.meta["truncated"] is True


def test_a_very_long_sender_name_is_kept_as_far_as_it_fits(mail_workspace):
    name = "Anne-Marie " + "van der Berg-" * 14  # 193 characters
    raw = (
        f"From: {name} <anne@example.com>\nSubject: Hello\nMessage-ID: <long-name@x>\n\nHi\n"
    ).encode()
    inbound = ingest(mail_workspace, raw)
    assert inbound.status == InboundStatus.PROCESSED, inbound.error
    assert inbound.message.case.requester.name == name.strip()[:200]
