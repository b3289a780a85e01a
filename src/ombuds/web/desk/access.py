"""Who may see a workspace in the desk, and who may change its cases.

A workspace the user is not a member of answers 404, exactly like one that does not
exist: the desk must not confirm which tenants are hosted here.
"""

from __future__ import annotations

from django.http import Http404

from ombuds.accounts.models import Membership
from ombuds.accounts.roles import WRITE_CASES, role_allows
from ombuds.core.models import Workspace

# Remembered so "/" takes a user with several workspaces back to the one they were in.
LAST_WORKSPACE_SESSION_KEY = "desk_workspace"


def access_workspace(request, slug: str) -> tuple[Workspace, Membership]:
    """The workspace at `slug` and the user's membership in it, or 404."""
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user_id=request.user.pk, workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace")
    # The layout (context processor) reads these to draw the switcher and role-aware controls.
    request.desk_membership = membership
    if request.session.get(LAST_WORKSPACE_SESSION_KEY) != slug:
        request.session[LAST_WORKSPACE_SESSION_KEY] = slug
    return membership.workspace, membership


def can_write(membership: Membership) -> bool:
    return role_allows(membership.role, WRITE_CASES)


def can_manage_automation(membership: Membership) -> bool:
    """Admins and supervisors shape the desk's rules, macros and webhooks."""
    return membership.role in ("admin", "supervisor")
