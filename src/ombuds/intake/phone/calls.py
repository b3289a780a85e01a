"""Filing calls on cases: the provider's records through the intake, an agent's by hand.

A call belongs to the case the telephony system names (agents can type the case
reference into it), else to the caller's most recent open case on any channel — a buyer
who emailed yesterday and rings today is following up — else to a new phone case.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.conversations.events import Actor
from ombuds.conversations.models import ACTIVE_STATUSES, Case, Channel, Message, MessageKind
from ombuds.conversations.services import open_case_with_message, record_call
from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Party

from ..identity import Identity, party_for
from ..incoming import Incoming, Skip
from ..models import InboundMessage
from .records import (
    DIRECTIONS,
    OUTCOMES,
    CallRecord,
    parse_ombuds_json,
    parse_twilio,
    summary,
    twilio_params,
)

TWILIO_CONTENT_TYPE = "application/x-www-form-urlencoded"


def case_for_call(*, workspace: Workspace, party: Party, reference: str = "") -> Case | None:
    if reference:
        case = Case.objects.filter(workspace=workspace, reference=reference).first()
        if case is not None:
            return case
    return (
        Case.objects.filter(workspace=workspace, requester=party, status__in=ACTIVE_STATUSES)
        .order_by("-updated_at", "-pk")
        .first()
    )


def record_of(inbound: InboundMessage) -> CallRecord:
    raw = bytes(inbound.raw)
    if inbound.content_type.startswith(TWILIO_CONTENT_TYPE):
        return parse_twilio(raw)
    return parse_ombuds_json(raw)


# Twilio reports a call's progress too; only these end it.
_TWILIO_FINAL = ("completed", "busy", "no-answer", "canceled", "failed")


def _twilio_progress(inbound: InboundMessage) -> Skip | None:
    """Twilio callbacks that are not a finished call: progress, or a recording that
    arrives after the call was filed (its link is added to that call's message)."""
    params = twilio_params(bytes(inbound.raw))
    if params.get("RecordingSid"):
        url = params.get("RecordingUrl", "")
        call = Message.objects.filter(
            workspace=inbound.workspace, external_id=f"call:{params.get('CallSid', '')}"
        ).first()
        if call is None:
            # The call itself is not filed yet; try again on the next pass.
            raise LookupError("recording before its call")
        if url.startswith("https://"):
            call.meta = {**call.meta, "call": {**call.meta.get("call", {}), "recording_url": url}}
            call.save(update_fields=["meta"])
        return Skip("recording_linked")
    if params.get("CallStatus") not in _TWILIO_FINAL:
        return Skip("call_in_progress", params.get("CallStatus", ""))
    return None


def read_call(inbound: InboundMessage) -> Incoming | Skip:
    """The reader of the phone channel: a provider's call record as a call message."""
    if inbound.content_type.startswith(TWILIO_CONTENT_TYPE):
        progress = _twilio_progress(inbound)
        if progress is not None:
            return progress
    record = record_of(inbound)
    identity = Identity.phone(record.customer_number)
    party = party_for(workspace=inbound.workspace, identity=identity)
    case = case_for_call(workspace=inbound.workspace, party=party, reference=record.case_reference)
    return Incoming(
        channel=Channel.PHONE,
        sender=identity,
        text=summary(record),
        subject=f"Call from {record.customer_number}",
        external_id=f"call:{record.call_id}",
        case_id=case.pk if case is not None else None,
        kind=MessageKind.CALL,
        sent_at=record.started_at,
        language=party.language,
        meta={"call": record.meta()},
    )


@transaction.atomic
def log_call(
    *,
    workspace: Workspace,
    by: User,
    phone: str,
    direction: str,
    duration_seconds: int,
    notes: str,
    outcome: str = "answered",
    case: Case | None = None,
    name: str = "",
) -> Message:
    """An agent writes down a call: on `case`, or on the caller's open case, or a new one."""
    if direction not in DIRECTIONS:
        raise ApplicationError("invalid_direction", "A call is inbound or outbound.", status=422)
    if outcome not in OUTCOMES:
        raise ApplicationError("invalid_outcome", f"{outcome!r} is not an outcome.", status=422)
    if not isinstance(duration_seconds, int) or not 0 <= duration_seconds <= 24 * 3600:
        raise ApplicationError("invalid_duration", "A duration is 0 to 86,400 seconds.", status=422)
    if case is not None and case.workspace_id != workspace.pk:
        raise ApplicationError("unknown_case", "No such case.", status=404)
    identity = Identity.phone(phone, name)
    party = party_for(workspace=workspace, identity=identity)
    record = CallRecord(
        call_id="",
        direction=direction,
        customer_number=identity.value,
        our_number="",
        started_at=timezone.now(),
        duration_seconds=duration_seconds,
        outcome=outcome,
        agent_email=by.email,
        notes=notes.strip(),
    )
    meta = {"call": {**record.meta(), "logged_by_hand": True}}
    target = case or case_for_call(workspace=workspace, party=party)
    if target is not None and target.is_active:
        return record_call(case=target, by=Actor(user=by), body=summary(record), meta=meta)
    _, message = open_case_with_message(
        workspace=workspace,
        subject=f"Call with {identity.value}",
        body=summary(record),
        requester=party,
        actor=Actor(user=by),
        channel=Channel.PHONE,
        language=party.language,
        message_kind=MessageKind.CALL,
        meta=meta,
    )
    return message
