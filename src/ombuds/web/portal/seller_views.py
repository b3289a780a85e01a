"""The seller portal of a workspace, under /help/<slug>/seller/: sellers sign in with a
mailed link, see the disputes about their own orders (and no one else's), respond
before the deadline and read their scorecard."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ombuds.core.errors import NotFound
from ombuds.core.models import Workspace
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Dispute
from ombuds.disputes.reports import seller_scorecard as scorecard_of
from ombuds.disputes.selectors import dispute_of_seller, disputes_of_seller
from ombuds.disputes.services.decisions import appeal_decision
from ombuds.disputes.services.evidence import submit_evidence
from ombuds.disputes.services.responses import contest_claim, escalate_dispute, propose_offer
from ombuds.disputes.services.settlement import accept_claim
from ombuds.disputes.services.thread import post_message
from ombuds.marketplace.models import Party

from . import throttle
from .dispute_forms import (
    AppealForm,
    ContestForm,
    EvidenceForm,
    MessageForm,
    NoteForm,
    OfferForm,
)
from .dispute_pages import dispute_url, evidence_download, page_context, run_action
from .forms import SignInForm, incoming_files
from .magic_links import SELLER, LinkRefused, offer_sign_in_link, read_token
from .session import access_portal_party, sign_in, sign_out
from .views import _page, help_center

_REFERENCE = re.compile(r"^DSP-\d{1,12}$")
AUDIENCE = "seller"


def portal_seller(view):
    """Only for a seller signed in to this workspace's seller portal."""

    @wraps(view)
    @help_center
    def wrapper(request: HttpRequest, workspace: Workspace, **kwargs):
        seller = access_portal_party(request, workspace, audience=AUDIENCE)
        if seller is None:
            return redirect("web:seller_request", slug=workspace.slug)
        return view(request, workspace, seller, **kwargs)

    return wrapper


def _seller_page(request, template: str, workspace: Workspace, seller: Party | None, **context):
    return _page(request, f"seller/{template}", workspace, seller=seller, **context)


def _own(workspace: Workspace, seller: Party, reference: str) -> Dispute:
    try:
        return dispute_of_seller(workspace=workspace, seller=seller, reference=reference)
    except NotFound:
        raise Http404 from None


# -- sign in ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@help_center
def seller_request(request, workspace):
    if access_portal_party(request, workspace, audience=AUDIENCE) is not None:
        return redirect("web:seller_disputes", slug=workspace.slug)
    if request.method == "GET":
        return _seller_page(request, "sign_in.html", workspace, None, form=SignInForm())
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _seller_page(request, "sign_in.html", workspace, None, form=form, status=422)
    if not throttle.allow_client(
        request, f"seller-link:{workspace.pk}", limit=throttle.LINKS_PER_ADDRESS
    ):
        form.add_error(None, _("Too many requests from your network. Please try again later."))
        return _seller_page(request, "sign_in.html", workspace, None, form=form, status=429)
    # Seller or not, the answer is the same page: the form tells nobody who sells here.
    offer_sign_in_link(workspace=workspace, email=form.cleaned_data["email"], audience=SELLER)
    return redirect("web:seller_sent", slug=workspace.slug)


@require_GET
@help_center
def seller_sent(request, workspace):
    return _seller_page(request, "sign_in_sent.html", workspace, None)


@require_GET
@help_center
def seller_login(request, workspace, token):
    try:
        identity = read_token(token, workspace=workspace, audience=SELLER)
    except LinkRefused as refused:
        status = 403 if refused.reason == LinkRefused.OTHER_WORKSPACE else 400
        return _page(request, "link_refused.html", workspace, reason=refused.reason, status=status)
    sign_in(request, identity, audience=AUDIENCE)
    reference = request.GET.get("dispute", "")
    if _REFERENCE.match(reference):
        return redirect("web:seller_dispute", slug=workspace.slug, reference=reference)
    return redirect("web:seller_disputes", slug=workspace.slug)


@require_POST
@help_center
def seller_logout(request, workspace):
    sign_out(request, audience=AUDIENCE)
    messages.info(request, _("You are signed out."))
    return redirect("web:seller_request", slug=workspace.slug)


# -- disputes ---------------------------------------------------------------------------


@require_GET
@portal_seller
def seller_disputes(request, workspace, seller):
    return _seller_page(
        request,
        "disputes.html",
        workspace,
        seller,
        disputes=disputes_of_seller(workspace=workspace, seller=seller),
    )


def _detail(request, workspace, seller, dispute, *, forms=None, status=200):
    context = page_context(dispute, DisputeActor.seller(seller))
    context.update(
        form_key=str(uuid.uuid4()),
        offer_form=OfferForm(currency=dispute.currency),
        contest_form=ContestForm(),
        note_form=NoteForm(),
        message_form=MessageForm(role="seller"),
        evidence_form=EvidenceForm(role="seller"),
        appeal_form=AppealForm(),
    )
    context.update(forms or {})
    return _seller_page(request, "dispute.html", workspace, seller, status=status, **context)


@require_GET
@portal_seller
def seller_dispute(request, workspace, seller, reference):
    return _detail(request, workspace, seller, _own(workspace, seller, reference))


def _actions(dispute: Dispute) -> dict:
    """What each action of the seller's page reads and does."""
    return {
        "accept": (
            lambda post, files: NoteForm(post),
            "note_form",
            lambda a, data: accept_claim(dispute=dispute, actor=a, note=data["note"]),
            _("You accepted the claim; the buyer is refunded at your cost."),
        ),
        "appeal": (
            lambda post, files: AppealForm(post),
            "appeal_form",
            lambda a, data: appeal_decision(dispute=dispute, actor=a, grounds=data["grounds"]),
            _("Your appeal was sent; a colleague of the agent who decided reviews it."),
        ),
        "offer": (
            lambda post, files: OfferForm(post, currency=dispute.currency),
            "offer_form",
            lambda a, data: propose_offer(
                dispute=dispute,
                actor=a,
                kind=data["kind"],
                amount=data["amount"],
                note=data["note"],
                idempotency_key=f"seller-portal:{data['key']}" if data["key"] else "",
            ),
            _("Your offer was sent to the buyer."),
        ),
        "contest": (
            lambda post, files: ContestForm(post, files),
            "contest_form",
            lambda a, data: contest_claim(
                dispute=dispute,
                actor=a,
                statement=data["statement"],
                files=incoming_files(data["attachments"]),
                visibility=data["visibility"],
            ),
            _("Your answer was sent; the buyer may now ask the platform to step in."),
        ),
        "escalate": (
            lambda post, files: NoteForm(post),
            "note_form",
            lambda a, data: escalate_dispute(dispute=dispute, actor=a, note=data["note"]),
            _("The platform is looking into it now."),
        ),
        "message": (
            lambda post, files: MessageForm(post, role="seller"),
            "message_form",
            lambda a, data: post_message(
                dispute=dispute, actor=a, body=data["body"], visibility=data["visibility"]
            ),
            _("Your message was added."),
        ),
        "evidence": (
            lambda post, files: EvidenceForm(post, files, role="seller"),
            "evidence_form",
            lambda a, data: submit_evidence(
                dispute=dispute,
                actor=a,
                text=data["text"],
                files=incoming_files(data["attachments"]),
                visibility=data["visibility"],
            ),
            _("Your evidence was added."),
        ),
    }


@require_POST
@portal_seller
def seller_act(request, workspace, seller, reference, action):
    dispute = _own(workspace, seller, reference)
    actions = _actions(dispute)
    if action not in actions:
        raise Http404
    make_form, name, call, done = actions[action]
    actor = DisputeActor.seller(seller)
    return run_action(
        request,
        form=make_form(request.POST, request.FILES),
        handler=lambda data: call(actor, data),
        done_url=dispute_url("web:seller_dispute", dispute),
        done_message=done,
        page=lambda form, status: _detail(
            request,
            workspace,
            seller,
            _own(workspace, seller, reference),
            forms={name: form, "refused": action},
            status=status,
        ),
    )


@require_GET
@portal_seller
def seller_evidence(request, workspace, seller, reference, number):
    dispute = _own(workspace, seller, reference)
    try:
        return evidence_download(dispute, "seller", number)
    except NotFound:
        raise Http404 from None


@require_GET
@portal_seller
def seller_scorecard(request, workspace, seller):
    until = timezone.now()
    card = scorecard_of(
        workspace=workspace, seller=seller, since=until - timedelta(days=365), until=until
    )
    return _seller_page(request, "scorecard.html", workspace, seller, card=card)
