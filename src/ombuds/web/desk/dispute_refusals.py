"""What a dispute service's refusal says to an agent, in the agent's language: the
desk's sentence for a dispute code, then the parties' sentence, then the money and the
general desk sentences, and the service's own English message only when none has one."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ombuds.core.errors import ApplicationError
from ombuds.web.portal.dispute_forms import explain

from .money_refusals import refusal_message


def dispute_refusal(error: ApplicationError) -> str:
    details = error.details if isinstance(error.details, dict) else {}
    desk = {
        "invalid_transition": _("Not possible in this state of the dispute."),
        "same_reviewer": _("You made the decision under appeal; a colleague must review it."),
        "money_awaiting_approval": _(
            "Money of this dispute waits for approval; have it decided first."
        ),
        "statement_required": _("Write the reasons (at least a couple of sentences)."),
        "refund_required": _("Name the amount refunded."),
        "refund_not_applicable": _("This outcome refunds nothing."),
        "rebooking_required": _("Name what the new booking costs."),
        "credit_required": _("Name the credit."),
        "buyer_cannot_bear": _(
            "Money paid to the buyer is borne by the seller, the platform or a carrier."
        ),
        "bearer_contradicts_policy": _("The fault rule %(rule)s puts this cost on the %(bearer)s.")
        % {"rule": details.get("rule", ""), "bearer": details.get("bearer", "")},
        "rescue_step_open": _("Finish the step under way first."),
        "ladder_goes_up": _("The ladder only climbs; a lower rung was passed already."),
        "skip_reason_required": _("Say why the rungs in between are skipped."),
        "not_a_booking": _("The rescue ladder is for bookings."),
        "cost_required": _("Name what this step costs."),
        "alternatives_required": _("Name at least one alternative with its cost."),
        "refund_paid_out": _("That refund was paid out already; it cannot be reversed."),
        "forbidden": _("Your role does not allow this."),
        "unknown_outcome": _("Choose an outcome."),
        "unknown_bearer": _("Say who bears the cost: the seller, the platform or the carrier."),
        "outcome_takes_no_amount": _(
            "This outcome pays the buyer no money; leave the amount empty."
        ),
        "buyer_bears_cost": _(
            "The buyer cannot bear the cost of money paid to them; decide no refund, or "
            "say who else bears it."
        ),
        "deadline_not_passed": _("This happens only once the deadline has passed."),
    }
    if error.code in desk:
        return str(desk[error.code])
    text = explain(error)
    if text != _("We could not do that. Please check and try again."):
        return text
    # The money and general sentences end in the service's own message.
    return refusal_message(error)


def problem_text(problem: dict) -> str:
    """A problem a preview found (`{"code", "message"}`), in the agent's language."""
    return dispute_refusal(ApplicationError(problem.get("code", ""), problem.get("message", "")))
