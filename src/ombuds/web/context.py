from ombuds.accounts.roles import MANAGE_SERVICE_LEVELS, READ_REPORTS, role_allows
from ombuds.accounts.selectors import memberships_of
from ombuds.automation.notifications import unread_count
from ombuds.web.desk.access import can_manage_automation, can_write


def desk(request):
    """What every desk page needs in its layout: the current workspace, the user's role in
    it, and (only when a template asks) the other workspaces they can switch to."""
    membership = getattr(request, "desk_membership", None)
    user = getattr(request, "user", None)
    context = {
        "desk_membership": membership,
        "desk_workspace": membership.workspace if membership else None,
        "desk_can_write": bool(membership and can_write(membership)),
        "desk_can_manage": bool(membership and can_manage_automation(membership)),
        "desk_can_manage_sla": bool(
            membership and role_allows(membership.role, MANAGE_SERVICE_LEVELS)
        ),
        "desk_can_read_reports": bool(membership and role_allows(membership.role, READ_REPORTS)),
    }
    if membership is not None:
        # A callable: one indexed count, only on pages that draw the header's bell.
        context["desk_unread_notifications"] = lambda: unread_count(
            workspace=membership.workspace, user=membership.user
        )
    if user is not None and user.is_authenticated:
        # A callable, so pages that never draw the switcher (portal, login) pay no query.
        context["desk_memberships"] = lambda: sorted(
            memberships_of(user), key=lambda m: m.workspace.name.lower()
        )
    return context
