"""The demo marketplace: loaded once for this module (about 15 s), rolled back afterwards."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from ombuds.accounts.models import Membership, Team, User
from ombuds.conversations.models import (
    ACTIVE_STATUSES,
    Case,
    CaseEvent,
    Delivery,
    DeliveryStatus,
    Status,
)
from ombuds.core.models import Workspace
from ombuds.demo import DEMO_PASSWORD, load_demo
from ombuds.marketplace.models import Booking, Order, Party, Payment, Shipment
from ombuds.sla.models import SlaClock, SlaPolicy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded inside a transaction that is rolled back when the module is done,
    so other test modules start from an empty database as usual."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def resale(demo, db):
    return Workspace.objects.get(slug="resale")


def test_the_demo_is_loaded_once(demo, resale):
    # Asks for `resale` (and so the database) like every test here: pytest-django runs
    # database tests first, and a test without it would load the demo a second time.
    assert demo.created
    assert demo.counts["cases"] == 200
    assert demo.counts["orders"] >= 380


def test_every_status_has_at_least_five_cases(resale):
    per_status = dict(
        Case.objects.filter(workspace=resale)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    assert set(per_status) == set(Status.values)
    assert min(per_status.values()) >= 5


def test_cases_vary_in_priority_channel_and_assignment(resale):
    cases = Case.objects.filter(workspace=resale)
    assert set(cases.values_list("priority", flat=True)) == {"low", "normal", "high", "urgent"}
    assert {"email", "web", "chat", "whatsapp", "phone", "api"} <= set(
        cases.values_list("channel", flat=True)
    )
    assert cases.filter(assignee__isnull=True).exists()
    assert cases.filter(order__isnull=True).exists()  # prospects asking before they buy
    assert cases.filter(tags__name="vip").exists()


def test_dutch_cases_are_written_in_dutch(resale):
    cases = Case.objects.filter(workspace=resale)
    assert set(cases.values_list("language", flat=True)) == {"en", "nl"}
    for case in cases.filter(language="nl").prefetch_related("messages"):
        opening = min(case.messages.all(), key=lambda m: (m.created_at, m.pk))
        words = set(opening.body_text.lower().replace(",", " ").replace(".", " ").split())
        assert words & {"ik", "mijn", "het", "de"}, (case.reference, opening.body_text)


def test_staff_in_two_teams_with_every_role(resale):
    assert Team.objects.filter(workspace=resale).count() >= 2
    roles = list(Membership.objects.filter(workspace=resale).values_list("role", flat=True))
    assert {"admin", "supervisor", "finance", "read_only"} <= set(roles)
    assert roles.count("agent") >= 4
    agents = User.objects.filter(memberships__workspace=resale, memberships__role="agent")
    assert agents.filter(language="nl").exists()
    admin = User.objects.get(email="admin@demo.ombuds.test")
    assert admin.check_password(DEMO_PASSWORD)


def test_orders_of_every_kind_in_every_state(resale):
    kinds = set(Order.objects.filter(workspace=resale).values_list("kind", flat=True))
    assert {"event_ticket", "hotel", "goods", "flight"} <= kinds
    for kind in ("event_ticket", "hotel"):
        transfers = Booking.objects.filter(workspace=resale, kind=kind)
        assert set(transfers.values_list("transfer_status", flat=True)) == {
            "pending",
            "done",
            "failed",
        }
    parcels = set(Shipment.objects.filter(workspace=resale).values_list("status", flat=True))
    assert {"delivered", "in_transit", "delayed", "lost", "damaged", "returned"} <= parcels
    placed = Order.objects.filter(workspace=resale).aggregate(Min("placed_at"), Max("placed_at"))
    assert timezone.now() - placed["placed_at__min"] <= timedelta(days=91)
    assert placed["placed_at__max"] <= timezone.now()


def test_payments_are_never_refunded_beyond_capture(resale):
    payments = Payment.objects.filter(workspace=resale)
    assert not payments.filter(refunded_amount__gt=F("captured_amount")).exists()
    statuses = set(payments.values_list("status", flat=True))
    assert {"captured", "partially_refunded", "refunded"} <= statuses
    # The duplicate-charge cases have an order paid twice.
    assert (
        Order.objects.filter(workspace=resale)
        .annotate(n=Count("payments"))
        .filter(n__gt=1)
        .exists()
    )


def test_every_case_has_a_message_and_a_creation_event(resale):
    cases = Case.objects.filter(workspace=resale)
    assert not cases.annotate(n=Count("messages")).filter(n=0).exists()
    created = CaseEvent.objects.filter(workspace=resale, kind="case.created")
    assert created.values("case").distinct().count() == cases.count()
    assert CaseEvent.objects.filter(workspace=resale, kind="order.event").exists()


def test_each_timeline_runs_forward_and_ends_in_the_past(resale):
    # SLA warnings and breaches happen while nobody touches a case, after its last
    # activity; the rest of the timeline ends with it.
    people = ~Q(events__kind__in=["sla.warning", "sla.breached"])
    cases = Case.objects.filter(workspace=resale).annotate(
        first_message=Min("messages__created_at"),
        last_message=Max("messages__created_at"),
        first_event=Min("events__created_at", filter=people),
        last_event=Max("events__created_at", filter=people),
    )
    now = timezone.now()
    for case in cases:
        assert case.created_at <= case.first_message <= case.last_message <= case.updated_at
        assert case.created_at <= case.first_event <= case.last_event <= case.updated_at
        assert case.updated_at < now
        if case.first_response_at:
            assert case.created_at < case.first_response_at <= case.updated_at


def test_sla_clocks_run_pause_meet_and_breach(resale):
    assert SlaPolicy.objects.filter(workspace=resale).count() >= 4
    clocks = SlaClock.objects.filter(workspace=resale)
    assert {"running", "paused", "met"} <= set(clocks.values_list("state", flat=True))
    assert clocks.filter(outcome="achieved").exists()
    assert clocks.filter(outcome="breached").exists()
    # Waiting on the customer or a third party pauses; solved cases met their target.
    assert clocks.filter(state="paused", case__status="pending_customer").exists()
    assert not clocks.filter(state="running", case__status__in=["solved", "closed"]).exists()
    # The inbox sorts by the deadlines; each case's timeline says which policy applies.
    assert Case.objects.filter(workspace=resale, sla_due_at__isnull=False).exists()
    applied = CaseEvent.objects.filter(workspace=resale, kind="sla.policy_applied")
    assert applied.count() == Case.objects.filter(workspace=resale).count()
    breached = CaseEvent.objects.filter(workspace=resale, kind="sla.breached").first()
    assert breached.created_at < timezone.now()
    assert breached.data["metric"] in {"first_response", "next_response", "resolution", "follow_up"}


def test_old_replies_are_not_mailed_again(resale):
    deliveries = Delivery.objects.filter(workspace=resale)
    assert deliveries.exists()
    # Only the one answer a mail server returned (demo/channels.py) is not sent.
    assert deliveries.exclude(status=DeliveryStatus.SENT).count() == 1
    assert not deliveries.filter(status=DeliveryStatus.QUEUED).exists()


def test_outlet_is_a_separate_tenant_the_admin_also_works_in(resale):
    outlet = Workspace.objects.get(slug="outlet")
    assert Case.objects.filter(workspace=outlet).count() >= 3
    assert not Case.objects.filter(workspace=outlet).exclude(reference__startswith="OUT-").exists()
    admin = User.objects.get(email="admin@demo.ombuds.test")
    assert set(admin.memberships.values_list("workspace__slug", flat=True)) == {
        "resale",
        "outlet",
    }
    for case in Case.objects.filter(workspace=outlet).select_related("requester", "order"):
        assert case.requester.workspace_id == outlet.pk
        assert case.order is None or case.order.workspace_id == outlet.pk


def test_loading_again_changes_nothing(resale):
    before = (Case.objects.count(), Order.objects.count(), Party.objects.count())
    again = load_demo()
    assert not again.created
    assert (Case.objects.count(), Order.objects.count(), Party.objects.count()) == before


def test_automations_work_in_the_demo(resale):
    from ombuds.automation.models import (
        CareFollowUp,
        CoordinationTask,
        DueAction,
        Macro,
        MacroUse,
        TimeRule,
        Trigger,
    )

    assert (
        Trigger.objects.filter(workspace=resale, builtin_key__startswith="escalation.").count() == 6
    )
    assert Trigger.objects.filter(workspace=resale, builtin_key="").count() == 2
    for macro in Macro.objects.filter(workspace=resale):
        assert set(macro.current.texts.values_list("language", flat=True)) == {"en", "nl"}
    assert TimeRule.objects.filter(workspace=resale, is_active=True).count() == 2
    assert DueAction.objects.filter(workspace=resale).exists()  # pending cases are armed

    # A delayed parcel: its buyers were told before they asked, each in their language.
    notices = MacroUse.objects.filter(workspace=resale, macro__key="care-shipment-delayed")
    assert set(notices.values_list("language", flat=True)) == {"en", "nl"}
    follow_ups = CareFollowUp.objects.filter(workspace=resale, problem="shipment")
    assert follow_ups.count() == 2
    assert all(f.next_update_at is not None for f in follow_ups)
    for use in notices.select_related("message__case"):
        assert use.message.case.status == Status.PENDING_THIRD_PARTY
        assert use.message.deliveries.get().status == DeliveryStatus.SENT

    # A Dutch buyer's threat escalated, with its reason on the timeline.
    escalations = CaseEvent.objects.filter(workspace=resale, kind="case.escalated")
    (threat,) = [e for e in escalations if "advocaat" in e.data.get("words", [])]
    assert threat.data["reason"] == "The customer threatens legal steps."
    assert threat.case.team.name == "Escalations"

    # A task for a third party with its email, and an overdue one (the rescues' own
    # tasks are tested with the disputes).
    from ombuds.rescue.models import Ladder

    tasks = CoordinationTask.objects.filter(workspace=resale).exclude(
        case_id__in=Ladder.objects.values("case_id")
    )
    assert tasks.count() == 2
    assert tasks.filter(links__isnull=False, party__isnull=False).exists()
    assert tasks.filter(due_at__lt=timezone.now()).exists()
    assert Trigger.objects.get(workspace=resale, builtin_key="escalation.legal").fire_count >= 1


def test_stripe_chargebacks_in_the_demo(resale):
    from ombuds.chargebacks.models import Chargeback, PspEvent

    chargebacks = {
        c.state: c
        for c in Chargeback.objects.filter(workspace=resale).select_related("case", "connection")
    }
    assert set(chargebacks) == {"needs_response", "lost", "won"}
    assert all(c.connection.is_stripe for c in chargebacks.values())
    waiting = chargebacks["needs_response"]
    left = waiting.evidence_due_by - timezone.now()
    assert timedelta(days=2) < left < timedelta(days=6)
    assert waiting.case.tags.filter(name="chargeback").exists()
    assert waiting.case.status in ("new", "open") and waiting.case.priority == "high"
    for closed in (chargebacks["lost"], chargebacks["won"]):
        assert closed.closed_at < timezone.now() - timedelta(days=10)
        assert closed.case.status == "solved"
    assert chargebacks["won"].submission_status == "submitted"
    # Every event went through the real pipeline, and none is left to process.
    assert not PspEvent.objects.filter(workspace=resale).exclude(status="processed").exists()
    assert not Chargeback.objects.filter(workspace__slug="outlet").exists()


def test_the_desk_has_moved_money_and_one_refund_waits_for_approval(resale):
    from ombuds.ledger.models import ApprovalRequest, Transaction
    from ombuds.ledger.selectors import unbalanced_transactions
    from ombuds.policies.models import PolicyVersion

    assert PolicyVersion.objects.filter(workspace=resale, number=1).exists()
    moved = Transaction.objects.filter(workspace=resale)
    assert moved.filter(kind="refund").count() >= 5
    assert moved.filter(kind="credit").count() >= 3
    assert moved.filter(kind="refund_settlement").count() == 1
    assert set(moved.exclude(kind="capture").values_list("bearer", flat=True)) >= {
        "seller",
        "carrier",
        "platform",
    }
    # The rescue's rebooking above budget waits too; it is tested with the disputes.
    pending = ApprovalRequest.objects.filter(workspace=resale, status="pending").exclude(
        kind="rebooking"
    )
    assert pending.count() == 1
    assert pending.get().case is not None
    assert ApprovalRequest.objects.filter(workspace=resale, status="approved").count() == 1
    assert unbalanced_transactions(workspace=resale) == []
    # Each movement is on its case's timeline, inside the case's life (the test above
    # checks that every timeline runs forward).
    for tx in moved.exclude(kind="capture").select_related("case"):
        assert tx.case.events.filter(data__transaction=tx.pk).exists(), tx
        assert tx.case.created_at <= tx.created_at <= tx.case.updated_at
    outlet = Workspace.objects.get(slug="outlet")
    assert not Transaction.objects.filter(workspace=outlet).exclude(kind="capture").exists()


def test_the_demos_chargebacks_moved_money_in_balance(resale):
    from ombuds.ledger.models import Transaction
    from ombuds.ledger.selectors import unbalanced_transactions

    moved = Transaction.objects.filter(workspace=resale, kind__startswith="chargeback")
    # Each dispute's amount and fee were taken; the won one's amount came back.
    assert sorted(moved.values_list("kind", flat=True)) == ["chargeback"] * 6 + [
        "chargeback_reversal"
    ]
    assert unbalanced_transactions(workspace=resale) == []


def test_routing_is_set_up_and_new_cases_say_why_they_went_where(resale):
    from ombuds.routing.models import AgentProfile, Queue, QueueEntry

    queues = Queue.objects.filter(workspace=resale)
    # Every team with people in it takes cases from a queue (the escalation team that the
    # automation defaults create has nobody in the demo; supervisors work it by hand).
    staffed = Team.objects.filter(workspace=resale, members__isnull=False).distinct()
    assert set(queues.values_list("team__name", flat=True)) == set(
        staffed.values_list("name", flat=True)
    )
    assert set(queues.values_list("strategy", flat=True)) == {"round_robin", "least_loaded"}
    profiles = AgentProfile.objects.filter(workspace=resale)
    assert set(profiles.values_list("presence", flat=True)) == {"online", "away", "offline"}
    speakers = set(profiles.values_list("skills__code", flat=True).filter(skills__kind="language"))
    assert {"en", "nl"} <= speakers
    routed = CaseEvent.objects.filter(workspace=resale, kind="routing.assigned")
    assert routed.count() >= 8
    assert all(e.data["reason"].startswith(("least loaded:", "round robin:")) for e in routed)
    assert routed.filter(data__handover=True).exists()  # Daan's shift ended
    assert CaseEvent.objects.filter(workspace=resale, kind="routing.kept").exists()
    assert QueueEntry.objects.filter(workspace=resale).exists()  # some still wait


def test_nobody_holds_more_routed_cases_than_their_capacity(resale):
    from ombuds.routing.models import AgentProfile

    for profile in AgentProfile.objects.filter(workspace=resale):
        held = Case.objects.filter(
            workspace=resale, assignee=profile.user, status__in=ACTIVE_STATUSES
        ).count()
        assert held <= profile.capacity, profile
