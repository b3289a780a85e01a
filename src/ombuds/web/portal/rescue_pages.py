"""The rescue of a failed booking as the buyer sees it on their case page: what is being
tried now, in plain words, and at the rebooking step the alternatives to choose from."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ombuds.conversations.models import Case, Status
from ombuds.marketplace.models import Party
from ombuds.rescue.models import Ladder, LadderStatus, Step, StepKind, StepStatus


class ChooseAlternativeForm(forms.Form):
    # Which alternatives there are, and whether one may be chosen now, is for the service.
    option = forms.IntegerField(
        label=gettext_lazy("Alternative"),
        min_value=0,
        error_messages={
            "required": gettext_lazy("Please choose one of the alternatives."),
            "invalid": gettext_lazy("Please choose one of the alternatives."),
            "min_value": gettext_lazy("Please choose one of the alternatives."),
        },
    )


@dataclass(frozen=True)
class BuyerRescue:
    ladder: Ladder
    booking: str
    now: str  # what is being tried now, in the buyer's words
    options: list[dict]
    choice: int | None  # what the buyer said they prefer
    booked: dict | None  # what the agent booked (or is booking, awaiting approval)
    can_choose: bool


def ladder_of_buyer(case: Case, buyer: Party) -> Ladder | None:
    """The case's latest rescue, when it is for an order the buyer bought."""
    return (
        Ladder.objects.filter(workspace_id=case.workspace_id, case=case, order__buyer=buyer)
        .select_related("order")
        .order_by("-opened_at", "-pk")
        .first()
    )


def _option(step: Step | None, index: int | None) -> dict | None:
    if step is None or index is None or not 0 <= index < len(step.options):
        return None
    return step.options[index]


def _now(ladder: Ladder, step: Step | None, chosen: dict | None, booked: dict | None) -> str:
    if ladder.status == LadderStatus.SUCCEEDED:
        if booked is not None:
            return _("We booked %(option)s for you. The details are in the messages below.") % {
                "option": booked["label"]
            }
        return _("Your original booking is sorted out. Nothing else is needed from you.")
    if ladder.status == LadderStatus.ENDED:
        return _("This rescue is over: the money for the booking was returned to you.")
    number = ladder.step
    if number == StepKind.ORIGINAL:
        return _("We are asking the seller and the provider to make your original booking work.")
    if number == StepKind.ALTERNATIVES:
        return _("Your original booking could not be saved. We are looking for alternatives.")
    if number == StepKind.REBOOK:
        if step is not None and step.status == StepStatus.AWAITING_APPROVAL and booked:
            return _(
                "We are booking %(option)s for you. A colleague approves it first; we will "
                "confirm it shortly."
            ) % {"option": booked["label"]}
        if chosen is not None:
            return _(
                "You chose %(option)s. The desk will confirm the booking; until then you can "
                "still change your choice."
            ) % {"option": chosen["label"]}
        return _("Choose the alternative you prefer; the desk will then confirm the booking.")
    if number == StepKind.REFUND:
        return _("We could not rebook you, so we are refunding you.")
    return _("Your money is back. We are looking at store credit for the trouble.")


def rescue_for_buyer(case: Case, buyer: Party) -> BuyerRescue | None:
    """What the buyer's case page shows of the rescue: nothing when there is none.
    Three queries: the ladder, its rebooking step, the booking."""
    ladder = ladder_of_buyer(case, buyer)
    if ladder is None:
        return None
    step = Step.objects.filter(ladder=ladder, number=StepKind.REBOOK).first()
    booking = ladder.order.bookings.first()
    chosen = _option(step, step.buyer_choice if step else None)
    booked = _option(step, step.chosen if step else None)
    can_choose = (
        case.status != Status.CLOSED
        and ladder.is_running
        and ladder.step == StepKind.REBOOK
        and step is not None
        and step.status == StepStatus.OPEN
        and bool(step.options)
    )
    return BuyerRescue(
        ladder=ladder,
        booking=booking.title if booking else ladder.order.external_id,
        now=_now(ladder, step, chosen, booked),
        options=list(step.options) if step and can_choose else [],
        choice=step.buyer_choice if step else None,
        booked=booked,
        can_choose=can_choose,
    )
