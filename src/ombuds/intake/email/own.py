"""Ombuds' own side of a mail thread: the addresses a workspace sends from and receives
at, the Message-IDs it gives its mail, and the case reference hidden in a plus address.

A Message-ID is derived from the delivery it belongs to with a keyed hash:
`<ombuds.{26 base32 chars}@{sender domain}>`. The same delivery always gets the same id,
across retries and even when a crash lost the row's last update, so a receiving server
that saw the first attempt recognises the second; the id reveals nothing about how many
messages were sent. The `ombuds.` prefix on one of our domains is how mail that comes
back from ourselves (a copy to the support mailbox, a forwarding loop) is recognised.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from django.conf import settings
from django.core.cache import cache

from ombuds.core.batch import remembered
from ombuds.core.models import Workspace

from ..threads import reference_in

_OUR_ID = re.compile(r"^<ombuds\.[a-z2-7]{26}@([^<>@\s]+)>$")
OWN_CACHE_SECONDS = 60


def sender_address(workspace: Workspace) -> str:
    """The address a workspace's mail comes from."""
    return workspace.support_email or settings.DEFAULT_FROM_EMAIL


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower() if "@" in address else "ombuds.localhost"


def message_id_for(*, workspace_id: int, scope: str, key: int, domain: str) -> str:
    """The Message-ID of one outbound email (`scope` "delivery" or "notice", `key` its row)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"ombuds-message-id:{scope}:{workspace_id}:{key}".encode(),
        hashlib.sha256,
    ).digest()
    token = base64.b32encode(digest).decode("ascii").lower()[:26]
    return f"<ombuds.{token}@{domain}>"


def bare(address: str) -> str:
    """ann+tag@example.com → ann@example.com, lower-cased."""
    address = address.strip().lower()
    local, at, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}{at}{domain}"


def own_addresses(workspace: Workspace) -> frozenset[str]:
    """Every address the workspace sends from or receives at (without plus tags)."""
    key = f"email-own-addresses:{workspace.pk}"
    # Asked for each email: a filing batch asks the cache once.
    return remembered(key, lambda: _own_addresses(workspace, key))


def _own_addresses(workspace: Workspace, key: str) -> frozenset[str]:
    found = cache.get(key)
    if found is None:
        from ..models import ChannelAccount, Mailbox

        candidates = [workspace.support_email, settings.DEFAULT_FROM_EMAIL]
        candidates += Mailbox.objects.filter(workspace=workspace).values_list("address", flat=True)
        candidates += ChannelAccount.objects.filter(
            workspace=workspace, channel="email"
        ).values_list("account_id", flat=True)
        found = frozenset(bare(a) for a in candidates if a and "@" in a)
        cache.set(key, found, OWN_CACHE_SECONDS)
    return found


def is_own_address(workspace: Workspace, address: str) -> bool:
    return bool(address) and bare(address) in own_addresses(workspace)


def is_our_message_id(workspace: Workspace, message_id: str) -> bool:
    match = _OUR_ID.match(message_id or "")
    if not match:
        return False
    domains = {domain_of(a) for a in own_addresses(workspace)}
    return match.group(1).lower() in domains


def reply_address(workspace: Workspace, reference: str) -> str:
    """Where a customer's answer should go: the support address, tagged with the case
    reference (support+RES-1042@…) when the mail server delivers plus addresses."""
    address = sender_address(workspace)
    if not settings.OMBUDS_EMAIL_PLUS_ADDRESSING or "@" not in address:
        return address
    local, _, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}+{reference}@{domain}"


def reference_in_addresses(workspace: Workspace, found: list[str]) -> str:
    """A case reference carried in a plus address we handed out (support+RES-1042@…)."""
    own = own_addresses(workspace)
    for address in found:
        local, _, domain = address.strip().partition("@")
        if "+" not in local:
            continue
        base, _, tag = local.partition("+")
        if f"{base}@{domain}".lower() not in own:
            continue
        if reference := reference_in(workspace, tag.upper()):
            return reference
    return ""
