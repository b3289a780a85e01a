"""The evidence a chargeback is answered with, built from what the desk knows: the
order's data, the conversation with the buyer, what the parties put before the order's
buyer–seller dispute, the agent's statement and the files an agent picks. What is built
is exactly what is sent: the preview shows these fields and files, and the submission
carries its fingerprint (ADR 0042).

Field names are Stripe's (`evidence[...]` of POST /v1/disputes/{id}). Text fields are
plain text; file fields are PDF, JPEG or PNG of at most 5 MB each, uploaded first with
purpose `dispute_evidence`. All text together may hold at most 150,000 characters.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Attachment, Message, MessageKind
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.disputes.models import Evidence, EvidenceKind, Visibility

from .documents import Section, render_pdf
from .models import Chargeback

TEXT_FIELDS = {
    "product_description": _("Product description"),
    "customer_name": _("Customer name"),
    "customer_email_address": _("Customer email"),
    "shipping_carrier": _("Shipping carrier"),
    "shipping_tracking_number": _("Tracking number"),
    "shipping_date": _("Shipping date"),
    "service_date": _("Service date"),
    "duplicate_charge_id": _("Other charge of the order"),
    "refund_policy_disclosure": _("How the refund policy was shown"),
    "uncategorized_text": _("Statement"),
}
FILE_FIELDS = {
    "receipt": _("Receipt"),
    "customer_communication": _("Conversation with the buyer"),
    "refund_policy": _("Refund policy"),
    "shipping_documentation": _("Shipping documentation"),
    "service_documentation": _("Service documentation"),
    "duplicate_charge_documentation": _("Duplicate charge documentation"),
    "cancellation_policy": _("Cancellation policy"),
    "uncategorized_file": _("Other file"),
}
# File fields an agent fills with a file of the case; the others the desk writes itself.
CHOSEN_FILE_FIELDS = (
    "shipping_documentation",
    "service_documentation",
    "duplicate_charge_documentation",
    "cancellation_policy",
    "uncategorized_file",
)
FILE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 150_000
MAX_STATEMENT_CHARS = 20_000


@dataclass(frozen=True)
class EvidenceFile:
    field: str
    name: str
    content_type: str
    # "receipt", "customer_communication", "refund_policy", "attachment:<id>" or
    # "dispute-evidence:<id>"
    source: str
    size: int
    sha256: str
    content: bytes = field(repr=False, compare=False)

    def describe(self) -> dict:
        return {
            "field": self.field,
            "name": self.name,
            "source": self.source,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class EvidencePack:
    """Text fields and files, as they will be sent."""

    fields: dict[str, str]
    files: tuple[EvidenceFile, ...]

    @property
    def fingerprint(self) -> str:
        shape = {"fields": self.fields, "files": [f.describe() for f in self.files]}
        return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()

    @property
    def text_chars(self) -> int:
        return sum(len(v) for v in self.fields.values())

    def checklist(self) -> list[tuple[str, str, bool]]:
        """(field, label, present) for every field the desk can fill."""
        files = {f.field for f in self.files}
        return [(k, str(v), k in self.fields) for k, v in TEXT_FIELDS.items()] + [
            (k, str(v), k in files) for k, v in FILE_FIELDS.items()
        ]


def _file(field_name: str, name: str, content: bytes, source: str, content_type: str):
    return EvidenceFile(
        field=field_name,
        name=name,
        content_type=content_type,
        source=source,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )


def _money(amount: int, currency: str) -> str:
    return Money(amount, currency).format("en")


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _product_description(order) -> str:
    lines = [
        f"{line.quantity} x {line.description} ({_money(line.unit_price, order.currency)} each)"
        for line in order.lines.all()
    ]
    for booking in order.bookings.all():
        when = " to ".join(d for d in (_date(booking.starts_at), _date(booking.ends_at)) if d)
        lines.append(
            ", ".join(p for p in (booking.title, booking.location, when) if p)
            + (f" (holder {booking.holder_name})" if booking.holder_name else "")
        )
    return "\n".join(lines) or f"Order {order.external_id}"


def _shipment(order):
    shipments = sorted(order.shipments.all(), key=lambda s: (s.delivered_at is None, s.pk))
    return shipments[0] if shipments else None


def _public_messages(chargeback: Chargeback) -> list[Message]:
    if chargeback.case_id is None:
        return []
    return list(
        Message.objects.filter(case_id=chargeback.case_id)
        .exclude(kind=MessageKind.NOTE)
        .select_related("author_user", "author_party")
        .order_by("created_at", "pk")
    )


def _summary(chargeback: Chargeback, shipment, messages: list[Message]) -> str:
    order = chargeback.order
    facts = [
        f"Order {order.external_id} for {_money(order.total, order.currency)}"
        + (f", placed on {_date(order.placed_at)}" if order.placed_at else "")
        + f", paid with payment {chargeback.payment.external_id}.",
    ]
    if shipment is not None:
        if shipment.delivered_at:
            facts.append(
                f"Delivered by {shipment.carrier} on {_date(shipment.delivered_at)}"
                + (f" (tracking {shipment.tracking_number})." if shipment.tracking_number else ".")
            )
        elif shipment.shipped_at:
            facts.append(f"Shipped with {shipment.carrier} on {_date(shipment.shipped_at)}.")
    for booking in order.bookings.all():
        if booking.transferred_at:
            facts.append(
                f"The booking {booking.title} was transferred to the buyer on "
                f"{_date(booking.transferred_at)}."
            )
    inbound = sum(1 for m in messages if m.kind == MessageKind.INBOUND)
    if inbound:
        facts.append(f"The buyer wrote to support {inbound} time(s); the conversation is attached.")
    return " ".join(facts)


def _receipt(chargeback: Chargeback) -> bytes:
    order = chargeback.order
    lines = [
        f"{line.quantity} x {line.description}: "
        f"{_money(line.quantity * line.unit_price, order.currency)}"
        for line in order.lines.all()
    ]
    payment = chargeback.payment
    return render_pdf(
        f"Receipt for order {order.external_id}",
        [
            Section(
                "Order",
                (
                    f"Buyer: {order.buyer.name or order.buyer.email}",
                    f"Seller: {order.seller.name if order.seller else '-'}",
                    f"Placed: {_date(order.placed_at)}",
                ),
            ),
            Section("Items", tuple(lines) or ("-",)),
            Section(
                "Payment",
                (
                    f"Total: {_money(order.total, order.currency)}",
                    f"Payment {payment.external_id} by {payment.method or 'card'}: "
                    f"{_money(payment.captured_amount, payment.currency)} captured"
                    + (f" on {_date(payment.captured_at)}" if payment.captured_at else ""),
                ),
            ),
        ],
    )


def _author(message: Message) -> str:
    if message.kind == MessageKind.INBOUND:
        return f"Buyer ({message.author_party or 'customer'})"
    if message.kind == MessageKind.CALL:
        return "Phone call"
    return "Support"


def _conversation(chargeback: Chargeback, messages: list[Message]) -> bytes:
    sections = [
        Section(
            f"{message.created_at:%Y-%m-%d %H:%M} UTC · {_author(message)} · {message.channel}",
            tuple(message.body_text.splitlines()) or ("",),
        )
        for message in messages
    ]
    return render_pdf(f"Conversation about order {chargeback.order.external_id}", sections)


@dataclass(frozen=True)
class FileSource:
    """A file the agent may send: a case attachment or a piece of the dispute's evidence."""

    key: str  # "attachment:12" or "dispute-evidence:5"
    label: str
    content_type: str
    size: int
    storage: object = field(repr=False, compare=False)  # the FieldFile to read


def dispute_evidence(chargeback: Chargeback) -> list[Evidence]:
    """What buyer, seller and platform put before the order's buyer–seller dispute (not
    what only the platform sees, nor what was withdrawn)."""
    return list(
        Evidence.objects.filter(
            workspace_id=chargeback.workspace_id,
            dispute__order_id=chargeback.order_id,
            withdrawn_at__isnull=True,
        )
        .exclude(visibility=Visibility.INTERNAL)
        .select_related("dispute")
        .order_by("dispute_id", "number")
    )


def eligible_files(chargeback: Chargeback, evidence: list[Evidence] | None = None) -> list:
    """Files of the case and of the dispute an agent may send: PDF, JPEG or PNG up to 5 MB."""
    found = []
    if chargeback.case_id is not None:
        for a in Attachment.objects.filter(
            message__case_id=chargeback.case_id,
            workspace_id=chargeback.workspace_id,
            content_type__in=list(FILE_TYPES),
            size__lte=MAX_FILE_BYTES,
        ).order_by("created_at", "pk"):
            found.append(
                FileSource(f"attachment:{a.pk}", a.filename, a.content_type, a.size, a.file)
            )
    for piece in dispute_evidence(chargeback) if evidence is None else evidence:
        if piece.file and piece.content_type in FILE_TYPES and piece.size <= MAX_FILE_BYTES:
            label = f"{piece.dispute.reference} #{piece.number}: {piece.filename or piece.title}"
            found.append(
                FileSource(
                    f"dispute-evidence:{piece.pk}",
                    label,
                    piece.content_type,
                    piece.size,
                    piece.file,
                )
            )
    return found


def _chosen_files(chargeback: Chargeback, chosen: dict[str, str], evidence) -> list[EvidenceFile]:
    unknown = sorted(set(chosen) - set(CHOSEN_FILE_FIELDS))
    if unknown:
        raise ApplicationError(
            "unknown_evidence_field",
            "These evidence fields do not take a chosen file.",
            details={"fields": unknown, "allowed": list(CHOSEN_FILE_FIELDS)},
            status=422,
        )
    wanted = {f: str(chosen[f]) for f in CHOSEN_FILE_FIELDS if chosen.get(f)}
    if not wanted:
        return []
    by_key = {s.key: s for s in eligible_files(chargeback, evidence)}
    files = []
    for field_name, key in wanted.items():
        source = by_key.get(key)
        if source is None:
            raise ApplicationError(
                "attachment_not_eligible",
                "Only a PDF, JPEG or PNG of this case or its dispute, at most 5 MB, can be "
                "sent as evidence.",
                details={"field": field_name},
                status=422,
            )
        with source.storage.open("rb") as handle:
            content = handle.read()
        extension = FILE_TYPES[source.content_type]
        files.append(
            _file(field_name, f"{field_name}.{extension}", content, key, source.content_type)
        )
    return files


def _dispute_statements(evidence: list[Evidence]) -> str:
    lines = []
    for piece in evidence:
        if piece.kind == EvidenceKind.FILE and not piece.text:
            continue
        who = {"buyer": "Buyer", "seller": "Seller"}.get(piece.submitted_by_role, "Platform")
        facts = ", ".join(f"{k}: {v}" for k, v in sorted((piece.facts or {}).items()) if v)
        body = " ".join(p for p in (piece.text.strip(), facts) if p)
        lines.append(f"- {who}, {piece.created_at:%Y-%m-%d}, {piece.title}: {body}".strip())
    if not lines:
        return ""
    return f"In the marketplace's dispute {evidence[0].dispute.reference}:\n" + "\n".join(lines)


def build_evidence(
    *,
    chargeback: Chargeback,
    statement: str = "",
    chosen_files: dict[str, str] | None = None,
    refund_policy: tuple[str, list[str]] | None = None,
) -> EvidencePack:
    """The evidence for `chargeback`, as it would be sent now. `refund_policy` is the
    disclosure sentence and the policy's lines, when the workspace has one."""
    statement = (statement or "").strip()
    if len(statement) > MAX_STATEMENT_CHARS:
        raise ApplicationError(
            "statement_too_long",
            f"The statement may hold at most {MAX_STATEMENT_CHARS:,} characters.",
            details={"field": "statement"},
            status=422,
        )
    order = chargeback.order
    buyer = order.buyer
    shipment = _shipment(order)
    messages = _public_messages(chargeback)
    fields = {
        "product_description": _product_description(order),
        "customer_name": buyer.name,
        "customer_email_address": buyer.email,
    }
    if shipment is not None:
        fields["shipping_carrier"] = shipment.carrier
        fields["shipping_tracking_number"] = shipment.tracking_number
        fields["shipping_date"] = _date(shipment.shipped_at)
    starts = [b.starts_at for b in order.bookings.all() if b.starts_at]
    if starts:
        fields["service_date"] = _date(min(starts))
    others = [p.external_id for p in order.payments.all() if p.pk != chargeback.payment_id]
    if chargeback.reason == "duplicate" and others:
        fields["duplicate_charge_id"] = others[0]
    evidence = dispute_evidence(chargeback)
    parts = [statement, _summary(chargeback, shipment, messages), _dispute_statements(evidence)]
    fields["uncategorized_text"] = "\n\n".join(p for p in parts if p)
    files = [_file("receipt", "receipt.pdf", _receipt(chargeback), "receipt", "application/pdf")]
    if messages:
        files.append(
            _file(
                "customer_communication",
                "conversation.pdf",
                _conversation(chargeback, messages),
                "customer_communication",
                "application/pdf",
            )
        )
    if refund_policy is not None:
        disclosure, policy_lines = refund_policy
        fields["refund_policy_disclosure"] = disclosure
        files.append(
            _file(
                "refund_policy",
                "refund-policy.pdf",
                render_pdf("Refund policy", [Section("", tuple(policy_lines))]),
                "refund_policy",
                "application/pdf",
            )
        )
    files += _chosen_files(chargeback, chosen_files or {}, evidence)
    pack = EvidencePack(fields={k: v for k, v in fields.items() if v}, files=tuple(files))
    if pack.text_chars > MAX_TEXT_CHARS:
        raise ApplicationError(
            "evidence_too_long",
            f"All evidence text together may hold at most {MAX_TEXT_CHARS:,} characters.",
            details={"chars": pack.text_chars},
            status=422,
        )
    for item in pack.files:
        if item.size > MAX_FILE_BYTES:
            raise ApplicationError(
                "evidence_file_too_large",
                "An evidence file may be at most 5 MB.",
                details={"field": item.field, "size": item.size},
                status=422,
            )
    return pack
