"""The case page's rescue panel: start the ladder of a failed booking, act on its current
step, and see the steps so far with what each cost. The services decide what may happen;
these views parse the forms and say why something was refused."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ombuds.accounts.roles import MOVE_MONEY, role_allows
from ombuds.conversations.events import Actor
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.marketplace.models import Booking
from ombuds.rescue import services
from ombuds.rescue.models import Ladder, StepKind, Trigger

from .access import access_workspace, can_write
from .case_access import case_or_404, refuse
from .fields import AmountField

OPTION_ROWS = 3


def _key() -> str:
    return uuid.uuid4().hex


class StartForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("What failed"), choices=Trigger.choices)


class OriginalForm(forms.Form):
    worked = forms.TypedChoiceField(
        label=gettext_lazy("Did the seller and the provider put it right?"),
        choices=[("yes", gettext_lazy("Yes, the booking works")), ("no", gettext_lazy("No"))],
        coerce=lambda v: v == "yes",
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class AlternativesForm(forms.Form):
    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, OPTION_ROWS + 1):
            self.fields[f"label_{i}"] = forms.CharField(
                label=gettext_lazy("Alternative"), required=False, max_length=200
            )
            self.fields[f"supplier_{i}"] = forms.CharField(
                label=gettext_lazy("Supplier"), required=False, max_length=200
            )
            self.fields[f"amount_{i}"] = AmountField(
                label=gettext_lazy("Cost"), required=False, currency=currency, allow_zero=True
            )

    def options(self) -> list[dict]:
        rows = []
        for i in range(1, OPTION_ROWS + 1):
            label = self.cleaned_data.get(f"label_{i}")
            if label:
                rows.append(
                    {
                        "label": label,
                        "supplier": self.cleaned_data.get(f"supplier_{i}") or "",
                        "amount": self.cleaned_data.get(f"amount_{i}"),
                    }
                )
        return rows


class RebookForm(forms.Form):
    option = forms.TypedChoiceField(label=gettext_lazy("Book"), coerce=int)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, options=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", _key())
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(i, o["label"]) for i, o in enumerate(options)]


class AmountForm(forms.Form):
    amount = AmountField(label=gettext_lazy("Amount"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, currency: str, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", _key())
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].currency = currency


class GiveUpForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why"), required=False, max_length=2000)


def rescue_panel(case, membership) -> dict:
    """The panel's context: nothing for a case whose order has no booking. A fixed
    number of queries: the booking, the latest ladder, its steps."""
    if case.order_id is None:
        return {}
    booking = Booking.objects.filter(order_id=case.order_id).select_related("third_party").first()
    if booking is None:
        return {}
    ladder = Ladder.objects.filter(case=case, order_id=case.order_id).order_by("-opened_at").first()
    panel = {"booking": booking, "ladder": ladder, "can_act": can_write(membership)}
    if ladder is None:
        panel["start_form"] = StartForm()
        return panel
    steps = list(ladder.steps.all())
    current = next((s for s in steps if s.number == ladder.step), None)
    spent = sum(s.cost for s in steps if s.number == StepKind.REBOOK and s.status == "done")
    options = current.options if current else []
    choice = current.buyer_choice if current else None
    # What the buyer chose in the portal is preselected; the agent may still book another.
    preferred = options[choice] if choice is not None and 0 <= choice < len(options) else None
    panel.update(
        steps=steps,
        current=current,
        rebooking_left=max(0, ladder.rebooking_budget - spent),
        original_form=OriginalForm(),
        alternatives_form=AlternativesForm(currency=ladder.currency),
        buyer_prefers=preferred,
        rebook_form=RebookForm(
            options=options, initial={"option": choice} if preferred is not None else {}
        ),
        refund_form=AmountForm(currency=ladder.currency),
        credit_form=AmountForm(currency=ladder.currency),
        give_up_form=GiveUpForm(),
        may_move_money=role_allows(membership.role, MOVE_MONEY),
    )
    return panel


def _ladder_of(case) -> Ladder:
    ladder = Ladder.objects.filter(case=case, status="running").order_by("-opened_at").first()
    if ladder is None:
        raise ApplicationError("no_rescue", _("No rescue is under way on this case."), status=409)
    return ladder


MONEY_ACTIONS = {"rebook", "refund", "compensate"}


@login_required
@require_POST
def rescue_act(request, slug: str, reference: str, action: str):
    workspace, membership = access_workspace(request, slug)
    case = case_or_404(workspace, reference)
    if not can_write(membership):
        return refuse(request, _("Your role can view this case but not change it."), 403)
    if action in MONEY_ACTIONS and not role_allows(membership.role, MOVE_MONEY):
        return refuse(request, _("Your role may not move money."), 403)
    actor = Actor(user=request.user)
    role = membership.role
    try:
        done = _act(case, action, request.POST, actor, role)
    except ApplicationError as refusal:
        return refuse(request, refusal.message, refusal.status)
    except forms.ValidationError as invalid:
        return refuse(request, " ".join(invalid.messages), 422)
    messages.success(request, done)
    return redirect("web:case", slug=workspace.slug, reference=case.reference)


def _valid(form):
    if not form.is_valid():
        problems = [
            f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}"
            for f, e in form.errors.items()
        ]
        raise forms.ValidationError("; ".join(problems))
    return form.cleaned_data


def _act(case, action: str, post, actor: Actor, role: str) -> str:
    if action == "start":
        if case.order_id is None:
            raise ApplicationError("no_booking", _("This case has no order."), status=422)
        data = _valid(StartForm(post))
        services.start_ladder(case=case, order=case.order, actor=actor, reason=data["reason"])
        return _("The rescue has started: the seller and the provider are asked to put it right.")
    ladder = _ladder_of(case)
    if action == "original":
        data = _valid(OriginalForm(post))
        services.record_original_outcome(
            ladder=ladder, actor=actor, worked=data["worked"], note=data["note"]
        )
        return _("Recorded.")
    if action == "alternatives":
        form = AlternativesForm(post, currency=ladder.currency)
        _valid(form)
        # A row without a cost is refused by the service, with the row it is on.
        services.propose_alternatives(ladder=ladder, actor=actor, options=form.options())
        return _("The alternatives were sent to the buyer.")
    if action == "rebook":
        step = ladder.steps.get(number=ladder.step)
        data = _valid(RebookForm(post, options=step.options))
        services.rebook(
            ladder=ladder,
            actor=actor,
            option_index=data["option"],
            idempotency_key=f"rescue:{data['idempotency_key']}",
            role=role,
        )
        return _("Rebooking recorded.")
    if action in ("refund", "compensate"):
        data = _valid(AmountForm(post, currency=ladder.currency))
        call = services.refund if action == "refund" else services.compensate
        call(
            ladder=ladder,
            actor=actor,
            amount=Money(data["amount"], ladder.currency),
            idempotency_key=f"rescue:{data['idempotency_key']}",
            role=role,
        )
        return _("Recorded.")
    if action == "give_up":
        data = _valid(GiveUpForm(post))
        services.give_up_step(ladder=ladder, actor=actor, note=data["note"])
        return _("On to the next step.")
    raise Http404("No such action")
