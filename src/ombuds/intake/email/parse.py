"""A raw email, as mail servers really send it, into its parts: who, about what, the
text and HTML a person wrote, and the files that came with it.

The parser is the standard library's, in its lenient compat32 mode (the strict modern
policy has raised on malformed headers before); headers are decoded here
(`decode.header_text`), so an unknown charset or a broken encoded word costs a few
characters, never the message. Nothing in this module raises on bad input: a missing
boundary, a truncated part, a garbage date or a nonsense charset give the best reading
there is.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.generator import BytesGenerator
from email.message import Message
from email.policy import compat32
from email.utils import parsedate_to_datetime
from io import BytesIO

from .decode import addresses, clean_text, decode_bytes, header_text, raw_header_text
from .markup import html_to_text

# A message nested deeper or split into more parts than this is not a person writing;
# the rest is left in the stored original.
MAX_DEPTH = 12
MAX_PARTS = 300
MAX_FORWARDED = 5
# Files that only prove who signed the mail: of no use to an agent.
_SIGNATURES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}
# Parts that describe a report (a bounce, a read receipt) rather than say anything.
_REPORT_PARTS = {
    "message/delivery-status",
    "message/global-delivery-status",
    "message/disposition-notification",
    "message/feedback-report",
    "text/rfc822-headers",
    "message/rfc822-headers",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_ID = re.compile(r"<[^<>\s]{1,250}>")
_MIME_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
_BARE_ID = re.compile(r"^[^<>\s@]{1,200}@[^<>\s@]{1,200}$")


def message_ids(value: str | None) -> tuple[str, ...]:
    """The <ids> named in a Message-ID, In-Reply-To or References header, in order."""
    if not value:
        return ()
    value = clean_text(raw_header_text(str(value)))
    found = _ID.findall(value)
    if not found and _BARE_ID.match(value.strip()):
        found = [f"<{value.strip()}>"]  # a mailer that forgot the angle brackets
    return tuple(dict.fromkeys(found))[:100]


@dataclass
class MailFile:
    """An attachment or an inline part, with the name the sender gave it."""

    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class Forwarded:
    """A message sent along inside this one (message/rfc822)."""

    subject: str
    sender: str
    date: str
    text: str


@dataclass
class ParsedEmail:
    message: Message
    headers: dict[str, list[str]]
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    message_id: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    date: datetime | None = None
    text: str = ""
    html: str = ""
    text_from_html: bool = False
    files: list[MailFile] = field(default_factory=list)
    forwarded: list[Forwarded] = field(default_factory=list)

    def raw_header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    def header(self, name: str) -> str:
        """A header's decoded value ("" when absent)."""
        return header_text(self.raw_header(name))

    def has(self, name: str) -> bool:
        return name.lower() in self.headers

    def addresses(self, *names: str) -> list[tuple[str, str]]:
        found = []
        for name in names:
            for value in self.headers.get(name.lower(), ()):
                found.extend(addresses(value))
        return found


def _headers(message: Message) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        headers.setdefault(str(name).strip().lower(), []).append(str(value))
    return headers


def parse_date(value: str) -> datetime | None:
    """A Date header as aware UTC, or None when it is garbage or absurd."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    if not datetime(1990, 1, 1, tzinfo=UTC) <= moment <= datetime.now(UTC) + timedelta(days=2):
        return None
    return moment


def content_type(part: Message) -> str:
    try:
        kind = part.get_content_type()
    except Exception:
        return "application/octet-stream"
    return kind if _MIME_TYPE.match(kind) else "application/octet-stream"


def _param(part: Message, name: str, header: str = "content-type") -> str:
    try:
        value = part.get_param(name, header=header)
    except Exception:
        return ""
    if isinstance(value, tuple):  # RFC 2231: (charset, language, value)
        charset, _, text = value
        return decode_bytes(str(text).encode("latin-1", "replace"), charset or "utf-8")
    return header_text(value) if value else ""


def _raw(part: Message, name: str) -> str:
    """A header of a part as stored (the lenient parser's raw string), or ""."""
    for key, value in part.raw_items():
        if str(key).lower() == name:
            return str(value)
    return ""


def _disposition(part: Message) -> str:
    return _raw(part, "content-disposition").split(";", 1)[0].strip().lower()


def payload_of(part: Message) -> str | list:
    """A part's undecoded payload: its sub-parts, or its text as stored. (The stdlib
    raises on some charset parameters; the stored text is what we want anyway.)"""
    try:
        return part.get_payload()
    except Exception:
        raw = getattr(part, "_payload", "")
        return raw if isinstance(raw, str | list) else ""


def payload_bytes(part: Message) -> bytes:
    """A part's content with its transfer encoding (base64, quoted-printable) undone."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = payload_of(part)
    if isinstance(raw, str):
        return raw.encode("ascii", "surrogateescape")
    return b""


def _charset(part: Message) -> str:
    try:
        return part.get_content_charset() or ""
    except Exception:
        return ""


def _text(part: Message, *, html: bool = False) -> str:
    data = payload_bytes(part)
    charset = _charset(part)
    if html and not charset and (found := _META_CHARSET.search(data[:4096])):
        charset = found.group(1).decode("ascii", "replace")
    text = decode_bytes(data, charset).replace("\r\n", "\n").replace("\r", "\n")
    if not html and _param(part, "format").lower() == "flowed":
        text = unflow(text, delsp=_param(part, "delsp").lower() == "yes")
    return text


def unflow(text: str, *, delsp: bool = False) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676)."""
    out: list[str] = []
    carry = ""
    carry_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffing
        if carry and depth != carry_depth:
            out.append(">" * carry_depth + (" " if carry_depth else "") + carry)
            carry = ""
        flowed = body.endswith(" ") and body != "-- "
        if flowed:
            carry += body[:-1] if delsp else body
            carry_depth = depth
            continue
        joined = carry + body
        carry = ""
        out.append(">" * depth + (" " if depth and joined else "") + joined)
    if carry:
        out.append(">" * carry_depth + (" " if carry_depth else "") + carry)
    return "\n".join(out)


def _as_bytes(message: Message) -> bytes:
    try:
        buffer = BytesIO()
        BytesGenerator(buffer, mangle_from_=False, policy=compat32).flatten(message)
        return buffer.getvalue()
    except Exception:
        try:
            return message.as_string().encode("utf-8", "replace")
        except Exception:
            return b""


class _Walk:
    def __init__(self, depth: int = 0):
        self.depth = depth
        self.parts = 0
        self.files: list[MailFile] = []
        self.forwarded: list[Forwarded] = []

    def body(self, part: Message, depth: int = 0) -> tuple[list[str], list[str]]:
        """(plain texts, html texts) of a part, collecting its files on the way."""
        self.parts += 1
        if depth > MAX_DEPTH or self.parts > MAX_PARTS:
            return [], []
        kind = content_type(part)
        if kind in ("message/rfc822", "message/global"):
            self.forward(part)
            return [], []
        if kind in _REPORT_PARTS:
            return [], []
        payload = payload_of(part)
        if isinstance(payload, list):
            children = [c for c in payload if isinstance(c, Message)] if payload else []
            return self.multipart(kind.partition("/")[2], part, children, depth)
        if self.is_attachment(part, kind):
            self.file(part, kind)
            return [], []
        if kind == "text/html":
            return [], [_text(part, html=True)]
        if kind.startswith("text/") and kind not in ("text/calendar", "text/x-vcard", "text/vcard"):
            return [_text(part)], []
        self.file(part, kind)
        return [], []

    def multipart(
        self, subtype: str, part: Message, children: list[Message], depth: int
    ) -> tuple[list[str], list[str]]:
        if subtype == "alternative":
            results = [self.body(child, depth + 1) for child in children]
            texts = next((t for t, _ in reversed(results) if any(x.strip() for x in t)), [])
            htmls = next((h for _, h in reversed(results) if any(x.strip() for x in h)), [])
            return texts, htmls
        if subtype == "related" and children:
            start = _param(part, "start")
            main = next(
                (c for c in children if start and _raw(c, "content-id").strip() == start),
                children[0],
            )
            texts, htmls = self.body(main, depth + 1)
            for child in children:
                if child is not main:
                    self.resource(child, depth + 1)
            return texts, htmls
        if subtype == "signed" and children:
            children = [c for c in children if content_type(c) not in _SIGNATURES]
        texts: list[str] = []
        htmls: list[str] = []
        for child in children:
            t, h = self.body(child, depth + 1)
            texts += t
            htmls += h
        return texts, htmls

    def resource(self, part: Message, depth: int) -> None:
        """A part of multipart/related: an image the HTML shows, usually."""
        kind = content_type(part)
        if part.is_multipart() or kind.startswith("text/"):
            self.body(part, depth)
        else:
            self.file(part, kind, inline=True)

    @staticmethod
    def is_attachment(part: Message, kind: str) -> bool:
        if _disposition(part) == "attachment":
            return True
        if kind in ("text/plain", "text/html"):
            # Apple Mail sends text files inline but named; a body part has no name.
            return bool(_param(part, "filename", "content-disposition") or _param(part, "name"))
        return not kind.startswith("text/")

    def file(self, part: Message, kind: str, *, inline: bool = False) -> None:
        if kind in _SIGNATURES:
            return
        content_id = header_text(_raw(part, "content-id")).strip().strip("<>").strip()
        name = _param(part, "filename", "content-disposition") or _param(part, "name")
        self.files.append(
            MailFile(
                filename=clean_text(name) or self.generated_name(kind),
                content_type=kind,
                content=payload_bytes(part),
                content_id=content_id[:200],
                inline=inline or (bool(content_id) and _disposition(part) != "attachment"),
            )
        )

    def generated_name(self, kind: str) -> str:
        if kind == "application/ms-tnef":
            return "winmail.dat"
        extension = mimetypes.guess_extension(kind, strict=False) or ".bin"
        return f"{kind.partition('/')[0] or 'file'}-{len(self.files) + 1}{extension}"

    def forward(self, part: Message) -> None:
        payload = payload_of(part)
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            self.file(part, "message/rfc822")
            return
        raw = _as_bytes(inner)
        nested = read_message(inner, depth=self.depth + 1) if self.depth < 2 else None
        subject = nested.subject if nested else header_text(_raw(inner, "subject"))
        self.files.append(
            MailFile(
                filename=f"{subject or 'forwarded message'}"[:150] + ".eml",
                content_type="message/rfc822",
                content=raw,
            )
        )
        if nested is not None and len(self.forwarded) < MAX_FORWARDED:
            sender = nested.from_address
            if nested.from_name:
                sender = f"{nested.from_name} <{nested.from_address}>"
            self.forwarded.append(
                Forwarded(
                    subject=nested.subject,
                    sender=sender,
                    date=nested.header("date"),
                    text=nested.text,
                )
            )


def read_message(message: Message, *, depth: int = 0) -> ParsedEmail:
    headers = _headers(message)
    parsed = ParsedEmail(message=message, headers=headers)
    parsed.subject = parsed.header("subject")[:998]
    parsed.from_name, parsed.from_address = next(iter(parsed.addresses("from")), ("", ""))
    ids = message_ids(parsed.raw_header("message-id"))
    parsed.message_id = ids[0] if ids else ""
    parsed.in_reply_to = message_ids(parsed.raw_header("in-reply-to"))
    parsed.references = message_ids(" ".join(headers.get("references", ())))
    parsed.date = parse_date(parsed.header("date"))
    walk = _Walk(depth)
    try:
        texts, htmls = walk.body(message)
    except RecursionError:
        texts, htmls = [], []
    parsed.text = "\n\n".join(t.strip("\n") for t in texts if t.strip()).strip()
    parsed.html = "\n".join(h for h in htmls if h.strip())
    if not parsed.text and parsed.html:
        parsed.text = html_to_text(parsed.html)
        parsed.text_from_html = True
    parsed.files = walk.files
    parsed.forwarded = walk.forwarded
    return parsed


def parse_email(raw: bytes) -> ParsedEmail:
    """Read raw MIME bytes; never raises on what a sender can put in them."""
    try:
        message = message_from_bytes(raw, policy=compat32)
    except Exception:
        message = Message()
        message.set_payload(raw.decode("ascii", "surrogateescape"))
    return read_message(message)
