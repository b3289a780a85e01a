"""How the desk's words read to a buyer: statuses as what happens next, authors as people."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ombuds.conversations.models import Case, Message, MessageKind, Status
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Party

from .forms import TOPICS


@dataclass(frozen=True)
class CustomerStatus:
    label: str
    tone: str  # a CSS modifier: who holds the ball
    next_step: str


def customer_status(status: str) -> CustomerStatus:
    # The desk's statuses say where a case is in the team's work; the buyer wants to know
    # whether anything is expected from them.
    working = _("We will write to you here and by email as soon as we know more.")
    if status == Status.NEW:
        return CustomerStatus(pgettext("case status", "Received"), "working", working)
    if status == Status.PENDING_CUSTOMER:
        return CustomerStatus(
            pgettext("case status", "Waiting for you"),
            "you",
            _("We asked you something. Reply below so we can carry on."),
        )
    if status == Status.PENDING_THIRD_PARTY:
        return CustomerStatus(
            pgettext("case status", "Checking with the seller or provider"), "working", working
        )
    if status == Status.SOLVED:
        return CustomerStatus(
            pgettext("case status", "Solved"),
            "done",
            _("We think this is sorted. If anything is still wrong, reply and we pick it up."),
        )
    if status == Status.CLOSED:
        return CustomerStatus(
            pgettext("case status", "Closed"),
            "done",
            _("This request is closed. For anything new, please open a new request."),
        )
    return CustomerStatus(pgettext("case status", "We're working on it"), "working", working)


def author_label(message: Message, *, buyer: Party, workspace: Workspace) -> str:
    if message.kind == MessageKind.INBOUND:
        if message.author_party_id in (None, buyer.pk):
            return _("You")
        return message.author_party.name if message.author_party else _("Customer")
    # First names only: an agent's full name or address is not the buyer's business.
    user = message.author_user
    first_name = user.name.split()[0] if user and user.name.strip() else ""
    if first_name:
        return _("%(name)s from %(workspace)s") % {"name": first_name, "workspace": workspace.name}
    return _("%(workspace)s support") % {"workspace": workspace.name}


def topic_label(case: Case) -> str:
    return str(dict(TOPICS).get(case.topic, ""))
