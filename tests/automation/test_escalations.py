"""The escalation rules every workspace gets: each routes to the Escalations team with a
raised priority and says why, on the timeline and in the event's data."""

from __future__ import annotations

import pytest

from ombuds.automation.defaults import install_defaults
from ombuds.automation.models import CarePlan, Macro, Notification, TimeRule, Trigger
from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case
from ombuds.conversations.services import receive_customer_message
from ombuds.marketplace.services import upsert_party
from tests import builders


def escalated(case: Case):
    case = Case.objects.select_related("team").get(pk=case.pk)
    return case, list(case.events.filter(kind="case.escalated").order_by("pk"))


def test_installing_is_idempotent_and_keeps_what_an_admin_changed(workspace):
    first = install_defaults(workspace)
    assert first == {"triggers": 6, "macros": 7, "care_plans": 5, "time_rules": 2}
    Trigger.objects.filter(builtin_key="escalation.vip").update(is_active=False, name="VIPs")
    assert install_defaults(workspace) == {
        "triggers": 0,
        "macros": 0,
        "care_plans": 0,
        "time_rules": 0,
    }
    assert Trigger.objects.get(builtin_key="escalation.vip").name == "VIPs"
    assert Trigger.objects.filter(workspace=workspace).count() == 6
    assert not TimeRule.objects.filter(workspace=workspace, is_active=True).exists()
    assert CarePlan.objects.filter(workspace=workspace).count() == 5
    for macro in Macro.objects.filter(workspace=workspace):
        assert set(macro.current.texts.values_list("language", flat=True)) == {"en", "nl"}


@pytest.mark.parametrize(
    ("body", "rule", "word"),
    [
        ("If this is not fixed I will call my lawyer.", "escalation.legal", "lawyer"),
        ("Ik doe aangifte bij de politie.", "escalation.legal", "aangifte"),
        ("Mijn advocaat neemt contact op.", "escalation.legal", "advocaat"),
        ("I'll file a chargeback with my card issuer.", "escalation.chargeback", "chargeback"),
        ("Ik vraag een terugboeking aan bij mijn bank.", "escalation.chargeback", "terugboeking"),
    ],
)
def test_threatening_words_escalate_a_new_case(defaults, buyer, body, rule, word):
    case = builders.case(defaults, requester=buyer, body=body)
    case, escalations = escalated(case)
    assert case.team.name == "Escalations"
    assert case.priority == "high"
    assert case.tags.filter(name="escalated").exists()
    (event,) = escalations
    trigger = Trigger.objects.get(builtin_key=rule)
    assert event.actor_label == f"rule: {trigger.name}"
    assert event.data["reason"]
    assert word in event.data["words"]


def test_threatening_words_in_a_later_message_escalate_once(defaults, buyer):
    case = builders.case(defaults, requester=buyer, body="Where is my parcel?")
    assert not escalated(case)[1]
    receive_customer_message(case=case, party=buyer, body="I will sue you.", channel="web")
    receive_customer_message(case=case, party=buyer, body="My lawyer agrees.", channel="web")
    case, escalations = escalated(case)
    legal = Trigger.objects.get(builtin_key="escalation.legal")
    by_rule = [e.data["rule"] for e in escalations]
    assert by_rule.count(f"trigger:{legal.pk}") == 1  # once, not per message
    # The second message is also the customer's third contact in 48 hours: a second
    # reason, which raises the priority once more.
    assert len(escalations) == 2
    assert case.priority == "urgent"


def test_words_written_by_the_desk_do_not_escalate(defaults, buyer, agent):
    from ombuds.conversations.services import add_internal_note

    case = builders.case(defaults, requester=buyer)
    add_internal_note(case=case, author=agent, body="Customer mentioned a lawyer on the phone")
    assert not escalated(case)[1]


def test_a_public_post_escalates(defaults, buyer):
    case = builders.case(defaults, requester=buyer, channel="x", is_public_post=True)
    case, (event,) = escalated(case)
    assert case.team.name == "Escalations"
    assert "public post" in event.data["reason"]


def test_the_third_contact_within_48_hours_escalates(defaults, buyer):
    first = builders.case(defaults, requester=buyer, subject="One")
    second = builders.case(defaults, requester=buyer, subject="Two")
    assert not escalated(first)[1] and not escalated(second)[1]
    receive_customer_message(case=second, party=buyer, body="Anyone there?", channel="web")
    _, (event,) = escalated(second)
    assert "48 hours" in event.data["reason"]
    assert not escalated(first)[1]


def test_a_vip_customer_escalates(defaults):
    vip = upsert_party(
        workspace=defaults, external_id="VIP-1", kind="buyer", name="Vera VIP", is_vip=True
    )[0]
    case, (event,) = escalated(builders.case(defaults, requester=vip))
    assert event.data["reason"] == "VIP customer."
    assert case.priority == "high"


def test_a_refund_above_authority_escalates_and_asks_supervisors(defaults, buyer, supervisor):
    case = builders.case(defaults, requester=buyer)
    events.record(
        case,
        "approval.requested",
        Actor.system("ledger"),
        data={"amount": 50000, "currency": "EUR", "limit": 10000},
    )
    case, (event,) = escalated(case)
    assert case.team.name == "Escalations"
    assert "authority" in event.data["reason"]
    note = Notification.objects.get(user=supervisor)
    assert case.reference in note.title


def test_two_reasons_escalate_twice_and_priority_climbs(defaults):
    vip = upsert_party(
        workspace=defaults, external_id="VIP-2", kind="buyer", name="Vic", is_vip=True
    )[0]
    case, escalations = escalated(builders.case(defaults, requester=vip, body="Lawyer time."))
    assert len(escalations) == 2
    assert case.priority == "urgent"


def test_dutch_workspaces_get_dutch_reasons(db):
    from ombuds.accounts.services import create_workspace
    from ombuds.core.models import Workspace

    dutch = create_workspace(slug="nlshop", name="NL Shop")
    Workspace.objects.filter(pk=dutch.pk).update(default_language="nl")
    dutch.refresh_from_db()
    install_defaults(dutch)
    vip = upsert_party(workspace=dutch, external_id="V", kind="buyer", name="V", is_vip=True)[0]
    _, (event,) = escalated(builders.case(dutch, requester=vip))
    assert event.data["reason"] == "VIP-klant."


def test_new_workspaces_from_the_cli_get_the_escalations(db):
    from django.core.management import call_command

    from ombuds.core.models import Workspace

    call_command("create-workspace", "acme", "--name", "Acme", "--prefix", "ACME")
    acme = Workspace.objects.get(slug="acme")
    assert (
        Trigger.objects.filter(workspace=acme, builtin_key__startswith="escalation.").count() == 6
    )
    call_command("install-automation")  # every workspace, again: nothing doubles
    assert Trigger.objects.filter(workspace=acme).count() == 6
