"""Payloads and answers as the platforms document them (shapes and field names from the
WhatsApp Cloud API, Messenger Platform, Telegram Bot API and X API references), with
builders to vary the parts a scenario is about."""

from __future__ import annotations

import json

from ombuds.intake.social.signatures import meta_signature, x_signature

PHONE_NUMBER_ID = "106540352242922"
WA_ID = "16505551234"
PAGE_ID = "1067280970047460"
PSID = "27136758092600418"
BOT_ID = "7012345678"
BOT_TOKEN = f"{BOT_ID}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
X_USER_ID = "2244994945"
X_CUSTOMER_ID = "3001969357"


def body(payload: dict) -> bytes:
    return json.dumps(payload).encode()


def meta_headers(secret: str, raw: bytes) -> dict:
    return {"X-Hub-Signature-256": meta_signature(secret, raw)}


def x_headers(secret: str, raw: bytes) -> dict:
    return {"x-twitter-webhooks-signature": x_signature(secret, raw)}


# -- WhatsApp Cloud API -------------------------------------------------------------


def whatsapp_value(
    *, messages=(), statuses=(), phone_number_id=PHONE_NUMBER_ID, name="Sheena Nelson"
):
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": WA_ID}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return value


def whatsapp_webhook(*values) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [{"value": value, "field": "messages"} for value in values],
            }
        ],
    }


def wa_text(wamid: str, text: str, *, context_id: str = "", timestamp: str = "1749416383"):
    message = {
        "from": WA_ID,
        "id": wamid,
        "timestamp": timestamp,
        "type": "text",
        "text": {"body": text},
    }
    if context_id:
        message["context"] = {"from": "15550783881", "id": context_id}
    return message


def wa_image(wamid: str, media_id: str, *, caption: str = "") -> dict:
    image = {
        "mime_type": "image/jpeg",
        "sha256": "Dp3hJUPuQCoPvK8Iov6+q7QEsOwQaNK8U8Eu4XwLK+c=",
        "id": media_id,
    }
    if caption:
        image["caption"] = caption
    return {"from": WA_ID, "id": wamid, "timestamp": "1749416383", "type": "image", "image": image}


def wa_voice(wamid: str, media_id: str) -> dict:
    return {
        "from": WA_ID,
        "id": wamid,
        "timestamp": "1749416383",
        "type": "audio",
        "audio": {
            "mime_type": "audio/ogg; codecs=opus",
            "sha256": "x",
            "id": media_id,
            "voice": True,
        },
    }


def wa_location(wamid: str) -> dict:
    return {
        "from": WA_ID,
        "id": wamid,
        "timestamp": "1749416383",
        "type": "location",
        "location": {
            "address": "Museumplein 6, 1071 DJ Amsterdam",
            "latitude": 52.358,
            "longitude": 4.881,
            "name": "Stedelijk Museum",
            "url": "https://www.stedelijk.nl/",
        },
    }


def wa_button_reply(wamid: str, context_id: str) -> dict:
    return {
        "context": {"from": "15550783881", "id": context_id},
        "from": WA_ID,
        "id": wamid,
        "timestamp": "1749416383",
        "type": "interactive",
        "interactive": {
            "type": "button_reply",
            "button_reply": {"id": "refund-yes", "title": "Yes, refund me"},
        },
    }


def wa_status(wamid: str, status: str, *, timestamp: str = "1750263773", errors=None) -> dict:
    item = {
        "id": wamid,
        "status": status,
        "timestamp": timestamp,
        "recipient_id": WA_ID,
    }
    if status != "failed":
        item["conversation"] = {"id": "CONVERSATION_ID", "origin": {"type": "service"}}
        item["pricing"] = {"billable": False, "pricing_model": "PMP", "category": "service"}
    if errors:
        item["errors"] = errors
    return item


WA_REENGAGEMENT_ERROR = {
    "code": 131047,
    "title": "Re-engagement message",
    "message": "Re-engagement message",
    "error_data": {
        "details": "Message failed to send because more than 24 hours have passed since "
        "the customer last replied to this number."
    },
}


def wa_send_answer(wamid: str) -> dict:
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": f"+{WA_ID}", "wa_id": WA_ID}],
        "messages": [{"id": wamid}],
    }


def graph_error(code: int, message: str, *, subcode: int | None = None, details: str = "") -> dict:
    error = {"message": f"(#{code}) {message}", "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    error["fbtrace_id"] = "Az8or2yhqkZfEZ-_4Qn_Bam"
    return {"error": error}


# -- Messenger Platform -------------------------------------------------------------


def messenger_webhook(*events, page_id=PAGE_ID) -> dict:
    return {
        "object": "page",
        "entry": [{"id": page_id, "time": 1583173667623, "messaging": list(events)}],
    }


def ms_text(mid: str, text: str, *, page_id=PAGE_ID, attachments=None, reply_to=None) -> dict:
    message = {"mid": mid}
    if text:
        message["text"] = text
    if attachments:
        message["attachments"] = attachments
    if reply_to:
        message["reply_to"] = {"mid": reply_to}
    return {
        "sender": {"id": PSID},
        "recipient": {"id": page_id},
        "timestamp": 1583173666767,
        "message": message,
    }


def ms_delivery(mids, watermark: int) -> dict:
    return {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "delivery": {"mids": list(mids), "watermark": watermark},
    }


def ms_read(watermark: int) -> dict:
    return {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "timestamp": watermark + 200,
        "read": {"watermark": watermark},
    }


# -- Telegram Bot API ---------------------------------------------------------------


def tg_user(user_id: int = 1111111, first="Test", last="Lastname", username="Testusername"):
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first,
        "last_name": last,
        "username": username,
        "language_code": "en",
    }


def tg_message(update_id: int, message_id: int, text: str = "", *, user=None, **extra) -> dict:
    user = user or tg_user()
    message = {
        "message_id": message_id,
        "from": user,
        "chat": {"id": user["id"], "first_name": user["first_name"], "type": "private"},
        "date": 1441645532,
    }
    if text:
        message["text"] = text
    message.update(extra)
    return {"update_id": update_id, "message": message}


def tg_sent(message_id: int, chat_id: int = 1111111, text: str = "") -> dict:
    return {
        "ok": True,
        "result": {
            "message_id": message_id,
            "from": {
                "id": int(BOT_ID),
                "is_bot": True,
                "first_name": "Support",
                "username": "support_bot",
            },
            "chat": {"id": chat_id, "first_name": "Test", "type": "private"},
            "date": 1441645600,
            "text": text,
        },
    }


# -- X ------------------------------------------------------------------------------


def x_users(name="Jordan Brinks", screen_name="furiouscamper") -> dict:
    return {
        X_CUSTOMER_ID: {
            "id": X_CUSTOMER_ID,
            "created_timestamp": "1422556069340",
            "name": name,
            "screen_name": screen_name,
            "protected": False,
            "verified": False,
        },
        X_USER_ID: {"id": X_USER_ID, "name": "Resale Support", "screen_name": "resalehelp"},
    }


def x_dm(event_id: str, text: str, *, sender=X_CUSTOMER_ID, recipient=X_USER_ID, name=None) -> dict:
    return {
        "for_user_id": X_USER_ID,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": event_id,
                "created_timestamp": "1516403560557",
                "message_create": {
                    "target": {"recipient_id": recipient},
                    "sender_id": sender,
                    "message_data": {
                        "text": text,
                        "entities": {
                            "hashtags": [],
                            "symbols": [],
                            "user_mentions": [],
                            "urls": [],
                        },
                    },
                },
            }
        ],
        "users": x_users(**({"name": name} if name else {})),
    }


def x_mention(
    post_id: str, text: str, *, user_id=X_CUSTOMER_ID, in_reply_to=None, name="Jordan Brinks"
) -> dict:
    return {
        "for_user_id": X_USER_ID,
        "tweet_create_events": [
            {
                "created_at": "Wed Oct 10 20:19:24 +0000 2018",
                "id": int(post_id),
                "id_str": post_id,
                "text": text,
                "truncated": False,
                "in_reply_to_status_id_str": in_reply_to,
                "user": {
                    "id": int(user_id),
                    "id_str": user_id,
                    "name": name,
                    "screen_name": "furiouscamper" if user_id == X_CUSTOMER_ID else "resalehelp",
                },
                "entities": {
                    "hashtags": [],
                    "urls": [],
                    "user_mentions": [{"screen_name": "resalehelp", "id_str": X_USER_ID}],
                },
                "timestamp_ms": "1539202764000",
            }
        ],
    }


def page_comment(
    comment_id: str, text: str, *, author_id="10160912345", parent_id=None, name="Jane Doe"
):
    post_id = f"{PAGE_ID}_2200000001"
    return {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": 1520383571,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": {"id": author_id, "name": name},
                            "post": {
                                "status_type": "added_photos",
                                "is_published": True,
                                "updated_time": "2018-03-07T00:46:09+0000",
                                "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/2200000001",
                                "promotion_status": "inactive",
                                "id": post_id,
                            },
                            "message": text,
                            "post_id": post_id,
                            "comment_id": comment_id,
                            "created_time": 1520383569,
                            "item": "comment",
                            "parent_id": parent_id or post_id,
                            "verb": "add",
                        },
                    }
                ],
            }
        ],
    }
