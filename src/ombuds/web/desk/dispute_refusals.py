"""What a dispute service's refusal says to an agent, in the agent's language; the
service's own English message when the desk has no sentence for the code."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ombuds.core.errors import ApplicationError
from ombuds.web.portal.dispute_forms import explain


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
    }
    if error.code in desk:
        return desk[error.code]
    text = explain(error)
    if text == _("We could not do that. Please check and try again.") and error.message:
        return error.message
    return text
