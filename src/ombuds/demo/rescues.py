"""Hotel stays whose name change the hotel refused, on the rescue ladder in the demo.

Two cases of the resale desk: in one the hotel says no (step 1 fails, with tasks for the
hotel and the seller), the agent finds alternatives with their costs (step 2) and books
one within the rebooking budget (step 3: the ladder succeeds); in the other the only
room left is above the budget, so the rebooking waits for a supervisor's approval.

Every step goes through the rescue services and is then moved back to the moment it
happened, with the case events, messages, tasks and ledger rows it wrote, like the
demo's disputes. The cases are picked in case-number order, so a seed gives the same
ladders.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.automation.models import CoordinationTask
from ombuds.chargebacks.models import Chargeback
from ombuds.conversations.events import Actor
from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent, Message
from ombuds.core.models import Workspace
from ombuds.disputes.models import Dispute
from ombuds.ledger.models import ApprovalRequest, MoneyAction, Transaction
from ombuds.ledger.tallies import rebuild_cost_tallies
from ombuds.rescue import services as rescue
from ombuds.rescue.models import Ladder, Step

from .catalogue import HOTELS
from .dispute_words import say

HOUR = timedelta(hours=1)
AGENT_LIMIT = 10000  # the default policy's refund authority of an agent


class DemoRescues:
    def __init__(self, workspace: Workspace, *, now: datetime):
        self.workspace = workspace
        self.now = now
        members = Membership.objects.filter(workspace=workspace).select_related("user")
        self.members = {m.user_id: m for m in members}
        self.supervisor = next(m for m in members if m.role == "supervisor")
        self.used: set[int] = set()

    def pick(self, opened_at: datetime) -> Case | None:
        """The first active hotel case (by number) about a booking with its hotel on
        file, with no dispute, chargeback or money moved, opened before the rescue."""
        moved = Transaction.objects.filter(order_id=OuterRef("order_id")).exclude(kind="capture")
        for tag in ("transfer-failed", "name-change"):
            case = (
                Case.objects.filter(
                    workspace=self.workspace,
                    tags__name=tag,
                    status__in=ACTIVE_STATUSES,
                    order__kind="hotel",
                    order__seller__isnull=False,
                    order__bookings__third_party__isnull=False,
                    requester_id=F("order__buyer_id"),
                    created_at__lt=opened_at - HOUR,
                )
                .exclude(order_id__in=self.used)
                .exclude(Exists(Dispute.objects.filter(order_id=OuterRef("order_id"))))
                .exclude(Exists(Chargeback.objects.filter(order_id=OuterRef("order_id"))))
                .exclude(Exists(Ladder.objects.filter(order_id=OuterRef("order_id"))))
                .exclude(Exists(moved))
                .select_related("order__buyer", "assignee")
                .order_by("number")
                .first()
            )
            if case is not None:
                self.used.add(case.order_id)
                return case
        return None

    def agent(self, case: Case) -> Actor:
        member = self.members.get(case.assignee_id) or self.supervisor
        return Actor(user=member.user)

    def step(self, case: Case, at: datetime, do: Callable[[], object]):
        """Take one step through the rescue services, then move what it wrote to `at`."""
        if at > self.now - 10 * timedelta(minutes=1):
            raise ValueError(f"a demo rescue step at {at} would look like it happened just now")
        began = timezone.now()
        result = do()
        recent = {"case_id": case.pk, "created_at__gte": began}
        for model in (CaseEvent, Message, Transaction, MoneyAction, ApprovalRequest):
            model.objects.filter(**recent).update(created_at=at)
        CoordinationTask.objects.filter(**recent).update(created_at=at, updated_at=at)
        ladders = Ladder.objects.filter(case_id=case.pk)
        ladders.filter(opened_at__gte=began).update(opened_at=at)
        ladders.filter(ended_at__gte=began).update(ended_at=at)
        steps = Step.objects.filter(ladder__case_id=case.pk)
        steps.filter(opened_at__gte=began).update(opened_at=at)
        steps.filter(closed_at__gte=began).update(closed_at=at)
        Case.objects.filter(pk=case.pk, updated_at__lt=at).update(updated_at=at)
        return result

    def climb(self, case: Case, opened: datetime, *, over_budget: bool) -> Ladder:
        order = case.order
        booking = order.bookings.select_related("third_party").first()
        language = "nl" if (order.buyer.language or "").startswith("nl") else "en"
        words = {"hotel": booking.third_party.name, "city": booking.location or "Amsterdam"}
        agent = self.agent(case)
        ladder = self.step(
            case,
            opened,
            lambda: rescue.start_ladder(
                case=case, order=order, actor=agent, reason="transfer_refused"
            ),
        )
        self.step(
            case,
            opened + 5 * HOUR,
            lambda: rescue.record_original_outcome(
                ladder=ladder,
                actor=agent,
                worked=False,
                note=say("rescue.refused", language, **words),
            ),
        )
        others = [h for h in HOTELS if h.name != booking.third_party.name]
        # Hotels in the same city first: the buyer is travelling there.
        others.sort(key=lambda h: h.city != words["city"])
        budget = ladder.rebooking_budget
        near = min(budget, AGENT_LIMIT) * 4 // 5 // 100 * 100
        dear = (budget * 3 // 2 + 999) // 1000 * 1000
        if over_budget:
            options = [
                {"label": say("rescue.suite", language, hotel=others[0].name), "amount": dear},
            ]
        else:
            options = [
                {"label": say("rescue.room", language, hotel=others[0].name), "amount": near},
                {"label": say("rescue.suite", language, hotel=others[1].name), "amount": dear},
            ]
        for option, hotel in zip(options, others, strict=False):
            option["supplier"] = hotel.name
        self.step(
            case,
            opened + 9 * HOUR,
            lambda: rescue.propose_alternatives(ladder=ladder, actor=agent, options=options),
        )
        self.step(
            case,
            opened + 10 * HOUR,
            lambda: rescue.rebook(
                ladder=ladder,
                actor=agent,
                option_index=0,
                idempotency_key=f"demo-rebook-{order.external_id}",
            ),
        )
        return Ladder.objects.get(pk=ladder.pk)


def climb_demo_ladders(workspace: Workspace, *, now: datetime) -> dict[str, int]:
    """Tell the demo's two rescues; how many ladders there are."""
    from .builder import settle_history  # the builder calls this module

    demo = DemoRescues(workspace, now=now)
    made = 0
    for hours, over_budget in ((3 * 24, False), (20, True)):
        opened = now - hours * HOUR
        case = demo.pick(opened)
        if case is not None:
            demo.climb(case, opened, over_budget=over_budget)
            made += 1
    settle_history(workspace)
    rebuild_cost_tallies(workspace=workspace)
    return {"rescue_ladders": made}
