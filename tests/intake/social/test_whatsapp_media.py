"""Files customers send on WhatsApp are fetched through the media API when the message
is processed: kept as attachments within the limits, retried when the download fails
for a passing reason, noted in the text when they cannot be kept."""

from __future__ import annotations

from ombuds.conversations.models import Attachment, Message
from ombuds.intake.inbound import MAX_ATTEMPTS, process_pending
from ombuds.intake.models import InboundMessage, InboundStatus

from . import documented as doc
from .platforms import post_signed

JPEG = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 100
AUTH = {"Authorization": "Bearer whatsapp-access-token"}


def media_info(api, media_id: str, *, size: int, mime="image/jpeg", path="/cdn/photo.jpg"):
    return {
        "messaging_product": "whatsapp",
        "url": api.url_for(path),
        "mime_type": mime,
        "sha256": "5f9a3b",
        "file_size": str(size),
        "id": media_id,
    }


def send_image(client, account, *, caption="Damaged on arrival"):
    payload = doc.whatsapp_webhook(
        doc.whatsapp_value(
            messages=[doc.wa_image("wamid.IMG", "1003383421387256", caption=caption)]
        )
    )
    assert post_signed(client, account, payload).status_code == 200


def test_a_photo_is_fetched_with_the_token_and_kept_as_an_attachment(client, api, whatsapp_account):
    api.expect_request("/v26.0/1003383421387256", method="GET", headers=AUTH).respond_with_json(
        media_info(api, "1003383421387256", size=len(JPEG))
    )
    api.expect_request("/cdn/photo.jpg", method="GET", headers=AUTH).respond_with_data(
        JPEG, content_type="image/jpeg"
    )
    send_image(client, whatsapp_account)
    # The webhook only stored the payload; nothing was fetched before processing.
    assert api.log == []
    process_pending()

    message = Message.objects.get()
    assert message.body_text == "Damaged on arrival"
    attachment = Attachment.objects.get(message=message)
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "photo.jpg",
        "image/jpeg",
        len(JPEG),
    )
    with attachment.file.open("rb") as fh:
        assert fh.read() == JPEG


def test_a_photo_over_the_limit_is_not_downloaded_but_noted(
    client, api, whatsapp_account, settings
):
    settings.OMBUDS_MAX_ATTACHMENT_BYTES = 1000
    api.expect_request("/v26.0/1003383421387256", method="GET").respond_with_json(
        media_info(api, "1003383421387256", size=5_000_000)
    )
    send_image(client, whatsapp_account)
    process_pending()

    message = Message.objects.get()
    assert not Attachment.objects.exists()
    assert message.body_text.startswith("Damaged on arrival\n[photo not kept: ")
    assert "over the 1000\xa0bytes limit" in message.body_text
    assert [request.path for request, _ in api.log] == ["/v26.0/1003383421387256"]


def test_a_file_bigger_than_it_said_is_cut_off_and_noted(client, api, whatsapp_account, settings):
    settings.OMBUDS_MAX_ATTACHMENT_BYTES = 100
    api.expect_request("/v26.0/1003383421387256").respond_with_json(
        media_info(api, "1003383421387256", size=50)
    )
    api.expect_request("/cdn/photo.jpg").respond_with_data(JPEG, content_type="image/jpeg")
    send_image(client, whatsapp_account, caption="")
    process_pending()
    message = Message.objects.get()
    assert not Attachment.objects.exists()
    assert "[photo not kept:" in message.body_text


def test_a_failed_download_is_tried_again_and_then_kept(client, api, whatsapp_account):
    api.expect_oneshot_request("/v26.0/1003383421387256").respond_with_json(
        graph_unavailable(), status=503
    )
    send_image(client, whatsapp_account)
    process_pending()
    stored = InboundMessage.objects.get()
    assert (stored.status, stored.attempts) == (InboundStatus.PENDING, 1)
    assert "WhatsApp answered 503" in stored.error
    assert not Message.objects.exists()

    api.expect_request("/v26.0/1003383421387256").respond_with_json(
        media_info(api, "1003383421387256", size=len(JPEG))
    )
    api.expect_request("/cdn/photo.jpg").respond_with_data(JPEG, content_type="image/jpeg")
    process_pending()
    stored.refresh_from_db()
    assert stored.status == InboundStatus.PROCESSED
    assert Attachment.objects.get().size == len(JPEG)


def test_a_download_that_keeps_failing_leaves_the_words_with_a_note(client, api, whatsapp_account):
    api.expect_request("/v26.0/1003383421387256").respond_with_json(graph_unavailable(), status=503)
    send_image(client, whatsapp_account)
    for _ in range(MAX_ATTEMPTS):
        process_pending()
    stored = InboundMessage.objects.get()
    assert stored.status == InboundStatus.PROCESSED
    assert stored.message.body_text == (
        "Damaged on arrival\n[photo not kept: it could not be downloaded]"
    )


def test_expired_media_is_noted_at_once(client, api, whatsapp_account):
    api.expect_request("/v26.0/1003383421387256").respond_with_json(
        doc.graph_error(100, "Invalid parameter"), status=400
    )
    send_image(client, whatsapp_account, caption="")
    process_pending()
    assert Message.objects.get().body_text == "[photo not kept: the platform no longer has it]"


def test_a_voice_note_is_kept_as_an_ogg_file(client, api, whatsapp_account):
    ogg = b"OggS" + b"\x00" * 200
    api.expect_request("/v26.0/7001").respond_with_json(
        media_info(api, "7001", size=len(ogg), mime="audio/ogg; codecs=opus", path="/cdn/voice")
    )
    api.expect_request("/cdn/voice").respond_with_data(ogg, content_type="audio/ogg")
    payload = doc.whatsapp_webhook(doc.whatsapp_value(messages=[doc.wa_voice("wamid.V", "7001")]))
    post_signed(client, whatsapp_account, payload)
    process_pending()
    message = Message.objects.get()
    assert message.body_text == "(voice message)"
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("voice-message.ogg", "audio/ogg")


def test_a_document_of_a_refused_type_is_noted_not_kept(client, api, whatsapp_account):
    api.expect_request("/v26.0/8001").respond_with_json(
        media_info(api, "8001", size=10, mime="application/x-msdownload", path="/cdn/doc")
    )
    api.expect_request("/cdn/doc").respond_with_data(b"MZ" + b"\x00" * 8)
    document = {
        "from": doc.WA_ID,
        "id": "wamid.DOC",
        "timestamp": "1749416383",
        "type": "document",
        "document": {
            "filename": "invoice.exe",
            "mime_type": "application/x-msdownload",
            "id": "8001",
        },
    }
    post_signed(
        client, whatsapp_account, doc.whatsapp_webhook(doc.whatsapp_value(messages=[document]))
    )
    process_pending()
    message = Message.objects.get()
    assert not message.attachments.exists()
    assert message.body_text == "[document not kept: Files like invoice.exe cannot be attached.]"


def graph_unavailable() -> dict:
    return doc.graph_error(2, "Service temporarily unavailable")
