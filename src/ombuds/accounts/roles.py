"""What each role may do. Checked in services and at the API/web edge."""

from .models import Role

READ_CASES = "cases.read"
WRITE_CASES = "cases.write"
WRITE_MARKETPLACE = "marketplace.write"
ADMINISTER = "workspace.admin"
# Business calendars, SLA policies and the CSAT target; the compliance report.
MANAGE_SERVICE_LEVELS = "sla.manage"
READ_REPORTS = "reports.read"
# Money: moving it (within the policy's authority limits), deciding approvals above
# someone's limit, reading what resolutions cost.
MOVE_MONEY = "money.move"
DECIDE_APPROVALS = "money.approve"
READ_MONEY_REPORTS = "money.reports"

_GRANTS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            READ_CASES,
            WRITE_CASES,
            WRITE_MARKETPLACE,
            ADMINISTER,
            MANAGE_SERVICE_LEVELS,
            READ_REPORTS,
        }
    ),
    Role.SUPERVISOR: frozenset({READ_CASES, WRITE_CASES, MANAGE_SERVICE_LEVELS, READ_REPORTS}),
    Role.AGENT: frozenset({READ_CASES, WRITE_CASES}),
    Role.FINANCE: frozenset({READ_CASES}),
    Role.READ_ONLY: frozenset({READ_CASES}),
}


_MONEY_GRANTS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({MOVE_MONEY, DECIDE_APPROVALS, READ_MONEY_REPORTS}),
    Role.SUPERVISOR: frozenset({MOVE_MONEY, DECIDE_APPROVALS, READ_MONEY_REPORTS}),
    Role.AGENT: frozenset({MOVE_MONEY}),
    Role.FINANCE: frozenset({MOVE_MONEY, DECIDE_APPROVALS, READ_MONEY_REPORTS}),
}


def role_allows(role: str, permission: str) -> bool:
    return permission in _GRANTS.get(role, frozenset()) or permission in _MONEY_GRANTS.get(
        role, frozenset()
    )
