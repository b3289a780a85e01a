"""Proactive care: when the marketplace reports an order problem, tell the buyer before
they ask, on one case per order and problem, and keep them posted while it lasts.

Order events enter through `receive_order_event`, which the marketplace API calls in
place of `conversations.services.record_order_event` (ADR 0014): it records the event
as before, then — only for an event not seen before — applies the workspace's care plan
for its type. A booking transfer that passes its deadline without news is found by
`sweep_overdue_transfers` and enters the same way, as `booking.transfer_overdue`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import ACTIVE_STATUSES, Case, Priority, Status
from ombuds.conversations.services import open_case, record_order_event, update_case
from ombuds.conversations.transitions import TRANSITIONS
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Booking, Order, OrderEvent, TransferStatus

from .macros.services import render_for_case, reply_with_macro
from .models import CareFollowUp, CarePlan, SweepMark
from .rules.schema import PRIORITY_LADDER

log = logging.getLogger(__name__)
CARE = Actor.system("proactive care")
OVERDUE_TYPE = "booking.transfer_overdue"
# How far back the first run of the transfer sweep looks.
FIRST_LOOKBACK = timedelta(days=2)
BATCH = 200

_SUBJECTS = {
    "shipment.delayed": lambda: _("Your order %(order)s is delayed"),
    "shipment.exception": lambda: _("A problem with the delivery of %(order)s"),
    "booking.transfer_overdue": lambda: _("Your booking for %(order)s is not transferred yet"),
    "event.cancelled": lambda: _("The event of order %(order)s is cancelled"),
    "event.moved": lambda: _("The event of order %(order)s has moved"),
}
_OPENING = {
    "shipment.delayed": lambda: _(
        "The marketplace reports that the shipment of order %(order)s is delayed; "
        "the desk opened this case to inform the buyer."
    ),
    "shipment.exception": lambda: _(
        "The marketplace reports a delivery problem with order %(order)s; "
        "the desk opened this case to inform the buyer."
    ),
    "booking.transfer_overdue": lambda: _(
        "The booking of order %(order)s is not transferred and the deadline has passed; "
        "the desk opened this case to inform the buyer."
    ),
    "event.cancelled": lambda: _(
        "The marketplace reports that the event of order %(order)s is cancelled; "
        "the desk opened this case to inform the buyer."
    ),
    "event.moved": lambda: _(
        "The marketplace reports that the event of order %(order)s has moved; "
        "the desk opened this case to inform the buyer."
    ),
}


@transaction.atomic
def receive_order_event(
    *,
    workspace: Workspace,
    order: Order,
    type: str,
    occurred_at: datetime,
    data: dict | None = None,
    external_id: str | None = None,
    actor: Actor,
) -> tuple[OrderEvent, bool]:
    """The marketplace reports something about an order: record it on the order and its
    cases, then (once per event) take care of the buyer if a care plan covers the type."""
    event, created = record_order_event(
        workspace=workspace,
        order=order,
        type=type,
        occurred_at=occurred_at,
        data=data,
        external_id=external_id,
        actor=actor,
    )
    if created:
        take_care(event)
    return event, created


def _language(case_or_party) -> str:
    return getattr(case_or_party, "language", "") or ""


def _case_for(follow_up: CareFollowUp | None, order: Order, plan: CarePlan) -> Case | None:
    """The case that already carries this problem, or the buyer's open case about the
    order (they may have asked already)."""
    if follow_up is not None and follow_up.case.status != Status.CLOSED:
        return follow_up.case
    return (
        Case.objects.filter(
            workspace_id=order.workspace_id,
            order=order,
            requester_id=order.buyer_id,
            status__in=ACTIVE_STATUSES,
        )
        .order_by("-updated_at", "-pk")
        .first()
    )


def _open(order: Order, event: OrderEvent, plan: CarePlan) -> Case:
    buyer = order.buyer
    language = buyer.language or order.workspace.default_language or "en"
    with translation.override(language):
        subject = _SUBJECTS[event.type]() % {"order": order.external_id}
        note = _OPENING[event.type]() % {"order": order.external_id}
    return open_case(
        workspace=order.workspace,
        subject=subject,
        body=note,
        requester=buyer,
        actor=CARE,
        channel="email" if buyer.email else "api",
        order=order,
        priority=plan.priority if plan.priority in Priority.values else Priority.NORMAL,
        language=language,
        topic=plan.problem,
        opening_note=True,
    )


def _waiting_status(case: Case) -> str | None:
    """Pending third party, if the case may go there from where it is."""
    if case.status == Status.PENDING_THIRD_PARTY:
        return None
    if Status.PENDING_THIRD_PARTY in TRANSITIONS[case.status]:
        return Status.PENDING_THIRD_PARTY
    return None


def _higher(current: str, wanted: str) -> bool:
    ladder = PRIORITY_LADDER
    return wanted in ladder and current in ladder and ladder.index(wanted) > ladder.index(current)


def take_care(event: OrderEvent) -> CareFollowUp | None:
    """Apply the care plan for one new order event; None when no plan covers it."""
    plan = (
        CarePlan.objects.select_related("macro__current", "follow_up_macro")
        .filter(workspace_id=event.workspace_id, event_type=event.type, is_active=True)
        .first()
    )
    if plan is None:
        return None
    order = Order.objects.select_related("buyer", "workspace").get(pk=event.order_id)
    now = timezone.now()
    follow_up = (
        CareFollowUp.objects.select_for_update()
        .select_related("case")
        .filter(order=order, problem=plan.problem)
        .first()
    )
    case = _case_for(follow_up, order, plan)
    opened = case is None
    if opened:
        case = _open(order, event, plan)
    case = Case.objects.select_related("workspace", "requester", "order").get(pk=case.pk)
    if case.status == Status.SOLVED:
        update_case(case=case, actor=CARE, status=Status.OPEN)
    elif not opened and _higher(case.priority, plan.priority):
        update_case(case=case, actor=CARE, priority=plan.priority)
    sent = _send(case, plan.macro, status=_waiting_status(case), reason=event.type)
    events.record(
        case,
        "care.notified",
        CARE,
        data={
            "event_type": event.type,
            "problem": plan.problem,
            "order": order.external_id,
            "sent": sent,
            "opened": opened,
        },
    )
    if follow_up is None:
        follow_up = CareFollowUp(
            workspace_id=order.workspace_id, order=order, problem=plan.problem, created_at=now
        )
    follow_up.case = case
    follow_up.plan = plan
    follow_up.last_event_type = event.type
    follow_up.notices_sent += int(sent)
    follow_up.next_update_at = (
        now + timedelta(hours=plan.follow_up_hours) if plan.follow_up_macro_id else None
    )
    follow_up.updated_at = now
    follow_up.save()
    return follow_up


def _send(case: Case, macro, *, status: str | None, reason: str) -> bool:
    """Reply with the macro in the case's language; a macro the case cannot fill in is
    not sent (the timeline says why)."""
    if macro is None or not macro.is_active or macro.current is None:
        return False
    choice = render_for_case(macro=macro, case=case)
    if choice.rendered.missing:
        events.record(
            case,
            "automation.skipped",
            CARE,
            data={
                "action": "reply_macro",
                "reason": f"macro {macro.name!r} needs {', '.join(choice.rendered.missing)}",
                "macro": macro.pk,
                "missing": choice.rendered.missing,
                "for": reason,
            },
        )
        if status:
            update_case(case=case, actor=CARE, status=status)
        return False
    reply_with_macro(
        case=case,
        version=choice.version,
        body=choice.rendered.text,
        actor=CARE,
        status=status,
        language=choice.language,
    )
    return True


# --- keeping the buyer in the loop ---------------------------------------------------------


def stop_follow_ups(case: Case) -> int:
    """The case is resolved: no more updates about its problem."""
    return CareFollowUp.objects.filter(case=case, next_update_at__isnull=False).update(
        next_update_at=None
    )


def send_update(pk: int, now: datetime) -> bool:
    """One due keep-in-the-loop update; True when a message went out."""
    with transaction.atomic():
        follow_up = (
            CareFollowUp.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case__workspace", "case__requester", "plan__follow_up_macro")
            .filter(pk=pk, next_update_at__lte=now)
            .first()
        )
        if follow_up is None:
            return False
        case, plan = follow_up.case, follow_up.plan
        if case.status in (Status.SOLVED, Status.CLOSED) or plan is None:
            follow_up.next_update_at = None
            follow_up.save(update_fields=["next_update_at"])
            return False
        follow_up.next_update_at = now + timedelta(hours=plan.follow_up_hours)
        sent = False
        # Updates go out while the case waits on the third party; while the desk works
        # it or waits on the buyer, the next one is simply moved on.
        if case.status == Status.PENDING_THIRD_PARTY:
            sent = _send(case, plan.follow_up_macro, status=None, reason="keep_in_the_loop")
            follow_up.updates_sent += int(sent)
        follow_up.updated_at = now
        follow_up.save(update_fields=["next_update_at", "updates_sent", "updated_at"])
        return sent


def send_due_updates(now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    seen: set[int] = set()
    while True:
        ids = [
            pk
            for pk in CareFollowUp.objects.filter(next_update_at__lte=now)
            .order_by("next_update_at")
            .values_list("pk", flat=True)[:BATCH]
            if pk not in seen
        ]
        if not ids:
            return sent
        seen.update(ids)
        sent += sum(send_update(pk, now) for pk in ids)


# --- transfers past their deadline ---------------------------------------------------------


def sweep_overdue_transfers(now: datetime | None = None) -> int:
    """Report each booking whose transfer deadline passed (since the last sweep) while it
    is still pending, as a `booking.transfer_overdue` event; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        mark = SweepMark.objects.select_for_update().filter(name="transfer-deadlines").first()
        since = mark.reached if mark is not None else now - FIRST_LOOKBACK
        bookings = list(
            Booking.objects.filter(
                transfer_due_at__gt=since,
                transfer_due_at__lte=now,
                transfer_status=TransferStatus.PENDING,
            )
            .select_related("order__workspace")
            .order_by("transfer_due_at")
        )
        reported = 0
        for booking in bookings:
            order = booking.order
            if OrderEvent.objects.filter(order=order, type=OVERDUE_TYPE).exists():
                continue  # the marketplace told us itself
            _, created = receive_order_event(
                workspace=order.workspace,
                order=order,
                type=OVERDUE_TYPE,
                occurred_at=booking.transfer_due_at,
                data={"booking": booking.external_id, "detected": True},
                external_id=f"ombuds:{OVERDUE_TYPE}:{booking.external_id}",
                actor=Actor.system("transfer deadline"),
            )
            reported += created
        SweepMark.objects.update_or_create(name="transfer-deadlines", defaults={"reached": now})
    return reported
