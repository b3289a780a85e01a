"""X (Account Activity API in, X API v2 out): direct messages and public mentions.

The webhook posts activity of a subscribed account (`for_user_id`, our
`ChannelAccount.account_id`): `direct_message_events` (DMs, both ways),
`tweet_create_events` (the account's own posts, replies and mentions of it) and
`direct_message_mark_read_events` (read receipts). Each DM and each post is stored as
its own row: the payload cut down to that one event and the users it names. What the
account itself sent is stored and left aside.

A mention is a public post: it opens an escalated case flagged public, and a reply
goes out publicly (`POST /2/tweets` in reply to it) unless the agent chooses a direct
message (`POST /2/dm_conversations/with/{user}/messages`).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.utils import timezone

from ombuds.conversations.models import Case, Channel, Delivery, Message, Priority
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
    visibility_of,
)
from .reading import Item, Media, account_of, from_timestamp, open_case_on, payload_of
from .receipts import record_watermark

CHANNEL = Channel.X
PLATFORM = "X"
X_API = "https://api.x.com"
PUBLIC_POST_TAG = "public-post"
POST_LIMIT = 280
DM_LIMIT = 10_000
SCREEN_NAME = re.compile(r"[A-Za-z0-9_]{1,50}")


# -- webhook ------------------------------------------------------------------------


def split_webhook(payload: dict) -> list[Item]:
    """One item per DM, per post and per read receipt, for the account named."""
    account_id = str(payload.get("for_user_id") or "")
    users = payload.get("users") or {}
    items = []
    for event in payload.get("direct_message_events") or []:
        if event.get("type") != "message_create" or not event.get("id"):
            continue
        create = event.get("message_create") or {}
        named = {
            str(create.get("sender_id")),
            str((create.get("target") or {}).get("recipient_id")),
        }
        cut = {
            "for_user_id": account_id,
            "direct_message_events": [event],
            "users": {k: v for k, v in users.items() if k in named},
        }
        items.append(Item(account_id, f"dm:{event['id']}", cut))
    for post in payload.get("tweet_create_events") or []:
        post_id = str(post.get("id_str") or post.get("id") or "")
        if not post_id:
            continue
        cut = {"for_user_id": account_id, "tweet_create_events": [post]}
        if "user_has_blocked" in payload:
            cut["user_has_blocked"] = payload["user_has_blocked"]
        items.append(Item(account_id, f"tweet:{post_id}", cut))
    for receipt in payload.get("direct_message_mark_read_events") or []:
        reader = str(receipt.get("sender_id") or "")
        last_read = str(receipt.get("last_read_event_id") or receipt.get("created_timestamp") or "")
        if reader and last_read:
            cut = {"for_user_id": account_id, "direct_message_mark_read_events": [receipt]}
            items.append(Item(account_id, f"read:{reader}:{last_read}", cut))
    return items


# -- reading ------------------------------------------------------------------------


def read_x(inbound: InboundMessage) -> Incoming | Skip:
    payload = payload_of(inbound)
    account_id = str(payload.get("for_user_id") or "")
    if events := payload.get("direct_message_events"):
        return _read_dm(inbound, account_id, events[0], payload.get("users") or {})
    if posts := payload.get("tweet_create_events"):
        return _read_post(inbound, account_id, posts[0], bool(payload.get("user_has_blocked")))
    if receipts := payload.get("direct_message_mark_read_events"):
        receipt = receipts[0]
        changed = record_watermark(
            workspace=inbound.workspace,
            channel=CHANNEL,
            recipient=str(receipt.get("sender_id") or ""),
            status="read",
            at=from_timestamp(receipt.get("created_timestamp"), millis=True) or timezone.now(),
        )
        return Skip("status", f"read; replies marked: {changed}")
    return Skip("unsupported", "An X activity that is not a message.")


def _read_dm(inbound, account_id: str, event: dict, users: dict) -> Incoming | Skip:
    create = event.get("message_create") or {}
    sender_id = str(create.get("sender_id") or "")
    if not sender_id:
        return Skip("no_sender", "The message names no sender.")
    if sender_id == account_id:
        return Skip("own_message", "A direct message the account itself sent.")
    data = create.get("message_data") or {}
    user = users.get(sender_id) or {}
    media = Media(inbound)
    attachment = (data.get("attachment") or {}).get("media") or {}
    placeholder = ""
    if attachment:
        account = account_of(inbound, account_id)
        label, url = _media_url(attachment)
        placeholder = f"({label})"
        if account is None or not url:
            media.notes.append(f"[{label} not kept: the X account is no longer connected]")
        else:
            headers = {"Authorization": f"Bearer {account.access_token}"}
            media.take(
                label,
                lambda limit: download(url, platform=PLATFORM, limit=limit, headers=headers),
            )
    meta = {"account": account_id, "user_id": sender_id}
    if user.get("screen_name"):
        meta["screen_name"] = str(user["screen_name"])
    return Incoming(
        channel=CHANNEL,
        sender=Identity.handle("x", sender_id, str(user.get("name") or "")),
        text=media.text_with_notes(str(data.get("text") or ""), placeholder),
        files=media.files,
        external_id=f"dm:{event['id']}",
        # A DM carries on the sender's conversation, also one that began in public: the
        # reply then defaults to a DM too, since it follows where the customer last wrote.
        continues_conversation=True,
        sent_at=from_timestamp(event.get("created_timestamp"), millis=True),
        meta=meta,
    )


def _read_post(inbound, account_id: str, post: dict, blocked: bool) -> Incoming | Skip:
    user = post.get("user") or {}
    user_id = str(user.get("id_str") or user.get("id") or "")
    if not user_id:
        return Skip("no_sender", "The post names no author.")
    if user_id == account_id:
        return Skip("own_post", "A post by the account itself.")
    if post.get("retweeted_status"):
        return Skip("repost", "A repost of the account's post, not a message to it.")
    if blocked:
        return Skip("blocked_user", "A mention by someone the account has blocked.")
    post_id = str(post.get("id_str") or post.get("id"))
    extended = post.get("extended_tweet") or {}
    text = str(extended.get("full_text") or post.get("full_text") or post.get("text") or "")
    screen_name = str(user.get("screen_name") or "")
    media = Media(inbound)
    entities = extended.get("extended_entities") or post.get("extended_entities") or {}
    for item in entities.get("media") or []:
        label, url = _media_url(item)
        if url:
            media.take(label, lambda limit, url=url: download(url, platform=PLATFORM, limit=limit))
    # X's handles are letters, digits and underscores; anything else never enters a URL.
    handle = screen_name if SCREEN_NAME.fullmatch(screen_name) else "i"
    public_url = f"https://x.com/{handle}/status/{quote(post_id, safe='')}"
    answered = post.get("in_reply_to_status_id_str")
    answers = (f"tweet:{answered}",) if answered else ()
    sender = Identity.handle("x", user_id, str(user.get("name") or ""))
    case_id = None
    if not _threads_by_answer(inbound, answers):
        # Public words join the sender's open public case, never a private one: a case
        # that is public must say so, and a private one must not quietly become public.
        case_id = open_case_on(
            workspace=inbound.workspace, identity=sender, channel=CHANNEL, public=True
        )
    return Incoming(
        channel=CHANNEL,
        sender=sender,
        text=media.text_with_notes(text, "(photo)"),
        files=media.files,
        external_id=f"tweet:{post_id}",
        answers=answers,
        case_id=case_id,
        continues_conversation=False,
        is_public_post=True,
        priority=Priority.HIGH,
        tags=(PUBLIC_POST_TAG,),
        sent_at=from_timestamp(post.get("timestamp_ms"), millis=True),
        meta={
            "account": account_id,
            "user_id": user_id,
            "screen_name": screen_name,
            "public": True,
            "post_id": post_id,
            "public_url": public_url,
        },
    )


def _threads_by_answer(inbound, answers: tuple[str, ...]) -> bool:
    return bool(answers) and (
        Message.objects.filter(workspace=inbound.workspace, external_id__in=answers).exists()
    )


def _media_url(media: dict) -> tuple[str, str]:
    """(label, URL) of a post's or DM's media: a photo's image, a video's best MP4."""
    kind = str(media.get("type") or "photo")
    if kind in ("video", "animated_gif"):
        variants = [
            v
            for v in (media.get("video_info") or {}).get("variants") or []
            if v.get("content_type") == "video/mp4" and v.get("url")
        ]
        best = max(variants, key=lambda v: v.get("bitrate") or 0, default={})
        return ("video", str(best.get("url") or ""))
    return ("photo", str(media.get("media_url_https") or ""))


# -- replies ------------------------------------------------------------------------


def classify(response) -> Exception:
    """A refused X API call: 429 and 5xx are passing, the other 4xx are for good."""
    body = body_of(response)
    errors = body.get("errors") or [{}]
    detail = str(body.get("detail") or errors[0].get("message") or body.get("title") or "")
    return refusal(PLATFORM, response, detail)


def send_x(delivery: Delivery) -> Sent:
    """Send a reply as a public post answering the customer's post, or as a DM."""
    message = delivery.message
    case = message.case
    conversation = last_inbound(case, CHANNEL)
    account = account_for(case, CHANNEL, conversation)
    if message.attachments.exists():
        raise PermanentFailure(
            "Files cannot be sent on X from the desk; send the reply without them "
            "(or share a link)."
        )
    visibility = visibility_of(message)
    base = base_url(account, X_API)
    headers = {"Authorization": f"Bearer {account.access_token}"}
    text = message.body_text.strip()
    if visibility == PUBLIC:
        post = _post_answered(case)
        limit = int((account.settings or {}).get("post_limit") or POST_LIMIT)
        if len(text) > limit:
            raise PermanentFailure(
                f"A public reply on X may hold at most {limit} characters; this one has "
                f"{len(text)}. Shorten it or send it as a direct message."
            )

        def publish(done: dict) -> str:
            body = {"text": text, "reply": {"in_reply_to_tweet_id": post}}
            answer = call(
                "POST",
                f"{base}/2/tweets",
                platform=PLATFORM,
                classify=classify,
                headers=headers,
                json=body,
            )
            return f"tweet:{(answer.get('data') or {}).get('id', '')}"

        return send_in_parts(delivery, [("post", publish)])

    if len(text) > DM_LIMIT:
        raise PermanentFailure(f"A direct message on X may hold at most {DM_LIMIT:,} characters.")

    def direct(done: dict) -> str:
        answer = call(
            "POST",
            f"{base}/2/dm_conversations/with/{quote(delivery.recipient, safe='')}/messages",
            platform=PLATFORM,
            classify=classify,
            headers=headers,
            json={"text": text},
        )
        return f"dm:{(answer.get('data') or {}).get('dm_event_id', '')}"

    return send_in_parts(delivery, [("dm", direct)])


def _post_answered(case: Case) -> str:
    """The customer's latest public post on the case: what a public reply answers."""
    post = last_public_inbound(case, CHANNEL)
    if post is None or not post.meta.get("post_id"):
        raise PermanentFailure(
            "There is no public post on this case to reply to; send a direct message instead."
        )
    return str(post.meta["post_id"])


def x_recipient(case: Case) -> tuple[str, str] | None:
    """Who a reply on an X case goes to: the customer's user id (a DM's participant)."""
    conversation = last_inbound(case, CHANNEL)
    user_id = str((conversation.meta or {}).get("user_id") or "") if conversation else ""
    return (CHANNEL, user_id) if user_id else None
