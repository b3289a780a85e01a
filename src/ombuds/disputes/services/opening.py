"""Opening a dispute on an order: by its buyer in the portal, or by an agent or the
marketplace's API on the buyer's behalf."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ombuds.conversations.attachments import IncomingFile, check_files
from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseParticipant, Channel
from ombuds.conversations.models import ParticipantRole as CaseRole
from ombuds.conversations.services import open_case_with_message, update_case
from ombuds.core.errors import ApplicationError, Conflict, NotFound
from ombuds.core.models import Workspace
from ombuds.core.money import Money
from ombuds.core.sequences import next_number
from ombuds.marketplace.models import Order

from .. import transitions
from ..actors import DisputeActor
from ..deadlines import seller_deadline
from ..models import OPEN_STATES, PREFIX, DesiredOutcome, Dispute, Reason, Role
from ..terms import DECIDE, terms_for
from . import notices
from .evidence import add_files, collect_order_evidence, record_statement
from .machine import context_for, record

DISPUTE_TAG = "dispute"
MAX_DESCRIPTION = 10_000
# Billing problems are the platform's own to sort out: it took the payment, not the seller.
PLATFORM_REASONS = frozenset(
    {
        Reason.DUPLICATE_CHARGE,
        Reason.UNRECOGNISED_CHARGE,
        Reason.INCORRECT_AMOUNT,
        Reason.PAID_BY_OTHER_MEANS,
        Reason.SUBSCRIPTION_CHARGED,
        Reason.REFUND_NOT_RECEIVED,
    }
)


def _refuse(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details or None, status=422)


def check_claim(
    *, order: Order, reason: str, description: str, desired_outcome: str, amount: Money
) -> str:
    """Refuse a claim that can never be opened, naming the field."""
    if reason not in Reason.values:
        raise _refuse(
            "unknown_reason",
            f"{reason!r} is not a reason code.",
            field="reason",
            allowed=Reason.values,
        )
    if desired_outcome not in DesiredOutcome.values:
        raise _refuse(
            "unknown_desired_outcome",
            f"{desired_outcome!r} is not an outcome a buyer can ask for.",
            field="desired_outcome",
            allowed=DesiredOutcome.values,
        )
    description = (description or "").strip()
    if not description:
        raise _refuse("empty_description", "Say what went wrong.", field="description")
    if len(description) > MAX_DESCRIPTION:
        raise _refuse(
            "description_too_long",
            f"A description holds at most {MAX_DESCRIPTION:,} characters.",
            field="description",
        )
    if not isinstance(amount, Money):
        raise _refuse("invalid_amount", "The amount must be money.", field="amount")
    if amount.currency != order.currency:
        raise _refuse(
            "currency_mismatch",
            f"The order is in {order.currency}; the amount is in {amount.currency}.",
            field="amount",
        )
    if amount.amount < 0:
        raise _refuse("negative_amount", "The amount must not be negative.", field="amount")
    if amount.amount > order.total:
        raise _refuse(
            "amount_above_order_total",
            "A dispute cannot claim more than the order's total.",
            field="amount",
            order_total=order.total,
            currency=order.currency,
        )
    return description


def _case_for(
    workspace: Workspace,
    order: Order,
    actor: DisputeActor,
    subject: str,
    body: str,
    channel: str,
    language: str,
) -> Case:
    """The buyer's active case about this order, tagged as a dispute; a new one if none."""
    case = (
        Case.objects.filter(
            workspace=workspace, order=order, requester=order.buyer, status__in=ACTIVE_STATUSES
        )
        .order_by("-updated_at", "-pk")
        .first()
    )
    if case is None:
        return open_case_with_message(
            workspace=workspace,
            subject=subject,
            body=body,
            requester=order.buyer,
            actor=actor.on_case(),
            channel=channel,
            order=order,
            language=language,
            topic="problem",
            tags=[DISPUTE_TAG],
        )[0]
    tags = set(case.tags.values_list("name", flat=True))
    if DISPUTE_TAG not in tags:
        update_case(case=case, actor=actor.on_case(), tags=[*tags, DISPUTE_TAG])
    if order.seller_id:
        CaseParticipant.objects.get_or_create(
            case=case, party_id=order.seller_id, defaults={"role": CaseRole.SELLER}
        )
    return case


def _replay(workspace: Workspace, key: str, order: Order) -> Dispute | None:
    if not key:
        return None
    found = Dispute.objects.filter(workspace=workspace, idempotency_key=key).first()
    if found is not None and found.order_id != order.pk:
        raise Conflict(
            "idempotency_key_reused",
            "This idempotency key opened a dispute on another order.",
            details={"dispute": found.reference},
        )
    return found


def opening_action(
    *, order: Order, reason: str, actor: DisputeActor, contact_hours: int, skip_contact: bool
) -> str:
    """Where a new dispute starts: with the platform for billing problems and orders
    without a seller, after a contact period when policy asks a buyer to try the seller
    first, else with the seller's deadline running."""
    if order.seller_id is None or reason in PLATFORM_REASONS:
        return "open_to_platform"
    if contact_hours > 0 and actor.role == Role.BUYER and not skip_contact:
        return "open_contact_first"
    return "open"


@transaction.atomic
def open_dispute(
    *,
    workspace: Workspace,
    order: Order,
    actor: DisputeActor,
    reason: str,
    description: str,
    desired_outcome: str,
    amount: Money,
    files: list[IncomingFile] = (),
    channel: str = Channel.WEB,
    skip_contact: bool = False,
    idempotency_key: str = "",
) -> Dispute:
    """The buyer claims something went wrong with their order. The dispute lives on the
    buyer's case about the order (tagged `dispute`), the seller is told and their
    deadline, in business days of the workspace's calendar, starts."""
    if order.workspace_id != workspace.pk:
        raise NotFound("order", order.external_id)
    if actor.role == Role.BUYER and (actor.party is None or actor.party.pk != order.buyer_id):
        raise NotFound("order", order.external_id)
    if actor.role not in (Role.BUYER, Role.AGENT):
        raise ApplicationError(
            "forbidden", "Only the buyer or the platform opens a dispute.", status=403
        )
    description = check_claim(
        order=order,
        reason=reason,
        description=description,
        desired_outcome=desired_outcome,
        amount=amount,
    )
    check_files(list(files))
    key = (idempotency_key or "").strip()[:255]
    # The order's row lock queues a second opening behind the first, so two requests
    # at once cannot both find no open dispute.
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("buyer", "seller")
        .get(pk=order.pk)
    )
    if (replayed := _replay(workspace, key, order)) is not None:
        return replayed
    running = Dispute.objects.filter(workspace=workspace, order=order, state__in=OPEN_STATES)
    if (other := running.first()) is not None:
        raise Conflict(
            "dispute_already_open",
            f"Order {order.external_id} already has an open dispute, {other.reference}.",
            details={"dispute": other.reference},
        )
    terms = terms_for(workspace)
    action = opening_action(
        order=order,
        reason=reason,
        actor=actor,
        contact_hours=terms.contact_hours,
        skip_contact=skip_contact,
    )
    now = timezone.now()
    draft = Dispute(workspace=workspace, reference="", state="")
    move = transitions.check(draft, action, context_for(actor, now))

    number = next_number(f"dispute:{workspace.pk}")
    reference = f"{PREFIX}-{number}"
    language = (order.buyer.language or workspace.default_language or "en")[:8]
    reason_label = str(Reason(reason).label)
    case = _case_for(
        workspace,
        order,
        actor,
        subject=f"{reference}: {reason_label} ({order.external_id})",
        body=description,
        channel=channel,
        language=language,
    )
    dispute = Dispute(
        workspace=workspace,
        number=number,
        reference=reference,
        case=case,
        order=order,
        buyer=order.buyer,
        seller=order.seller,
        reason=reason,
        description=description,
        desired_outcome=desired_outcome,
        amount=amount.amount,
        currency=amount.currency,
        state=move.target,
        language=language,
        opened_by_label=str(actor)[:100],
        idempotency_key=key,
        created_at=now,
        updated_at=now,
    )
    if move.target == "awaiting_contact":
        dispute.contact_due_at = now + timedelta(hours=terms.contact_hours)
    elif move.target == "awaiting_seller":
        dispute.seller_due_at = seller_deadline(workspace, now, terms)
    dispute.next_due_at = dispute.deadline()
    dispute.save()
    record(
        dispute,
        move,
        actor,
        before="",
        now=now,
        data={
            "reason": reason,
            "amount": amount.amount,
            "currency": amount.currency,
            "desired_outcome": desired_outcome,
        },
    )
    submitter = actor if actor.role == Role.BUYER else DisputeActor.buyer(order.buyer)
    record_statement(dispute=dispute, actor=submitter, text=description)
    if files:
        add_files(dispute=dispute, actor=submitter, files=list(files))
    collect_order_evidence(dispute=dispute, actor=DisputeActor.system("order data"))
    opened = {"open": "opened", "open_contact_first": "opened_contact"}.get(
        action, "opened_platform"
    )
    notices.tell_buyer(dispute, opened)
    if opened != "opened_platform":
        notices.tell_seller(dispute, opened, decides_for_buyer=terms.silent_seller == DECIDE)
    return dispute
