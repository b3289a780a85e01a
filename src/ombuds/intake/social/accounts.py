"""Connecting a workspace to a messaging platform, and what its webhook last did.

An admin enters the platform's ids and secrets; the secrets are kept for the webhook
checks and API calls and never shown again (a page says only whether one is set). A
platform account (a phone number id, a page, a bot, an X user) belongs to one workspace:
that is how a webhook finds whose message it carries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.accounts.roles import ADMINISTER, role_allows
from ombuds.accounts.selectors import membership_for
from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError, NotFound, PermissionDenied
from ombuds.core.models import Workspace

from ..models import ChannelAccount
from .telegram import bot_id_of

SOCIAL_CHANNELS = (Channel.WHATSAPP, Channel.MESSENGER, Channel.TELEGRAM, Channel.X)
# The platform side's check of our endpoint needs this one too (Meta's verify token).
NEEDS_VERIFY_TOKEN = (Channel.WHATSAPP, Channel.MESSENGER)


@dataclass(frozen=True)
class AccountInput:
    """What an admin types in; an empty secret keeps the one already stored."""

    channel: str
    name: str
    account_id: str = ""
    api_base_url: str = ""
    access_token: str = ""
    signing_secret: str = ""
    verify_token: str = ""
    is_active: bool = True


def channel_accounts_of(*, workspace: Workspace) -> list[ChannelAccount]:
    return list(
        ChannelAccount.objects.filter(workspace=workspace, channel__in=SOCIAL_CHANNELS).order_by(
            "channel", "name", "pk"
        )
    )


def channel_account_of(*, workspace: Workspace, pk: int) -> ChannelAccount:
    account = ChannelAccount.objects.filter(
        workspace=workspace, channel__in=SOCIAL_CHANNELS, pk=pk
    ).first()
    if account is None:
        raise NotFound("channel_account", pk)
    return account


def webhook_account(*, channel: str, account_id: str) -> ChannelAccount | None:
    """The active account a webhook URL names (webhooks are not scoped by workspace:
    the platform's account id is unique across them)."""
    return (
        ChannelAccount.objects.select_related("workspace")
        .filter(channel=channel, account_id=account_id, is_active=True)
        .first()
    )


def webhook_url(account: ChannelAccount) -> str:
    """The address to give the platform for this account's webhook."""
    path = reverse(f"intake_social:webhook_{account.channel}", args=[account.account_id])
    return settings.OMBUDS_PUBLIC_URL + path


def _check_admin(workspace: Workspace, by: User) -> None:
    membership = membership_for(user=by, workspace=workspace)
    if membership is None or not role_allows(membership.role, ADMINISTER):
        raise PermissionDenied("Only the workspace's admins connect channels.")


def _check(workspace: Workspace, spec: AccountInput, account: ChannelAccount | None) -> dict:
    if spec.channel not in SOCIAL_CHANNELS:
        raise ApplicationError(
            "unknown_channel",
            f"{spec.channel!r} is not a messaging platform.",
            details={"allowed": list(SOCIAL_CHANNELS)},
            status=422,
        )
    account_id = spec.account_id.strip()
    if spec.channel == Channel.TELEGRAM and not account_id:
        account_id = bot_id_of(spec.access_token or (account.access_token if account else ""))
    if not account_id or not account_id.replace("_", "").replace("-", "").isalnum():
        raise ApplicationError(
            "invalid_account_id",
            "The platform's account id is required (letters, digits, - and _ only).",
            details={"field": "account_id"},
            status=422,
        )
    taken = ChannelAccount.objects.filter(channel=spec.channel, account_id=account_id)
    if account is not None:
        taken = taken.exclude(pk=account.pk)
    if taken.exists():
        raise ApplicationError(
            "account_already_connected",
            "This platform account is already connected.",
            details={"field": "account_id"},
            status=409,
        )
    name = " ".join(spec.name.split())[:100]
    if not name:
        raise ApplicationError(
            "empty_name", "Give the connection a name.", details={"field": "name"}, status=422
        )
    url = spec.api_base_url.strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise ApplicationError(
            "invalid_api_base_url",
            "The API address must start with https://.",
            details={"field": "api_base_url"},
            status=422,
        )
    values = {
        "channel": spec.channel,
        "name": name,
        "account_id": account_id,
        "api_base_url": url,
        "is_active": spec.is_active,
    }
    for field in ("access_token", "signing_secret", "verify_token"):
        given = getattr(spec, field).strip()
        if given:
            values[field] = given
        elif account is None or not getattr(account, field):
            required = field != "verify_token" or spec.channel in NEEDS_VERIFY_TOKEN
            if required:
                raise ApplicationError(
                    f"missing_{field}",
                    f"The {field.replace('_', ' ')} is required for this platform.",
                    details={"field": field},
                    status=422,
                )
    return values


@transaction.atomic
def connect_channel_account(
    *, workspace: Workspace, by: User, spec: AccountInput
) -> ChannelAccount:
    """An admin connects a WhatsApp number, a Facebook page, a Telegram bot or an X
    account to the workspace."""
    _check_admin(workspace, by)
    values = _check(workspace, spec, None)
    return ChannelAccount.objects.create(workspace=workspace, **values)


@transaction.atomic
def update_channel_account(
    *, workspace: Workspace, by: User, account: ChannelAccount, spec: AccountInput
) -> ChannelAccount:
    """Change a connection; a secret left empty stays as it was."""
    _check_admin(workspace, by)
    account = ChannelAccount.objects.select_for_update().get(pk=account.pk, workspace=workspace)
    if spec.channel != account.channel:
        raise ApplicationError(
            "channel_fixed",
            "A connection's platform cannot change; connect a new one instead.",
            details={"field": "channel"},
            status=422,
        )
    values = _check(workspace, spec, account)
    for field, value in values.items():
        setattr(account, field, value)
    account.save()
    return account


def note_webhook(account_ids: list[int]) -> None:
    """Remember that the platform reached us (shown to the admin)."""
    if account_ids:
        ChannelAccount.objects.filter(pk__in=account_ids).update(last_webhook_at=timezone.now())


def note_webhook_error(account: ChannelAccount, error: str) -> None:
    """Remember what went wrong with a webhook, for the admin setting it up."""
    ChannelAccount.objects.filter(pk=account.pk).update(
        last_error=error[:500], last_error_at=timezone.now()
    )
