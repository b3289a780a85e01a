"""SLA policies and a case's clocks, for integrations and scripts.

Reading needs cases.read; changing policies needs sla.manage (admins, supervisors).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ombuds.accounts.api_auth import BearerToken, can_read_cases
from ombuds.accounts.models import Membership, Team
from ombuds.accounts.roles import MANAGE_SERVICE_LEVELS
from ombuds.conversations.models import Channel, Priority
from ombuds.conversations.selectors import case_by_reference
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.models import BusinessCalendar
from ombuds.marketplace.schemas import Input

from . import services
from .models import (
    MAX_TARGET_MINUTES,
    PAUSABLE_STATUSES,
    CustomerTier,
    DisputeCondition,
    Notify,
    SlaClock,
    SlaPolicy,
)
from .selectors import clocks_for_api, policies_of, policy_by_id

router = Router(tags=["sla"], auth=can_read_cases)
can_manage = BearerToken(MANAGE_SERVICE_LEVELS)

Minutes = int | None
PauseStatus = Literal[tuple(PAUSABLE_STATUSES)]


class Escalations(Schema):
    notify: Notify = Notify.NOBODY
    raise_priority: bool = False
    team: int | None = Field(None, description="Move the case to this team (an id)")


class PolicyIn(Input):
    """A policy; targets are business minutes (null: no target)."""

    name: str = Field(max_length=100)
    is_active: bool = True
    priorities: list[Priority] = []
    channels: list[Channel] = []
    languages: list[str] = []
    customer_tier: CustomerTier = CustomerTier.ANY
    dispute: DisputeCondition = DisputeCondition.ANY
    calendar: int | None = Field(None, description="A calendar id; null: the team's or default")
    first_response_minutes: Minutes = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    next_response_minutes: Minutes = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    resolution_minutes: Minutes = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    follow_up_minutes: Minutes = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    warn_percent: int = Field(75, ge=1, le=99)
    pause_statuses: list[PauseStatus] = ["pending_customer", "pending_third_party"]
    on_warning: Escalations = Escalations()
    on_breach: Escalations = Escalations()


class PolicyPatch(Input):
    """Only the fields sent change."""

    name: str | None = Field(None, max_length=100)
    is_active: bool | None = None
    priorities: list[Priority] | None = None
    channels: list[Channel] | None = None
    languages: list[str] | None = None
    customer_tier: CustomerTier | None = None
    dispute: DisputeCondition | None = None
    calendar: int | None = None
    first_response_minutes: Minutes = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    next_response_minutes: Minutes = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    resolution_minutes: Minutes = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    follow_up_minutes: Minutes = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    warn_percent: int | None = Field(None, ge=1, le=99)
    pause_statuses: list[PauseStatus] | None = None
    on_warning: Escalations | None = None
    on_breach: Escalations | None = None


class PolicyOut(Schema):
    id: int
    name: str
    position: int
    is_active: bool
    priorities: list[str]
    channels: list[str]
    languages: list[str]
    customer_tier: str
    dispute: str
    calendar: int | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    follow_up_minutes: int | None
    warn_percent: int
    pause_statuses: list[str]
    on_warning: Escalations
    on_breach: Escalations

    @staticmethod
    def resolve_calendar(policy: SlaPolicy) -> int | None:
        return policy.calendar_id

    @staticmethod
    def resolve_on_warning(policy: SlaPolicy) -> dict:
        return _escalations(policy, "warning")

    @staticmethod
    def resolve_on_breach(policy: SlaPolicy) -> dict:
        return _escalations(policy, "breach")


def _escalations(policy: SlaPolicy, stage: str) -> dict:
    return {
        "notify": getattr(policy, f"{stage}_notify"),
        "raise_priority": getattr(policy, f"{stage}_raise_priority"),
        "team": getattr(policy, f"{stage}_team_id"),
    }


class ClockOut(Schema):
    metric: str
    state: str = Field(description="running, paused, met or cancelled")
    outcome: str = Field(description="achieved, breached, or empty while undecided")
    policy: str
    target_minutes: int
    used_minutes: int = Field(description="Business minutes used when it last paused or stopped")
    started_at: datetime
    due_at: datetime | None
    warn_at: datetime | None
    warned_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None

    @staticmethod
    def resolve_policy(clock: SlaClock) -> str:
        return clock.policy_name

    @staticmethod
    def resolve_target_minutes(clock: SlaClock) -> int:
        return int(clock.target.total_seconds() // 60)

    @staticmethod
    def resolve_used_minutes(clock: SlaClock) -> int:
        return int(clock.elapsed.total_seconds() // 60)


def _row(model, workspace, pk: int | None, field: str):
    if pk is None:
        return None
    row = model.objects.filter(workspace=workspace, pk=pk).first()
    if row is None:
        raise ApplicationError(
            "invalid_policy",
            f"No such {field} in this workspace.",
            details={"errors": {field: ["Not in this workspace."]}},
            status=422,
        )
    return row


def _terms(member: Membership, data: dict, terms: services.PolicyTerms) -> services.PolicyTerms:
    workspace = member.workspace
    for name, value in data.items():
        if name == "calendar":
            terms.calendar = _row(BusinessCalendar, workspace, value, "calendar")
        elif name in ("on_warning", "on_breach"):
            stage = "warning" if name == "on_warning" else "breach"
            value = value or {}
            setattr(terms, f"{stage}_notify", value.get("notify", Notify.NOBODY))
            setattr(terms, f"{stage}_raise_priority", value.get("raise_priority", False))
            setattr(
                terms, f"{stage}_team", _row(Team, workspace, value.get("team"), f"{stage}_team")
            )
        else:
            setattr(terms, name, value)
    return terms


def _policy(member: Membership, policy_id: int) -> SlaPolicy:
    policy = policy_by_id(workspace=member.workspace, pk=policy_id)
    if policy is None:
        raise NotFound("policy", policy_id)
    return policy


@router.get("/sla/policies", response=list[PolicyOut])
def list_policies(request: HttpRequest):
    """The workspace's SLA policies in the order they are tried (the first match wins)."""
    return policies_of(request.auth.workspace)


@router.post("/sla/policies", auth=can_manage, response={201: PolicyOut})
def post_policy(request: HttpRequest, payload: PolicyIn):
    """Add a policy, tried after the existing ones."""
    member: Membership = request.auth
    terms = _terms(member, payload.model_dump(), services.PolicyTerms(name=payload.name))
    policy = services.create_policy(workspace=member.workspace, terms=terms)
    return Status(201, policy_by_id(workspace=member.workspace, pk=policy.pk))


@router.get("/sla/policies/{policy_id}", response=PolicyOut)
def get_policy(request: HttpRequest, policy_id: int):
    return _policy(request.auth, policy_id)


@router.patch("/sla/policies/{policy_id}", auth=can_manage, response=PolicyOut)
def patch_policy(request: HttpRequest, policy_id: int, payload: PolicyPatch):
    """Change a policy; open clocks take its new targets, pauses and calendar."""
    member: Membership = request.auth
    policy = _policy(member, policy_id)
    sent = payload.model_dump(include=payload.model_fields_set)
    terms = _terms(member, sent, services.PolicyTerms.of(policy))
    services.update_policy(policy=policy, terms=terms)
    return policy_by_id(workspace=member.workspace, pk=policy.pk)


@router.delete("/sla/policies/{policy_id}", auth=can_manage, response={204: None})
def delete_policy(request: HttpRequest, policy_id: int):
    services.delete_policy(policy=_policy(request.auth, policy_id))
    return Status(204, None)


@router.get("/sla/cases/{reference}/clocks", response=list[ClockOut])
def case_clocks(request: HttpRequest, reference: str):
    """A case's SLA clocks, oldest first: running, paused and finished ones."""
    workspace = request.auth.workspace
    case = case_by_reference(workspace=workspace, reference=reference)
    return clocks_for_api(workspace=workspace, case=case)
