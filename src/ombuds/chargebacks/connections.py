"""A workspace's connections to payment providers: connecting one, changing it, and the
address its webhooks go to.

An admin enters the provider's keys once; they are sealed at rest (sealing.py) and
never shown again: a page says only whether one is set. Each connection has its own
webhook address, /psp/<workspace>/<provider>/, so an event is only ever checked against
the secret of the workspace it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ombuds.accounts.models import Team, User
from ombuds.accounts.roles import ADMINISTER, role_allows
from ombuds.accounts.selectors import membership_for
from ombuds.core.errors import ApplicationError, NotFound, PermissionDenied
from ombuds.core.models import Workspace

from .models import PspConnection
from .states import STRIPE

PROVIDER_NAME = re.compile(r"^[a-z][a-z0-9-]{1,29}$")
STRIPE_SECRET_KEY = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$")
STRIPE_WEBHOOK_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/=]{8,200}$")
SECRETS = ("secret_key", "webhook_secret")


@dataclass(frozen=True)
class ConnectionInput:
    """What an admin types in; an empty secret keeps the one already stored."""

    provider: str
    name: str
    account_id: str = ""
    secret_key: str = ""
    webhook_secret: str = ""
    connect_enabled: bool = False
    api_base_url: str = ""
    team_id: int | None = None
    is_active: bool = True


def connections_of(*, workspace: Workspace) -> list[PspConnection]:
    return list(
        PspConnection.objects.filter(workspace=workspace)
        .select_related("team")
        .order_by("provider", "pk")
    )


def connection_of(*, workspace: Workspace, pk: int) -> PspConnection:
    connection = PspConnection.objects.filter(workspace=workspace, pk=pk).first()
    if connection is None:
        raise NotFound("psp_connection", pk)
    return connection


def stripe_connection_of(workspace: Workspace | int) -> PspConnection | None:
    """The workspace's active Stripe connection that can call Stripe, if any."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    connection = PspConnection.objects.filter(
        workspace_id=workspace_id, provider=STRIPE, is_active=True
    ).first()
    return connection if connection is not None and connection.secret_key else None


def webhook_connection(*, workspace_slug: str, provider: str) -> PspConnection | None:
    """The active connection a webhook URL names."""
    return (
        PspConnection.objects.select_related("workspace")
        .filter(workspace__slug=workspace_slug, provider=provider, is_active=True)
        .first()
    )


def webhook_url(connection: PspConnection) -> str:
    path = reverse("psp:webhook", args=[connection.workspace.slug, connection.provider])
    return settings.OMBUDS_PUBLIC_URL + path


def _check_admin(workspace: Workspace, by: User) -> None:
    membership = membership_for(user=by, workspace=workspace)
    if membership is None or not role_allows(membership.role, ADMINISTER):
        raise PermissionDenied("Only the workspace's admins connect payment providers.")


def _refuse(code: str, message: str, field: str, status: int = 422) -> ApplicationError:
    return ApplicationError(code, message, details={"field": field}, status=status)


def _check(workspace: Workspace, spec: ConnectionInput, existing: PspConnection | None) -> dict:
    provider = spec.provider.strip().lower()
    if not PROVIDER_NAME.match(provider):
        raise _refuse(
            "invalid_provider",
            "The provider's name is 2-30 lower-case letters, digits or dashes.",
            "provider",
        )
    name = " ".join(spec.name.split())[:100]
    if not name:
        raise _refuse("empty_name", "Give the connection a name.", "name")
    url = spec.api_base_url.strip().rstrip("/")
    if url and not url.lower().startswith(("https://", "http://")):
        raise _refuse(
            "invalid_api_base_url", "The API address must start with https://.", "api_base_url"
        )
    team = None
    if spec.team_id is not None:
        team = Team.objects.filter(workspace=workspace, pk=spec.team_id).first()
        if team is None:
            raise _refuse("unknown_team", "No such team in this workspace.", "team")
    values = {
        "provider": provider,
        "name": name,
        "account_id": spec.account_id.strip()[:100],
        "connect_enabled": bool(spec.connect_enabled) and provider == STRIPE,
        "api_base_url": url,
        "team": team,
        "is_active": spec.is_active,
    }
    secret_key = spec.secret_key.strip()
    webhook_secret = spec.webhook_secret.strip()
    if provider == STRIPE:
        if secret_key and not STRIPE_SECRET_KEY.match(secret_key):
            raise _refuse(
                "invalid_secret_key",
                "A Stripe secret key starts with sk_test_, sk_live_, rk_test_ or rk_live_.",
                "secret_key",
            )
        if webhook_secret and not STRIPE_WEBHOOK_SECRET.match(webhook_secret):
            raise _refuse(
                "invalid_webhook_secret",
                "A Stripe webhook signing secret starts with whsec_.",
                "webhook_secret",
            )
        if secret_key or (existing is not None and existing.secret_key):
            values["secret_key"] = secret_key or existing.secret_key
        else:
            raise _refuse(
                "missing_secret_key", "Stripe needs the account's secret key.", "secret_key"
            )
    elif secret_key:
        raise _refuse(
            "secret_key_unused",
            "Only Stripe is called with a secret key; other providers only send webhooks.",
            "secret_key",
        )
    if webhook_secret:
        values["webhook_secret"] = webhook_secret
    elif existing is None or not existing.webhook_secret:
        raise _refuse(
            "missing_webhook_secret",
            "The webhook signing secret is required to accept the provider's events.",
            "webhook_secret",
        )
    return values


@transaction.atomic
def connect_psp(*, workspace: Workspace, by: User, spec: ConnectionInput) -> PspConnection:
    """An admin connects the workspace's Stripe account (or another provider's webhooks)."""
    _check_admin(workspace, by)
    values = _check(workspace, spec, None)
    if PspConnection.objects.filter(workspace=workspace, provider=values["provider"]).exists():
        raise _refuse(
            "provider_already_connected",
            "This provider is already connected to the workspace.",
            "provider",
            status=409,
        )
    return PspConnection.objects.create(workspace=workspace, **values)


@transaction.atomic
def update_psp_connection(
    *, workspace: Workspace, by: User, connection: PspConnection, spec: ConnectionInput
) -> PspConnection:
    """Change a connection; a secret left empty stays as it was."""
    _check_admin(workspace, by)
    connection = PspConnection.objects.select_for_update().get(
        pk=connection.pk, workspace=workspace
    )
    if spec.provider.strip().lower() != connection.provider:
        raise _refuse(
            "provider_fixed",
            "A connection's provider cannot change; connect a new one instead.",
            "provider",
        )
    for field, value in _check(workspace, spec, connection).items():
        setattr(connection, field, value)
    connection.save()
    return connection


def note_event(connection: PspConnection) -> None:
    """Remember that the provider reached us (shown to the admin)."""
    PspConnection.objects.filter(pk=connection.pk).update(last_event_at=timezone.now())


def note_error(connection: PspConnection, error: str) -> None:
    """Remember what went wrong with a webhook, for the admin setting it up."""
    PspConnection.objects.filter(pk=connection.pk).update(
        last_error=error[:500], last_error_at=timezone.now()
    )
