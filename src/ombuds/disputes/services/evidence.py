"""Evidence on a dispute: statements and files from each party, and the order's own
records (tracking of its shipments, transfers of its bookings). Who may see each piece
is set when it is submitted; once it is put before a decision or the payment provider
it is locked and never changes again."""

from __future__ import annotations

import hashlib
import mimetypes

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ombuds.conversations import events
from ombuds.conversations.attachments import IncomingFile, check_files, clean_filename
from ombuds.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied

from ..actors import DisputeActor
from ..models import (
    WRITABLE_BY,
    Dispute,
    Evidence,
    EvidenceKind,
    LockedFor,
    Role,
    Visibility,
    evidence_path,
)

MAX_TEXT = 20_000
MAX_TITLE = 200


def _check_party(dispute: Dispute, actor: DisputeActor) -> None:
    """A party speaks only on its own dispute: to anyone else it does not exist (404, as
    `money.check_actor` says it). One of its parties doing what is the other's, or the
    platform's, is refused by the transition table (403)."""
    party = actor.party.pk if actor.party is not None else None
    if actor.role == Role.BUYER and party != dispute.buyer_id:
        raise NotFound("dispute", dispute.reference)
    if actor.role == Role.SELLER and (party is None or party != dispute.seller_id):
        raise NotFound("dispute", dispute.reference)


def check_visibility(actor: DisputeActor, visibility: str | None) -> str:
    visibility = visibility or Visibility.PARTIES
    if visibility not in Visibility.values:
        raise ApplicationError(
            "unknown_visibility",
            f"{visibility!r} is not a visibility.",
            details={"allowed": Visibility.values},
            status=422,
        )
    if visibility not in WRITABLE_BY[actor.role]:
        raise PermissionDenied("You cannot choose who sees this that way.")
    return visibility


def _check_open(dispute: Dispute) -> None:
    if not dispute.is_open:
        raise Conflict(
            "dispute_over",
            f"Dispute {dispute.reference} is over; it takes no more evidence.",
            details={"state": dispute.state},
        )


def _next_number(dispute: Dispute) -> int:
    return (Evidence.objects.filter(dispute=dispute).aggregate(n=Max("number"))["n"] or 0) + 1


def _row(dispute: Dispute, actor: DisputeActor, number: int, **fields) -> Evidence:
    return Evidence(
        workspace_id=dispute.workspace_id,
        dispute=dispute,
        number=number,
        submitted_by_role=actor.role,
        submitted_by_party=actor.party,
        submitted_by_user=actor.user,
        created_at=timezone.now(),
        **fields,
    )


def _timeline(dispute: Dispute, actor: DisputeActor, rows: list[Evidence]) -> None:
    if rows:
        events.record(
            dispute.case,
            "dispute.evidence_added",
            actor.on_case(),
            data={
                "dispute": dispute.reference,
                "role": actor.role,
                "evidence": [{"number": e.number, "kind": e.kind, "title": e.title} for e in rows],
            },
        )


def record_statement(
    *,
    dispute: Dispute,
    actor: DisputeActor,
    text: str,
    title: str = "",
    visibility: str | None = None,
) -> Evidence:
    """A party's account in words, kept as evidence (the claim, the seller's answer)."""
    _check_party(dispute, actor)
    _check_open(dispute)
    text = (text or "").strip()
    if not text:
        raise ApplicationError("empty_statement", "A statement needs some text.", status=422)
    if len(text) > MAX_TEXT:
        raise ApplicationError(
            "statement_too_long", f"A statement holds at most {MAX_TEXT:,} characters.", status=413
        )
    row = _row(
        dispute,
        actor,
        _next_number(dispute),
        kind=EvidenceKind.STATEMENT,
        title=" ".join((title or "").split())[:MAX_TITLE],
        text=text,
        visibility=check_visibility(actor, visibility),
    )
    row.save()
    return row


def add_files(
    *,
    dispute: Dispute,
    actor: DisputeActor,
    files: list[IncomingFile],
    note: str = "",
    visibility: str | None = None,
) -> list[Evidence]:
    """Photos, receipts, screenshots: one piece of evidence per file."""
    _check_party(dispute, actor)
    _check_open(dispute)
    check_files(files)
    visibility = check_visibility(actor, visibility)
    note = (note or "").strip()[:MAX_TEXT]
    number = _next_number(dispute)
    rows = []
    for offset, incoming in enumerate(files):
        name = clean_filename(incoming.filename)
        content_type = (
            (incoming.content_type or "").split(";")[0].strip().lower()
            or mimetypes.guess_type(name)[0]
            or "application/octet-stream"
        )
        row = _row(
            dispute,
            actor,
            number + offset,
            kind=EvidenceKind.FILE,
            title=name[:MAX_TITLE],
            text=note,
            filename=name,
            content_type=content_type,
            size=len(incoming.content),
            sha256=hashlib.sha256(incoming.content).hexdigest(),
            visibility=visibility,
        )
        path = evidence_path(row, name)
        if default_storage.exists(path):
            row.file.name = path  # the same bytes are stored once per workspace
        else:
            row.file.save(name, ContentFile(incoming.content), save=False)
        row.save()
        rows.append(row)
    return rows


@transaction.atomic
def submit_evidence(
    *,
    dispute: Dispute,
    actor: DisputeActor,
    text: str = "",
    files: list[IncomingFile] = (),
    title: str = "",
    visibility: str | None = None,
) -> list[Evidence]:
    """A party (or an agent) adds a statement and/or files to the dispute."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",)).select_related("case").get(pk=dispute.pk)
    )
    text = (text or "").strip()
    if not text and not files:
        raise ApplicationError(
            "empty_evidence", "Add a file or write something to submit.", status=422
        )
    rows = []
    if files:
        rows += add_files(
            dispute=dispute, actor=actor, files=list(files), note=text, visibility=visibility
        )
    elif text:
        rows.append(
            record_statement(
                dispute=dispute, actor=actor, text=text, title=title, visibility=visibility
            )
        )
    _timeline(dispute, actor, rows)
    return rows


def _order_records(dispute: Dispute) -> list[dict]:
    """What the order's data says about delivery: each shipment's tracking and each
    booking's transfer, as plain facts."""
    records = []
    order = dispute.order
    for shipment in order.shipments.all().order_by("pk"):
        records.append(
            {
                "kind": EvidenceKind.TRACKING,
                "title": f"{shipment.carrier} {shipment.tracking_number}".strip(),
                "facts": {
                    "shipment": shipment.external_id,
                    "carrier": shipment.carrier,
                    "tracking_number": shipment.tracking_number,
                    "tracking_url": shipment.tracking_url,
                    "status": shipment.status,
                    "promised_at": shipment.promised_at.isoformat()
                    if shipment.promised_at
                    else None,
                    "shipped_at": _iso(shipment.shipped_at),
                    "delivered_at": _iso(shipment.delivered_at),
                },
            }
        )
    for booking in order.bookings.all().select_related("third_party").order_by("pk"):
        code = booking.confirmation_code
        records.append(
            {
                "kind": EvidenceKind.TRANSFER,
                "title": booking.title[:MAX_TITLE],
                "facts": {
                    "booking": booking.external_id,
                    "kind": booking.kind,
                    "provider": str(booking.third_party) if booking.third_party_id else "",
                    "holder_name": booking.holder_name,
                    # Enough to recognise the booking, not enough to use it.
                    "confirmation": f"…{code[-4:]}" if len(code) > 4 else "",
                    "transfer_status": booking.transfer_status,
                    "transfer_due_at": _iso(booking.transfer_due_at),
                    "transferred_at": _iso(booking.transferred_at),
                    "starts_at": _iso(booking.starts_at),
                },
            }
        )
    return records


def _iso(moment):
    return moment.isoformat() if moment else None


def collect_order_evidence(*, dispute: Dispute, actor: DisputeActor) -> list[Evidence]:
    """Add the order's tracking and transfer records as evidence both parties see; a
    record already there unchanged is not added twice (call again after the marketplace
    reports news about the order)."""
    _check_open(dispute)
    have = {
        (e.kind, tuple(sorted(e.facts.items())))
        for e in Evidence.objects.filter(
            dispute=dispute, kind__in=(EvidenceKind.TRACKING, EvidenceKind.TRANSFER)
        )
    }
    number = _next_number(dispute)
    rows = []
    for record in _order_records(dispute):
        if (record["kind"], tuple(sorted(record["facts"].items()))) in have:
            continue
        rows.append(
            _row(
                dispute,
                actor,
                number + len(rows),
                kind=record["kind"],
                title=record["title"] or str(EvidenceKind(record["kind"]).label),
                facts=record["facts"],
                visibility=Visibility.PARTIES,
            )
        )
    Evidence.objects.bulk_create(rows)
    return rows


@transaction.atomic
def refresh_order_evidence(*, dispute: Dispute, actor: DisputeActor) -> list[Evidence]:
    """An agent adds the order's latest tracking and transfer records."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("case", "order")
        .get(pk=dispute.pk)
    )
    rows = collect_order_evidence(dispute=dispute, actor=actor)
    _timeline(dispute, actor, rows)
    return rows


def _locked_refusal(evidence: Evidence) -> Conflict:
    return Conflict(
        "evidence_locked",
        "This evidence was put before a decision or the payment provider; it cannot change.",
        details={"number": evidence.number, "locked_for": evidence.locked_for},
    )


@transaction.atomic
def withdraw_evidence(*, evidence: Evidence, actor: DisputeActor) -> Evidence:
    """Take back a piece of evidence that nobody has judged yet."""
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("dispute__case")
        .get(pk=evidence.pk)
    )
    if actor.role in (Role.BUYER, Role.SELLER) and (
        actor.role != evidence.submitted_by_role
        or actor.party is None
        or actor.party.pk != evidence.submitted_by_party_id
    ):
        raise PermissionDenied("Only whoever submitted it can withdraw this evidence.")
    if evidence.is_locked:
        raise _locked_refusal(evidence)
    if evidence.withdrawn_at is None:
        evidence.withdrawn_at = timezone.now()
        evidence.save(update_fields=["withdrawn_at"])
        events.record(
            evidence.dispute.case,
            "dispute.evidence_withdrawn",
            actor.on_case(),
            data={"dispute": evidence.dispute.reference, "number": evidence.number},
        )
    return evidence


@transaction.atomic
def change_evidence_visibility(
    *, evidence: Evidence, actor: DisputeActor, visibility: str
) -> Evidence:
    """An agent widens or narrows who sees a piece of evidence, until it is locked."""
    if actor.role != Role.AGENT:
        raise PermissionDenied("Only the platform changes who sees evidence.")
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("dispute__case")
        .get(pk=evidence.pk)
    )
    if evidence.is_locked:
        raise _locked_refusal(evidence)
    visibility = check_visibility(actor, visibility)
    if visibility != evidence.visibility:
        events.record(
            evidence.dispute.case,
            "dispute.evidence_visibility",
            actor.on_case(),
            before=evidence.visibility,
            after=visibility,
            data={"dispute": evidence.dispute.reference, "number": evidence.number},
        )
        evidence.visibility = visibility
        evidence.save(update_fields=["visibility"])
    return evidence


def lock_evidence(dispute: Dispute, *, purpose: str) -> int:
    """Lock every piece not yet locked (inside the caller's transaction); how many."""
    return Evidence.objects.filter(
        dispute=dispute, locked_at__isnull=True, withdrawn_at__isnull=True
    ).update(locked_at=timezone.now(), locked_for=purpose)


@transaction.atomic
def lock_evidence_for(dispute: Dispute, *, purpose: str = LockedFor.PSP) -> list[Evidence]:
    """Lock the dispute's evidence before it is submitted elsewhere (the payment
    provider's chargeback): what was submitted stays what it was. Returns every locked
    piece of the dispute, oldest first, for the submission to read."""
    if purpose not in LockedFor.values:
        raise ApplicationError("unknown_lock_purpose", f"{purpose!r} is not a purpose.")
    dispute = (
        Dispute.objects.select_for_update(of=("self",)).select_related("case").get(pk=dispute.pk)
    )
    locked = lock_evidence(dispute, purpose=purpose)
    if locked:
        events.record(
            dispute.case,
            "dispute.evidence_locked",
            events.Actor.system("disputes"),
            data={"dispute": dispute.reference, "count": locked, "for": purpose},
        )
    return list(
        Evidence.objects.filter(dispute=dispute, locked_at__isnull=False).order_by("number")
    )
