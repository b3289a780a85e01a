"""Moving money through the API: refunds, credits, seller debits, rebookings, reversals,
payouts and approval decisions; the order's money and the ledger's accounts.

Every money POST needs an `Idempotency-Key`. The API layer replays a retry's first
answer for a day (core.idempotency); the ledger keeps the key for good, so a retry after
that, or of the same key from the desk, is still the same money action, and the key
with another request is refused (409). An action above the caller's authority answers
202 with the approval request it became.
"""

from . import reads, writes  # noqa: F401 - their operations register on the router
from .common import router

__all__ = ["router"]
