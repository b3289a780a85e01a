"""The demo desk's automations, switched on after its history is told: the standard
escalations, macros and care plans, a few triggers and approved answers of its own in
English and Dutch, the pending-customer time rules, and a few things that happen "now"
so every part is seen working — a delayed parcel told to its buyers before they ask, a
threat that escalates, a macro answer, a task for a hotel."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.automation.care import receive_order_event
from ombuds.automation.coordination import create_task, email_party
from ombuds.automation.defaults import install_defaults
from ombuds.automation.macros.services import create_macro
from ombuds.automation.models import Macro, TimeRule
from ombuds.automation.rules.services import create_trigger, update_time_rule
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, CaseEvent, Message, Status
from ombuds.conversations.services import receive_customer_message
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Order, PartyKind, ShipmentStatus

MARKETPLACE = Actor.system("marketplace")

MACROS = {
    "Tracking information": {
        "en": (
            "Hi {{ buyer_first_name }},\n\n"
            "Your order {{ order_number }} travels with {{ carrier }} (tracking number "
            "{{ tracking_number }}). You can follow it here: {{ tracking_link }}\n\n"
            "Kind regards,\n{{ agent_name }}\n{{ workspace_name }} Support"
        ),
        "nl": (
            "Hallo {{ buyer_first_name }},\n\n"
            "Je bestelling {{ order_number }} reist met {{ carrier }} (trackingnummer "
            "{{ tracking_number }}). Je kunt hem hier volgen: {{ tracking_link }}\n\n"
            "Met vriendelijke groet,\n{{ agent_name }}\nKlantenservice {{ workspace_name }}"
        ),
    },
    "Transfer status": {
        "en": (
            "Hi {{ buyer_first_name }},\n\n"
            "The transfer of {{ event_name }} ({{ event_date }}) is: {{ transfer_status }}. "
            "The seller must complete it by {{ transfer_deadline }}; if not, we step in.\n\n"
            "Kind regards,\n{{ agent_name }}\n{{ workspace_name }} Support"
        ),
        "nl": (
            "Hallo {{ buyer_first_name }},\n\n"
            "De overdracht van {{ event_name }} ({{ event_date }}) is: {{ transfer_status }}. "
            "De verkoper moet die uiterlijk {{ transfer_deadline }} afronden; anders grijpen "
            "wij in.\n\n"
            "Met vriendelijke groet,\n{{ agent_name }}\nKlantenservice {{ workspace_name }}"
        ),
    },
}
DELIVERY_WORDS = [
    "where is my",
    "not arrived",
    "hasn't arrived",
    "tracking",
    "niet aangekomen",
    "waar blijft",
    "nog niet binnen",
    "track and trace",
]


def switch_on(workspace: Workspace, *, now: datetime) -> dict[str, int]:
    """Install and use the automations of one demo workspace."""
    made = install_defaults(workspace)
    for name, texts in MACROS.items():
        if not Macro.objects.filter(workspace=workspace, name=name).exists():
            create_macro(workspace=workspace, name=name, texts=texts)
    tracking = Macro.objects.get(workspace=workspace, name="Tracking information")
    create_trigger(
        workspace=workspace,
        name="Delivery question: send the tracking link",
        description="A buyer asks where their parcel is: answer with its tracking at once.",
        events=["case.created"],
        conditions=[
            {"field": "case.has_order", "op": "is_true"},
            {"field": "order.kind", "op": "is", "value": "goods"},
            {"field": "message.text", "op": "contains_words", "value": DELIVERY_WORDS},
        ],
        actions=[
            {"type": "reply_macro", "value": str(tracking.pk)},
            {"type": "add_tags", "value": "tracking-sent"},
        ],
    )
    create_trigger(
        workspace=workspace,
        name="Urgent: tell the team",
        events=["case.updated"],
        conditions=[
            {"field": "change.field", "op": "is", "value": "priority"},
            {"field": "change.to", "op": "is", "value": "urgent"},
        ],
        actions=[
            {
                "type": "notify",
                "value": "team, supervisors",
                "text": "{{ case_reference }} is urgent now",
            }
        ],
    )
    for rule in TimeRule.objects.filter(workspace=workspace):
        update_time_rule(
            rule=rule,
            name=rule.name,
            status=rule.status,
            hours=rule.hours,
            actions=rule.actions,
            conditions=rule.conditions,
            is_active=True,
        )
    touched = _delayed_parcels(workspace) + _threat(workspace) + _task_for_a_third_party(workspace)
    for case in touched:
        _settle(case)
    return {**made, "live_cases": len(touched)}


def _delayed_parcels(workspace: Workspace) -> list[Case]:
    """The marketplace reports a delayed parcel for one English and one Dutch buyer who
    have not asked yet: each hears from us first, in their own language."""
    touched = []
    quiet = (
        Order.objects.filter(
            workspace=workspace,
            kind="goods",
            shipments__status=ShipmentStatus.IN_TRANSIT,
            cases__isnull=True,
        )
        .select_related("buyer")
        .order_by("external_id")
    )
    for language in ("nl", "en"):
        order = next((o for o in quiet if (o.buyer.language or "en") == language), None)
        if order is None:
            continue
        shipment = order.shipments.order_by("pk").first()
        receive_order_event(
            workspace=workspace,
            order=order,
            type="shipment.delayed",
            occurred_at=timezone.now() - timedelta(minutes=20),
            data={
                "shipment": shipment.external_id,
                "carrier": shipment.carrier,
                "reason": "sorting centre backlog",
            },
            external_id=f"{order.external_id}:shipment.delayed:live",
            actor=MARKETPLACE,
        )
        touched += list(Case.objects.filter(workspace=workspace, order=order))
    return touched


def _threat(workspace: Workspace) -> list[Case]:
    """A Dutch buyer on an open case threatens a lawyer: the case is escalated."""
    case = (
        Case.objects.filter(workspace=workspace, status=Status.OPEN, language="nl")
        .exclude(tags__name="escalated")
        .order_by("number")
        .first()
    )
    if case is None:
        return []
    receive_customer_message(
        case=case,
        party=case.requester,
        body="Als dit niet vandaag is opgelost, schakel ik mijn advocaat in.",
        channel=case.channel,
        language="nl",
    )
    return [case]


def _task_for_a_third_party(workspace: Workspace) -> list[Case]:
    """A case waiting on a hotel gets a coordination task, and the hotel an email."""
    case = (
        Case.objects.filter(
            workspace=workspace,
            status=Status.PENDING_THIRD_PARTY,
            order__bookings__third_party__kind=PartyKind.THIRD_PARTY,
            order__bookings__third_party__email__gt="",
        )
        .select_related("assignee")
        .order_by("number")
        .first()
    )
    if case is None:
        return []
    party = case.order.bookings.exclude(third_party=None).first().third_party
    agent = case.assignee or User.objects.filter(memberships__workspace=workspace).first()
    actor = Actor(user=agent)
    task = create_task(
        case=case,
        title=f"Confirm the reservation with {party.name}",
        party=party,
        assignee=agent,
        due_at=timezone.now() + timedelta(hours=20),
        actor=actor,
    )
    email_party(
        task=task,
        body=(
            f"Hello {party.name},\n\nCould you confirm that the reservation for order "
            f"{case.order.external_id} is in the name of {case.requester.name}?\n\n"
            f"Kind regards,\n{agent.display_name}"
        ),
        actor=actor,
    )
    create_task(
        case=case,
        title="Ask the seller for the original confirmation",
        assignee=agent,
        due_at=timezone.now() - timedelta(hours=2),
        actor=actor,
    )
    return [case]


def _settle(case: Case) -> None:
    """A case touched after its history was told ends its timeline at its last row."""
    last = max(
        filter(
            None,
            (
                CaseEvent.objects.filter(case=case).aggregate(m=Max("created_at"))["m"],
                Message.objects.filter(case=case).aggregate(m=Max("created_at"))["m"],
            ),
        )
    )
    Case.objects.filter(pk=case.pk).update(updated_at=last)
