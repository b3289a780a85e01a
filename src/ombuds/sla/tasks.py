"""Background work of the SLA app: the minute sweep, notices, recalculations."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import notices, refresh
from .sweep import sweep_due_clocks


@db_periodic_task(crontab(minute="*"))
def sweep_sla_clocks() -> dict:
    return sweep_due_clocks().as_dict()


@db_task(retries=3, retry_delay=60)
def send_sla_notice(event_id: int, user_ids: list[int]) -> int:
    return notices.send_notice(event_id, user_ids)


@db_task()
def recalculate_open_clocks(
    *,
    workspace_id: int,
    calendar_id: int | None = None,
    team_id: int | None = None,
    policy_id: int | None = None,
) -> int:
    return refresh.recalculate(
        workspace_id=workspace_id, calendar_id=calendar_id, team_id=team_id, policy_id=policy_id
    )


@db_task()
def start_clocks_on_existing_cases(workspace_id: int) -> int:
    from ombuds.core.models import Workspace

    from .services import start_clocks_on_existing_cases as start

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return start(workspace=workspace) if workspace is not None else 0
