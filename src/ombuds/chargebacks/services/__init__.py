"""Every write of the chargebacks app: applying provider reports, and what the desk does
about a chargeback."""

from ..models import PspEvent
from ..reports import DisputeReport, RefundReport
from .chargebacks import Applied, apply_dispute_report
from .refunds import apply_refund_report


def apply_report(*, event: PspEvent, report: DisputeReport | RefundReport) -> Applied:
    """Apply one report of a stored event, inside the event's processing transaction."""
    if isinstance(report, DisputeReport):
        return apply_dispute_report(connection=event.connection, report=report)
    return apply_refund_report(connection=event.connection, report=report)


__all__ = ["Applied", "apply_report"]
