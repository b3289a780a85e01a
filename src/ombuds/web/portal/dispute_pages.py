"""What the buyer's and the seller's dispute pages share: how a dispute reads to a party
(who holds the ball, by when), what that party may do now, and running one action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ombuds.core.errors import ApplicationError
from ombuds.disputes import transitions
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Dispute, Role, State
from ombuds.disputes.selectors import evidence_for, pending_offer, thread_for

from .dispute_forms import add_refusal


@dataclass(frozen=True)
class PartyStatus:
    label: str
    tone: str  # working / you / done: a CSS modifier, who holds the ball
    next_step: str


def party_status(dispute: Dispute, role: str) -> PartyStatus:
    """The dispute's state as what happens next, for the buyer or the seller."""
    state = dispute.state
    mine = (role == Role.SELLER and state in (State.AWAITING_CONTACT, State.AWAITING_SELLER)) or (
        role == Role.BUYER and state in (State.OFFER_PENDING, State.CONTESTED)
    )
    if dispute.is_frozen:
        return PartyStatus(
            pgettext("dispute status", "On hold"),
            "working",
            _("On hold while the payment provider handles a chargeback on this order."),
        )
    if state in (State.RESOLVED, State.CLOSED, State.WITHDRAWN):
        return PartyStatus(str(State(state).label), "done", _("This dispute is over."))
    if state == State.IN_MEDIATION:
        return PartyStatus(
            str(State(state).label),
            "working",
            _("The platform is looking into it. You can still add messages and evidence."),
        )
    if state == State.DECIDED:
        return PartyStatus(
            str(State(state).label),
            "done",
            _("Read the decision below. You may appeal it once, within the appeal window."),
        )
    if state == State.UNDER_APPEAL:
        return PartyStatus(
            str(State(state).label),
            "working",
            _("A colleague who did not make the decision is reviewing the appeal."),
        )
    if mine:
        return PartyStatus(
            pgettext("dispute status", "Waiting for you"),
            "you",
            _("Please respond before the deadline."),
        )
    return PartyStatus(
        str(State(state).label),
        "working",
        _("Waiting for the other party. We let you know when they respond."),
    )


def open_actions(dispute: Dispute, actor: DisputeActor) -> set[str]:
    """The transitions this party could take now, so the page offers only what works."""
    ctx = transitions.Context(
        role=actor.role,
        now=timezone.now(),
        extra={"pending_offer": pending_offer(dispute) is not None},
    )
    return set(transitions.actions_open_to(dispute, ctx))


def page_context(dispute: Dispute, actor: DisputeActor) -> dict:
    """What a party's dispute page shows: a fixed number of queries."""
    role = actor.role
    items = evidence_for(dispute, role=role)
    return {
        "dispute": dispute,
        "standing": party_status(dispute, role),
        "deadline": dispute.deadline() if dispute.is_open and not dispute.is_frozen else None,
        "thread": thread_for(dispute, role=role),
        "evidence": items,
        "offers": list(dispute.offers.order_by("number")),
        "decisions": list(dispute.decisions.order_by("created_at", "pk")),
        "pending_offer": pending_offer(dispute),
        "actions": open_actions(dispute, actor),
        "role": role,
        "now": timezone.now(),
    }


Handler = Callable[[dict], object]


def run_action(
    request,
    *,
    form,
    handler: Handler,
    done_url: str,
    done_message: str,
    page: Callable[..., HttpResponse],
) -> HttpResponse:
    """Validate `form`, run the service through `handler(cleaned_data)`; on success go
    back to the dispute with a notice, on a refusal show the page again with it."""
    if not form.is_valid():
        return page(form=form, status=422)
    try:
        handler(form.cleaned_data)
    except ApplicationError as error:
        add_refusal(form, error)
        return page(form=form, status=error.status)
    messages.success(request, done_message)
    return redirect(done_url)


def evidence_download(dispute: Dispute, role: str, number: int) -> FileResponse:
    from ombuds.disputes.selectors import evidence_file

    found = evidence_file(dispute, role=role, number=number)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.filename,
        content_type=found.content_type or "application/octet-stream",
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def render_page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, context, status=status)


def dispute_url(name: str, dispute: Dispute) -> str:
    return reverse(name, kwargs={"slug": dispute.workspace.slug, "reference": dispute.reference})
