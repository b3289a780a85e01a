"""Which workspaces offer live chat, and on which sites the widget may run.

A workspace offers chat when it has an active `ChannelAccount` for the chat channel; the
account's `settings["allowed_origins"]` names the marketplace's sites ("https://shop.example",
"https://*.shop.example"). The desk's own origin (its demo page, its help center) is always
allowed. The list decides both the CORS answer for the widget's texts and whether a
visitor's websocket is accepted: a page elsewhere cannot open chats in this workspace's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db import transaction

from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace

from ..models import ChannelAccount

_ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9.-]+(:\d{1,5})?$")


def normalize_origin(value: str) -> str:
    """'HTTPS://Shop.Example/' → 'https://shop.example'; refuses paths and other schemes."""
    origin = (value or "").strip().lower().rstrip("/")
    if not _ORIGIN.match(origin):
        raise ApplicationError(
            "invalid_origin",
            f"{value!r} is not an origin like https://shop.example.",
            details={"origin": value},
            status=422,
        )
    return origin


def chat_account(workspace: Workspace) -> ChannelAccount | None:
    """The workspace's active chat connection, or None when it offers no chat."""
    return (
        ChannelAccount.objects.filter(workspace=workspace, channel=Channel.CHAT, is_active=True)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def enable_chat(
    *, workspace: Workspace, allowed_origins: Iterable[str] = (), name: str = "Website chat"
) -> ChannelAccount:
    """Offer live chat in `workspace`, with the widget allowed on these sites."""
    origins = sorted({normalize_origin(o) for o in allowed_origins})
    account, _ = ChannelAccount.objects.select_for_update().get_or_create(
        channel=Channel.CHAT,
        account_id=f"chat:{workspace.slug}",
        defaults={"workspace": workspace, "name": name},
    )
    if account.workspace_id != workspace.pk:
        raise ApplicationError("chat_account_taken", "That chat account is not yours.", status=409)
    account.name = name
    account.is_active = True
    account.settings = {**account.settings, "allowed_origins": origins}
    account.save()
    return account


def allowed_origins(account: ChannelAccount) -> list[str]:
    origins = account.settings.get("allowed_origins") if account.settings else None
    return [o for o in origins or [] if isinstance(o, str)]


def _matches(origin: str, allowed: str) -> bool:
    if "://*." not in allowed:
        return origin == allowed
    scheme, rest = allowed.split("://*.", 1)
    if not origin.startswith(f"{scheme}://"):
        return False
    host = origin.removeprefix(f"{scheme}://")
    return host.endswith(f".{rest}") and len(host) > len(rest) + 1


def origin_allowed(account: ChannelAccount, origin: str, *, own_hosts: Iterable[str] = ()) -> bool:
    """May a page at `origin` run this workspace's widget? Its own site always may."""
    origin = (origin or "").strip().lower().rstrip("/")
    if not origin or origin == "null":
        return False
    host = urlsplit(origin).netloc
    if host and host in {h.lower() for h in own_hosts if h}:
        return True
    return any(_matches(origin, allowed) for allowed in allowed_origins(account))
