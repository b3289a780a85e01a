"""WhatsApp Business (Cloud API): the webhook's messages and statuses, media, replies.

A webhook call carries `entry[].changes[].value` objects, each naming the business
phone number (`metadata.phone_number_id`, our `ChannelAccount.account_id`) with
`messages[]` from customers and `statuses[]` about our replies. Each message and each
status is stored as its own row: the `value` cut down to that one item.

Replies go to `POST /{phone-number-id}/messages`. WhatsApp only takes free-form
messages within 24 hours of the customer's last message; outside that window it refuses
with error 131047, which fails the delivery for good with a sentence saying so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from django.utils import timezone

from ombuds.conversations.models import Attachment, Case, Channel, Delivery
from ombuds.core.transports import PermanentFailure, Sent

from ..identity import Identity
from ..incoming import Incoming, Skip
from ..models import ChannelAccount, InboundMessage
from .http import (
    Downloaded,
    MediaTooLarge,
    MediaUnavailable,
    base_url,
    body_of,
    call,
    download,
    refusal,
)
from .outbound import account_for, answered_message, last_inbound, send_in_parts, split_text
from .reading import Item, Media, account_of, from_timestamp, location_text, payload_of
from .receipts import record_receipt

CHANNEL = Channel.WHATSAPP
PLATFORM = "WhatsApp"
# The Graph API version replies and media calls use unless an account says otherwise.
GRAPH_API = "https://graph.facebook.com/v26.0"
TEXT_LIMIT = 4096
SERVICE_WINDOW = timedelta(hours=24)
WINDOW_CLOSED = 131047
# Meta's codes for "not now": rate limits, throughput, temporary unavailability.
RETRY_CODES = frozenset(
    {1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131048, 131056, 133004}
)
MEDIA_LABELS = {
    "image": "photo",
    "video": "video",
    "audio": "audio",
    "document": "document",
    "sticker": "sticker",
}
# What WhatsApp shows as a picture; other files go as documents, with their name.
IMAGE_TYPES = ("image/jpeg", "image/png")
WINDOW_CLOSED_TEXT = (
    "WhatsApp refused the reply: the customer last wrote more than 24 hours ago, so the "
    "customer-service window is closed and only an approved template message can reach "
    f"them now (error {WINDOW_CLOSED})."
)


# -- webhook ------------------------------------------------------------------------


def split_webhook(payload: dict) -> list[Item]:
    """One item per message and per status, each keeping its value's metadata and the
    contact who sent it."""
    if payload.get("object") != "whatsapp_business_account":
        return []
    items = []
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            if change.get("field") != "messages":
                continue
            value = change.get("value") or {}
            metadata = value.get("metadata") or {}
            account_id = str(metadata.get("phone_number_id") or "")
            contacts = value.get("contacts") or []
            for message in value.get("messages") or []:
                if not message.get("id"):
                    continue
                sender = str(message.get("from") or "")
                contact = [c for c in contacts if str(c.get("wa_id")) == sender] or contacts[:1]
                cut = {
                    "messaging_product": "whatsapp",
                    "metadata": metadata,
                    "contacts": contact,
                    "messages": [message],
                }
                items.append(Item(account_id, str(message["id"]), cut))
            for status in value.get("statuses") or []:
                if not status.get("id") or not status.get("status"):
                    continue
                cut = {"messaging_product": "whatsapp", "metadata": metadata, "statuses": [status]}
                items.append(Item(account_id, f"{status['id']}:{status['status']}", cut))
    return items


# -- reading ------------------------------------------------------------------------


def read_whatsapp(inbound: InboundMessage) -> Incoming | Skip:
    """A customer's WhatsApp message as a message for a case; a status as a receipt on
    our reply."""
    value = payload_of(inbound)
    account_id = str((value.get("metadata") or {}).get("phone_number_id") or "")
    if statuses := value.get("statuses"):
        return _read_status(inbound, statuses[0])
    messages = value.get("messages") or []
    if not messages:
        return Skip("empty", "The payload holds no message.")
    message = messages[0]
    contact = next(iter(value.get("contacts") or []), {})
    wa_id = str(message.get("from") or contact.get("wa_id") or "")
    if not wa_id:
        return Skip("no_sender", "The message names no sender.")
    name = str((contact.get("profile") or {}).get("name") or "")
    kind = str(message.get("type") or "")
    meta: dict = {"account": account_id, "wa_id": wa_id, "whatsapp_type": kind}
    if name:
        meta["profile_name"] = name
    context = message.get("context") or {}
    answers = (str(context["id"]),) if context.get("id") else ()
    if context.get("forwarded") or context.get("frequently_forwarded"):
        meta["forwarded"] = True
    if message.get("referral"):
        meta["referral"] = message["referral"]

    media = Media(inbound)
    text, placeholder = "", ""
    if kind == "text":
        text = str((message.get("text") or {}).get("body") or "")
    elif kind in MEDIA_LABELS:
        part = message.get(kind) or {}
        label = "voice message" if kind == "audio" and part.get("voice") else MEDIA_LABELS[kind]
        text = str(part.get("caption") or "")
        placeholder = f"({label})"
        _take_media(inbound, media, account_id, label, part)
    elif kind == "location":
        place = message.get("location") or {}
        text, meta["location"] = location_text(
            place.get("latitude"),
            place.get("longitude"),
            str(place.get("name") or ""),
            str(place.get("address") or ""),
        )
    elif kind == "contacts":
        text = _contacts_text(message.get("contacts") or [])
    elif kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        if reply:
            text = str(reply.get("title") or reply.get("id") or "")
            meta["reply_id"] = str(reply.get("id") or "")
        else:
            form = interactive.get("nfm_reply") or {}
            text = str(form.get("body") or "Form sent")
            if form.get("response_json"):
                meta["form_response"] = form["response_json"]
    elif kind == "button":
        button = message.get("button") or {}
        text = str(button.get("text") or button.get("payload") or "")
        meta["reply_id"] = str(button.get("payload") or "")
    elif kind == "reaction":
        reaction = message.get("reaction") or {}
        if not reaction.get("emoji"):
            return Skip("reaction_removed", "The customer took a reaction back.")
        text = f"Reacted {reaction['emoji']}"
        if reaction.get("message_id"):
            answers = (str(reaction["message_id"]),)
    elif kind == "order":
        text = _order_text(message.get("order") or {})
    elif kind == "system":
        system = message.get("system") or {}
        return Skip("system", str(system.get("body") or "A WhatsApp system notice."))
    else:
        errors = message.get("errors") or [{}]
        title = str(errors[0].get("title") or kind or "unknown")
        text = f"(a message WhatsApp did not pass on: {title})"

    return Incoming(
        channel=CHANNEL,
        sender=Identity.phone(wa_id, name),
        text=media.text_with_notes(text, placeholder),
        files=media.files,
        external_id=str(message["id"]),
        answers=answers,
        continues_conversation=True,
        sent_at=from_timestamp(message.get("timestamp")),
        meta=meta,
    )


def _take_media(inbound, media: Media, account_id: str, label: str, part: dict) -> None:
    account = account_of(inbound, account_id)
    if account is None or not part.get("id"):
        media.notes.append(f"[{label} not kept: the WhatsApp number is no longer connected]")
        return
    media.take(
        label,
        lambda limit: fetch_media(account, str(part["id"]), limit),
        filename=str(part.get("filename") or ""),
        content_type=str(part.get("mime_type") or ""),
    )


def fetch_media(account: ChannelAccount, media_id: str, limit: int) -> Downloaded:
    """A customer's file: `GET /{media-id}` for its short-lived URL, then the file itself,
    both with the account's token."""
    headers = {"Authorization": f"Bearer {account.access_token}"}
    info = call(
        "GET",
        f"{base_url(account, GRAPH_API)}/{quote(media_id, safe='')}",
        platform=PLATFORM,
        classify=_media_refusal,
        headers=headers,
    )
    size = str(info.get("file_size") or "")
    if size.isdigit() and int(size) > limit:
        raise MediaTooLarge(int(size), limit)
    downloaded = download(
        str(info.get("url") or ""), platform=PLATFORM, limit=limit, headers=headers
    )
    return Downloaded(downloaded.content, str(info.get("mime_type") or downloaded.content_type))


def _media_refusal(response) -> Exception:
    error = body_of(response).get("error") or {}
    if response.status_code == 404 or error.get("code") == 100:
        return MediaUnavailable("WhatsApp no longer has this file")
    return classify(response)


def _contacts_text(contacts: list[dict]) -> str:
    lines = []
    for card in contacts:
        name = (card.get("name") or {}).get("formatted_name") or ""
        phones = [str(p.get("phone") or p.get("wa_id") or "") for p in card.get("phones") or []]
        emails = [str(e.get("email") or "") for e in card.get("emails") or []]
        details = ", ".join(part for part in [name, *phones, *emails] if part)
        lines.append(f"Shared contact: {details or '(empty card)'}")
    return "\n".join(lines)


def _order_text(order: dict) -> str:
    lines = [str(order.get("text") or "").strip()]
    for item in order.get("product_items") or []:
        lines.append(
            f"- {item.get('quantity', 1)} × {item.get('product_retailer_id', '?')}"
            f" ({item.get('item_price', '?')} {item.get('currency', '')})".rstrip()
        )
    return "Order from the catalogue:\n" + "\n".join(line for line in lines if line)


def _read_status(inbound: InboundMessage, status: dict) -> Skip:
    state = str(status.get("status") or "")
    if state in ("delivered", "read", "failed"):
        matched = record_receipt(
            workspace=inbound.workspace,
            channel=CHANNEL,
            provider_id=str(status.get("id") or ""),
            recipient=str(status.get("recipient_id") or ""),
            status=state,
            at=from_timestamp(status.get("timestamp")) or timezone.now(),
            error=_status_error(status.get("errors") or []) if state == "failed" else "",
        )
        return Skip("status", f"{state}; replies matched: {matched}")
    return Skip("status", state)


def _status_error(errors: list[dict]) -> str:
    error = errors[0] if errors else {}
    code = error.get("code")
    if code == WINDOW_CLOSED:
        return WINDOW_CLOSED_TEXT
    details = (error.get("error_data") or {}).get("details") or error.get("message") or ""
    title = error.get("title") or "not delivered"
    return f"WhatsApp could not deliver the reply: {title} ({code}). {details}".strip()


# -- replies ------------------------------------------------------------------------


def classify(response) -> Exception:
    """A refused Cloud API call as a permanent or a passing failure, in words an agent
    can act on."""
    error = body_of(response).get("error") or {}
    code = error.get("code")
    if code == WINDOW_CLOSED:
        return PermanentFailure(WINDOW_CLOSED_TEXT)
    details = (error.get("error_data") or {}).get("details") or error.get("message") or ""
    detail = f"{details} (error {code})" if code is not None else details
    return refusal(PLATFORM, response, detail, retry=True if code in RETRY_CODES else None)


def send_whatsapp(delivery: Delivery) -> Sent:
    """Send a reply: its text (in pieces when long, the first quoting the customer's
    message it answers), then each attached file uploaded and sent as a picture or a
    document."""
    message = delivery.message
    case = message.case
    account = account_for(case, CHANNEL, last_inbound(case, CHANNEL))
    base = base_url(account, GRAPH_API)
    headers = {"Authorization": f"Bearer {account.access_token}"}
    endpoint = f"{base}/{account.account_id}/messages"
    answered = answered_message(case, CHANNEL, message)
    steps = []
    for index, piece in enumerate(split_text(message.body_text, TEXT_LIMIT)):
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": delivery.recipient,
            "type": "text",
            "text": {"preview_url": False, "body": piece},
        }
        if index == 0 and answered is not None:
            body["context"] = {"message_id": answered.external_id}
        steps.append((f"text:{index}", _poster(endpoint, headers, body)))
    for attachment in message.attachments.order_by("pk"):
        steps.append((f"upload:{attachment.pk}", _uploader(base, account, headers, attachment)))
        steps.append(
            (
                f"file:{attachment.pk}",
                _file_sender(endpoint, headers, delivery.recipient, attachment),
            )
        )
    return send_in_parts(delivery, steps)


def _poster(endpoint: str, headers: dict, body: dict):
    def post(done: dict) -> str:
        answer = call(
            "POST", endpoint, platform=PLATFORM, classify=classify, headers=headers, json=body
        )
        sent = answer.get("messages") or [{}]
        return str(sent[0].get("id") or "")

    return post


def _uploader(base: str, account: ChannelAccount, headers: dict, attachment: Attachment):
    def upload(done: dict) -> str:
        with attachment.file.open("rb") as fh:
            content = fh.read()
        answer = call(
            "POST",
            f"{base}/{account.account_id}/media",
            platform=PLATFORM,
            classify=classify,
            headers=headers,
            data={"messaging_product": "whatsapp", "type": attachment.content_type},
            files={"file": (attachment.filename, content, attachment.content_type)},
        )
        if not answer.get("id"):
            raise PermanentFailure(f"WhatsApp took {attachment.filename} but gave no media id.")
        return str(answer["id"])

    return upload


def _file_sender(endpoint: str, headers: dict, recipient: str, attachment: Attachment):
    kind = "image" if attachment.content_type in IMAGE_TYPES else "document"

    def send(done: dict) -> str:
        media = {"id": done[f"upload:{attachment.pk}"]}
        if kind == "document":
            media["filename"] = attachment.filename
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient,
            "type": kind,
            kind: media,
        }
        return _poster(endpoint, headers, body)(done)

    return send


def whatsapp_recipient(case: Case) -> tuple[str, str] | None:
    """Where a reply on a WhatsApp case goes: the wa_id the customer wrote from."""
    conversation = last_inbound(case, CHANNEL)
    wa_id = str((conversation.meta or {}).get("wa_id") or "") if conversation else ""
    if not wa_id and case.requester.phone:
        wa_id = case.requester.phone.lstrip("+")
    return (CHANNEL, wa_id) if wa_id else None


def service_window_closes(case: Case) -> datetime | None:
    """When WhatsApp stops taking free-form replies on this case (24 hours after the
    customer's last message); None when the customer never wrote on WhatsApp."""
    conversation = last_inbound(case, CHANNEL)
    return conversation.created_at + SERVICE_WINDOW if conversation is not None else None
