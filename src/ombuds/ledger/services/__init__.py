"""Every write of the ledger. Money actions return a `MoneyResult`: executed, waiting
for approval, or rejected; see actions.py for the course each one takes."""

from .actions import (
    MoneyResult,
    credit_buyer,
    debit_seller,
    pay_rebooking,
    refund_buyer,
    reverse_transaction,
)
from .approvals import decide_approval
from .payments import record_captures, settle_refund

__all__ = [
    "MoneyResult",
    "credit_buyer",
    "debit_seller",
    "decide_approval",
    "pay_rebooking",
    "record_captures",
    "refund_buyer",
    "reverse_transaction",
    "settle_refund",
]
