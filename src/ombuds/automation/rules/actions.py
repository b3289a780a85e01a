"""What a rule does to a case. Every action goes through a service, so each change is a
timeline event whose actor is the rule ("rule: Legal threat").

A refused action (a status the case cannot reach, a macro with values the case lacks)
is undone on its own savepoint and written on the timeline as `automation.failed` or
`automation.skipped`; the change that fired the rule stands. A bug still raises.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ombuds.accounts.models import Team, User
from ombuds.accounts.services import create_team
from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, CaseEvent
from ombuds.conversations.services import add_internal_note, update_case
from ombuds.core import webhooks
from ombuds.core.errors import ApplicationError
from ombuds.core.models import WebhookEndpoint

from ..macros.render import fill
from ..macros.services import render_for_case, reply_with_macro
from ..models import Macro
from ..notifications import notify, recipients_for
from .schema import PRIORITY_LADDER, split_words

log = logging.getLogger(__name__)
ESCALATED_TAG = "escalated"


@dataclass(frozen=True)
class Rule:
    """Who acts: a trigger or a time rule, by kind, id and name."""

    kind: str  # "trigger" or "time_rule"
    pk: int
    name: str

    @property
    def actor(self) -> Actor:
        return Actor.system(f"rule: {self.name}"[:100])


def raised(priority: str) -> str:
    index = PRIORITY_LADDER.index(priority) if priority in PRIORITY_LADDER else 1
    return PRIORITY_LADDER[min(index + 1, len(PRIORITY_LADDER) - 1)]


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("requester", "team", "assignee", "order", "workspace").get(
        pk=case.pk
    )


def _team(case: Case, name: str) -> Team:
    team = Team.objects.filter(workspace_id=case.workspace_id, name=name).first()
    return team or create_team(workspace=case.workspace, name=name)


def _assignee(case: Case, value: str) -> User | None:
    if value.lower() == "none":
        return None
    user = User.objects.filter(
        email=value.strip().lower(), memberships__workspace_id=case.workspace_id, is_active=True
    ).first()
    if user is None:
        raise ApplicationError("unknown_assignee", f"{value} is not in this workspace.")
    return user


def _text(case: Case, text: str) -> str:
    """Notes and notifications may use the macro variables too."""
    from ..macros.render import case_values

    values = case_values(case, language=case.language or case.workspace.default_language)
    return fill(text, values).text


def _reply_macro(case: Case, action: dict, rule: Rule) -> None:
    macro = Macro.objects.filter(workspace_id=case.workspace_id, pk=int(action["value"])).first()
    if macro is None or not macro.is_active or macro.current is None:
        raise ApplicationError("macro_unavailable", "The macro is gone or switched off.")
    choice = render_for_case(macro=macro, case=case)
    if choice.rendered.missing:
        # An approved answer with holes is not approved any more: tell the agents instead.
        raise Skipped(
            f"macro {macro.name!r} needs {', '.join(choice.rendered.missing)}",
            {"macro": macro.pk, "missing": choice.rendered.missing},
        )
    reply_with_macro(
        case=case,
        version=choice.version,
        body=choice.rendered.text,
        actor=rule.actor,
        language=choice.language,
    )


def _escalate(case: Case, action: dict, rule: Rule, facts_words: list[str]) -> None:
    """Route the case to the escalation team with a raised priority and the reason."""
    done = CaseEvent.objects.filter(
        case=case, kind="case.escalated", data__rule=f"{rule.kind}:{rule.pk}"
    ).exists()
    if done:
        return
    team = _team(case, action["value"] or "Escalations")
    tags = sorted({*case.tags.values_list("name", flat=True), ESCALATED_TAG})
    update_case(case=case, actor=rule.actor, team=team, priority=raised(case.priority), tags=tags)
    data = {"rule": f"{rule.kind}:{rule.pk}", "name": rule.name, "reason": action["text"]}
    if facts_words:
        data["words"] = facts_words[:10]
    events.record(case, "case.escalated", rule.actor, after=team.name, data=data)


class Skipped(Exception):
    def __init__(self, reason: str, data: dict | None = None):
        super().__init__(reason)
        self.reason = reason
        self.data = data or {}


def _webhook(case: Case, action: dict, rule: Rule, event: CaseEvent | None) -> None:
    endpoint = WebhookEndpoint.objects.filter(
        workspace_id=case.workspace_id, pk=int(action["value"])
    ).first()
    if endpoint is None:
        raise ApplicationError("unknown_webhook", "The webhook endpoint is gone.")
    key = f"{rule.kind}:{rule.pk}:" + (
        f"event:{event.pk}" if event is not None else f"case:{case.pk}:{timezone.now():%s}"
    )
    webhooks.enqueue(
        workspace=case.workspace,
        endpoint=endpoint,
        event="case.rule_fired",
        subject=f"case:{case.pk}",
        idempotency_key=key,
        payload={
            "rule": rule.name,
            "event": event.kind if event is not None else "time",
            "case": {
                "reference": case.reference,
                "subject": case.subject,
                "status": case.status,
                "priority": case.priority,
                "channel": case.channel,
                "language": case.language,
                "team": case.team.name if case.team_id else None,
                "assignee": case.assignee.email if case.assignee_id else None,
                "order": case.order.external_id if case.order_id else None,
                "requester": case.requester.external_id or case.requester.email,
            },
        },
    )


def run_one(action: dict, case: Case, rule: Rule, *, event=None, words=()) -> None:
    kind, value, text = action["type"], action.get("value", ""), action.get("text", "")
    actor = rule.actor
    if kind == "set_status":
        update_case(case=case, actor=actor, status=value)
    elif kind == "set_priority":
        update_case(case=case, actor=actor, priority=value)
    elif kind == "raise_priority":
        update_case(case=case, actor=actor, priority=raised(case.priority))
    elif kind == "set_team":
        update_case(case=case, actor=actor, team=_team(case, value))
    elif kind == "assign":
        update_case(case=case, actor=actor, assignee=_assignee(case, value))
    elif kind in ("add_tags", "remove_tags"):
        have = set(case.tags.values_list("name", flat=True))
        change = {t.lower() for t in split_words(value)}
        wanted = have | change if kind == "add_tags" else have - change
        update_case(case=case, actor=actor, tags=sorted(wanted))
    elif kind == "add_note":
        add_internal_note(case=case, actor=actor, body=_text(case, text))
    elif kind == "reply_macro":
        _reply_macro(case, action, rule)
    elif kind == "notify":
        users = recipients_for(case, split_words(value))
        if not users:
            raise Skipped(f"nobody to notify ({value})")
        notify(
            workspace=case.workspace,
            users=users,
            case=case,
            title=_text(case, text)[:200],
            body=f"{case.reference} · {case.subject}",
            by_label=actor.label,
        )
        events.record(
            case, "automation.notified", actor, data={"to": [u.display_name for u in users]}
        )
    elif kind == "webhook":
        _webhook(case, action, rule, event)
    elif kind == "escalate":
        _escalate(case, action, rule, list(words))


def run_actions(
    actions: list[dict], case: Case, rule: Rule, *, event=None, words=()
) -> tuple[int, int]:
    """Run the actions in order, each on its own savepoint; returns (done, refused)."""
    done = refused = 0
    for position, action in enumerate(actions):
        case = _fresh(case)
        try:
            with transaction.atomic():
                run_one(action, case, rule, event=event, words=words)
            done += 1
        except Skipped as skip:
            refused += 1
            events.record(
                case,
                "automation.skipped",
                rule.actor,
                data={"action": action["type"], "reason": skip.reason, **skip.data},
            )
        except ApplicationError as refusal:
            refused += 1
            log.info("rule action refused", extra={"rule": rule.name, "code": refusal.code})
            events.record(
                case,
                "automation.failed",
                rule.actor,
                data={
                    "action": action["type"],
                    "position": position,
                    "code": refusal.code,
                    "error": refusal.message[:300],
                },
            )
    return done, refused
