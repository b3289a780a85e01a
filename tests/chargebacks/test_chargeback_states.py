"""A Stripe dispute becomes a chargeback on the order's case and follows Stripe's
states exactly; late, repeated and foreign reports change nothing they should not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ombuds.chargebacks.models import Chargeback, EventStatus, PspEvent
from ombuds.conversations.models import CaseEvent, Priority
from ombuds.core.models import WebhookDelivery, WebhookEndpoint
from tests import builders

from . import documented as doc
from .conftest import paid_order

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
DUE = T0 + timedelta(days=7)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def created(**dispute):
    return doc.event(
        "charge.dispute.created",
        doc.dispute(status="needs_response", due_by=DUE, **dispute),
        created=at(0),
    )


def test_a_new_dispute_opens_a_chargeback_on_a_new_case_for_finance(deliver, order, buyer, finance):
    deliver(created())
    chargeback = Chargeback.objects.get()
    assert (chargeback.order, chargeback.payment.external_id) == (order, doc.CHARGE)
    assert (chargeback.amount, chargeback.currency, chargeback.reason) == (
        12500,
        "EUR",
        "product_not_received",
    )
    assert chargeback.state == "needs_response"
    assert chargeback.evidence_due_by == DUE
    # Due Friday 27 November 10:00 in Amsterdam: warned when Wednesday's office opens,
    # two business days ahead (earlier than 48 hours before).
    assert chargeback.due_warning_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    case = chargeback.case
    assert case.order == order and case.requester == buyer
    assert case.priority == Priority.HIGH and case.team == finance
    assert list(case.tags.values_list("name", flat=True)) == ["chargeback"]
    opened = CaseEvent.objects.get(case=case, kind="chargeback.opened")
    assert opened.after == "needs_response" and opened.actor_label == "Stripe"
    assert opened.data["dispute"] == doc.DISPUTE and opened.data["amount"] == 12500
    assert PspEvent.objects.get().status == EventStatus.PROCESSED


def test_the_orders_open_case_is_reused_and_raised(deliver, workspace, order, buyer):
    case = builders.case(workspace, requester=buyer, order=order, tags=["shipping"])
    deliver(created())
    chargeback = Chargeback.objects.get()
    assert chargeback.case == case
    case.refresh_from_db()
    assert case.priority == Priority.HIGH
    assert set(case.tags.values_list("name", flat=True)) == {"shipping", "chargeback"}


def test_every_state_change_is_on_the_timeline(deliver, order):
    deliver(
        created(),
        doc.event(
            "charge.dispute.updated",
            doc.dispute(status="under_review", due_by=DUE, submission_count=1),
            created=at(10),
        ),
        doc.event("charge.dispute.closed", doc.dispute(status="won", due_by=DUE), created=at(20)),
    )
    chargeback = Chargeback.objects.get()
    assert chargeback.state == "won" and chargeback.closed_at == at(20)
    changes = CaseEvent.objects.filter(case=chargeback.case, kind="chargeback.state_changed")
    assert [(e.before, e.after) for e in changes.order_by("pk")] == [
        ("needs_response", "under_review"),
        ("under_review", "won"),
    ]


def test_an_older_update_after_closed_does_not_reopen_it(deliver, order):
    deliver(
        created(),
        doc.event("charge.dispute.closed", doc.dispute(status="lost", due_by=DUE), created=at(30)),
        doc.event(
            "charge.dispute.updated",
            doc.dispute(status="under_review", due_by=DUE),
            created=at(10),
        ),
    )
    chargeback = Chargeback.objects.get()
    assert chargeback.state == "lost"
    stale = PspEvent.objects.get(event_type="charge.dispute.updated")
    assert (stale.status, stale.outcome) == (EventStatus.PROCESSED, "stale")
    assert not CaseEvent.objects.filter(kind="chargeback.state_changed", after="under_review")


def test_closed_arriving_first_opens_a_closed_chargeback(deliver, order):
    deliver(
        doc.event("charge.dispute.closed", doc.dispute(status="won", due_by=DUE), created=at(30)),
        created(),
    )
    chargeback = Chargeback.objects.get()
    assert chargeback.state == "won" and chargeback.due_warning_at is None


def test_an_inquiry_follows_the_warning_states(deliver, order):
    deliver(
        doc.event(
            "charge.dispute.created",
            doc.dispute(status="warning_needs_response", due_by=DUE, reason="general"),
            created=at(0),
        ),
        doc.event(
            "charge.dispute.closed",
            doc.dispute(status="warning_closed", due_by=DUE, reason="general"),
            created=at(5),
        ),
    )
    assert Chargeback.objects.get().state == "warning_closed"


def test_a_new_due_date_moves_the_warning(deliver, order):
    later = DUE + timedelta(days=2)
    deliver(
        created(),
        doc.event(
            "charge.dispute.updated",
            doc.dispute(status="needs_response", due_by=later),
            created=at(5),
        ),
    )
    chargeback = Chargeback.objects.get()
    assert chargeback.evidence_due_by == later
    # Due on a Sunday: warned Thursday morning, not during the weekend.
    assert chargeback.due_warning_at == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert CaseEvent.objects.filter(kind="chargeback.due_changed").count() == 1


def test_a_dispute_on_an_unknown_charge_is_kept_and_ignored(deliver, order):
    deliver(created(charge="ch_3SomeoneElse000000000", payment_intent=None))
    event = PspEvent.objects.get()
    assert (event.status, event.outcome) == (EventStatus.IGNORED, "unknown_charge")
    assert not Chargeback.objects.exists()


def test_a_state_stripe_does_not_have_is_rejected(deliver, order):
    deliver(doc.event("charge.dispute.created", doc.dispute(status="closed", due_by=DUE)))
    event = PspEvent.objects.get()
    assert (event.status, event.outcome) == (EventStatus.REJECTED, "unknown_state")
    assert not Chargeback.objects.exists()


def test_a_live_event_does_not_reach_a_test_key(deliver, order):
    deliver(doc.event("charge.dispute.created", doc.dispute(due_by=DUE), livemode=True))
    assert PspEvent.objects.get().outcome == "other_mode"
    assert not Chargeback.objects.exists()


def test_the_payment_intent_id_matches_as_well(deliver, workspace, buyer, seller):
    paid_order(workspace, "ORD-PI", buyer=buyer, seller=seller, charge=doc.PAYMENT_INTENT)
    deliver(created(charge="ch_3NotStoredByTheMarketplace0"))
    assert Chargeback.objects.get().order.external_id == "ORD-PI"


def test_the_marketplace_hears_each_state_change(deliver, workspace, order):
    WebhookEndpoint.objects.create(
        workspace=workspace, name="platform", url="https://platform.test/hooks", secret="s"
    )
    deliver(
        created(),
        doc.event("charge.dispute.closed", doc.dispute(status="lost", due_by=DUE), created=at(9)),
    )
    calls = list(WebhookDelivery.objects.order_by("pk").values_list("event", "payload"))
    chargeback_calls = [
        (e, p["state"], p["previous_state"]) for e, p in calls if e.startswith("chargeback.")
    ]
    assert chargeback_calls == [
        ("chargeback.opened", "needs_response", None),
        ("chargeback.closed", "lost", "needs_response"),
    ]
    assert calls[0][1]["order"] == "ORD-1" and calls[0][1]["case"].startswith("RES-")
    # The money the lost chargeback took is announced too, once.
    money = [(e, p["amount"], p["kind"]) for e, p in calls if e.startswith("money.")]
    assert money == [("money.charged_back", 12500, "chargeback")]


def test_a_repeated_event_changes_nothing(deliver, workspace, order):
    WebhookEndpoint.objects.create(
        workspace=workspace, name="platform", url="https://platform.test/hooks", secret="s"
    )
    first = created()
    deliver(first, first)
    assert Chargeback.objects.count() == 1
    assert CaseEvent.objects.filter(kind="chargeback.opened").count() == 1
    assert WebhookDelivery.objects.filter(event="chargeback.opened").count() == 1
