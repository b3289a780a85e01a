"""Writes for workspaces, users, memberships and tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ombuds.core.errors import ApplicationError
from ombuds.core.models import BusinessCalendar, Workspace
from ombuds.core.services import CalendarChange, announce_calendar_change, create_default_calendar

from .models import ApiToken, Membership, Role, Team, User

TOKEN_PREFIX = "omb"


def hash_token_secret(secret: str) -> str:
    # Tokens are long random strings, so a fast hash is enough; no salt needed.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_workspace(
    *,
    slug: str,
    name: str,
    case_prefix: str | None = None,
    timezone_name: str = "Europe/Amsterdam",
    languages: list[str] | None = None,
    support_email: str = "",
) -> Workspace:
    """Open a new tenant. Its case references start at PREFIX-1; its default calendar is
    office hours (Monday to Friday, 09:00-17:00) in its timezone."""
    if Workspace.objects.filter(slug=slug).exists():
        raise ApplicationError("workspace_exists", f"A workspace {slug!r} already exists.")
    prefix = case_prefix or "".join(c for c in slug.upper() if c.isalnum())[:4]
    if not case_prefix and (len(prefix) < 2 or not prefix[0].isalpha()):
        prefix = ("C" + prefix + "ASE")[:4]
    workspace = Workspace(
        slug=slug,
        name=name,
        case_prefix=prefix,
        timezone=timezone_name,
        languages=languages or ["en", "nl"],
        support_email=support_email,
    )
    try:
        workspace.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            "invalid_workspace",
            "The workspace settings are not valid.",
            details=exc.message_dict,
            status=422,
        ) from None
    workspace.save()
    create_default_calendar(workspace=workspace)
    # Policies sit above accounts; imported here so a new tenant starts with its policy.
    from ombuds.policies.services import open_default_policy

    open_default_policy(workspace=workspace)
    return workspace


@transaction.atomic
def add_member(
    *,
    workspace: Workspace,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
    language: str = "en",
) -> Membership:
    """Give a person (created if new) a role in the workspace."""
    if role not in Role.values:
        raise ApplicationError(
            "unknown_role", f"{role!r} is not a role.", details={"allowed": Role.values}
        )
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, name=name, language=language)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def create_team(*, workspace: Workspace, name: str, members: list[User] = ()) -> Team:
    team, _ = Team.objects.get_or_create(workspace=workspace, name=name)
    team.members.add(*members)
    return team


@transaction.atomic
def set_team_calendar(*, team: Team, calendar: BusinessCalendar | None) -> Team:
    """Let a team count business time on its own calendar (None: the workspace default)."""
    if calendar is not None and calendar.workspace_id != team.workspace_id:
        raise ApplicationError(
            "unknown_calendar", "No such calendar in this workspace.", status=422
        )
    if team.calendar_id != (calendar.pk if calendar else None):
        team.calendar = calendar
        team.save(update_fields=["calendar"])
        announce_calendar_change(CalendarChange(workspace_id=team.workspace_id, team_id=team.pk))
    return team


@transaction.atomic
def issue_token(*, membership: Membership, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token; returns the row and the secret, which is never stored."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    token = ApiToken.objects.create(
        workspace=membership.workspace,
        user=membership.user,
        name=name,
        prefix=prefix,
        key_hash=hash_token_secret(raw),
    )
    return token, raw


def revoke_token(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


# Writing on every request would serialise API calls on the token row; a few minutes of
# precision is plenty for "when was this token last used".
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def authenticate_token(raw: str) -> Membership | None:
    """The membership an API bearer token acts as (None if unknown or revoked); notes when
    the token was last used."""
    from .selectors import token_and_membership

    found = token_and_membership(raw)
    if found is None:
        return None
    token, membership = found
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return membership
