"""Call records as providers send them, read into one shape.

Two formats are understood: Ombuds' own JSON (any provider or PBX can be made to post
it), and Twilio's voice status callback (form-encoded, documented at
twilio.com/docs/voice/api/call-resource#statuscallback).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ombuds.core.errors import ApplicationError

DIRECTIONS = ("inbound", "outbound")
OUTCOMES = ("answered", "missed", "voicemail", "busy", "failed")
# Twilio's CallStatus values, as the outcome of the call for the customer.
_TWILIO_OUTCOMES = {
    "completed": "answered",
    "busy": "busy",
    "no-answer": "missed",
    "canceled": "missed",
    "failed": "failed",
}


@dataclass(frozen=True)
class CallRecord:
    call_id: str
    direction: str
    customer_number: str
    our_number: str
    started_at: datetime
    duration_seconds: int
    outcome: str
    recording_url: str = ""
    agent_email: str = ""
    case_reference: str = ""
    notes: str = ""

    def meta(self) -> dict:
        return {
            "call_id": self.call_id,
            "direction": self.direction,
            "customer_number": self.customer_number,
            "our_number": self.our_number,
            "started_at": self.started_at.isoformat(),
            "duration_seconds": self.duration_seconds,
            "outcome": self.outcome,
            "recording_url": self.recording_url,
            "agent_email": self.agent_email,
        }


def _refuse(message: str, field: str) -> ApplicationError:
    return ApplicationError("invalid_call_record", message, details={"field": field}, status=422)


def _text(values: dict, field: str, *, required: bool = False, limit: int = 200) -> str:
    value = values.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise _refuse(f"{field} must be text.", field)
    value = str(value).strip()
    if required and not value:
        raise _refuse(f"{field} is required.", field)
    return value[:limit]


def _url(value: str, field: str) -> str:
    if value and not value.startswith(("https://", "http://")):
        raise _refuse(f"{field} must be an http(s) URL.", field)
    return value


def _duration(value, field: str) -> int:
    if value in (None, ""):
        return 0
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise _refuse(f"{field} must be a whole number of seconds.", field) from None
    if isinstance(value, bool) or not 0 <= seconds <= 7 * 24 * 3600:
        raise _refuse(f"{field} is out of range.", field)
    return seconds


def parse_ombuds_json(raw: bytes) -> CallRecord:
    try:
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _refuse("The call record is not JSON.", "body") from None
    if not isinstance(values, dict):
        raise _refuse("The call record must be a JSON object.", "body")
    direction = _text(values, "direction", required=True)
    if direction not in DIRECTIONS:
        raise _refuse(f"direction must be one of {', '.join(DIRECTIONS)}.", "direction")
    outcome = _text(values, "outcome") or "answered"
    if outcome not in OUTCOMES:
        raise _refuse(f"outcome must be one of {', '.join(OUTCOMES)}.", "outcome")
    customer, ours = (
        ("from", "to") if direction == "inbound" else ("to", "from")
    )  # the customer is whoever is not us
    started_raw = _text(values, "started_at")
    started = parse_datetime(started_raw) if started_raw else timezone.now()
    if started is None:
        raise _refuse("started_at must be an ISO 8601 time.", "started_at")
    if timezone.is_naive(started):
        started = timezone.make_aware(started, timezone.UTC)
    return CallRecord(
        call_id=_text(values, "call_id", required=True),
        direction=direction,
        customer_number=_text(values, customer, required=True, limit=40),
        our_number=_text(values, ours, limit=40),
        started_at=started,
        duration_seconds=_duration(values.get("duration_seconds"), "duration_seconds"),
        outcome=outcome,
        recording_url=_url(_text(values, "recording_url", limit=1000), "recording_url"),
        agent_email=_text(values, "agent_email", limit=254).lower(),
        case_reference=_text(values, "case_reference", limit=24),
        notes=_text(values, "notes", limit=10_000),
    )


def twilio_params(raw: bytes) -> dict[str, str]:
    """A form-encoded Twilio callback as a flat dict (Twilio sends each key once)."""
    try:
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise _refuse("The callback is not form-encoded text.", "body") from None
    return {key: values[-1] for key, values in parsed.items()}


def parse_twilio(raw: bytes) -> CallRecord:
    values = twilio_params(raw)
    direction = "inbound" if _text(values, "Direction") == "inbound" else "outbound"
    customer, ours = ("From", "To") if direction == "inbound" else ("To", "From")
    status = _text(values, "CallStatus", required=True)
    return CallRecord(
        call_id=_text(values, "CallSid", required=True),
        direction=direction,
        customer_number=_text(values, customer, required=True, limit=40),
        our_number=_text(values, ours, limit=40),
        started_at=timezone.now(),
        duration_seconds=_duration(values.get("CallDuration"), "CallDuration"),
        outcome=_TWILIO_OUTCOMES.get(status, "failed"),
        recording_url=_url(_text(values, "RecordingUrl", limit=1000), "RecordingUrl"),
    )


def summary(record: CallRecord) -> str:
    """A line of text for search and for channels that show only text."""
    minutes, seconds = divmod(record.duration_seconds, 60)
    parts = [
        f"{record.direction.title()} call {record.customer_number}",
        record.outcome,
        f"{minutes}:{seconds:02d}",
    ]
    if record.agent_email:
        parts.append(record.agent_email)
    text = " · ".join(parts)
    return f"{text}\n\n{record.notes}" if record.notes else text
