from ombuds.conversations.models import Message
from ombuds.intake.services import submit_contact_form
from tests import builders


def test_form_case_takes_its_subject_from_the_message_and_keeps_the_topic(workspace):
    case = submit_contact_form(
        workspace=workspace,
        email="Lena@Example.com",
        name="Lena",
        topic="transfer",
        message="My tickets never arrived\nOrder 12",
    )
    assert case.subject == "My tickets never arrived"
    assert case.topic == "transfer"
    assert case.channel == "web"
    assert case.requester.email == "lena@example.com"
    assert Message.objects.get(case=case).kind == "inbound"


def test_only_the_buyers_own_order_is_linked(workspace, buyer):
    own = builders.order(workspace, "ORD-1", buyer=buyer)
    stranger = builders.party(workspace, "B-2", email="someone@example.com")
    builders.order(workspace, "ORD-2", buyer=stranger)

    linked = submit_contact_form(
        workspace=workspace,
        email=buyer.email,
        name="",
        topic="other",
        message="Question",
        order_number="ORD-1",
    )
    foreign = submit_contact_form(
        workspace=workspace,
        email=buyer.email,
        name="",
        topic="other",
        message="Question",
        order_number="ORD-2",
    )

    assert linked.order == own
    assert foreign.order is None
    assert "(Order number given: ORD-2)" in foreign.messages.get().body_text


def test_an_integration_opens_a_case_for_a_customer_by_email(workspace, agent, buyer):
    import pytest

    from ombuds.core.errors import ApplicationError
    from ombuds.intake.services import open_case_for_requester

    order = builders.order(workspace, "ORD-9", buyer=buyer)
    case = open_case_for_requester(
        workspace=workspace,
        by=agent,
        email="BRAM@example.com",
        name="",
        subject="Late",
        body="Where is it?",
        order_external_id="ORD-9",
    )
    assert (case.requester, case.order, case.channel) == (buyer, order, "api")
    assert case.events.get(kind="case.created").actor_user == agent

    with pytest.raises(ApplicationError) as refused:
        open_case_for_requester(
            workspace=workspace,
            by=agent,
            email="new@example.com",
            name="",
            subject="x",
            body="y",
            order_external_id="NOPE",
        )
    assert refused.value.code == "unknown_order"
