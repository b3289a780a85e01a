"""Reads of commerce policy, always within one workspace."""

from __future__ import annotations

from ombuds.core.errors import NotFound
from ombuds.core.models import Workspace

from .document import Policy, default_policy
from .models import PolicyVersion


def as_policy(version: PolicyVersion) -> Policy:
    return Policy.from_document(version.document, version_id=version.pk, number=version.number)


def latest_version(workspace: Workspace) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(workspace=workspace).order_by("-number").first()


def current_policy(workspace: Workspace) -> Policy:
    """The policy in force. A workspace that never stored one (made before policies
    existed) reads the default, unnumbered, until something is decided under it."""
    version = latest_version(workspace)
    return as_policy(version) if version is not None else default_policy()


def policy_versions(*, workspace: Workspace, limit: int = 50) -> list[PolicyVersion]:
    """The newest versions first, with who wrote them: one query."""
    return list(
        PolicyVersion.objects.filter(workspace=workspace)
        .select_related("created_by")
        .order_by("-number")[:limit]
    )


def policy_version(*, workspace: Workspace, number: int) -> PolicyVersion:
    version = PolicyVersion.objects.filter(workspace=workspace, number=number).first()
    if version is None:
        raise NotFound("policy_version", number)
    return version


def policy_by_version_id(*, workspace: Workspace, version_id: int) -> Policy:
    """The exact version a past decision was made under."""
    version = PolicyVersion.objects.filter(workspace=workspace, pk=version_id).first()
    if version is None:
        raise NotFound("policy_version", version_id)
    return as_policy(version)
