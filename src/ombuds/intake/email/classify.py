"""What an email is before what it says: a bounce, a read receipt, an automatic reply or
list mail, or a person writing. Pure functions over a parsed email; the reader decides
what each means for cases (`read.py`), the bounce service marks deliveries (`bounces.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32

from .decode import addresses, header_text
from .parse import ParsedEmail, content_type, message_ids, payload_bytes, payload_of

_DAEMONS = {"mailer-daemon", "mailerdaemon", "mail-daemon", "maildaemon", "postmaster"}
_DAEMON_NAME = re.compile(r"mail delivery (?:system|subsystem|service)|mailer[- ]daemon", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status notification|failure|has failed|failed|"
    r"incomplete|problem)|returned mail|mail delivery failed|failure notice|non[- ]?delivery|"
    r"could not be delivered|niet (?:bezorgd|afgeleverd)|onbestelbaar|unzustellbar|"
    r"nicht zustellbar|non remis|échec de (?:la )?remise|message not delivered",
    re.I,
)
_DELAY = re.compile(
    r"delivery (?:status notification \(delay\)|delayed)|will (?:retry|continue trying|"
    r"keep trying)|still undelivered|warning: message|temporar(?:y|ily)",
    re.I,
)
_SMTP_DIAGNOSTIC = re.compile(
    r"(?:^|\s)([245]\d\d[\s-]+[245]\.\d{1,3}\.\d{1,3}\b.{0,240}|\b5\d\d\s.{3,240})", re.M
)
_STATUS_CODE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_ID_IN_TEXT = re.compile(r"^\s*(?:original-)?message-id\s*:\s*(<[^<>\s]{1,250}>)", re.I | re.M)
_ANY_ID = re.compile(r"<[^<>\s@]{1,200}@[^<>\s@]{1,120}>")
# An out-of-office by its subject alone: the phrase and then a colon, a dash or nothing.
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|"
    r"autoreply|afwezig(?:heidsmelding)?|automatisch antwoord|abwesenheit(?:snotiz)?|"
    r"automatische antwort|réponse automatique|absence|absent|autosvar|automatisk svar|"
    r"respuesta automática|risposta automatica)\s*(?:[:\-–(]|$)",
    re.I,
)
_NO = {"", "no", "false", "0", "off"}


@dataclass(frozen=True)
class FailedRecipient:
    address: str
    action: str
    status: str
    diagnostic: str


@dataclass(frozen=True)
class Bounce:
    """A mail server's report that a message we sent did not arrive (or not yet)."""

    permanent: bool
    original_ids: tuple[str, ...]
    recipients: tuple[FailedRecipient, ...] = ()
    diagnostic: str = ""
    # True for a report shaped by RFC 3464; False for a server's own words.
    standard: bool = True
    success: bool = False


@dataclass(frozen=True)
class Automation:
    """Why an email was sent by a machine rather than typed by a person."""

    kind: str  # "auto_reply", "list_mail" or "bulk"
    reason: str
    # A header said so; False when only the subject looks automatic, which a person
    # may also write ("Absent: my refund"): such mail still opens a case.
    certain: bool = True


def _parts(message: Message, limit: int = 200):
    seen = 0
    try:
        for part in message.walk():
            seen += 1
            if seen > limit:
                return
            yield part
    except (RecursionError, TypeError, AttributeError):
        return


def report_type(parsed: ParsedEmail) -> str:
    """The report-type of a multipart/report ("delivery-status", "disposition-notification",
    "feedback-report"), or ""."""
    if content_type(parsed.message) != "multipart/report":
        return ""
    try:
        value = parsed.message.get_param("report-type") or ""
    except Exception:
        return ""
    return str(value).strip().lower() if isinstance(value, str) else ""


def _header_blocks(part: Message) -> list[Message]:
    payload = payload_of(part)
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload_bytes(part).decode("utf-8", "replace")
    parser = HeaderParser(policy=compat32)
    return [parser.parsestr(block) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _field(block: Message, name: str) -> str:
    for key, value in block.raw_items():
        if str(key).lower() == name:
            return header_text(str(value))
    return ""


def _strip_type(value: str) -> str:
    """'rfc822; ann@example.com' → 'ann@example.com'; 'smtp; 550 5.1.1 …' → '550 5.1.1 …'."""
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _original_ids(message: Message, text: str) -> tuple[str, ...]:
    ids: list[str] = []
    for part in _parts(message):
        kind = content_type(part)
        if kind in ("message/rfc822", "message/global"):
            payload = payload_of(part)
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                for key, value in inner.raw_items():
                    if str(key).lower() == "message-id":
                        ids.extend(message_ids(str(value)))
        elif kind in ("text/rfc822-headers", "message/rfc822-headers"):
            headers = payload_bytes(part).decode("utf-8", "replace")
            ids.extend(_ID_IN_TEXT.findall(headers))
    ids.extend(_ID_IN_TEXT.findall(text))
    if not ids:
        # A server that quotes the original only in its own words: any id it names.
        ids.extend(_ANY_ID.findall(text))
    return tuple(dict.fromkeys(ids))[:30]


def _delivery_status(message: Message) -> list[FailedRecipient] | None:
    for part in _parts(message):
        if content_type(part) in ("message/delivery-status", "message/global-delivery-status"):
            blocks = _header_blocks(part)
            found = []
            for block in blocks[1:] if len(blocks) > 1 else blocks:
                recipient = _strip_type(_field(block, "final-recipient")) or _strip_type(
                    _field(block, "original-recipient")
                )
                action = _field(block, "action").lower()
                if not (recipient or action):
                    continue
                found.append(
                    FailedRecipient(
                        address=recipient.strip("<> ").lower(),
                        action=action,
                        status=_field(block, "status"),
                        diagnostic=_strip_type(_field(block, "diagnostic-code"))[:500],
                    )
                )
            return found
    return None


def _diagnostic_in(text: str) -> str:
    match = _SMTP_DIAGNOSTIC.search(text)
    return " ".join(match.group(1).split())[:300] if match else ""


def is_daemon(parsed: ParsedEmail) -> bool:
    local = parsed.from_address.split("@", 1)[0].lower()
    return local in _DAEMONS or bool(_DAEMON_NAME.search(parsed.from_name))


def bounce_of(parsed: ParsedEmail) -> Bounce | None:
    """The bounce this email is, or None: an RFC 3464 delivery status notification, or
    a mail server's non-standard failure notice with the original quoted or attached."""
    recipients = (
        _delivery_status(parsed.message) if report_type(parsed) == "delivery-status" else None
    )
    if recipients is not None:
        failed = [r for r in recipients if r.action == "failed"]
        delayed = [r for r in recipients if r.action == "delayed"]
        shown = failed or delayed or recipients
        diagnostic = "; ".join(
            " ".join(filter(None, [r.address, r.status, r.diagnostic])) for r in shown
        )
        return Bounce(
            permanent=bool(failed),
            original_ids=_original_ids(parsed.message, parsed.text),
            recipients=tuple(shown),
            diagnostic=diagnostic[:1000] or _diagnostic_in(parsed.text),
            success=not failed and not delayed,
        )
    failed_header = parsed.header("x-failed-recipients")
    if not (is_daemon(parsed) or failed_header):
        return None
    attached = any(content_type(p) == "message/rfc822" for p in _parts(parsed.message))
    if not (failed_header or attached or _BOUNCE_SUBJECT.search(parsed.subject)):
        return None
    codes = _STATUS_CODE.findall(parsed.text)
    temporary = _DELAY.search(parsed.subject) or _DELAY.search(parsed.text[:2000])
    permanent = any(c[0] == "5" for c in codes) or not (temporary or codes)
    failed_to = tuple(
        FailedRecipient(address=a.lower(), action="failed", status="", diagnostic="")
        for _, a in addresses(failed_header)
    )
    return Bounce(
        permanent=bool(permanent),
        original_ids=_original_ids(parsed.message, parsed.text),
        recipients=failed_to,
        diagnostic=_diagnostic_in(parsed.text) or parsed.subject[:300],
        standard=False,
    )


def automation_of(parsed: ParsedEmail) -> Automation | None:
    """Why this email was sent by a machine (RFC 3834 and the headers mailers use in its
    place), or None when a person wrote it."""
    auto = parsed.header("auto-submitted").lower()
    if auto.split(";", 1)[0].strip() not in _NO:
        return Automation("auto_reply", f"Auto-Submitted: {auto}")
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply"):
        if parsed.has(name) and parsed.header(name).lower() not in _NO - {""}:
            return Automation("auto_reply", f"{name}: {parsed.header(name)}")
    precedence = parsed.header("precedence").lower()
    if precedence in ("auto_reply", "auto-reply"):
        return Automation("auto_reply", f"Precedence: {precedence}")
    if precedence in ("bulk", "junk"):
        return Automation("bulk", f"Precedence: {precedence}")
    if precedence == "list" or any(parsed.has(n) for n in ("list-id", "list-unsubscribe")):
        return Automation("list_mail", parsed.header("list-id") or "List-Unsubscribe")
    if _AUTO_SUBJECT.match(parsed.subject):
        return Automation("auto_reply", f"Subject: {parsed.subject[:100]}", certain=False)
    return None


def suppresses_auto_replies(parsed: ParsedEmail) -> bool:
    """The sender asks for no automatic answer (Exchange's X-Auto-Response-Suppress).

    That is a request about our answers, not a sign of a machine: Outlook sets it on
    mail people write too, so it marks the message, and nothing is left out for it."""
    suppress = parsed.header("x-auto-response-suppress").lower()
    return any(word in suppress for word in ("all", "oof", "autoreply"))
