"""Small builders for test scenarios. Every write goes through the service layer, so the
data a test starts from is data the product itself could have made."""

from __future__ import annotations

from ombuds.accounts.models import User
from ombuds.accounts.services import add_member, create_workspace, issue_token
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case
from ombuds.conversations.services import open_case
from ombuds.core.models import Workspace
from ombuds.marketplace.inputs import OrderInput
from ombuds.marketplace.models import Order, Party
from ombuds.marketplace.services import upsert_order, upsert_party

PASSWORD = "correct horse battery staple"


def workspace(slug: str, *, prefix: str | None = None, support_email: str = "") -> Workspace:
    return create_workspace(
        slug=slug, name=slug.title(), case_prefix=prefix, support_email=support_email
    )


def member(ws: Workspace, email: str, *, role: str = "agent", name: str = "") -> User:
    return add_member(workspace=ws, email=email, role=role, name=name, password=PASSWORD).user


def token(ws: Workspace, email: str, *, role: str = "admin") -> str:
    membership = add_member(workspace=ws, email=email, role=role)
    return issue_token(membership=membership)[1]


def party(
    ws: Workspace,
    external_id: str,
    *,
    kind: str = "buyer",
    name: str = "",
    email: str | None = None,
) -> Party:
    return upsert_party(
        workspace=ws, external_id=external_id, kind=kind, name=name or external_id, email=email
    )[0]


def order(
    ws: Workspace,
    external_id: str,
    *,
    buyer: Party,
    seller: Party | None = None,
    kind: str = "goods",
    total: int = 12500,
    currency: str = "EUR",
    **extra,
) -> Order:
    spec = OrderInput(
        buyer=buyer.external_id,
        seller=seller.external_id if seller else None,
        kind=kind,
        currency=currency,
        total=total,
        **extra,
    )
    return upsert_order(workspace=ws, external_id=external_id, spec=spec)[0]


def case(
    ws: Workspace,
    *,
    requester: Party,
    subject: str = "Where is my order?",
    body: str = "It has not arrived yet.",
    **extra,
) -> Case:
    return open_case(
        workspace=ws,
        subject=subject,
        body=body,
        requester=requester,
        actor=Actor(party=requester),
        **extra,
    )
