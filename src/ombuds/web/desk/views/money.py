"""Money on the case page (the order's money panel, refund and credit forms) and the
approvals queue where supervisors and finance decide what was above someone's limit.

A form carries an idempotency key drawn with it, so a double click or a resubmitted
page is one money action. The services check authority; the desk only draws what the
member's role and limits allow and says where a request went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ombuds.accounts.models import Membership, Role
from ombuds.accounts.roles import DECIDE_APPROVALS, MOVE_MONEY, role_allows
from ombuds.conversations.models import Case
from ombuds.conversations.selectors import timeline_of
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.models import Workspace
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor, budget_for
from ombuds.ledger.models import ApprovalRequest, ApprovalStatus
from ombuds.ledger.selectors import (
    approval_by_id,
    approvals,
    approvals_of_case,
    credit_balance,
    order_money,
    transactions_of_order,
)
from ombuds.ledger.services import MoneyResult, credit_buyer, decide_approval, refund_buyer
from ombuds.marketplace.models import Order
from ombuds.policies.document import Policy
from ombuds.policies.models import ActionKind, Bearer
from ombuds.policies.selectors import current_policy

from .. import timeline
from ..access import access_workspace
from ..case_access import case_or_404
from ..money_forms import CreditForm, DecisionForm, RefundForm
from ..money_refusals import refusal_message

MOVEMENTS_SHOWN = 10
DECIDED_SHOWN = 25


def _money(amount: int | None, currency: str) -> str:
    if amount is None:
        return _("no limit")
    return Money(amount, currency).format(to_locale(get_language() or "en"))


@dataclass
class MoneyPanel:
    """What the money panel of a case draws."""

    order: Order | None
    currency: str
    can_move: bool
    money: object = None  # ledger.selectors.OrderMoney
    movements: list = field(default_factory=list)
    approvals: list = field(default_factory=list)
    credits_held: dict = field(default_factory=dict)
    refund_limit: str = ""
    credit_limit: str = ""
    compensation_budget: str = ""
    refund_form: RefundForm | None = None
    credit_form: CreditForm | None = None
    error: str = ""
    error_form: str = ""


def money_panel(
    workspace: Workspace,
    membership: Membership,
    case: Case,
    order: Order | None,
    *,
    refund_form: RefundForm | None = None,
    credit_form: CreditForm | None = None,
    error: str = "",
    error_form: str = "",
) -> MoneyPanel:
    """The case's money panel: the order's money so far, its latest movements, waiting
    approvals and the forms. A fixed number of queries, whatever has moved."""
    policy = current_policy(workspace)
    currency = order.currency if order is not None else policy.currencies[0]
    can_move = role_allows(membership.role, MOVE_MONEY)
    panel = MoneyPanel(
        order=order,
        currency=currency,
        can_move=can_move,
        approvals=approvals_of_case(case=case, limit=5),
        credits_held=credit_balance(workspace=workspace, buyer=case.requester),
        error=error,
        error_form=error_form,
    )
    if order is not None:
        panel.money = order_money(workspace=workspace, order=order)
        panel.movements = transactions_of_order(
            workspace=workspace, order=order, limit=MOVEMENTS_SHOWN
        )
        budget = budget_for(policy, ActionKind.CREDIT, order)
        panel.compensation_budget = budget.format(to_locale(get_language() or "en"))
    if can_move:
        panel.refund_limit = _limit(policy, membership.role, ActionKind.REFUND, currency)
        panel.credit_limit = _limit(policy, membership.role, ActionKind.CREDIT, currency)
        if order is not None:
            panel.refund_form = refund_form or RefundForm(currency=currency)
        panel.credit_form = credit_form or CreditForm(currency=currency)
    return panel


def _limit(policy: Policy, role: str, action: str, currency: str) -> str:
    return _money(policy.limit(role=role, action=action, currency=currency), currency)


def _currency_of(workspace: Workspace) -> str:
    return current_policy(workspace).currencies[0]


def money_write(view):
    """A POST on a case's money by a member whose role may move money; others get 403."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(request, slug: str, reference: str):
        workspace, membership = access_workspace(request, slug)
        if not role_allows(membership.role, MOVE_MONEY):
            return _refused(request, _("Your role may not move money."), 403)
        case = case_or_404(workspace, reference)
        return view(request, workspace, membership, case)

    return wrapper


def _refused(request, message: str, status: int):
    if request.htmx:
        return render(
            request, "web/desk/partials/flash.html", {"flash_error": message}, status=status
        )
    return render(request, "web/desk/refused.html", {"error": message}, status=status)


def _order_of(workspace: Workspace, case: Case) -> Order | None:
    if case.order_id is None:
        return None
    return Order.objects.filter(workspace=workspace, pk=case.order_id).first()


def _what_happened(result: MoneyResult, amount: Money) -> str:
    shown = amount.format(to_locale(get_language() or "en"))
    if result.replayed:
        return _("This was already done; nothing moved twice.")
    if result.status == "awaiting_approval":
        role = result.approval.routed_to
        return _("%(amount)s is above your limit: sent for approval to %(role)s.") % {
            "amount": shown,
            "role": _role_label(role),
        }
    if result.transaction.kind == "refund":
        return _("Refunded %(amount)s.") % {"amount": shown}
    return _("Credited %(amount)s.") % {"amount": shown}


def _role_label(role: str) -> str:
    return str(dict(Role.choices).get(role, role)).lower()


def _answer(request, workspace, membership, case, order, *, status=200, flash="", **panel):
    """The timeline, which gained an event, with the money panel out of band (htmx);
    for a plain form post the case page, or the case page again with the form's error."""
    if not request.htmx and flash:
        messages.success(request, flash)
        return redirect("web:case", slug=workspace.slug, reference=case.reference)
    if not request.htmx:
        from .cases import _case_context

        context = _case_context(
            request,
            workspace,
            membership,
            case,
            money_panel=money_panel(workspace, membership, case, order, **panel),
        )
        return render(request, "web/desk/case.html", context, status=status)
    context = {
        "workspace": workspace,
        "case": case,
        "money_panel": money_panel(workspace, membership, case, order, **panel),
        "timeline": timeline.entries(timeline_of(case)),
        "flash": flash,
    }
    return render(request, "web/desk/partials/money_updated.html", context, status=status)


def _move(request, workspace, membership, case, form, name: str, write):
    order = _order_of(workspace, case)
    if not form.is_valid():
        return _answer(
            request,
            workspace,
            membership,
            case,
            order,
            status=422,
            error=_("Nothing was moved; see the marked fields."),
            error_form=name,
            **{name: form},
        )
    data = form.cleaned_data
    amount = Money(data["amount"], form.currency)
    try:
        result = write(order, data, amount)
    except ApplicationError as refusal:
        return _answer(
            request,
            workspace,
            membership,
            case,
            order,
            status=refusal.status,
            error=refusal_message(refusal),
            error_form=name,
            **{name: form},
        )
    return _answer(
        request, workspace, membership, case, order, flash=_what_happened(result, amount)
    )


@money_write
def case_refund(request, workspace, membership, case):
    order = _order_of(workspace, case)
    if order is None:
        return _refused(request, _("This case has no order to refund."), 422)
    return _move(
        request,
        workspace,
        membership,
        case,
        RefundForm(request.POST, currency=order.currency),
        "refund_form",
        lambda order, data, amount: refund_buyer(
            workspace=workspace,
            actor=MoneyActor.member(membership),
            order=order,
            amount=amount,
            reason=data["reason"],
            cause=data["cause"] or None,
            bearer=data["bearer"],
            outcome=data["outcome"],
            case=case,
            note=data["note"],
            idempotency_key=f"desk-{data['idempotency_key']}",
        ),
    )


@money_write
def case_credit(request, workspace, membership, case):
    order = _order_of(workspace, case)
    currency = order.currency if order is not None else _currency_of(workspace)
    return _move(
        request,
        workspace,
        membership,
        case,
        CreditForm(request.POST, currency=currency),
        "credit_form",
        lambda order, data, amount: credit_buyer(
            workspace=workspace,
            actor=MoneyActor.member(membership),
            order=order,
            buyer=None if order is not None else case.requester,
            amount=amount,
            reason=data["reason"],
            cause=data["cause"] or None,
            bearer=data["bearer"] or Bearer.PLATFORM,
            outcome=data["outcome"],
            case=case,
            note=data["note"],
            idempotency_key=f"desk-{data['idempotency_key']}",
        ),
    )


# --- the approvals queue -------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    approval: ApprovalRequest
    may_decide: bool
    why_not: str


def _rows(policy: Policy, membership: Membership, waiting: list[ApprovalRequest]):
    deciding = role_allows(membership.role, DECIDE_APPROVALS)
    rows = []
    for approval in waiting:
        amount = Money(approval.amount, approval.currency)
        if not deciding:
            why = ""
        elif approval.requested_by_id == membership.user_id:
            why = _("Your own request: a colleague decides it.")
        elif not policy.covers(role=membership.role, action=approval.kind, amount=amount):
            why = _("Above your own limit.")
        else:
            why = ""
        rows.append(QueueRow(approval, deciding and not why, why))
    return rows


@login_required
@require_GET
def approvals_queue(request, slug: str):
    workspace, membership = access_workspace(request, slug)
    return _queue(request, workspace, membership)


def _queue(request, workspace, membership, *, status=200, error="", error_for=None):
    policy = current_policy(workspace)
    waiting = approvals(workspace=workspace, status=ApprovalStatus.PENDING)
    decided = [
        a
        for a in approvals(workspace=workspace, status=None, limit=DECIDED_SHOWN + len(waiting))
        if a.status != ApprovalStatus.PENDING
    ][:DECIDED_SHOWN]
    context = {
        "workspace": workspace,
        "rows": _rows(policy, membership, waiting),
        "decided": decided,
        "can_decide": role_allows(membership.role, DECIDE_APPROVALS),
        "decision_form": DecisionForm(),
        "error": error,
        "error_for": error_for,
    }
    return render(request, "web/desk/approvals.html", context, status=status)


@login_required
@require_POST
def approval_decide(request, slug: str, approval_id: int):
    workspace, membership = access_workspace(request, slug)
    if not role_allows(membership.role, DECIDE_APPROVALS):
        return _refused(request, _("Your role may not decide approvals."), 403)
    try:
        approval = approval_by_id(workspace=workspace, pk=approval_id)
    except NotFound:
        raise Http404("No such approval") from None
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _queue(
            request,
            workspace,
            membership,
            status=422,
            error=_("Choose approve or reject."),
            error_for=approval.pk,
        )
    try:
        result = decide_approval(
            workspace=workspace,
            approval=approval,
            actor=MoneyActor.member(membership),
            approve=form.approve,
            note=form.cleaned_data["note"],
        )
    except ApplicationError as refusal:
        return _queue(
            request,
            workspace,
            membership,
            status=refusal.status,
            error=refusal_message(refusal),
            error_for=approval.pk,
        )
    if result.status == "executed":
        messages.success(request, _("Approved; the money has moved."))
    else:
        messages.success(request, _("Rejected; nothing moved."))
    return redirect("web:approvals", slug=workspace.slug)
