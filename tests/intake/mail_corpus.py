"""Generated customer email for the crash test and the ingestion benchmark.

Reproducible from a seed: customers writing about orders, tickets and hotel bookings, in
English and some Dutch; plain text or text with an HTML alternative; mixed sizes (a line
to a few kilobytes); 10 % with an attachment (a PDF or a photo); 30 % replies to an
earlier email of the same customer, with In-Reply-To and References as mail clients set
them, quoting what they answer.
"""

from __future__ import annotations

import base64
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

REPLY_SHARE = 0.30
ATTACHMENT_SHARE = 0.10
HTML_SHARE = 0.40
# How far back a reply may reach; keeps a long stream's memory flat.
REPLY_WINDOW = 2000

_TOPICS = [
    ("My tickets for {event} have not arrived", "the tickets for {event}"),
    ("Refund for order {order}", "my refund for order {order}"),
    ("Parcel {order} arrived damaged", "the damaged parcel"),
    ("Hotel booking at {hotel} was cancelled", "my booking at {hotel}"),
    ("Wrong seats for {event}", "the seats for {event}"),
    ("Charged twice for order {order}", "the double charge"),
    ("Where is my order {order}?", "my order {order}"),
]
_EVENTS = ["Coldplay Amsterdam", "Ajax – PSV", "Rock Werchter", "De Toppers", "Ed Sheeran"]
_HOTELS = ["Hotel Aurora", "Canal House", "Hotel Pilotenhuis", "Grand Hotel Central"]
_EN = [
    "I bought this three weeks ago and I am still waiting for an answer.",
    "Could you please tell me what is going on with this?",
    "The seller does not answer my messages any more.",
    "I have attached the confirmation I received after paying.",
    "The event is this Saturday, so I really need this sorted before then.",
    "My bank statement shows the amount was taken from my account.",
    "I would like a refund if the problem cannot be solved.",
    "Thank you for your help so far, but nothing has changed.",
]
_NL = [
    "Ik heb dit drie weken geleden gekocht en wacht nog steeds op een antwoord.",
    "Kunt u mij alstublieft laten weten wat er aan de hand is?",
    "De verkoper reageert niet meer op mijn berichten.",
    "Het evenement is deze zaterdag, dus ik heb echt snel een oplossing nodig.",
    "Ik wil graag mijn geld terug als het probleem niet opgelost kan worden.",
]
_FIRST = ["Ann", "Bram", "Chloé", "Daan", "Eva", "Finn", "Greta", "Hugo", "Iris", "Jan", "Kim"]
_LAST = ["Jansen", "de Vries", "Bakker", "Smith", "Müller", "Visser", "O'Brien", "Peeters"]


@dataclass(frozen=True)
class GeneratedEmail:
    raw: bytes
    message_id: str  # with the angle brackets, as stored
    answers: str | None  # the Message-ID it replies to
    has_attachment: bool


def generate(count: int, *, seed: int = 7, domain: str = "mail.example") -> list[GeneratedEmail]:
    """`count` emails in the order they arrive."""
    return list(stream(count, seed=seed, domain=domain))


@dataclass(frozen=True)
class _Sent:
    customer: int
    message_id: str
    subject: str
    body: str
    references: tuple[str, ...]


def stream(count: int, *, seed: int = 7, domain: str = "mail.example") -> Iterator[GeneratedEmail]:
    """The same emails as `generate`, one at a time, holding only recent ones in memory."""
    rng = random.Random(seed)
    customers = max(5, count // 4)
    recent: deque[_Sent] = deque(maxlen=REPLY_WINDOW)
    started = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    for n in range(count):
        parent = None
        if recent and rng.random() < REPLY_SHARE:
            # Mostly answers to recent mail, as a conversation goes back and forth.
            back = min(len(recent), 1 + int(rng.expovariate(1 / 50)))
            parent = recent[-back]
        customer = parent.customer if parent else rng.randrange(customers)
        sent, email = _one(rng, n, customer, parent, started + timedelta(seconds=n), domain)
        recent.append(sent)
        yield email


def _one(rng, n, customer, parent, at, domain) -> tuple[_Sent, GeneratedEmail]:
    name = f"{_FIRST[customer % len(_FIRST)]} {_LAST[(customer // 3) % len(_LAST)]}"
    address = f"customer{customer}@{domain}"
    message_id = f"<{n}.{rng.getrandbits(40):x}@{domain}>"
    dutch = customer % 5 == 0
    words = _NL if dutch else _EN
    if parent is None:
        subject_tpl, about_tpl = rng.choice(_TOPICS)
        fill = {
            "event": rng.choice(_EVENTS),
            "order": f"ORD-{rng.randrange(10_000, 99_999)}",
            "hotel": rng.choice(_HOTELS),
        }
        subject = subject_tpl.format(**fill)
        about = about_tpl.format(**fill)
        references: tuple[str, ...] = ()
        quoted = ""
        opening = (
            f"Goedendag,\n\nIk schrijf u over {about}."
            if dutch
            else f"Hello,\n\nI am writing about {about}."
        )
    else:
        subject = parent.subject if parent.subject.startswith("Re: ") else f"Re: {parent.subject}"
        references = (*parent.references, parent.message_id)[-10:]
        quoted = "\n".join("> " + line for line in parent.body.splitlines()[:12])
        opening = "Any news on this?" if not dutch else "Is er al nieuws?"
    # Sizes spread the way real mail does: mostly short, some long.
    sentences = [rng.choice(words) for _ in range(max(1, int(rng.lognormvariate(1.3, 0.9))))]
    body = opening + "\n\n" + " ".join(sentences) + f"\n\n{name}\n"
    text = body + (
        f"\nOn {format_datetime(at - timedelta(hours=2))}, {name} wrote:\n{quoted}\n"
        if quoted
        else ""
    )
    attachment = rng.random() < ATTACHMENT_SHARE
    raw = _mime(
        rng,
        name=name,
        address=address,
        subject=subject,
        message_id=message_id,
        references=references,
        text=text,
        html=rng.random() < HTML_SHARE,
        attachment=attachment,
        at=at,
    )
    sent = _Sent(customer, message_id, subject, body, references)
    return sent, GeneratedEmail(raw, message_id, parent.message_id if parent else None, attachment)


def _mime(rng, *, name, address, subject, message_id, references, text, html, attachment, at):
    boundary = f"=_b{rng.getrandbits(48):x}"
    alt = f"=_a{rng.getrandbits(48):x}"
    headers = [
        f'From: "{name}" <{address}>',
        "To: support@resale.test",
        f"Subject: {subject}",
        f"Date: {format_datetime(at)}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
    ]
    if references:
        headers += [f"In-Reply-To: {references[-1]}", f"References: {' '.join(references)}"]
    text_part = [
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        text,
    ]
    if html:
        paragraphs = "".join(f"<p>{escape(part)}</p>" for part in text.split("\n\n"))
        body_parts = [
            f'Content-Type: multipart/alternative; boundary="{alt}"',
            "",
            f"--{alt}",
            *text_part,
            f"--{alt}",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            f"<html><body>{paragraphs}</body></html>",
            f"--{alt}--",
        ]
    else:
        body_parts = text_part
    if attachment:
        kind, filename, size = rng.choice(
            [("application/pdf", "confirmation.pdf", 40_000), ("image/jpeg", "photo.jpg", 120_000)]
        )
        payload = base64.encodebytes(rng.randbytes(rng.randrange(size // 4, size))).decode()
        lines = [
            *headers,
            f'Content-Type: multipart/mixed; boundary="{boundary}"',
            "",
            f"--{boundary}",
            *body_parts,
            f"--{boundary}",
            f'Content-Type: {kind}; name="{filename}"',
            f'Content-Disposition: attachment; filename="{filename}"',
            "Content-Transfer-Encoding: base64",
            "",
            payload,
            f"--{boundary}--",
        ]
    else:
        lines = [*headers, *body_parts]
    return ("\r\n".join(lines).replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n").encode()
