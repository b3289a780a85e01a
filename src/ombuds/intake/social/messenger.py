"""Facebook Messenger (Messenger Platform): page conversations, receipts, replies.

A webhook call (`object: page`) carries `entry[]`, one per page (`entry.id`, our
`ChannelAccount.account_id`), each with `messaging[]` events: a customer's `message`,
a button's `postback`, and `delivery` / `read` receipts, which name our replies' mids
and a watermark (everything sent up to then). Each event is stored as its own row: the
entry cut down to that one event. Echoes of what the page itself sent are stored and
left aside.

A page subscribed to `feed` also sends `entry[].changes[]`: a visitor's comment on one
of its posts (or a post on its wall) is a public post. It opens an escalated case
flagged public, and the reply goes out as a public comment answering it
(`POST /{comment-id}/comments`) unless the agent chooses a private reply, which
Messenger delivers to the commenter's inbox (`recipient.comment_id`).

Replies go to `POST /me/messages` with the page token, as `messaging_type: RESPONSE`;
outside the 24-hour window after the customer's last message Messenger refuses them.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote, urlparse

from django.utils import timezone

from ombuds.conversations.models import Attachment, Case, Channel, Delivery, Message, Priority
from ombuds.core.transports import PermanentFailure, Sent

from ..identity import Identity
from ..incoming import Incoming, Skip
from ..models import InboundMessage
from .http import base_url, body_of, call, download, refusal
from .outbound import (
    PUBLIC,
    account_for,
    last_inbound,
    last_public_inbound,
    send_in_parts,
    split_text,
    visibility_of,
)
from .reading import Item, Media, from_timestamp, location_text, open_case_on, payload_of
from .receipts import record_watermark
from .whatsapp import GRAPH_API

CHANNEL = Channel.MESSENGER
PUBLIC_POST_TAG = "public-post"
PLATFORM = "Messenger"
TEXT_LIMIT = 2000
# Meta's codes for "not now" on the Send API.
RETRY_CODES = frozenset({-1, 1, 2, 4, 17, 32, 613, 1200})
OUTSIDE_WINDOW_SUBCODE = 2018278
OUTSIDE_WINDOW_TEXT = (
    "Messenger refused the reply: it was sent more than 24 hours after the customer's "
    "last message, outside the window in which a page may answer."
)
LABELS = {"image": "photo", "video": "video", "audio": "audio", "file": "file"}
# How Messenger names an attachment by its content type when we send one.
SEND_TYPES = {"image": "image", "video": "video", "audio": "audio"}


# -- webhook ------------------------------------------------------------------------


def _event_id(event: dict) -> str:
    sender = str((event.get("sender") or {}).get("id") or "")
    if "message" in event:
        return str(event["message"].get("mid") or "")
    if "postback" in event:
        postback = event["postback"]
        return str(postback.get("mid") or f"postback:{sender}:{event.get('timestamp', '')}")
    for receipt in ("delivery", "read"):
        if receipt in event:
            return f"{receipt}:{sender}:{event[receipt].get('watermark', '')}"
    return ""


def split_webhook(payload: dict) -> list[Item]:
    """One item per message, postback and receipt of each page's entry."""
    if payload.get("object") != "page":
        return []
    items = []
    for entry in payload.get("entry") or []:
        page_id = str(entry.get("id") or "")
        for event in entry.get("messaging") or []:
            external_id = _event_id(event)
            if external_id:
                cut = {"id": page_id, "time": entry.get("time"), "messaging": [event]}
                items.append(Item(page_id, external_id, cut))
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            if change.get("field") != "feed" or value.get("verb") != "add":
                continue
            if value.get("item") == "comment" and value.get("comment_id"):
                external_id = f"comment:{value['comment_id']}"
            elif value.get("item") in ("post", "status", "photo") and value.get("post_id"):
                external_id = f"post:{value['post_id']}"
            else:
                continue
            cut = {"id": page_id, "time": entry.get("time"), "changes": [change]}
            items.append(Item(page_id, external_id, cut))
    return items


# -- reading ------------------------------------------------------------------------


def read_messenger(inbound: InboundMessage) -> Incoming | Skip:
    """A customer's Messenger message (or button press) as a message for a case; a
    delivery or read receipt onto our replies."""
    entry = payload_of(inbound)
    page_id = str(entry.get("id") or "")
    if changes := entry.get("changes"):
        return _read_feed(inbound, page_id, changes[0].get("value") or {})
    event = next(iter(entry.get("messaging") or []), {})
    psid = str((event.get("sender") or {}).get("id") or "")
    if not psid:
        return Skip("no_sender", "The event names no sender.")
    at = from_timestamp(event.get("timestamp"), millis=True) or timezone.now()
    for receipt in ("delivery", "read"):
        if receipt in event:
            detail = event[receipt] or {}
            changed = record_watermark(
                workspace=inbound.workspace,
                channel=CHANNEL,
                recipient=psid,
                status="delivered" if receipt == "delivery" else "read",
                at=from_timestamp(detail.get("watermark"), millis=True) or at,
                provider_ids=[str(mid) for mid in detail.get("mids") or []],
            )
            return Skip("status", f"{receipt}; replies marked: {changed}")

    meta: dict = {"account": page_id, "psid": psid}
    media = Media(inbound)
    answers: tuple[str, ...] = ()
    placeholder = ""
    if "postback" in event:
        postback = event["postback"] or {}
        text = str(postback.get("title") or postback.get("payload") or "")
        meta["reply_id"] = str(postback.get("payload") or "")
        external_id = _event_id(event)
    elif "message" in event:
        message = event["message"] or {}
        if message.get("is_echo"):
            return Skip("own_message", "An echo of what the page sent.")
        external_id = str(message.get("mid") or "")
        text = str(message.get("text") or "")
        if quick := message.get("quick_reply"):
            meta["reply_id"] = str(quick.get("payload") or "")
        if (message.get("reply_to") or {}).get("mid"):
            answers = (str(message["reply_to"]["mid"]),)
        extra, placeholder = _attachments(media, message.get("attachments") or [], meta)
        text = "\n".join(part for part in (text, extra) if part)
    else:
        return Skip("unsupported", "A Messenger event that is not a message.")

    return Incoming(
        channel=CHANNEL,
        sender=Identity.handle("messenger", psid),
        text=media.text_with_notes(text, placeholder),
        files=media.files,
        external_id=external_id,
        answers=answers,
        continues_conversation=True,
        sent_at=at,
        meta=meta,
    )


def _read_feed(inbound, page_id: str, value: dict) -> Incoming | Skip:
    """A visitor's comment on a page post (or a post on the page): a public post."""
    author = value.get("from") or {}
    author_id = str(author.get("id") or "")
    if not author_id:
        return Skip("no_sender", "The comment names no author.")
    if author_id == page_id:
        return Skip("own_post", "The page's own comment or post.")
    is_comment = value.get("item") == "comment"
    own_id = str(value.get("comment_id") if is_comment else value.get("post_id"))
    external_id = f"{'comment' if is_comment else 'post'}:{own_id}"
    parent = str(value.get("parent_id") or "")
    # A reply to a comment answers that comment; a comment on a post starts a thread.
    answers = (
        (f"comment:{parent}",) if is_comment and parent and parent != value.get("post_id") else ()
    )
    sender = Identity.handle("facebook", author_id, str(author.get("name") or ""))
    media = Media(inbound)
    photo = str(value.get("photo") or "")
    if photo:
        media.take("photo", lambda limit: download(photo, platform=PLATFORM, limit=limit))
    post = value.get("post") or {}
    permalink = str(post.get("permalink_url") or value.get("permalink_url") or "")
    meta = {
        "account": page_id,
        "public": True,
        "facebook_user_id": author_id,
        "post_id": str(value.get("post_id") or ""),
        "public_url": permalink if permalink.startswith("https://") else "",
    }
    if is_comment:
        meta["comment_id"] = own_id
    case_id = None
    if not (
        answers
        and Message.objects.filter(workspace=inbound.workspace, external_id__in=answers).exists()
    ):
        # Public words join the sender's open public case, never a private one.
        case_id = open_case_on(
            workspace=inbound.workspace, identity=sender, channel=CHANNEL, public=True
        )
    return Incoming(
        channel=CHANNEL,
        sender=sender,
        text=media.text_with_notes(str(value.get("message") or ""), "(photo)"),
        files=media.files,
        external_id=external_id,
        answers=answers,
        case_id=case_id,
        is_public_post=True,
        priority=Priority.HIGH,
        tags=(PUBLIC_POST_TAG,),
        sent_at=from_timestamp(value.get("created_time")),
        meta=meta,
    )


def _attachments(media: Media, attachments: list[dict], meta: dict) -> tuple[str, str]:
    """Fetch each attachment by its payload URL; shared locations and links become text.
    Returns (extra text, placeholder for a message without words)."""
    lines, placeholder = [], ""
    for attachment in attachments:
        kind = str(attachment.get("type") or "")
        payload = attachment.get("payload") or {}
        url = str(payload.get("url") or "")
        if kind == "location" and payload.get("coordinates"):
            coordinates = payload["coordinates"]
            text, meta["location"] = location_text(
                coordinates.get("lat"), coordinates.get("long"), str(attachment.get("title") or "")
            )
            lines.append(text)
        elif kind in LABELS and url:
            label = "sticker" if payload.get("sticker_id") else LABELS[kind]
            placeholder = placeholder or f"({label})"
            media.take(
                label,
                lambda limit, url=url: download(url, platform=PLATFORM, limit=limit),
                filename=_name_in(url),
            )
        elif url:
            title = str(attachment.get("title") or payload.get("title") or "")
            lines.append(f"Shared: {title} {url}".replace("  ", " ").strip())
    return "\n".join(lines), placeholder


def _name_in(url: str) -> str:
    name = os.path.basename(urlparse(url).path)
    return name if "." in name else ""


# -- replies ------------------------------------------------------------------------


def classify(response) -> Exception:
    """A refused Send API call as a permanent or a passing failure."""
    error = body_of(response).get("error") or {}
    code, subcode = error.get("code"), error.get("error_subcode")
    if subcode == OUTSIDE_WINDOW_SUBCODE:
        return PermanentFailure(OUTSIDE_WINDOW_TEXT)
    message = str(error.get("message") or "")
    detail = f"{message} (error {code})" if code is not None else message
    return refusal(PLATFORM, response, detail, retry=True if code in RETRY_CODES else None)


def send_messenger(delivery: Delivery) -> Sent:
    """Send a reply from the page: its text (in pieces of at most 2,000 characters),
    then each attached file uploaded with the message."""
    message = delivery.message
    case = message.case
    latest = last_inbound(case, CHANNEL)
    account = account_for(case, CHANNEL, latest)
    base = base_url(account, GRAPH_API)
    endpoint = f"{base}/me/messages"
    headers = {"Authorization": f"Bearer {account.access_token}"}
    recipient = {"id": delivery.recipient}
    public = last_public_inbound(case, CHANNEL)
    if visibility_of(message) == PUBLIC:
        return _comment(delivery, base, headers, public)
    if latest is not None and (latest.meta or {}).get("public") and latest.meta.get("comment_id"):
        # No conversation in the inbox yet: Messenger's private reply to the comment.
        recipient = {"comment_id": latest.meta["comment_id"]}
    steps = []
    for index, piece in enumerate(split_text(message.body_text, TEXT_LIMIT)):
        body = {"recipient": recipient, "messaging_type": "RESPONSE", "message": {"text": piece}}
        steps.append((f"text:{index}", _sender(endpoint, headers, json_body=body)))
    for attachment in message.attachments.order_by("pk"):
        steps.append(
            (f"file:{attachment.pk}", _file_sender(endpoint, headers, recipient, attachment))
        )
    return send_in_parts(delivery, steps)


def _comment(delivery: Delivery, base: str, headers: dict, public: Message | None) -> Sent:
    """Answer the customer's public comment (or post) with a public comment."""
    if public is None:
        raise PermanentFailure(
            "There is no public comment on this case to reply to; reply privately instead."
        )
    if delivery.message.attachments.exists():
        raise PermanentFailure(
            "Files cannot go with a public comment from the desk; reply without them or privately."
        )
    target = public.meta.get("comment_id") or public.meta.get("post_id")
    text = delivery.message.body_text.strip()

    def publish(done: dict) -> str:
        answer = call(
            "POST",
            f"{base}/{quote(str(target), safe='')}/comments",
            platform=PLATFORM,
            classify=classify,
            headers=headers,
            json={"message": text},
        )
        return f"comment:{answer.get('id', '')}"

    return send_in_parts(delivery, [("comment", publish)])


def _sender(endpoint: str, headers: dict, *, json_body=None, data=None, files=None):
    def send(done: dict) -> str:
        answer = call(
            "POST",
            endpoint,
            platform=PLATFORM,
            classify=classify,
            headers=headers,
            json=json_body,
            data=data,
            files=files() if files else None,
        )
        return str(answer.get("message_id") or "")

    return send


def _file_sender(endpoint: str, headers: dict, recipient: dict, attachment: Attachment):
    kind = SEND_TYPES.get(attachment.content_type.split("/")[0], "file")
    data = {
        "recipient": json.dumps(recipient),
        "messaging_type": "RESPONSE",
        "message": json.dumps({"attachment": {"type": kind, "payload": {"is_reusable": False}}}),
    }

    def files() -> dict:
        with attachment.file.open("rb") as fh:
            return {"filedata": (attachment.filename, fh.read(), attachment.content_type)}

    return _sender(endpoint, headers, data=data, files=files)


def messenger_recipient(case: Case) -> tuple[str, str] | None:
    """Where a reply on a Messenger case goes: the page-scoped id the customer wrote
    from (or, on a case from a comment, the commenter)."""
    conversation = last_inbound(case, CHANNEL)
    meta = (conversation.meta or {}) if conversation else {}
    recipient = str(meta.get("psid") or meta.get("facebook_user_id") or "")
    return (CHANNEL, recipient) if recipient else None
