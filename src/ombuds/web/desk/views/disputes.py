"""The desk's disputes: the list (by state, reason and deadline) and the mediation view,
with both positions side by side, the evidence and who sees it, the thread, the
deadlines, and the actions of the platform."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ombuds.core.errors import ApplicationError, NotFound
from ombuds.disputes import transitions
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Reason, Role, State
from ombuds.disputes.reports import dispute_report as dispute_report_of
from ombuds.disputes.selectors import (
    DisputePage,
    dispute_by_reference,
    disputes_for_desk,
    evidence_for,
    state_counts,
    thread_for,
)
from ombuds.disputes.services.decisions import decide_dispute, preview_decision, review_appeal
from ombuds.disputes.services.evidence import change_evidence_visibility, refresh_order_evidence
from ombuds.disputes.services.responses import (
    end_contact_period,
    escalate_dispute,
    propose_offer,
    withdraw_dispute,
)
from ombuds.disputes.services.settlement import resolve_dispute
from ombuds.disputes.services.thread import post_message
from ombuds.ledger.selectors import order_money
from ombuds.web.portal.dispute_forms import amount_text
from ombuds.web.portal.dispute_pages import evidence_download

from ..access import access_workspace, can_write
from ..dispute_charts import month_bars
from ..dispute_forms import (
    DEADLINE_LABELS,
    DecideForm,
    DeskMessageForm,
    DeskNoteForm,
    DeskOfferForm,
    DisputeFilterForm,
    PreviewForm,
    ResolveForm,
    ReviewForm,
    VisibilityForm,
)
from ..dispute_refusals import dispute_refusal, problem_text

PAGE_SIZE = 50


def _filters(query) -> list[dict]:
    controls = [
        ("state", _("Any state"), State.choices),
        ("reason", _("Any reason"), Reason.choices),
        ("deadline", _("Any deadline"), list(DEADLINE_LABELS.items())),
    ]
    return [
        {
            "name": name,
            "placeholder": placeholder,
            "options": [(str(value), label) for value, label in options],
            "selected": query.getlist(name),
        }
        for name, placeholder, options in controls
    ]


@login_required
@require_GET
def dispute_list(request, slug: str):
    workspace, _membership = access_workspace(request, slug)
    query = MultiValueDict({k: [v for v in vs if v] for k, vs in request.GET.lists()})
    form = DisputeFilterForm(query)
    page, error, status = DisputePage([], None), None, 200
    if form.is_valid():
        try:
            page = disputes_for_desk(
                workspace=workspace,
                filters=form.to_filters(),
                cursor=form.cleaned_data["cursor"] or None,
                limit=PAGE_SIZE,
            )
        except ApplicationError as refused:
            error, status = dispute_refusal(refused), refused.status
    else:
        error, status = _("Some filters are not valid."), 400
    counts = state_counts(workspace=workspace)
    context = {
        "workspace": workspace,
        "page": page,
        "filters": _filters(query),
        "q": query.get("q", ""),
        "is_filtered": any(query.getlist(k) for k in ("state", "reason", "deadline", "q")),
        "is_later_page": bool(query.get("cursor")),
        "state_rows": [
            (value, label, counts[value]) for value, label in State.choices if counts.get(value)
        ],
        "selected_states": query.getlist("state"),
        "error": error,
        "now": timezone.now(),
    }
    template = "web/desk/disputes/list.html"
    if request.htmx and request.htmx.target == "dispute-list":
        template = "web/desk/disputes/_list.html"
    return render(request, template, context, status=status)


def _dispute_or_404(workspace, reference: str):
    try:
        return dispute_by_reference(workspace=workspace, reference=reference)
    except NotFound:
        raise Http404("No such dispute") from None


def decisions_of(dispute) -> list:
    """The dispute's decision and its appeal review, oldest first: one query."""
    return list(dispute.decisions.select_related("decided_by").order_by("created_at", "pk"))


def mediation_context(workspace, membership, dispute, **overrides) -> dict:
    """Everything the mediation view shows, in a fixed number of queries."""
    role = Role.AGENT
    evidence = evidence_for(dispute, role=role)
    thread = thread_for(dispute, role=role)
    offers = list(dispute.offers.select_related("made_by_user").order_by("number"))
    decisions = decisions_of(dispute)
    first_decision = next((d for d in decisions if d.kind == "decision"), None)
    actor = DisputeActor.agent(membership)
    ctx = transitions.Context(
        role=role,
        now=timezone.now(),
        user_id=membership.user_id,
        extra={
            "pending_offer": any(o.status == "pending" for o in offers),
            "decided_by_id": first_decision.decided_by_id if first_decision else None,
        },
    )
    fresh = {"key": uuid.uuid4()}
    context = {
        "workspace": workspace,
        "dispute": dispute,
        "order": dispute.order,
        "can_write": can_write(membership),
        "actions": set(transitions.actions_open_to(dispute, ctx)),
        "buyer_evidence": [e for e in evidence if e.submitted_by_role == Role.BUYER],
        "seller_evidence": [e for e in evidence if e.submitted_by_role == Role.SELLER],
        "other_evidence": [
            e for e in evidence if e.submitted_by_role not in (Role.BUYER, Role.SELLER)
        ],
        "thread": thread,
        "offers": offers,
        "pending_offer": next((o for o in reversed(offers) if o.status == "pending"), None),
        "history": list(
            dispute.events.select_related("actor_user", "actor_party").order_by("created_at", "pk")
        ),
        "message_form": DeskMessageForm(),
        "note_form": DeskNoteForm(),
        "offer_form": DeskOfferForm(currency=dispute.currency, initial={"key": uuid.uuid4()}),
        "decisions": decisions,
        "decision": decisions[-1] if decisions else None,
        "decided_by_me": first_decision is not None
        and first_decision.decided_by_id == membership.user_id,
        "money": order_money(workspace=workspace, order=dispute.order),
        "decide_form": DecideForm(
            currency=dispute.currency,
            initial={**fresh, "amount": amount_text(dispute.amount, dispute.currency)},
        ),
        "review_form": ReviewForm(currency=dispute.currency, initial=fresh),
        "resolve_form": ResolveForm(),
        "preview": None,
        "visibilities": DeskMessageForm.base_fields["visibility"].choices,
        "actor": actor,
        "now": timezone.now(),
    }
    context.update(overrides)
    return context


@login_required
@require_GET
def dispute_detail(request, slug: str, reference: str):
    workspace, membership = access_workspace(request, slug)
    dispute = _dispute_or_404(workspace, reference)
    return render(
        request,
        "web/desk/disputes/mediation.html",
        mediation_context(workspace, membership, dispute),
    )


def _actions(dispute):
    """What each write of the mediation view reads and does."""
    return {
        "message": (
            DeskMessageForm,
            "message_form",
            lambda a, data: post_message(
                dispute=dispute, actor=a, body=data["body"], visibility=data["visibility"]
            ),
            _("Message added."),
        ),
        "escalate": (
            DeskNoteForm,
            "note_form",
            lambda a, data: escalate_dispute(dispute=dispute, actor=a, note=data["note"]),
            _("The dispute is in mediation."),
        ),
        "contact_over": (
            DeskNoteForm,
            "note_form",
            lambda a, data: end_contact_period(dispute=dispute, actor=a),
            _("The seller's deadline runs now."),
        ),
        "withdraw": (
            DeskNoteForm,
            "note_form",
            lambda a, data: withdraw_dispute(dispute=dispute, actor=a, note=data["note"]),
            _("The dispute is withdrawn."),
        ),
        "offer": (
            lambda post: DeskOfferForm(post, currency=dispute.currency),
            "offer_form",
            lambda a, data: propose_offer(
                dispute=dispute,
                actor=a,
                kind=data["kind"],
                amount=data["amount"],
                note=data["note"],
                bearer=data["bearer"],
                idempotency_key=f"desk:{data['key']}" if data["key"] else "",
            ),
            _("The settlement was proposed to the buyer."),
        ),
        "decide": (
            lambda post: DecideForm(post, currency=dispute.currency),
            "decide_form",
            lambda a, data: decide_dispute(
                dispute=dispute,
                actor=a,
                outcome=data["outcome"],
                amount=data["amount"],
                bearer=data["bearer"],
                statement=data["statement"],
                idempotency_key=f"desk:{data['key']}" if data["key"] else "",
            ),
            _("The dispute is decided."),
        ),
        "review": (
            lambda post: ReviewForm(post, currency=dispute.currency),
            "review_form",
            lambda a, data: review_appeal(
                dispute=dispute,
                actor=a,
                verdict=data["verdict"],
                statement=data["statement"],
                outcome=data["outcome"] or None,
                amount=data["amount"],
                bearer=data["bearer"] or None,
                idempotency_key=f"desk:{data['key']}" if data["key"] else "",
            ),
            _("The appeal is decided."),
        ),
        "resolve": (
            ResolveForm,
            "resolve_form",
            lambda a, data: resolve_dispute(dispute=dispute, actor=a, note=data["note"]),
            _("The dispute is resolved."),
        ),
        "order_evidence": (
            DeskNoteForm,
            "note_form",
            lambda a, data: refresh_order_evidence(dispute=dispute, actor=a),
            _("The order's latest records were added."),
        ),
    }


def _refused(request, workspace, membership, dispute, message: str, status: int, **forms):
    context = mediation_context(workspace, membership, dispute, error=message, **forms)
    return render(request, "web/desk/disputes/mediation.html", context, status=status)


@login_required
@require_POST
def dispute_act(request, slug: str, reference: str, action: str):
    workspace, membership = access_workspace(request, slug)
    dispute = _dispute_or_404(workspace, reference)
    if not can_write(membership):
        return _refused(
            request, workspace, membership, dispute, _("Your role can view disputes only."), 403
        )
    actions = _actions(dispute)
    if action not in actions:
        raise Http404
    make_form, name, call, done = actions[action]
    form = make_form(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            workspace,
            membership,
            dispute,
            _("Please check the form."),
            422,
            **{name: form},
        )
    try:
        call(DisputeActor.agent(membership), form.cleaned_data)
    except ApplicationError as refusal:
        dispute = _dispute_or_404(workspace, reference)
        return _refused(
            request,
            workspace,
            membership,
            dispute,
            dispute_refusal(refusal),
            refusal.status,
            **{name: form},
        )
    messages.success(request, done)
    return redirect("web:dispute", slug=workspace.slug, reference=dispute.reference)


@login_required
@require_POST
def decision_preview(request, slug: str, reference: str):
    """What the decision on the form would do to the money, writing nothing: the preview
    panel alone for htmx (as the agent changes the form), the whole page without it."""
    workspace, membership = access_workspace(request, slug)
    dispute = _dispute_or_404(workspace, reference)
    partial = bool(request.htmx)
    if not can_write(membership):
        refused = _("Your role can view disputes only.")
        return _preview_page(request, workspace, membership, dispute, partial, refused, 403)
    form = PreviewForm(request.POST, currency=dispute.currency)
    if not form.is_valid():
        return _preview_page(
            request, workspace, membership, dispute, partial, _("Please check the form."), 422, form
        )
    data = form.cleaned_data
    try:
        preview = preview_decision(
            dispute=dispute,
            actor=DisputeActor.agent(membership),
            outcome=data["outcome"],
            amount=data["amount"],
            bearer=data["bearer"],
        )
    except ApplicationError as refusal:
        return _preview_page(
            request,
            workspace,
            membership,
            dispute,
            partial,
            dispute_refusal(refusal),
            refusal.status,
            form,
        )
    # The services find the problems in English; the agent reads them in their language.
    problems = [{**problem, "message": problem_text(problem)} for problem in preview.problems]
    preview = dataclasses.replace(preview, problems=problems)
    return _preview_page(request, workspace, membership, dispute, partial, None, 200, form, preview)


def _preview_page(
    request, workspace, membership, dispute, partial, error, status, form=None, preview=None
):
    if partial:
        context = {"preview": preview, "preview_error": error, "dispute": dispute}
        return render(request, "web/desk/disputes/_decision_preview.html", context, status=status)
    bound = {}
    if form is not None:
        # The page keeps what the agent typed; the decision itself still needs its reasons.
        typed = {k: form.data.get(k, "") for k in ("outcome", "amount", "bearer", "statement")}
        typed["key"] = form.data.get("key") or uuid.uuid4()
        bound["decide_form"] = DecideForm(currency=dispute.currency, initial=typed)
    context = mediation_context(
        workspace, membership, dispute, preview=preview, preview_error=error, **bound
    )
    return render(request, "web/desk/disputes/mediation.html", context, status=status)


@login_required
@require_POST
def evidence_visibility(request, slug: str, reference: str, number: int):
    workspace, membership = access_workspace(request, slug)
    dispute = _dispute_or_404(workspace, reference)
    form = VisibilityForm(request.POST)
    if not can_write(membership) or not form.is_valid():
        return _refused(request, workspace, membership, dispute, _("Not allowed."), 403)
    item = next((e for e in evidence_for(dispute, role=Role.AGENT) if e.number == number), None)
    if item is None:
        raise Http404
    try:
        change_evidence_visibility(
            evidence=item,
            actor=DisputeActor.agent(membership),
            visibility=form.cleaned_data["visibility"],
        )
    except ApplicationError as refusal:
        return _refused(
            request, workspace, membership, dispute, dispute_refusal(refusal), refusal.status
        )
    messages.success(request, _("Who sees it was changed."))
    return redirect("web:dispute", slug=workspace.slug, reference=dispute.reference)


@login_required
@require_GET
def dispute_evidence(request, slug: str, reference: str, number: int):
    workspace, _membership = access_workspace(request, slug)
    dispute = _dispute_or_404(workspace, reference)
    try:
        return evidence_download(dispute, Role.AGENT, number)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def dispute_report(request, slug: str):
    """Disputes of the last months by reason, ending and month, and each seller's rate."""
    workspace, _membership = access_workspace(request, slug)
    until = timezone.now()
    since = until - timedelta(days=182)
    report = dispute_report_of(workspace=workspace, since=since, until=until)
    return render(
        request,
        "web/desk/disputes/report.html",
        {"workspace": workspace, "report": report, "chart": month_bars(report.by_month)},
    )
