"""Turning what customers send into cases: the web form and the API for now, every
channel later."""

from django.db import transaction

from ombuds.accounts.models import User
from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Channel
from ombuds.conversations.services import open_case
from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Order
from ombuds.marketplace.selectors import order_by_external_id
from ombuds.marketplace.services import find_or_create_party_by_email


@transaction.atomic
def submit_contact_form(
    *,
    workspace: Workspace,
    email: str,
    name: str,
    topic: str,
    message: str,
    order_number: str = "",
    language: str = "",
    files: list[IncomingFile] = (),
) -> Case:
    """A buyer or prospect writes through the help center's form."""
    party = find_or_create_party_by_email(
        workspace=workspace, email=email, name=name, language=language
    )
    order = None
    if order_number:
        # Only the requester's own order is linked; a mistyped or foreign number is kept
        # in the text for the agent instead of attaching someone else's order.
        order = Order.objects.filter(
            workspace=workspace, external_id=order_number.strip(), buyer=party
        ).first()
    # The topic is kept as a field for routing and reports; the subject is the buyer's words.
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    subject = first_line[:120] or topic
    body = message
    if order_number and order is None:
        body = f"{message}\n\n(Order number given: {order_number})"
    return open_case(
        workspace=workspace,
        subject=subject,
        body=body,
        requester=party,
        actor=Actor(party=party),
        channel=Channel.WEB,
        order=order,
        language=language,
        topic=topic,
        files=files,
    )


@transaction.atomic
def open_case_for_requester(
    *,
    workspace: Workspace,
    by: User,
    email: str,
    name: str,
    subject: str,
    body: str,
    order_external_id: str | None = None,
    channel: str = Channel.API,
    priority: str = "normal",
    language: str = "",
    tags: list[str] = (),
) -> Case:
    """An integration or an agent opens a case for a customer known by email, about an
    order known by the marketplace's id."""
    order = None
    if order_external_id is not None:
        order = order_by_external_id(workspace=workspace, external_id=order_external_id)
        if order is None:
            raise ApplicationError(
                "unknown_order",
                f"No order with external id {order_external_id!r}.",
                details={"field": "order"},
                status=422,
            )
    requester = find_or_create_party_by_email(
        workspace=workspace, email=email, name=name, language=language
    )
    return open_case(
        workspace=workspace,
        subject=subject,
        body=body,
        requester=requester,
        actor=Actor(user=by),
        channel=channel,
        order=order,
        priority=priority,
        language=language,
        tags=tags,
    )
