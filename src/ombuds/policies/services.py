"""Writes of commerce policy: the default of a new workspace, and revisions.

A revision never changes a stored version; it writes the next number. Two admins saving
at once cannot overwrite each other: a revision names the version it was based on, and
is refused when that is no longer the latest.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.core.errors import Conflict
from ombuds.core.models import Workspace

from .document import Policy, check_document, default_document
from .models import PolicyVersion
from .selectors import as_policy


def open_default_policy(*, workspace: Workspace, by: User | None = None) -> PolicyVersion:
    """Give a new workspace its first policy (version 1, the default); a workspace that
    has one keeps it."""
    # No transaction of its own for the common case, a read: every money action asks.
    existing = PolicyVersion.objects.filter(workspace=workspace).order_by("-number").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PolicyVersion.objects.create(
                workspace=workspace,
                number=1,
                document=check_document(default_document()),
                created_by=by,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # A parallel first decision stored it a moment ago.
        return PolicyVersion.objects.get(workspace=workspace, number=1)


def policy_in_force(*, workspace: Workspace) -> Policy:
    """The policy a decision is made under, stored so the decision can name its version.
    Call inside the transaction that records the decision."""
    return as_policy(open_default_policy(workspace=workspace))


@transaction.atomic
def revise_policy(
    *,
    workspace: Workspace,
    by: User,
    document: dict[str, Any],
    based_on: int,
    note: str = "",
) -> PolicyVersion:
    """Store a changed policy as the next version. The same policy again writes nothing
    and returns the latest version."""
    document = check_document(document)
    latest = (
        PolicyVersion.objects.select_for_update()
        .filter(workspace=workspace)
        .order_by("-number")
        .first()
    )
    if latest is None:
        latest = open_default_policy(workspace=workspace)
    if latest.number != based_on:
        raise Conflict(
            "policy_changed",
            f"The policy was changed to version {latest.number} meanwhile; reload and retry.",
            details={"latest": latest.number, "based_on": based_on},
        )
    if latest.document == document:
        return latest
    try:
        with transaction.atomic():
            return PolicyVersion.objects.create(
                workspace=workspace,
                number=latest.number + 1,
                document=document,
                note=" ".join(note.split())[:300],
                created_by=by,
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise Conflict(
            "policy_changed",
            "The policy was changed meanwhile; reload and retry.",
            details={"based_on": based_on},
        ) from None
