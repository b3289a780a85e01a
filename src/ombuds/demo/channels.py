"""Cases from every channel, fed through the real intake: what the mail server, the
messaging platforms, the telephony provider, the chat widget and the help center's form
would hand the desk. The demo thereby shows each channel as it really arrives (the
parsing, threading, bounces, public posts), not as rows written straight into tables."""

from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlencode

from django.db.models import F

from ombuds.conversations.models import (
    Case,
    Channel,
    Delivery,
    DeliveryStatus,
    Message,
    MessageKind,
    Status,
)
from ombuds.conversations.services import reply_to_customer
from ombuds.core.models import Workspace
from ombuds.intake.chat.sessions import end_chat_session, open_chat_session, post_visitor_message
from ombuds.intake.email.read import external_id_of
from ombuds.intake.inbound import accept, process_ids
from ombuds.intake.mailboxes import MailboxSettings, create_mailbox
from ombuds.intake.models import ChannelAccount
from ombuds.intake.phone.calls import TWILIO_CONTENT_TYPE, log_call
from ombuds.intake.services import submit_contact_form
from ombuds.intake.social.accounts import AccountInput, connect_channel_account
from ombuds.intake.social.webhooks import PLATFORMS
from ombuds.marketplace.models import Party

from . import catalogue as cat
from .people import Crowd, Desk

# The platforms' ids for the desk's own accounts (not real ones: nothing is ever sent).
WA_NUMBER_ID = "109876543210987"
WA_DISPLAY = "31208081234"
PAGE_ID = "2045118300112233"
BOT_ID = "7300112233"
X_DESK_ID = "1690000000000000001"
PHONE_LINE = "+31208081234"
DEMO_MAIL_DOMAIN = "mail.secondrow.example"

# A one-page PDF and a 1×1 PNG: small, but what a mail program really attaches.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273ea40000000049454e44ae426082"
)


def feed_channels(workspace: Workspace, desk: Desk, crowd: Crowd, *, now: datetime) -> dict:
    """Connect the demo's channel accounts and feed one realistic item per kind through
    the intake; returns how many cases it opened."""
    admin = next(u for u in desk.users.values() if u.email.startswith("admin@"))
    agent = next(u for u in desk.users.values() if u.email.startswith("emma@"))
    before = Message.objects.filter(workspace=workspace).order_by("-pk").values("pk").first()
    last_pk = before["pk"] if before else 0
    cases_before = Case.objects.filter(workspace=workspace).count()
    accounts = _connect(workspace, admin)
    # Someone with a phone number, so their email and their WhatsApp meet on one party.
    both = next(b for b in crowd.buyers if b.phone and b.email and b.language == "en")
    others = [b for b in crowd.buyers if b.pk != both.pk and b.email]

    ids = _emails(workspace, both, others, now)
    ids += _social(workspace, accounts, both, int(now.timestamp()))
    ids += _twilio(workspace, accounts["phone"])
    process_ids(ids)
    call = log_call(
        workspace=workspace,
        by=agent,
        phone="+31687654321",
        name="Joost Vermeer",
        direction="inbound",
        duration_seconds=214,
        notes=(
            "Caller bought two hotel nights in Rotterdam; the hotel has no booking under "
            "his name. Asked him to forward the confirmation; will check with the hotel."
        ),
    )
    # A new caller's case has no language yet; the agent noted the one they spoke.
    Case.objects.filter(pk=call.case_id, language="").update(language="en")
    _chat(workspace, agent)
    submit_contact_form(
        workspace=workspace,
        email="m.okafor@example.net",
        name="Michael Okafor",
        topic="Selling tickets",
        language="en",
        message=(
            "Hi, I have four tickets for a sold-out concert that I can no longer use. Can I "
            "sell them on your site above the face value, and when would I get paid?"
        ),
    )
    _settle(workspace, after=last_pk)
    return {"channel_cases": Case.objects.filter(workspace=workspace).count() - cases_before}


def _connect(workspace: Workspace, admin) -> dict[str, ChannelAccount]:
    def social(channel, name, account_id, token):
        return connect_channel_account(
            workspace=workspace,
            by=admin,
            spec=AccountInput(
                channel=channel,
                name=name,
                account_id=account_id,
                access_token=token,
                signing_secret="demo-signing-secret",
                verify_token="demo-verify-token",
            ),
        )

    accounts = {
        Channel.WHATSAPP: social(Channel.WHATSAPP, "WhatsApp support", WA_NUMBER_ID, "demo"),
        Channel.MESSENGER: social(Channel.MESSENGER, "Second Row on Facebook", PAGE_ID, "demo"),
        Channel.TELEGRAM: social(
            Channel.TELEGRAM, "@secondrow_bot", BOT_ID, f"{BOT_ID}:demo-token-not-real"
        ),
        Channel.X: social(Channel.X, "@secondrowhelp", X_DESK_ID, "demo"),
    }
    accounts["phone"] = ChannelAccount.objects.create(
        workspace=workspace,
        channel=Channel.PHONE,
        name="Support line +31 20 808 1234",
        account_id="demo-line",
        signing_secret="demo-signing-secret",
        access_token="demo-twilio-token",
    )
    ChannelAccount.objects.create(
        workspace=workspace,
        channel=Channel.EMAIL,
        name="Inbound mail webhook",
        account_id="demo-mail",
        signing_secret="demo-signing-secret",
    )
    # Inactive: there is no mail server behind the demo for the worker to poll.
    create_mailbox(
        workspace=workspace,
        spec=MailboxSettings(
            address=cat.SUPPORT_EMAIL,
            host="imap.secondrow.example",
            port=993,
            security="ssl",
            username=cat.SUPPORT_EMAIL,
            password="not-a-real-password",
            is_active=False,
        ),
    )
    return accounts


# -- Email --------------------------------------------------------------------------


def _mail(sender: Party | tuple[str, str], subject: str, text: str, now: datetime, **headers):
    name, address = (sender.name, sender.email) if isinstance(sender, Party) else sender
    mail = EmailMessage()
    mail["From"] = f"{name} <{address}>"
    mail["To"] = f"{cat.BRAND} <{cat.SUPPORT_EMAIL}>"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=address.rsplit("@", 1)[-1])
    for key, value in headers.items():
        mail[key.replace("_", "-")] = value
    mail.set_content(text)
    return mail


def _store_mail(workspace: Workspace, mail: EmailMessage | bytes) -> int:
    raw = mail if isinstance(mail, bytes) else mail.as_bytes()
    inbound, _ = accept(
        workspace=workspace,
        channel=Channel.EMAIL,
        raw=raw,
        external_id=external_id_of(raw),
        source="demo mail",
        wake=False,
    )
    return inbound.pk


def _sent_email_reply(workspace: Workspace, *, statuses, exclude=()) -> Message:
    """An answer the desk mailed earlier, known by its Message-ID from now on (the demo's
    history was written without one; a sent mail has one)."""
    message = (
        Message.objects.filter(
            workspace=workspace,
            kind=MessageKind.OUTBOUND,
            case__channel=Channel.EMAIL,
            case__status__in=statuses,
            deliveries__status=DeliveryStatus.SENT,
        )
        .exclude(case__in=exclude)
        .select_related("case__requester")
        .order_by("-created_at", "-pk")
        .first()
    )
    delivery = message.deliveries.filter(status=DeliveryStatus.SENT).first()
    Message.objects.filter(pk=message.pk).update(external_id=delivery.provider_id)
    message.external_id = delivery.provider_id
    return message


def _emails(workspace: Workspace, both: Party, others: list[Party], now: datetime) -> list[int]:
    dutch = next(b for b in others if b.language == "nl")
    english = [b for b in others if b.language == "en"]
    ids = [
        _store_mail(
            workspace,
            _mail(
                both,
                "Parcel marked delivered but nothing arrived",
                "Hello,\n\nThe tracking for my order says the parcel was delivered yesterday "
                "at 14:12, but nothing came to my door and my neighbours have nothing "
                "either. The courier's photo shows a door that is not mine.\n\nCan you "
                f"open a claim with the courier?\n\nThanks,\n{both.name}",
                now,
            ),
        ),
        _store_mail(
            workspace,
            _mail(
                dutch,
                "Hotelboeking geannuleerd zonder terugbetaling",
                "Beste klantenservice,\n\nIk had via jullie site twee nachten geboekt in "
                "Utrecht, maar het hotel heeft de boeking gisteren geannuleerd. Ik heb nog "
                "geen geld teruggekregen. Wanneer wordt het bedrag teruggestort?\n\n"
                f"Met vriendelijke groet,\n{dutch.name}",
                now,
            ),
        ),
    ]
    attached = english[0]
    mail = _mail(
        attached,
        "Wrong seats on my tickets",
        "Hi, the tickets I received are for row 31, but I paid for row 3. "
        f"The seller's listing and my receipt are attached.\n\n{attached.name}",
        now,
    )
    mail.add_alternative(
        "<p>Hi, the tickets I received are for <b>row 31</b>, but I paid for row 3.</p>"
        '<p>Here is the listing as it was shown:<br><img src="cid:listing@demo"></p>'
        f"<p>My receipt is attached.</p><p>{attached.name}</p>",
        subtype="html",
    )
    html = mail.get_payload()[1]
    html.add_related(PNG, "image", "png", cid="<listing@demo>", filename="listing.png")
    mail.add_attachment(PDF, "application", "pdf", filename="receipt.pdf")
    ids.append(_store_mail(workspace, mail))

    # A customer answering a mail from the desk: their mail program says which one.
    answered = _sent_email_reply(workspace, statuses=[Status.PENDING_CUSTOMER])
    requester = answered.case.requester
    ids.append(
        _store_mail(
            workspace,
            _mail(
                requester,
                f"Re: {answered.case.subject}",
                "Thanks for getting back to me. Yes, that works for me: please go ahead.",
                now,
                In_Reply_To=answered.external_id,
                References=answered.external_id,
            ),
        )
    )
    # An out-of-office answer to the desk: no case for it.
    away = english[1]
    ids.append(
        _store_mail(
            workspace,
            _mail(
                away,
                "Automatic reply: your request",
                "I am out of the office until Monday and will read your message then.",
                now,
                Auto_Submitted="auto-replied",
                X_Autoreply="yes",
            ),
        )
    )
    # The receiving server returns one of the desk's answers: that delivery failed.
    bounced = _sent_email_reply(
        workspace, statuses=[Status.OPEN, Status.ON_HOLD], exclude=[answered.case_id]
    )
    ids.append(_store_mail(workspace, _bounce(bounced, now)))
    return ids


def _bounce(original: Message, now: datetime) -> bytes:
    """A Postfix-style delivery status notification for `original`."""
    recipient = original.deliveries.first().recipient
    boundary = "DEMO.bounce/" + DEMO_MAIL_DOMAIN
    reason = f"550 5.1.1 <{recipient}>: Recipient address rejected: User unknown"
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@{DEMO_MAIL_DOMAIN}>\r\n"
        f"To: {cat.SUPPORT_EMAIL}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(now)}\r\n"
        f"Message-ID: {make_msgid(domain=DEMO_MAIL_DOMAIN)}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        f'\tboundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "Your message could not be delivered to one or more recipients.\r\n\r\n"
        f"<{recipient}>: {reason}\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; {DEMO_MAIL_DOMAIN}\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; {reason}\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: {cat.SUPPORT_EMAIL}\r\nTo: {recipient}\r\n"
        f"Subject: Re: {original.case.subject}\r\n"
        f"Message-ID: {original.external_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "(the desk's answer)\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()


# -- Messaging platforms ----------------------------------------------------------------


def _social(workspace: Workspace, accounts: dict, both: Party, now: int) -> list[int]:
    """A webhook delivery per platform, split and stored as the webhook view does."""
    wa_id = both.phone.lstrip("+")
    ts = str(now - 3000)
    whatsapp = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": WA_DISPLAY,
                                "phone_number_id": WA_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": both.name}, "wa_id": wa_id}],
                            "messages": [
                                _wa(
                                    wa_id,
                                    "wamid.DEMO1",
                                    ts,
                                    "text",
                                    {
                                        "body": "Hi! My e-ticket for Saturday's match shows "
                                        "a QR code that the app says is already scanned. "
                                        "I haven't been to the stadium yet. What do I do?"
                                    },
                                ),
                                _wa(
                                    wa_id,
                                    "wamid.DEMO2",
                                    ts,
                                    "location",
                                    {
                                        "latitude": 52.3143,
                                        "longitude": 4.9419,
                                        "name": "Johan Cruijff ArenA",
                                        "address": "Johan Cruijff Boulevard 1, Amsterdam",
                                    },
                                ),
                            ],
                            "statuses": [
                                {
                                    "id": "wamid.DEMO-DESK-0",
                                    "status": "read",
                                    "timestamp": ts,
                                    "recipient_id": wa_id,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    messenger = {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": (now - 2400) * 1000,
                "messaging": [
                    {
                        "sender": {"id": "6100000000000001"},
                        "recipient": {"id": PAGE_ID},
                        "timestamp": (now - 2400) * 1000,
                        "message": {
                            "mid": "m_DEMO_messenger_1",
                            "text": "Hello, I sold two festival tickets last week and the "
                            "buyer confirmed receipt, but the payout is still 'pending'. "
                            "When will I be paid?",
                        },
                    }
                ],
            }
        ],
    }
    telegram = {
        "update_id": 900000001,
        "message": {
            "message_id": 41,
            "from": {
                "id": 5550001111,
                "is_bot": False,
                "first_name": "Lukas",
                "last_name": "Brandt",
                "username": "lukasbrandt",
                "language_code": "en",
            },
            "chat": {"id": 5550001111, "first_name": "Lukas", "type": "private"},
            "date": now - 1800,
            "text": "Hi, I need to change the name on my flight booking (typo in my last "
            "name). The airline says the booking was made through you. Can you fix it?",
        },
    }
    customer = "1690000000000000777"
    users = {
        customer: {"id": customer, "name": "Ravi Menon", "screen_name": "ravimenon"},
        X_DESK_ID: {"id": X_DESK_ID, "name": "Second Row Help", "screen_name": "secondrowhelp"},
    }
    x_dm = {
        "for_user_id": X_DESK_ID,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": "1760000000000000301",
                "created_timestamp": str((now - 1200) * 1000),
                "message_create": {
                    "target": {"recipient_id": X_DESK_ID},
                    "sender_id": customer,
                    "message_data": {
                        "text": "Hi, I ordered Ziggo Dome tickets a week ago and the "
                        "seller still hasn't sent them. The show is in 3 days."
                    },
                },
            }
        ],
        "users": users,
    }
    mention = {
        "for_user_id": X_DESK_ID,
        "tweet_create_events": [
            {
                "created_at": "Thu Oct 09 08:53:20 +0000 2025",
                "id": 1760000000000000401,
                "id_str": "1760000000000000401",
                "text": "@secondrowhelp paid €180 for concert tickets two weeks ago, "
                "seller went silent and nobody answers my emails. Is this a scam site?",
                "truncated": False,
                "in_reply_to_status_id_str": None,
                "user": {
                    "id": 1760000000000000999,
                    "id_str": "1760000000000000999",
                    "name": "Claire Dubois",
                    "screen_name": "clairedubois",
                },
                "entities": {
                    "hashtags": [],
                    "urls": [],
                    "user_mentions": [{"screen_name": "secondrowhelp", "id_str": X_DESK_ID}],
                },
                "timestamp_ms": str((now - 600) * 1000),
            }
        ],
    }
    ids = []
    for channel, payload in (
        (Channel.WHATSAPP, whatsapp),
        (Channel.MESSENGER, messenger),
        (Channel.TELEGRAM, telegram),
        (Channel.X, x_dm),
        (Channel.X, mention),
    ):
        spec, account = PLATFORMS[channel], accounts[channel]
        for item in spec.split(payload, account):
            inbound, _ = accept(
                workspace=workspace,
                channel=channel,
                raw=json.dumps(item.payload, ensure_ascii=False, separators=(",", ":")).encode(),
                external_id=item.external_id,
                content_type="application/json",
                source=f"{spec.name} webhook {account.account_id}",
                wake=False,
            )
            ids.append(inbound.pk)
    return ids


def _wa(wa_id: str, wamid: str, ts: str, kind: str, content: dict) -> dict:
    return {"from": wa_id, "id": wamid, "timestamp": ts, "type": kind, kind: content}


# -- Phone, chat ----------------------------------------------------------------------


def _twilio(workspace: Workspace, account: ChannelAccount) -> list[int]:
    call = {
        "CallSid": "CAdemo0000000000000000000000000001",
        "AccountSid": "ACdemo000000000000000000000000000",
        "From": "+447700900456",
        "To": PHONE_LINE,
        "Direction": "inbound",
        "CallStatus": "completed",
        "CallDuration": "187",
        "CallerName": "Oliver Hughes",
    }
    inbound, _ = accept(
        workspace=workspace,
        channel=Channel.PHONE,
        raw=urlencode(call).encode(),
        external_id=f"{call['CallSid']}:{call['CallStatus']}",
        content_type=TWILIO_CONTENT_TYPE,
        source=f"twilio:{account.pk}",
        wake=False,
    )
    return [inbound.pk]


def _chat(workspace: Workspace, agent) -> None:
    session = open_chat_session(
        workspace=workspace,
        language="en",
        page_url="https://secondrow.example/hotels/amsterdam",
        name="Hannah Becker",
    )
    post_visitor_message(
        session=session,
        client_id="demo-chat-0001",
        text="Hi, quick question before I book: does the Canal House hotel deal include breakfast?",
    )
    post_visitor_message(
        session=session,
        client_id="demo-chat-0002",
        text="And can I cancel for free if my concert gets moved?",
    )
    session.refresh_from_db()
    reply_to_customer(
        case=session.case,
        author=agent,
        body="Hi Hannah! Breakfast is included in that rate, and you can cancel for free up "
        "to 48 hours before check-in, whatever the reason.",
    )
    post_visitor_message(
        session=session, client_id="demo-chat-0003", text="Perfect, thank you! Booking now."
    )
    end_chat_session(session=session, reason="visitor")


def _settle(workspace: Workspace, *, after: int) -> None:
    """What the feed made the desk send (acknowledgements, the chat answer) counts as sent:
    at serve time the outbox must not call platforms the demo only pretends to have."""
    Delivery.objects.filter(
        workspace=workspace, status=DeliveryStatus.QUEUED, message_id__gt=after
    ).update(
        status=DeliveryStatus.SENT,
        attempts=1,
        next_attempt_at=None,
        sent_at=F("created_at"),
    )
