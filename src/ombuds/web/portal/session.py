"""The buyer's and the seller's portal sessions: kept apart from Django's auth, so a
party's link can never open the agent desk, bound to one workspace, so it opens no other
help center, and kept apart from each other, so a buyer session opens no seller portal."""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import rotate_token

from ombuds.core.models import Workspace
from ombuds.marketplace.models import IdentityKind, Party, PartyIdentity, PartyKind

SESSION_KEY = "ombuds.portal"
SELLER_SESSION_KEY = "ombuds.seller_portal"
_KEYS = {"buyer": SESSION_KEY, "seller": SELLER_SESSION_KEY}


def sign_in(request: HttpRequest, identity: PartyIdentity, *, audience: str = "buyer") -> None:
    # A new session key and CSRF token, so a session id planted before the login
    # (session fixation) is worth nothing after it.
    request.session.cycle_key()
    rotate_token(request)
    request.session[_KEYS[audience]] = {
        "workspace": identity.workspace_id,
        "party": identity.party_id,
        "identity": identity.pk,
    }


def sign_out(request: HttpRequest, *, audience: str = "buyer") -> None:
    request.session.pop(_KEYS[audience], None)
    request.session.cycle_key()


def access_portal_party(
    request: HttpRequest, workspace: Workspace, *, audience: str = "buyer"
) -> Party | None:
    """The buyer (or seller) signed in to this workspace's portal, or None.

    The identity is looked up again on every request: once an address is erased or moved
    to another party, the sessions it opened end too."""
    state = request.session.get(_KEYS[audience])
    if not isinstance(state, dict) or state.get("workspace") != workspace.pk:
        return None
    identities = PartyIdentity.objects.select_related("party").filter(
        pk=state.get("identity"),
        workspace=workspace,
        party_id=state.get("party"),
        kind=IdentityKind.EMAIL,
    )
    if audience == "seller":
        identities = identities.filter(party__kind=PartyKind.SELLER)
    identity = identities.first()
    return identity.party if identity else None
