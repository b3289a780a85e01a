"""The buyer's portal session: kept apart from Django's auth, so a buyer's link can never
open the agent desk, and bound to one workspace, so it opens no other help center."""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import rotate_token

from ombuds.core.models import Workspace
from ombuds.marketplace.models import IdentityKind, Party, PartyIdentity

SESSION_KEY = "ombuds.portal"


def sign_in(request: HttpRequest, identity: PartyIdentity) -> None:
    # A new session key and CSRF token, so a session id planted before the login
    # (session fixation) is worth nothing after it.
    request.session.cycle_key()
    rotate_token(request)
    request.session[SESSION_KEY] = {
        "workspace": identity.workspace_id,
        "party": identity.party_id,
        "identity": identity.pk,
    }


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def access_portal_party(request: HttpRequest, workspace: Workspace) -> Party | None:
    """The buyer signed in to this workspace's portal, or None.

    The identity is looked up again on every request: once an address is erased or moved
    to another party, the sessions it opened end too."""
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict) or state.get("workspace") != workspace.pk:
        return None
    identity = (
        PartyIdentity.objects.select_related("party")
        .filter(
            pk=state.get("identity"),
            workspace=workspace,
            party_id=state.get("party"),
            kind=IdentityKind.EMAIL,
        )
        .first()
    )
    return identity.party if identity else None
