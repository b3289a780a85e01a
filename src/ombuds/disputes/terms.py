"""The rules a workspace runs its disputes by: how long the buyer first tries the
seller, how many business days each party has to answer, how long a decision may be
appealed, and what happens when a party stays silent."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.core.models import Workspace

ESCALATE = "escalate"
DECIDE = "decide"
CLOSE = "close"


@dataclass(frozen=True)
class DisputeRules:
    contact_hours: int = 48  # 0: a buyer's dispute opens at once
    seller_days: int = 3  # business days of the workspace's calendar
    buyer_days: int = 5  # business days
    appeal_days: int = 30  # calendar days
    silent_seller: str = ESCALATE  # or DECIDE: for the buyer, at the seller's cost
    silent_buyer: str = CLOSE  # or ESCALATE


def terms_for(workspace: Workspace) -> DisputeRules:
    return DisputeRules()
