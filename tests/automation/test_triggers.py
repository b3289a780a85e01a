"""Triggers: each condition and action, the actor on the timeline, the loop guards."""

from __future__ import annotations

import pytest

from ombuds.automation.models import Notification, Trigger
from ombuds.automation.rules.services import update_trigger
from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, MessageKind
from ombuds.conversations.services import receive_customer_message, update_case
from ombuds.core.errors import ApplicationError
from ombuds.marketplace.services import upsert_party
from tests import builders

from .conftest import trigger


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_case_created_trigger_sets_fields_and_says_which_rule_did_it(workspace, buyer, agent):
    trigger(
        workspace,
        ["case.created"],
        [{"field": "case.channel", "op": "is", "value": "email"}],
        [
            {"type": "set_priority", "value": "high"},
            {"type": "set_team", "value": "Mail"},
            {"type": "add_tags", "value": "mail, first"},
            {"type": "assign", "value": agent.email},
            {"type": "set_status", "value": "open"},
        ],
        name="Mail first",
    )
    case = fresh(builders.case(workspace, requester=buyer, channel="email"))
    assert case.priority == "high"
    assert case.team.name == "Mail"
    assert sorted(case.tags.values_list("name", flat=True)) == ["first", "mail"]
    assert case.assignee == agent
    assert case.status == "open"
    labels = set(case.events.exclude(kind="case.created").values_list("actor_label", flat=True))
    assert labels == {"rule: Mail first"}
    assert Trigger.objects.get(name="Mail first").fire_count == 1


def test_a_condition_that_does_not_hold_keeps_the_rule_quiet(workspace, buyer):
    trigger(
        workspace,
        ["case.created"],
        [{"field": "case.channel", "op": "is", "value": "email"}],
        [{"type": "set_priority", "value": "high"}],
    )
    case = fresh(builders.case(workspace, requester=buyer, channel="web"))
    assert case.priority == "normal"
    assert Trigger.objects.get().fire_count == 0


@pytest.mark.parametrize(
    ("condition", "body", "fires"),
    [
        (
            {"field": "message.text", "op": "contains_words", "value": "refund, money back"},
            "I want my MONEY  back",
            True,
        ),
        (
            {"field": "message.text", "op": "contains_words", "value": "refund"},
            "refundable?",
            False,
        ),
        (
            {"field": "message.text", "op": "contains_words", "value": "terugboek*"},
            "ik ga terugboeken",
            True,
        ),
        (
            {"field": "message.text", "op": "contains_words", "value": "advocaat"},
            "mijn Advocáat",
            True,
        ),
        (
            {"field": "message.text", "op": "not_contains_words", "value": "thanks"},
            "thanks!",
            False,
        ),
        ({"field": "case.language", "op": "in", "value": "nl, de"}, "hoi", True),
        ({"field": "case.language", "op": "not_in", "value": "nl"}, "hoi", False),
        ({"field": "case.subject", "op": "contains_words", "value": "arrived"}, "x", True),
        ({"field": "requester.language", "op": "is", "value": "nl"}, "x", True),
        ({"field": "requester.is_vip", "op": "is_true"}, "x", False),
        ({"field": "requester.is_vip", "op": "is_false"}, "x", True),
        ({"field": "case.is_public_post", "op": "is_false"}, "x", True),
        ({"field": "case.has_order", "op": "is_false"}, "x", True),
        ({"field": "case.tags", "op": "contains", "value": "urgent"}, "x", True),
        ({"field": "case.tags", "op": "not_contains", "value": "urgent"}, "x", False),
        ({"field": "message.from_requester", "op": "is_true"}, "x", True),
        ({"field": "message.channel", "op": "is", "value": "web"}, "x", True),
        ({"field": "case.team", "op": "is", "value": "none"}, "x", True),
        ({"field": "case.assignee", "op": "is", "value": "none"}, "x", True),
        ({"field": "case.status", "op": "is", "value": "new"}, "x", True),
        ({"field": "case.priority", "op": "is_not", "value": "normal"}, "x", False),
        ({"field": "requester.contacts_48h", "op": "at_least", "value": 1}, "x", True),
        ({"field": "requester.contacts_48h", "op": "at_most", "value": 0}, "x", False),
    ],
)
def test_each_condition_on_a_new_case(workspace, condition, body, fires):
    requester = upsert_party(
        workspace=workspace, external_id="B-9", kind="buyer", name="Ida", language="nl"
    )[0]
    trigger(workspace, ["case.created"], [condition], [{"type": "add_tags", "value": "hit"}])
    case = builders.case(
        workspace,
        requester=requester,
        subject="Not arrived",
        body=body,
        tags=["urgent"],
        language="nl",
    )
    assert case.tags.filter(name="hit").exists() is fires


def test_message_received_trigger_reads_the_new_message(workspace, buyer):
    trigger(
        workspace,
        ["message.received"],
        [{"field": "message.text", "op": "contains_words", "value": "urgent"}],
        [{"type": "raise_priority"}, {"type": "add_note", "text": "Raised for {{ buyer_name }}"}],
        name="Urgent words",
    )
    case = builders.case(workspace, requester=buyer, body="urgent already")  # created: no fire
    assert fresh(case).priority == "normal"
    receive_customer_message(case=case, party=buyer, body="This is URGENT now", channel="web")
    case = fresh(case)
    assert case.priority == "high"
    note = case.messages.get(kind=MessageKind.NOTE)
    assert note.body_text == "Raised for Bram Buyer"
    assert note.author_user is None
    assert note.meta == {"by": "rule: Urgent words"}


def test_case_updated_trigger_sees_which_field_changed(workspace, buyer, agent):
    trigger(
        workspace,
        ["case.updated"],
        [
            {"field": "change.field", "op": "is", "value": "priority"},
            {"field": "change.to", "op": "is", "value": "urgent"},
        ],
        [{"type": "notify", "value": "assignee", "text": "{{ case_reference }} is urgent"}],
    )
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), assignee=agent)
    update_case(case=case, actor=Actor(user=agent), priority="high")
    assert not Notification.objects.exists()
    update_case(case=case, actor=Actor(user=agent), priority="urgent")
    note = Notification.objects.get()
    assert note.user == agent
    assert note.title == f"{case.reference} is urgent"
    assert note.email_status == "queued"
    assert fresh(case).events.filter(kind="automation.notified").exists()


def test_case_updated_trigger_on_status_reads_the_new_status(workspace, buyer, agent):
    trigger(
        workspace,
        ["case.updated"],
        [{"field": "case.status", "op": "is", "value": "pending_third_party"}],
        [{"type": "add_tags", "value": "waiting"}],
    )
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), status="pending_third_party")
    assert fresh(case).tags.filter(name="waiting").exists()
    assert fresh(case).status == "pending_third_party"


def test_order_event_trigger(workspace, buyer, parcel_order):
    from django.utils import timezone

    from ombuds.automation.care import receive_order_event

    trigger(
        workspace,
        ["order.event"],
        [{"field": "order.event_type", "op": "is", "value": "shipment.lost"}],
        [{"type": "set_priority", "value": "urgent"}],
    )
    case = builders.case(workspace, requester=buyer, order=parcel_order)
    receive_order_event(
        workspace=workspace,
        order=parcel_order,
        type="shipment.lost",
        occurred_at=timezone.now(),
        actor=Actor.system("marketplace"),
    )
    assert fresh(case).priority == "urgent"


def test_sla_and_approval_events_carry_data_rules_can_test(workspace, buyer, supervisor):
    trigger(
        workspace,
        ["sla.breached"],
        [{"field": "event.data.target", "op": "is", "value": "first_response"}],
        [{"type": "notify", "value": "supervisors", "text": "First response breached"}],
    )
    case = builders.case(workspace, requester=buyer)
    events.record(case, "sla.breached", Actor.system("sla"), data={"target": "resolution"})
    assert not Notification.objects.exists()
    events.record(case, "sla.breached", Actor.system("sla"), data={"target": "first_response"})
    assert Notification.objects.get().user == supervisor


def test_reply_with_macro_in_the_case_language(workspace, dutch_buyer, hello_macro):
    trigger(
        workspace,
        ["case.created"],
        [],
        [{"type": "reply_macro", "value": str(hello_macro.pk)}],
        name="Greeter",
    )
    order = builders.order(workspace, "ORD-9", buyer=dutch_buyer)
    case = builders.case(workspace, requester=dutch_buyer, order=order, language="nl")
    reply = case.messages.get(kind=MessageKind.OUTBOUND)
    assert reply.body_text == "Hallo Noor, je bestelling ORD-9 is onderweg."
    assert reply.macro_use.version == hello_macro.current
    assert reply.deliveries.get().recipient == "noor@example.nl"
    hello_macro.refresh_from_db()
    assert hello_macro.usage_count == 1
    assert case.events.get(kind="message.replied").actor_label == "rule: Greeter"


def test_a_macro_with_missing_values_is_not_sent(workspace, buyer, hello_macro):
    trigger(
        workspace,
        ["case.created"],
        [],
        [{"type": "reply_macro", "value": hello_macro.key or str(hello_macro.pk)}],
    )
    case = builders.case(workspace, requester=buyer)  # no order: no order number
    assert not case.messages.filter(kind=MessageKind.OUTBOUND).exists()
    skipped = case.events.get(kind="automation.skipped")
    assert skipped.data["missing"] == ["order_number"]


def test_a_refused_action_is_on_the_timeline_and_the_rest_still_runs(workspace, buyer, agent):
    trigger(
        workspace,
        ["case.updated"],
        [{"field": "change.field", "op": "is", "value": "tags"}],
        [{"type": "set_status", "value": "new"}, {"type": "set_priority", "value": "low"}],
        name="Odd",
    )
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), status="open")
    update_case(case=case, actor=Actor(user=agent), tags=["x"])
    case = fresh(case)
    failed = case.events.get(kind="automation.failed")
    assert failed.data["code"] == "invalid_transition"
    assert case.priority == "low"
    assert case.status == "open"


def test_a_rule_does_not_fire_on_its_own_changes(workspace, buyer, agent):
    # Every tag change adds a tag: without the guard this would feed itself.
    trigger(
        workspace,
        ["case.updated"],
        [{"field": "change.field", "op": "is", "value": "tags"}],
        [{"type": "add_tags", "value": "seen"}],
        name="Tagger",
    )
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), tags=["a"])
    assert sorted(fresh(case).tags.values_list("name", flat=True)) == ["a", "seen"]
    assert Trigger.objects.get().fire_count == 1


def test_two_rules_that_undo_each_other_stop(workspace, buyer, agent):
    trigger(
        workspace,
        ["case.updated"],
        [{"field": "change.to", "op": "is", "value": "high"}],
        [{"type": "set_priority", "value": "low"}],
        name="Down",
    )
    trigger(
        workspace,
        ["case.updated"],
        [{"field": "change.to", "op": "is", "value": "low"}],
        [{"type": "set_priority", "value": "high"}],
        name="Up",
    )
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), priority="high")
    # Down answers the agent, Up answers Down, and Down may not answer again.
    changes = case.events.filter(kind="priority.changed").count()
    assert changes == 3
    assert fresh(case).priority == "high"


def test_the_listener_chain_depth_is_bounded(workspace, buyer, agent):
    names = [f"Step {i}" for i in range(10)]
    for i, name in enumerate(names):
        trigger(
            workspace,
            ["case.updated"],
            [{"field": "change.to", "op": "is", "value": f"t{i}"}],
            [{"type": "add_tags", "value": f"t{i + 1}"}],
            name=name,
        )
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), tags=["t0"])
    fired = Trigger.objects.filter(fire_count=1).count()
    assert 0 < fired < len(names)
    assert fired <= events.MAX_DEPTH


def test_inactive_triggers_do_nothing(workspace, buyer):
    rule = trigger(workspace, ["case.created"], [], [{"type": "set_priority", "value": "high"}])
    update_trigger(
        trigger=rule,
        name=rule.name,
        events=rule.events,
        conditions=[],
        actions=rule.actions,
        is_active=False,
    )
    assert fresh(builders.case(workspace, requester=buyer)).priority == "normal"


@pytest.mark.parametrize(
    ("conditions", "actions", "code"),
    [
        (
            [{"field": "case.colour", "op": "is", "value": "x"}],
            [{"type": "raise_priority"}],
            "unknown_condition_field",
        ),
        (
            [{"field": "case.status", "op": "at_least", "value": "1"}],
            [{"type": "raise_priority"}],
            "unknown_condition_operator",
        ),
        (
            [{"field": "case.status", "op": "is", "value": "pending"}],
            [{"type": "raise_priority"}],
            "invalid_condition_value",
        ),
        (
            [{"field": "requester.contacts_48h", "op": "at_least", "value": "x"}],
            [{"type": "raise_priority"}],
            "invalid_condition_value",
        ),
        ([], [], "no_actions"),
        ([], [{"type": "explode"}], "unknown_action"),
        ([], [{"type": "set_status", "value": "gone"}], "invalid_action_value"),
        ([], [{"type": "reply_macro", "value": "999"}], "unknown_macro"),
        ([], [{"type": "webhook", "value": "999"}], "unknown_webhook"),
        ([], [{"type": "notify", "value": "everyone", "text": "x"}], "invalid_action_value"),
        ([], [{"type": "escalate", "value": "", "text": ""}], "invalid_action_value"),
    ],
)
def test_rules_are_checked_before_they_are_saved(workspace, conditions, actions, code):
    with pytest.raises(ApplicationError) as refused:
        trigger(workspace, ["case.created"], conditions, actions)
    assert refused.value.code == code
    assert not Trigger.objects.exists()


def test_unknown_events_are_refused(workspace):
    with pytest.raises(ApplicationError) as refused:
        trigger(workspace, ["case.exploded"], [], [{"type": "raise_priority"}])
    assert refused.value.code == "unknown_event"


def test_triggers_of_another_workspace_never_fire(workspace, other_workspace, buyer):
    trigger(other_workspace, ["case.created"], [], [{"type": "set_priority", "value": "urgent"}])
    assert fresh(builders.case(workspace, requester=buyer)).priority == "normal"
