"""The rules a workspace runs its disputes by: how long the buyer first tries the
seller, how many business days each party has to answer, how long a decision may be
appealed, and what happens when a party stays silent.

They are part of the workspace's commerce policy (`policies.document.DisputeTerms`), so
they are versioned with it and changed on the policy page. Each deadline is computed
from the policy in force when it starts: a dispute already waiting keeps the deadline
it was given, and a silent party's silence is judged by the policy in force when the
deadline passes.
"""

from __future__ import annotations

from ombuds.core.models import Workspace
from ombuds.policies.document import CLOSE, DECIDE, ESCALATE
from ombuds.policies.document import DisputeTerms as DisputeRules
from ombuds.policies.selectors import current_policy

__all__ = ["CLOSE", "DECIDE", "ESCALATE", "DisputeRules", "terms_for"]


def terms_for(workspace: Workspace) -> DisputeRules:
    return current_policy(workspace).disputes
