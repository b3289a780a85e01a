"""Writes of the SLA app: policies, their order, the workspace's CSAT target, and clocks
for cases that predate the policies."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ombuds.accounts.models import Team, User
from ombuds.conversations.models import Case, Channel, Priority, Status
from ombuds.core.errors import ApplicationError
from ombuds.core.models import BusinessCalendar, Workspace

from .clocks import start_clocks_from_history
from .clocks.book import Lookups
from .models import (
    PAUSABLE_STATUSES,
    CustomerTier,
    DisputeCondition,
    Metric,
    Notify,
    ServiceTargets,
    SlaClock,
    SlaPolicy,
    default_pause_statuses,
)


@dataclass
class PolicyTerms:
    """Everything a policy says: when it applies, its targets and what happens on a
    warning or breach. Targets are business minutes; None means no target."""

    name: str
    priorities: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    customer_tier: str = CustomerTier.ANY
    dispute: str = DisputeCondition.ANY
    calendar: BusinessCalendar | None = None
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    follow_up_minutes: int | None = None
    warn_percent: int = 75
    pause_statuses: list[str] = field(default_factory=default_pause_statuses)
    warning_notify: str = Notify.NOBODY
    warning_raise_priority: bool = False
    warning_team: Team | None = None
    breach_notify: str = Notify.NOBODY
    breach_raise_priority: bool = False
    breach_team: Team | None = None
    is_active: bool = True

    @classmethod
    def of(cls, policy: SlaPolicy) -> PolicyTerms:
        return cls(**{name: getattr(policy, name) for name in cls.__dataclass_fields__})


def _refused(errors: dict[str, list[str]]) -> ApplicationError:
    fields = ", ".join(sorted(errors))
    return ApplicationError(
        "invalid_policy",
        f"The SLA policy is not valid: {fields}.",
        details={"errors": errors},
        status=422,
    )


def _check(workspace: Workspace, terms: PolicyTerms, policy: SlaPolicy | None) -> dict:
    errors: dict[str, list[str]] = {}
    values = {name: getattr(terms, name) for name in terms.__dataclass_fields__}
    values["name"] = " ".join((terms.name or "").split())[:100]
    for name, allowed in (
        ("priorities", Priority.values),
        ("channels", Channel.values),
        ("pause_statuses", list(PAUSABLE_STATUSES)),
    ):
        chosen = list(dict.fromkeys(values[name] or []))
        if bad := [v for v in chosen if v not in allowed]:
            errors[name] = [f"Unknown: {', '.join(map(str, bad))}."]
        values[name] = chosen
    values["languages"] = list(
        dict.fromkeys(
            str(v).strip().lower()[:8] for v in values["languages"] or [] if str(v).strip()
        )
    )
    for name in ("calendar", "warning_team", "breach_team"):
        row = values[name]
        if row is not None and row.workspace_id != workspace.pk:
            errors[name] = ["Not in this workspace."]
    if not any(terms_target(values, m) for m in Metric.values):
        errors["first_response_minutes"] = ["A policy needs at least one target."]
    clash = SlaPolicy.objects.filter(workspace=workspace, name=values["name"])
    if policy is not None:
        clash = clash.exclude(pk=policy.pk)
    if values["name"] and clash.exists():
        errors["name"] = [f"There is already a policy called {values['name']!r}."]
    candidate = SlaPolicy(workspace=workspace, **values)
    try:
        candidate.full_clean(exclude=["workspace", "position"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise _refused(errors)
    return values


def terms_target(values: dict, metric: str) -> int | None:
    return values.get(f"{metric}_minutes")


@transaction.atomic
def create_policy(*, workspace: Workspace, terms: PolicyTerms) -> SlaPolicy:
    """A new policy, last in the order (so existing ones keep their precedence)."""
    values = _check(workspace, terms, None)
    last = SlaPolicy.objects.filter(workspace=workspace).aggregate(Max("position"))
    return SlaPolicy.objects.create(
        workspace=workspace, position=(last["position__max"] or 0) + 1, **values
    )


@transaction.atomic
def update_policy(*, policy: SlaPolicy, terms: PolicyTerms) -> SlaPolicy:
    """Change a policy. Its open clocks take new targets, pauses and calendar at once;
    its conditions apply when a case is next evaluated (created or changed)."""
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    values = _check(policy.workspace, terms, policy)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    _recalculate_after_commit(workspace_id=policy.workspace_id, policy_id=policy.pk)
    return policy


def _recalculate_after_commit(**which) -> None:
    from .tasks import recalculate_open_clocks

    transaction.on_commit(lambda: recalculate_open_clocks(**which))


@transaction.atomic
def delete_policy(*, policy: SlaPolicy) -> None:
    """Remove a policy. Its open clocks run on to their targets under its name; new
    cases fall to the next matching policy."""
    policy.delete()


@transaction.atomic
def move_policy(*, policy: SlaPolicy, up: bool) -> list[SlaPolicy]:
    """Swap a policy with its neighbour in the order (the first match wins)."""
    ordered = list(SlaPolicy.objects.select_for_update().filter(workspace_id=policy.workspace_id))
    i = next(i for i, p in enumerate(ordered) if p.pk == policy.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    for position, row in enumerate(ordered, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position", "updated_at"])
    return ordered


@transaction.atomic
def set_csat_target(*, workspace: Workspace, percent: int, by: User) -> ServiceTargets:
    """The share of good survey answers the workspace aims for."""
    if not isinstance(percent, int) or not 1 <= percent <= 100:
        raise ApplicationError(
            "invalid_csat_target",
            "The CSAT target is a whole percentage from 1 to 100.",
            details={"errors": {"csat_target_percent": ["Between 1 and 100."]}},
            status=422,
        )
    targets, _ = ServiceTargets.objects.select_for_update().get_or_create(workspace=workspace)
    targets.csat_target_percent = percent
    targets.updated_by = by
    targets.save()
    return targets


def start_clocks_on_existing_cases(
    *, workspace: Workspace, include_finished: bool = False, limit: int | None = None
) -> int:
    """Clocks for cases opened before any policy matched them, rebuilt from each case's
    history; finished cases only when asked (to fill the compliance report). Returns how
    many cases got clocks. Each case is its own transaction."""
    cases = Case.objects.filter(workspace=workspace).exclude(
        pk__in=SlaClock.objects.filter(workspace=workspace).values("case_id")
    )
    if not include_finished:
        cases = cases.exclude(status__in=(Status.SOLVED, Status.CLOSED))
    ids = list(cases.order_by("pk").values_list("pk", flat=True)[:limit])
    lookups = Lookups(workspace.pk)
    started = 0
    for pk in ids:
        started += bool(start_clocks_from_history(case=Case(pk=pk), lookups=lookups))
    return started
