"""The three-party thread of a dispute: buyer, seller and platform write in one place,
and each message says who may read it (both parties, one party and the platform, or
the platform alone). A party who may read a new message is told where to find it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ombuds.conversations import events
from ombuds.core.errors import ApplicationError, Conflict

from ..actors import DisputeActor
from ..models import READABLE_BY, Dispute, DisputeMessage, Role
from . import notices
from .evidence import _check_party, check_visibility
from .machine import lock


def add_message(
    *, dispute: Dispute, actor: DisputeActor, body: str, visibility: str | None
) -> DisputeMessage:
    """Write a message on a dispute the caller holds locked (no notices)."""
    body = (body or "").strip()
    if not body:
        raise ApplicationError("empty_message", "A message needs some text.", status=422)
    if len(body) > settings.OMBUDS_MAX_MESSAGE_CHARS:
        raise ApplicationError(
            "message_too_long",
            f"A message may hold at most {settings.OMBUDS_MAX_MESSAGE_CHARS:,} characters.",
            status=413,
        )
    visibility = check_visibility(actor, visibility)
    message = DisputeMessage.objects.create(
        workspace_id=dispute.workspace_id,
        dispute=dispute,
        author_role=actor.role,
        author_party=actor.party,
        author_user=actor.user,
        author_label=(actor.label or str(actor))[:100],
        body=body,
        visibility=visibility,
        created_at=timezone.now(),
    )
    events.record(
        dispute.case,
        "dispute.message",
        actor.on_case(),
        data={
            "dispute": dispute.reference,
            "message": message.pk,
            "role": actor.role,
            "visibility": visibility,
        },
        at=message.created_at,
    )
    return message


@transaction.atomic
def post_message(
    *, dispute: Dispute, actor: DisputeActor, body: str, visibility: str | None = None
) -> DisputeMessage:
    """Write in the dispute's thread. Open disputes only, frozen ones too: talking does
    not move a dispute, and a chargeback often needs the parties' words."""
    dispute = lock(dispute)
    _check_party(dispute, actor)
    if not dispute.is_open:
        raise Conflict(
            "dispute_over",
            f"Dispute {dispute.reference} is over; its thread takes no more messages.",
            details={"state": dispute.state},
        )
    message = add_message(dispute=dispute, actor=actor, body=body, visibility=visibility)
    if actor.role != Role.BUYER and message.visibility in READABLE_BY[Role.BUYER]:
        notices.tell_buyer(dispute, "message")
    if actor.role != Role.SELLER and message.visibility in READABLE_BY[Role.SELLER]:
        notices.tell_seller(dispute, "message")
    return message
