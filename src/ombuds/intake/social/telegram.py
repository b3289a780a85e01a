"""Telegram (Bot API): updates from a bot's webhook, files, replies.

Telegram posts one `Update` per webhook call to the URL set for the bot, with the
secret token chosen then in `X-Telegram-Bot-Api-Secret-Token`; the URL names the bot
(`ChannelAccount.account_id` is the bot's id, the number before the colon in its
token). Update ids count per bot, so a row's external id is `<bot id>:<update id>`; a
message's own id is `<chat id>:<message id>`, which is what a reply in the chat quotes.
Telegram sends no delivery or read receipts to bots.
"""

from __future__ import annotations

from ombuds.conversations.models import Attachment, Case, Channel, Delivery
from ombuds.core.transports import PermanentFailure, Sent

from ..identity import Identity
from ..incoming import Incoming, Skip
from ..models import ChannelAccount, InboundMessage
from .http import MediaTooLarge, MediaUnavailable, base_url, body_of, call, download, refusal
from .outbound import (
    account_for,
    answered_message,
    last_inbound,
    send_in_parts,
    split_text,
    utf16_length,
)
from .reading import Item, Media, account_of, from_timestamp, location_text, payload_of

CHANNEL = Channel.TELEGRAM
PLATFORM = "Telegram"
BOT_API = "https://api.telegram.org"
TEXT_LIMIT = 4096  # in UTF-16 code units, as Telegram counts
UPDATES = ("message", "edited_message", "callback_query")
BLOCKED_TEXT = "The customer has blocked the bot on Telegram: replies cannot reach them there."
# (field in a message, label); a photo comes in several sizes and is handled apart.
FILE_FIELDS = (
    ("document", "document"),
    ("video", "video"),
    ("animation", "animation"),
    ("audio", "audio"),
    ("voice", "voice message"),
    ("video_note", "video message"),
    ("sticker", "sticker"),
)


def bot_id_of(token: str) -> str:
    """The bot's id: the part of its token before the colon."""
    head = (token or "").split(":", 1)[0].strip()
    return head if head.isdigit() else ""


# -- webhook ------------------------------------------------------------------------


def split_webhook(payload: dict, *, bot_id: str) -> list[Item]:
    """Telegram sends one update per call: one item, unless it is not an update."""
    update_id = payload.get("update_id")
    if not isinstance(update_id, int):
        return []
    return [Item(bot_id, f"{bot_id}:{update_id}", payload)]


# -- reading ------------------------------------------------------------------------


def read_telegram(inbound: InboundMessage) -> Incoming | Skip:
    """A message (new or edited) or a button press in a chat with the bot."""
    update = payload_of(inbound)
    bot_id = inbound.external_id.split(":", 1)[0]
    kind = next((k for k in UPDATES if k in update), None)
    if kind is None:
        return Skip("unsupported", "A Telegram update that is not a message.")
    if kind == "callback_query":
        query = update["callback_query"] or {}
        message = query.get("message") or {}
        sender = query.get("from") or {}
        chat = message.get("chat") or {}
        text = str(query.get("data") or "")
        meta_extra = {"reply_id": text}
        answers = (f"{chat.get('id')}:{message.get('message_id')}",) if message else ()
        external_id = f"callback:{query.get('id', '')}"
        at = None
    else:
        message = update[kind] or {}
        sender = message.get("from") or {}
        chat = message.get("chat") or {}
        meta_extra = {"edited": True} if kind == "edited_message" else {}
        reply = message.get("reply_to_message") or {}
        answers = (f"{chat.get('id')}:{reply['message_id']}",) if reply.get("message_id") else ()
        external_id = f"{chat.get('id')}:{message.get('message_id')}"
        at = from_timestamp(message.get("edit_date") or message.get("date"))
        text = ""
    if not sender.get("id") or not chat.get("id"):
        return Skip("no_sender", "The update names no sender or chat.")
    if sender.get("is_bot"):
        return Skip("bot", "A message from a bot.")

    name = " ".join(str(sender.get(k) or "") for k in ("first_name", "last_name")).strip()
    meta = {"account": bot_id, "chat_id": str(chat["id"]), "telegram_user_id": str(sender["id"])}
    if sender.get("username"):
        meta["username"] = str(sender["username"])
    if sender.get("language_code"):
        meta["language_code"] = str(sender["language_code"])
    meta |= meta_extra

    media = Media(inbound)
    placeholder = ""
    if kind != "callback_query":
        text = str(message.get("text") or message.get("caption") or "")
        if text.strip() == "/start":
            return Skip("command", "The customer opened the chat with the bot.")
        text, placeholder = _content(inbound, media, message, meta, bot_id, text)
        if kind == "edited_message":
            text = f"(edited) {text}" if text else text
    return Incoming(
        channel=CHANNEL,
        sender=Identity.handle("telegram", str(sender["id"]), name),
        text=media.text_with_notes(text, placeholder),
        files=media.files,
        external_id=external_id,
        answers=answers,
        continues_conversation=True,
        sent_at=at,
        meta=meta,
    )


def _content(inbound, media: Media, message: dict, meta: dict, bot_id: str, text: str):
    """Files, places and contacts of a message; (text, placeholder)."""
    lines = [text] if text else []
    placeholder = ""
    account = None

    def fetch(label: str, part: dict, filename: str = "") -> None:
        nonlocal account
        account = account or account_of(inbound, bot_id)
        if account is None:
            media.notes.append(f"[{label} not kept: the Telegram bot is no longer connected]")
            return
        size = part.get("file_size")
        media.take(
            label,
            lambda limit: fetch_file(account, str(part.get("file_id") or ""), limit),
            filename=filename or str(part.get("file_name") or ""),
            content_type=str(part.get("mime_type") or ""),
            size=size if isinstance(size, int) else None,
        )

    if photos := message.get("photo"):
        placeholder = "(photo)"
        fetch("photo", _largest_photo(photos))
    for field, label in FILE_FIELDS:
        if part := message.get(field):
            placeholder = placeholder or f"({label})"
            if field == "sticker" and part.get("emoji"):
                lines.append(f"Sticker {part['emoji']}")
            fetch(label, part)
    if venue := message.get("venue"):
        place = venue.get("location") or {}
        line, meta["location"] = location_text(
            place.get("latitude"),
            place.get("longitude"),
            str(venue.get("title") or ""),
            str(venue.get("address") or ""),
        )
        lines.append(line)
    elif place := message.get("location"):
        line, meta["location"] = location_text(place.get("latitude"), place.get("longitude"))
        lines.append(line)
    if contact := message.get("contact"):
        name = " ".join(str(contact.get(k) or "") for k in ("first_name", "last_name")).strip()
        details = ", ".join(p for p in (name, str(contact.get("phone_number") or "")) if p)
        lines.append(f"Shared contact: {details}")
    return "\n".join(lines), placeholder


def _largest_photo(photos: list[dict]) -> dict:
    """The biggest size of a photo; Telegram lists them smallest first."""
    return max(photos, key=lambda p: (p.get("file_size") or 0, p.get("width") or 0))


def fetch_file(account: ChannelAccount, file_id: str, limit: int):
    """A file of a message: `getFile` for its path, then the download from the bot's
    file URL."""
    base = base_url(account, BOT_API)
    answer = call(
        "GET",
        f"{base}/bot{account.access_token}/getFile",
        platform=PLATFORM,
        classify=_file_refusal,
        params={"file_id": file_id},
    )
    result = answer.get("result") or {}
    size = result.get("file_size")
    if isinstance(size, int) and size > limit:
        raise MediaTooLarge(size, limit)
    if not result.get("file_path"):
        raise MediaUnavailable("Telegram gave no path for the file")
    return download(
        f"{base}/file/bot{account.access_token}/{result['file_path']}",
        platform=PLATFORM,
        limit=limit,
    )


def _file_refusal(response) -> Exception:
    description = str(body_of(response).get("description") or "")
    if "too big" in description.lower():
        return MediaTooLarge(None, 20 * 1024 * 1024)
    if response.status_code == 400:
        return MediaUnavailable("Telegram no longer has this file")
    return classify(response)


# -- replies ------------------------------------------------------------------------


def classify(response) -> Exception:
    """A refused Bot API call: 429 and 5xx are passing, the rest is for good."""
    body = body_of(response)
    description = str(body.get("description") or "")
    if response.status_code == 403 and "blocked" in description.lower():
        return PermanentFailure(BLOCKED_TEXT)
    return refusal(PLATFORM, response, description)


def send_telegram(delivery: Delivery) -> Sent:
    """Send a reply into the chat: its text (in pieces when long, the first as a reply to
    the customer's message it answers), then each attached file as a document."""
    message = delivery.message
    case = message.case
    account = account_for(case, CHANNEL, last_inbound(case, CHANNEL))
    base = f"{base_url(account, BOT_API)}/bot{account.access_token}"
    chat_id = delivery.recipient
    answered = answered_message(case, CHANNEL, message)
    quoted = answered.external_id.rsplit(":", 1)[-1] if answered is not None else ""
    steps = []
    for index, piece in enumerate(split_text(message.body_text, TEXT_LIMIT, size=utf16_length)):
        body: dict = {"chat_id": chat_id, "text": piece}
        if index == 0 and quoted.isdigit():
            body["reply_parameters"] = {
                "message_id": int(quoted),
                "allow_sending_without_reply": True,
            }
        steps.append((f"text:{index}", _sender(f"{base}/sendMessage", chat_id, json_body=body)))
    for attachment in message.attachments.order_by("pk"):
        steps.append((f"file:{attachment.pk}", _document_sender(base, chat_id, attachment)))
    return send_in_parts(delivery, steps)


def _sender(url: str, chat_id: str, *, json_body=None, data=None, files=None):
    def send(done: dict) -> str:
        answer = call(
            "POST",
            url,
            platform=PLATFORM,
            classify=classify,
            json=json_body,
            data=data,
            files=files() if files else None,
        )
        if not answer.get("ok"):
            raise PermanentFailure(f"Telegram refused: {answer.get('description', '')}")
        sent = answer.get("result") or {}
        return f"{chat_id}:{sent.get('message_id', '')}"

    return send


def _document_sender(base: str, chat_id: str, attachment: Attachment):
    def files() -> dict:
        with attachment.file.open("rb") as fh:
            return {"document": (attachment.filename, fh.read(), attachment.content_type)}

    return _sender(f"{base}/sendDocument", chat_id, data={"chat_id": chat_id}, files=files)


def telegram_recipient(case: Case) -> tuple[str, str] | None:
    """Where a reply on a Telegram case goes: the chat the customer wrote in."""
    conversation = last_inbound(case, CHANNEL)
    chat_id = str((conversation.meta or {}).get("chat_id") or "") if conversation else ""
    return (CHANNEL, chat_id) if chat_id else None


def register_webhook(account: ChannelAccount, url: str) -> None:
    """Point the bot's webhook at `url` with the account's secret token (`setWebhook`),
    so the admin never has to copy the secret anywhere."""
    if not account.signing_secret:
        raise PermanentFailure("Set a secret token for the bot first.")
    call(
        "POST",
        f"{base_url(account, BOT_API)}/bot{account.access_token}/setWebhook",
        platform=PLATFORM,
        classify=classify,
        json={"url": url, "secret_token": account.signing_secret, "allowed_updates": list(UPDATES)},
    )
