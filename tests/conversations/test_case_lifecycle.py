import pytest

from ombuds.conversations.events import Actor
from ombuds.conversations.models import CaseEvent, Delivery, MessageKind, Status
from ombuds.conversations.services import (
    add_internal_note,
    receive_customer_message,
    reply_to_customer,
    update_case,
)
from ombuds.core.errors import ApplicationError, InvalidTransition
from tests import builders


def test_cases_are_numbered_per_workspace(workspace, other_workspace, buyer):
    first = builders.case(workspace, requester=buyer)
    second = builders.case(workspace, requester=buyer)
    elsewhere = builders.case(
        other_workspace, requester=builders.party(other_workspace, "X", email="x@e.com")
    )
    assert (first.reference, second.reference) == ("RES-1", "RES-2")
    assert elsewhere.reference == "OTH-1"


def test_reply_queues_an_email_and_opens_a_new_case(workspace, agent, buyer):
    case = builders.case(workspace, requester=buyer)
    message = reply_to_customer(case=case, author=agent, body="We are on it.")
    case.refresh_from_db()
    assert message.kind == MessageKind.OUTBOUND
    assert case.status == Status.OPEN
    assert case.first_response_at is not None
    delivery = Delivery.objects.get(message=message)
    assert delivery.recipient == "bram@example.com"
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["case.created", "message.replied", "status.changed"]


def test_customer_reply_reopens_a_pending_case(workspace, agent, buyer):
    case = builders.case(workspace, requester=buyer)
    reply_to_customer(case=case, author=agent, body="Which size?", status="pending_customer")
    receive_customer_message(case=case, party=buyer, body="Size M", channel="web")
    case.refresh_from_db()
    assert case.status == Status.OPEN


def test_note_is_not_delivered(workspace, agent, buyer):
    case = builders.case(workspace, requester=buyer)
    note = add_internal_note(case=case, author=agent, body="Seller is slow to answer.")
    assert note.kind == MessageKind.NOTE
    assert not Delivery.objects.filter(message=note).exists()


def test_closed_case_cannot_reopen(workspace, agent, buyer):
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), status="closed")
    with pytest.raises(InvalidTransition):
        update_case(case=case, actor=Actor(user=agent), status="open")
    with pytest.raises(ApplicationError) as refused:
        reply_to_customer(case=case, author=agent, body="Hello?")
    assert refused.value.code == "case_closed"


def test_unknown_status_is_refused_without_a_write(workspace, agent, buyer):
    case = builders.case(workspace, requester=buyer)
    events_before = CaseEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        update_case(case=case, actor=Actor(user=agent), status="archived", priority="high")
    assert refused.value.code == "unknown_status"
    case.refresh_from_db()
    assert case.priority == "normal"
    assert CaseEvent.objects.count() == events_before


def test_each_changed_field_is_one_timeline_event(workspace, agent, buyer):
    case = builders.case(workspace, requester=buyer)
    update_case(
        case=case, actor=Actor(user=agent), priority="high", assignee=agent, tags=["Refund", "late"]
    )
    update_case(case=case, actor=Actor(user=agent), priority="high", tags=["late", "refund"])
    events = list(case.events.exclude(kind="case.created").values_list("kind", "before", "after"))
    assert events == [
        ("priority.changed", "normal", "high"),
        ("assignee.changed", None, {"id": agent.pk, "name": "Anna Agent"}),
        ("tags.changed", [], ["late", "refund"]),
    ]


def test_closing_keeps_when_the_case_was_solved_and_reopening_clears_it(workspace, agent, buyer):
    solved = builders.case(workspace, requester=buyer)
    update_case(case=solved, actor=Actor(user=agent), status="solved")
    solved.refresh_from_db()
    stamp = solved.solved_at
    update_case(case=solved, actor=Actor(user=agent), status="closed")
    solved.refresh_from_db()
    assert stamp is not None and solved.solved_at == stamp

    reopened = builders.case(workspace, requester=buyer)
    update_case(case=reopened, actor=Actor(user=agent), status="solved")
    update_case(case=reopened, actor=Actor(user=agent), status="open")
    reopened.refresh_from_db()
    assert reopened.solved_at is None
