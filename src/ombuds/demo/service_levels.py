"""The demo desk's service levels: Dutch office hours with public holidays, a calendar
around the clock for urgent work, and SLA policies from VIP to standard. They are set
after the stories are told, so every case gets its clocks from its own history, as a
workspace adopting SLAs would: some met, some breached, some paused, some running."""

from __future__ import annotations

from ombuds.core.models import Workspace
from ombuds.core.selectors import calendar_of
from ombuds.core.services import create_calendar, update_calendar
from ombuds.sla.models import DisputeCondition, Notify
from ombuds.sla.services import PolicyTerms, create_policy, start_clocks_on_existing_cases

H = 60  # minutes


def set_service_levels(workspace: Workspace) -> int:
    """Calendars and policies; returns how many cases got clocks."""
    office = calendar_of(workspace=workspace)
    update_calendar(
        calendar=office,
        name="Office hours (NL)",
        weekly_hours={
            **{day: "08:30-18:00" for day in ("mon", "tue", "wed", "thu", "fri")},
            "sat": "10:00-16:00",
        },
        holiday_country="NL",
    )
    around = create_calendar(
        workspace=workspace,
        name="Around the clock",
        weekly_hours={day: "24h" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    policies = [
        PolicyTerms(
            name="VIP customers",
            customer_tier="vip",
            first_response_minutes=2 * H,
            next_response_minutes=4 * H,
            resolution_minutes=24 * H,
            warning_notify=Notify.ASSIGNEE,
            breach_notify=Notify.SUPERVISORS,
        ),
        PolicyTerms(
            name="Urgent, around the clock",
            priorities=["urgent"],
            calendar=around,
            first_response_minutes=3 * H,
            next_response_minutes=4 * H,
            resolution_minutes=36 * H,
            breach_notify=Notify.BOTH,
        ),
        PolicyTerms(
            name="Disputes",
            dispute=DisputeCondition.DISPUTE,
            first_response_minutes=4 * H,
            next_response_minutes=8 * H,
            resolution_minutes=40 * H,
            follow_up_minutes=8 * H,
            breach_notify=Notify.SUPERVISORS,
        ),
        PolicyTerms(
            name="Chat and WhatsApp",
            channels=["chat", "whatsapp"],
            first_response_minutes=4 * H,
            next_response_minutes=4 * H,
            resolution_minutes=40 * H,
            warn_percent=50,
        ),
        PolicyTerms(
            name="Standard",
            first_response_minutes=8 * H,
            next_response_minutes=16 * H,
            resolution_minutes=45 * H,
            follow_up_minutes=40 * H,
            breach_raise_priority=True,
            breach_notify=Notify.SUPERVISORS,
            warning_notify=Notify.ASSIGNEE,
        ),
    ]
    for terms in policies:
        create_policy(workspace=workspace, terms=terms)
    return start_clocks_on_existing_cases(workspace=workspace, include_finished=True)
