"""The buyer's disputes in the portal: open one on an order, follow it, answer offers,
add messages and evidence."""

from __future__ import annotations

import re
import uuid

from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Dispute
from ombuds.disputes.selectors import (
    dispute_of_buyer,
    disputes_of_buyer,
    orders_for_dispute,
    own_order,
)
from ombuds.disputes.services.decisions import appeal_decision
from ombuds.disputes.services.evidence import submit_evidence
from ombuds.disputes.services.opening import open_dispute
from ombuds.disputes.services.responses import (
    end_contact_period,
    escalate_dispute,
    withdraw_dispute,
)
from ombuds.disputes.services.settlement import accept_offer
from ombuds.disputes.services.thread import post_message

from .dispute_forms import (
    AcceptOfferForm,
    AppealForm,
    EvidenceForm,
    MessageForm,
    NoteForm,
    OpenDisputeForm,
    add_refusal,
)
from .dispute_pages import dispute_url, evidence_download, page_context, run_action
from .forms import incoming_files
from .views import _page, portal_buyer

_KEY = re.compile(r"^[0-9a-f-]{36}$")


def _own(workspace, buyer, reference: str) -> Dispute:
    try:
        return dispute_of_buyer(workspace=workspace, buyer=buyer, reference=reference)
    except NotFound:
        raise Http404 from None


@require_GET
@portal_buyer
def disputes(request, workspace, buyer):
    return _page(
        request,
        "disputes/list.html",
        workspace,
        buyer=buyer,
        disputes=disputes_of_buyer(workspace=workspace, buyer=buyer),
        orders=orders_for_dispute(workspace=workspace, buyer=buyer),
    )


@require_http_methods(["GET", "POST"])
@portal_buyer
def dispute_new(request, workspace, buyer):
    try:
        order = own_order(
            workspace=workspace, buyer=buyer, external_id=request.GET.get("order", "")[:100]
        )
    except NotFound:
        raise Http404 from None
    key = request.POST.get("key", "") if request.method == "POST" else str(uuid.uuid4())
    form = OpenDisputeForm(
        request.POST or None,
        request.FILES or None,
        currency=order.currency,
        initial={"desired_outcome": "full_refund"},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and _KEY.match(key):
            data = form.cleaned_data
            try:
                dispute = open_dispute(
                    workspace=workspace,
                    order=order,
                    actor=DisputeActor.buyer(buyer),
                    reason=data["reason"],
                    description=data["description"],
                    desired_outcome=data["desired_outcome"],
                    amount=data["amount"],
                    files=incoming_files(data["attachments"]),
                    channel=Channel.WEB,
                    idempotency_key=f"portal:{key}",
                )
            except ApplicationError as error:
                add_refusal(form, error)
                status = error.status
            else:
                return redirect(dispute_url("web:portal_dispute", dispute))
    return _page(
        request,
        "disputes/new.html",
        workspace,
        buyer=buyer,
        order=order,
        form=form,
        key=key,
        language=get_language(),
        status=status,
    )


def _detail(request, workspace, buyer, dispute, *, forms=None, status=200):
    actor = DisputeActor.buyer(buyer)
    context = page_context(dispute, actor)
    context.update(
        message_form=MessageForm(role="buyer"),
        evidence_form=EvidenceForm(role="buyer"),
        note_form=NoteForm(),
        appeal_form=AppealForm(),
    )
    context.update(forms or {})
    return _page(request, "disputes/detail.html", workspace, buyer=buyer, status=status, **context)


@require_GET
@portal_buyer
def dispute_detail(request, workspace, buyer, reference):
    return _detail(request, workspace, buyer, _own(workspace, buyer, reference))


# What each action of the buyer's page reads and does.
ACTIONS = {
    "message": (
        lambda post, files: MessageForm(post, role="buyer"),
        "message_form",
        lambda d, a, data: post_message(
            dispute=d, actor=a, body=data["body"], visibility=data["visibility"]
        ),
        _("Your message was added."),
    ),
    "evidence": (
        lambda post, files: EvidenceForm(post, files, role="buyer"),
        "evidence_form",
        lambda d, a, data: submit_evidence(
            dispute=d,
            actor=a,
            text=data["text"],
            files=incoming_files(data["attachments"]),
            visibility=data["visibility"],
        ),
        _("Your evidence was added."),
    ),
    "escalate": (
        lambda post, files: NoteForm(post),
        "note_form",
        lambda d, a, data: escalate_dispute(dispute=d, actor=a, note=data["note"]),
        _("We are looking into it now."),
    ),
    "withdraw": (
        lambda post, files: NoteForm(post),
        "note_form",
        lambda d, a, data: withdraw_dispute(dispute=d, actor=a, note=data["note"]),
        _("Your dispute is withdrawn."),
    ),
    "contact_over": (
        lambda post, files: NoteForm(post),
        "note_form",
        lambda d, a, data: end_contact_period(dispute=d, actor=a),
        _("The dispute is open; the seller must now respond."),
    ),
    "accept_offer": (
        lambda post, files: AcceptOfferForm(post),
        "accept_form",
        lambda d, a, data: accept_offer(dispute=d, actor=a, offer_number=data["offer"]),
        _("You accepted the offer."),
    ),
    "appeal": (
        lambda post, files: AppealForm(post),
        "appeal_form",
        lambda d, a, data: appeal_decision(dispute=d, actor=a, grounds=data["grounds"]),
        _("Your appeal was sent; a colleague of the agent who decided reviews it."),
    ),
}


@require_POST
@portal_buyer
def dispute_act(request, workspace, buyer, reference, action):
    dispute = _own(workspace, buyer, reference)
    if action not in ACTIONS:
        raise Http404
    make_form, name, call, done = ACTIONS[action]
    actor = DisputeActor.buyer(buyer)
    return run_action(
        request,
        form=make_form(request.POST, request.FILES),
        handler=lambda data: call(dispute, actor, data),
        done_url=dispute_url("web:portal_dispute", dispute),
        done_message=done,
        page=lambda form, status: _detail(
            request,
            workspace,
            buyer,
            _own(workspace, buyer, reference),
            forms={name: form, "refused": action},
            status=status,
        ),
    )


@require_GET
@portal_buyer
def dispute_evidence(request, workspace, buyer, reference, number):
    dispute = _own(workspace, buyer, reference)
    try:
        return evidence_download(dispute, "buyer", number)
    except NotFound:
        raise Http404 from None
