"""What every workspace gets out of the box: escalation triggers, the Escalations team,
approved answers for proactive care and reminders, care plans and (switched off) the
pending-customer time rules. Installing is idempotent: rows are found by their key, and
whatever an admin changed since is left as it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ombuds.accounts.services import create_team
from ombuds.core.models import Workspace

from .macros.services import create_macro
from .models import CarePlan, Macro, Problem, TimeRule, Trigger
from .rules.services import create_time_rule, create_trigger

ESCALATION_TEAM = "Escalations"

CHARGEBACK_WORDS = [
    # English
    "chargeback",
    "chargebacks",
    "charge back",
    "charging back",
    "dispute the charge",
    "dispute the payment",
    "call my bank",
    "contact my bank",
    "reverse the payment",
    "paypal claim",
    # Dutch
    "terugboeking",
    "terugboeken",
    "terugboek*",
    "storneren",
    "stornering",
    "mijn bank bellen",
    "via mijn bank",
    "geld terughalen",
]
LEGAL_WORDS = [
    # English
    "lawyer",
    "lawyers",
    "attorney",
    "solicitor",
    "legal action",
    "legal steps",
    "sue",
    "suing",
    "lawsuit",
    "court",
    "small claims",
    "police",
    "fraud",
    "scam",
    "consumer protection",
    "trading standards",
    # Dutch
    "advocaat",
    "advocaten",
    "jurist",
    "juridische stappen",
    "rechtszaak",
    "rechter",
    "rechtbank",
    "aangifte",
    "politie",
    "oplichting",
    "oplichter*",
    "fraude",
    "consumentenbond",
    "geschillencommissie",
    "deurwaarder",
]

FROM_CUSTOMER = {"field": "message.from_requester", "op": "is_true"}


def _escalation(value_reason: str) -> dict:
    return {"type": "escalate", "value": ESCALATION_TEAM, "text": value_reason}


def escalation_rules() -> list[dict]:
    """The shipped escalation triggers, worded in the active language."""
    return [
        {
            "key": "escalation.chargeback",
            "name": _("Escalation: chargeback threat"),
            "events": ["case.created", "message.received"],
            "conditions": [
                FROM_CUSTOMER,
                {"field": "message.text", "op": "contains_words", "value": CHARGEBACK_WORDS},
            ],
            "actions": [_escalation(_("The customer mentions a chargeback."))],
        },
        {
            "key": "escalation.legal",
            "name": _("Escalation: legal threat"),
            "events": ["case.created", "message.received"],
            "conditions": [
                FROM_CUSTOMER,
                {"field": "message.text", "op": "contains_words", "value": LEGAL_WORDS},
            ],
            "actions": [_escalation(_("The customer threatens legal steps."))],
        },
        {
            "key": "escalation.public_post",
            "name": _("Escalation: public social post"),
            "events": ["case.created"],
            "conditions": [{"field": "case.is_public_post", "op": "is_true"}],
            "actions": [_escalation(_("Started from a public post: reputation risk."))],
        },
        {
            "key": "escalation.repeat_contact",
            "name": _("Escalation: third contact within 48 hours"),
            "events": ["case.created", "message.received"],
            "conditions": [
                FROM_CUSTOMER,
                {"field": "requester.contacts_48h", "op": "at_least", "value": 3},
            ],
            "actions": [_escalation(_("Third contact from this customer within 48 hours."))],
        },
        {
            "key": "escalation.vip",
            "name": _("Escalation: VIP customer"),
            "events": ["case.created"],
            "conditions": [{"field": "requester.is_vip", "op": "is_true"}],
            "actions": [_escalation(_("VIP customer."))],
        },
        {
            "key": "escalation.refund_authority",
            "name": _("Escalation: refund above the agent's authority"),
            "events": ["approval.requested"],
            "conditions": [],
            "actions": [
                _escalation(_("A refund above the agent's authority waits for approval.")),
                {
                    "type": "notify",
                    "value": "supervisors",
                    "text": _("A refund on {{ case_reference }} waits for your approval."),
                },
            ],
        },
    ]


@dataclass(frozen=True)
class MacroSpec:
    key: str
    name: str
    texts: dict[str, str] = field(default_factory=dict)


MACROS = [
    MacroSpec(
        "care-shipment-delayed",
        "Proactive: shipment delayed",
        {
            "en": (
                "Hi {{ buyer_first_name }},\n\n"
                "We noticed that {{ carrier }} reports a delay for your order "
                "{{ order_number }}. You don't need to do anything: we are following it up "
                "with the carrier and will keep you posted.\n\n"
                "You can follow the parcel here: {{ tracking_link }}\n\n"
                "Kind regards,\n{{ workspace_name }} Support ({{ case_reference }})"
            ),
            "nl": (
                "Hallo {{ buyer_first_name }},\n\n"
                "We zagen dat {{ carrier }} een vertraging meldt voor je bestelling "
                "{{ order_number }}. Je hoeft niets te doen: we volgen het op met de "
                "vervoerder en houden je op de hoogte.\n\n"
                "Je kunt het pakket hier volgen: {{ tracking_link }}\n\n"
                "Met vriendelijke groet,\nKlantenservice {{ workspace_name }} "
                "({{ case_reference }})"
            ),
        },
    ),
    MacroSpec(
        "care-shipment-exception",
        "Proactive: shipment exception",
        {
            "en": (
                "Hi {{ buyer_first_name }},\n\n"
                "{{ carrier }} reports a problem delivering your order {{ order_number }}. "
                "We have asked them what happened and will come back to you with a solution "
                "— a new delivery or your money back.\n\n"
                "Kind regards,\n{{ workspace_name }} Support ({{ case_reference }})"
            ),
            "nl": (
                "Hallo {{ buyer_first_name }},\n\n"
                "{{ carrier }} meldt een probleem met de bezorging van je bestelling "
                "{{ order_number }}. We hebben gevraagd wat er is gebeurd en komen bij je "
                "terug met een oplossing — een nieuwe bezorging of je geld terug.\n\n"
                "Met vriendelijke groet,\nKlantenservice {{ workspace_name }} "
                "({{ case_reference }})"
            ),
        },
    ),
    MacroSpec(
        "care-transfer-overdue",
        "Proactive: transfer overdue",
        {
            "en": (
                "Hi {{ buyer_first_name }},\n\n"
                "The seller should have transferred {{ event_name }} (order "
                "{{ order_number }}) to you by {{ transfer_deadline }}, and it has not "
                "arrived yet (status: {{ transfer_status }}). We have chased the seller and "
                "will make sure you get what you paid for.\n\n"
                "Kind regards,\n{{ workspace_name }} Support ({{ case_reference }})"
            ),
            "nl": (
                "Hallo {{ buyer_first_name }},\n\n"
                "De verkoper had {{ event_name }} (bestelling {{ order_number }}) uiterlijk "
                "{{ transfer_deadline }} aan je moeten overdragen, en dat is nog niet gebeurd "
                "(status: {{ transfer_status }}). We hebben de verkoper gemaand en zorgen "
                "dat je krijgt waarvoor je hebt betaald.\n\n"
                "Met vriendelijke groet,\nKlantenservice {{ workspace_name }} "
                "({{ case_reference }})"
            ),
        },
    ),
    MacroSpec(
        "care-event-cancelled",
        "Proactive: event cancelled",
        {
            "en": (
                "Hi {{ buyer_first_name }},\n\n"
                "We are sorry to tell you that {{ event_name }} has been cancelled by the "
                "organiser. Your order {{ order_number }} is covered: we will refund you or "
                "offer an alternative, and you will hear from us shortly.\n\n"
                "Kind regards,\n{{ workspace_name }} Support ({{ case_reference }})"
            ),
            "nl": (
                "Hallo {{ buyer_first_name }},\n\n"
                "Helaas is {{ event_name }} door de organisator geannuleerd. Je bestelling "
                "{{ order_number }} is gedekt: we betalen je terug of bieden een alternatief, "
                "en je hoort snel van ons.\n\n"
                "Met vriendelijke groet,\nKlantenservice {{ workspace_name }} "
                "({{ case_reference }})"
            ),
        },
    ),
    MacroSpec(
        "care-event-moved",
        "Proactive: event moved",
        {
            "en": (
                "Hi {{ buyer_first_name }},\n\n"
                "The organiser has moved {{ event_name }}; the new date is "
                "{{ event_date }}. Your tickets from order {{ order_number }} stay valid. "
                "If the new date does not suit you, reply to this message and we will look "
                "at the options with you.\n\n"
                "Kind regards,\n{{ workspace_name }} Support ({{ case_reference }})"
            ),
            "nl": (
                "Hallo {{ buyer_first_name }},\n\n"
                "De organisator heeft {{ event_name }} verplaatst; de nieuwe datum is "
                "{{ event_date }}. Je tickets van bestelling {{ order_number }} blijven "
                "geldig. Past de nieuwe datum je niet, antwoord dan op dit bericht en we "
                "bekijken samen de mogelijkheden.\n\n"
                "Met vriendelijke groet,\nKlantenservice {{ workspace_name }} "
                "({{ case_reference }})"
            ),
        },
    ),
    MacroSpec(
        "care-keep-in-the-loop",
        "Proactive: keeping you posted",
        {
            "en": (
                "Hi {{ buyer_first_name }},\n\n"
                "A short update on order {{ order_number }}: we are still waiting for the "
                "other party and are chasing them. We have not forgotten you, and we will "
                "write again as soon as we know more.\n\n"
                "Kind regards,\n{{ workspace_name }} Support ({{ case_reference }})"
            ),
            "nl": (
                "Hallo {{ buyer_first_name }},\n\n"
                "Een korte update over bestelling {{ order_number }}: we wachten nog op de "
                "andere partij en blijven erachteraan zitten. We zijn je niet vergeten en "
                "schrijven opnieuw zodra we meer weten.\n\n"
                "Met vriendelijke groet,\nKlantenservice {{ workspace_name }} "
                "({{ case_reference }})"
            ),
        },
    ),
    MacroSpec(
        "reminder-pending-customer",
        "Reminder: waiting for your answer",
        {
            "en": (
                "Hi {{ buyer_first_name }},\n\n"
                "We are still waiting for your answer on {{ case_reference }}. Could you "
                "reply to this message? Without news from you we will close the case in a "
                "few days.\n\n"
                "Kind regards,\n{{ workspace_name }} Support"
            ),
            "nl": (
                "Hallo {{ buyer_first_name }},\n\n"
                "We wachten nog op je antwoord over {{ case_reference }}. Wil je op dit "
                "bericht reageren? Zonder nieuws van jou sluiten we de case over een paar "
                "dagen.\n\n"
                "Met vriendelijke groet,\nKlantenservice {{ workspace_name }}"
            ),
        },
    ),
]

CARE_PLANS = [
    ("shipment.delayed", Problem.SHIPMENT, "care-shipment-delayed", "normal"),
    ("shipment.exception", Problem.SHIPMENT, "care-shipment-exception", "high"),
    ("booking.transfer_overdue", Problem.TRANSFER, "care-transfer-overdue", "high"),
    ("event.cancelled", Problem.EVENT, "care-event-cancelled", "high"),
    ("event.moved", Problem.EVENT, "care-event-moved", "normal"),
]


def _macro(workspace: Workspace, spec: MacroSpec) -> Macro:
    existing = Macro.objects.filter(workspace=workspace, key=spec.key).first()
    if existing is not None:
        return existing
    name = spec.name
    if Macro.objects.filter(workspace=workspace, name=name).exists():
        name = f"{name} ({spec.key})"
    return create_macro(workspace=workspace, name=name, texts=spec.texts, key=spec.key)


@transaction.atomic
def install_defaults(workspace: Workspace) -> dict[str, int]:
    """Give a workspace the shipped escalations, macros, care plans and time rules."""
    made = {"triggers": 0, "macros": 0, "care_plans": 0, "time_rules": 0}
    with translation.override(workspace.default_language or "en"):
        create_team(workspace=workspace, name=ESCALATION_TEAM)
        macros = {}
        for spec in MACROS:
            before = Macro.objects.filter(workspace=workspace, key=spec.key).exists()
            macros[spec.key] = _macro(workspace, spec)
            made["macros"] += not before
        for position, rule in enumerate(escalation_rules(), start=1):
            if Trigger.objects.filter(workspace=workspace, builtin_key=rule["key"]).exists():
                continue
            name = rule["name"]
            if Trigger.objects.filter(workspace=workspace, name=name).exists():
                name = f"{name} ({rule['key']})"
            create_trigger(
                workspace=workspace,
                name=name,
                events=rule["events"],
                conditions=rule["conditions"],
                actions=rule["actions"],
                builtin_key=rule["key"],
                position=position,
            )
            made["triggers"] += 1
        loop = macros["care-keep-in-the-loop"]
        for event_type, problem, key, priority in CARE_PLANS:
            _plan, created = CarePlan.objects.get_or_create(
                workspace=workspace,
                event_type=event_type,
                defaults={
                    "problem": problem,
                    "macro": macros[key],
                    "follow_up_macro": loop,
                    "priority": priority,
                },
            )
            made["care_plans"] += created
        if not TimeRule.objects.filter(workspace=workspace).exists():
            reminder = macros["reminder-pending-customer"]
            create_time_rule(
                workspace=workspace,
                name=_("Pending customer 3 days: reminder"),
                status="pending_customer",
                hours=72,
                actions=[{"type": "reply_macro", "value": str(reminder.pk)}],
                is_active=False,
            )
            create_time_rule(
                workspace=workspace,
                name=_("Pending customer 7 days: solve"),
                status="pending_customer",
                hours=168,
                actions=[
                    {
                        "type": "add_note",
                        "text": _("No answer from the customer for 7 days; solved."),
                    },
                    {"type": "set_status", "value": "solved"},
                ],
                is_active=False,
            )
            made["time_rules"] += 2
    return made
