"""Reads of the intake, always within one workspace."""

from __future__ import annotations

from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Party, PartyIdentity

from .identity import Identity
from .models import PartyMerge


def party_by_identifier(*, workspace: Workspace, text: str) -> Party | None:
    """The party an agent means by an email address or a phone number."""
    text = (text or "").strip()
    try:
        identity = Identity.email(text) if "@" in text else Identity.phone(text)
    except ApplicationError:
        return None
    found = (
        PartyIdentity.objects.select_related("party")
        .filter(workspace=workspace, kind=identity.kind, value=identity.value)
        .first()
    )
    return found.party if found is not None else None


def merges_of(*, workspace: Workspace, party: Party, limit: int = 10) -> list[PartyMerge]:
    """Merges into `party` that can still be undone, newest first."""
    return list(
        PartyMerge.objects.select_related("merged")
        .filter(workspace=workspace, kept=party, undone_at__isnull=True)
        .order_by("-created_at")[:limit]
    )


def merge_by_id(*, workspace: Workspace, pk) -> PartyMerge | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return PartyMerge.objects.filter(workspace=workspace, pk=pk).first()
