"""Reads for access control: who is this, and what may they do in which workspace."""

import hmac

from ombuds.core.models import Workspace

from .models import ApiToken, Membership, Team, User
from .services import TOKEN_PREFIX, hash_token_secret


def membership_for(*, user: User, workspace: Workspace) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, workspace=workspace).first()


def memberships_of(user: User) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("workspace"))


def token_and_membership(raw: str) -> tuple[ApiToken, Membership] | None:
    """The token and the membership it acts as, or None for an unknown or revoked token."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.select_related("workspace", "user")
        .filter(prefix=parts[1], revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, hash_token_secret(raw)):
        return None
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=token.workspace_id, user_id=token.user_id)
        .first()
    )
    return None if membership is None else (token, membership)


def agents_of(workspace: Workspace) -> list[User]:
    return list(
        User.objects.filter(memberships__workspace=workspace, is_active=True).order_by(
            "name", "email"
        )
    )


def sign_in_name(request, credentials: dict | None) -> str:
    """The address someone tries to sign in as, lower-cased, for the lock-out's count."""
    name = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(name).strip().lower()


def teams_of(workspace: Workspace) -> list[Team]:
    return list(Team.objects.filter(workspace=workspace).order_by("name"))
