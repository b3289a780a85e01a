"""The case a chargeback is worked on: the order's open case, or a new one.

A chargeback is urgent money work for finance, whatever the case was about before: the
case gets the `chargeback` tag, at least high priority, and the team that works the
provider's chargebacks (the connection's team, else a team called Finance, else one
called Escalations).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from ombuds.accounts.models import Team
from ombuds.conversations.events import Actor
from ombuds.conversations.models import ACTIVE_STATUSES, Case, Channel, Priority
from ombuds.conversations.services import open_case_with_message, update_case
from ombuds.core.money import Money

from ..models import Chargeback, PspConnection
from ..states import reason_label

TAG = "chargeback"
TEAM_NAMES = ("Finance", "Escalations")
_RAISE = (Priority.LOW, Priority.NORMAL)


def chargeback_team(connection: PspConnection) -> Team | None:
    if connection.team_id is not None:
        return connection.team
    teams = {
        t.name.lower(): t
        for t in Team.objects.filter(workspace_id=connection.workspace_id, name__in=TEAM_NAMES)
    }
    return next((teams[n.lower()] for n in TEAM_NAMES if n.lower() in teams), None)


def _opening_text(chargeback: Chargeback, provider: str) -> tuple[str, str]:
    order = chargeback.order
    amount = Money(chargeback.amount, chargeback.currency).format(
        translation.to_locale(translation.get_language() or "en")
    )
    subject = f"Chargeback {chargeback.reason or 'dispute'} · {order.external_id}"
    lines = [
        _("%(provider)s reports a chargeback on order %(order)s.")
        % {"provider": provider, "order": order.external_id},
        _("Amount: %(amount)s. Reason given: %(reason)s.")
        % {"amount": amount, "reason": reason_label(chargeback.provider, chargeback.reason)},
        _("Dispute %(dispute)s on payment %(payment)s.")
        % {"dispute": chargeback.provider_dispute_id, "payment": chargeback.payment.external_id},
    ]
    if chargeback.evidence_due_by:
        lines.append(
            _("Evidence is due by %(due)s (UTC).")
            % {"due": chargeback.evidence_due_by.strftime("%Y-%m-%d %H:%M")}
        )
    return subject, "\n".join(lines)


def case_for_chargeback(*, chargeback: Chargeback, connection: PspConnection, actor: Actor) -> Case:
    """Reuse the order's most recent open case, or open one for the buyer; either way
    tagged, raised to high priority and routed to the chargeback team."""
    team = chargeback_team(connection)
    existing = (
        Case.objects.filter(
            workspace_id=chargeback.workspace_id,
            order_id=chargeback.order_id,
            status__in=ACTIVE_STATUSES,
        )
        .order_by("-updated_at", "-pk")
        .first()
    )
    if existing is None:
        buyer = chargeback.order.buyer
        # Written in the language the case will be worked in, like the buyer's own words.
        language = buyer.language or chargeback.workspace.default_language or "en"
        with translation.override(language):
            subject, body = _opening_text(chargeback, actor.label)
        case, _message = open_case_with_message(
            workspace=chargeback.workspace,
            subject=subject,
            body=body,
            requester=chargeback.order.buyer,
            actor=actor,
            channel=Channel.API,
            order=chargeback.order,
            priority=Priority.HIGH,
            tags=[TAG],
            team=team,
            topic="chargeback",
            opening_note=True,
        )
        return case
    changes: dict = {"tags": sorted({*existing.tags.values_list("name", flat=True), TAG})}
    if existing.priority in _RAISE:
        changes["priority"] = Priority.HIGH
    if team is not None and existing.team_id != team.pk:
        changes["team"] = team
    return update_case(case=existing, actor=actor, **changes)
