"""Deciding who writes in about what: each case gets a script, a requester, a channel, a
priority, an order in the right state, a team and an agent who speaks the language; the
orders nobody writes about fill the rest of the marketplace."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from ombuds.conversations.models import Status
from ombuds.marketplace.models import Party, ShipmentStatus

from .catalogue import GOODS_TEAM, TICKETS_TEAM
from .orders import DemoOrder, OrderBook
from .people import Crowd, Desk, PeopleMaker
from .scripts import Script
from .stories import CaseBrief

DAY = timedelta(days=1)
HISTORY = timedelta(days=89)  # orders reach back about three months

CHANNELS = (("email", 34), ("web", 24), ("chat", 14), ("whatsapp", 10), ("phone", 9), ("api", 9))
PRIORITIES = (("low", 18), ("normal", 58), ("high", 18), ("urgent", 6))
PRESSING_PRIORITIES = (("normal", 50), ("high", 35), ("urgent", 15))
# How long ago cases in each status were opened, in days: new ones are fresh, closed ones
# had time to be solved and then closed a few days later.
OPENED_DAYS_AGO = {
    Status.NEW: (0.02, 2.5),
    Status.OPEN: (0.3, 9),
    Status.PENDING_CUSTOMER: (0.5, 12),
    Status.PENDING_THIRD_PARTY: (1, 16),
    Status.ON_HOLD: (2, 25),
    Status.SOLVED: (2, 40),
    Status.CLOSED: (12, 80),
}


@dataclass
class Casting:
    rng: random.Random
    now: datetime
    scripts: tuple[Script, ...]
    kinds: tuple[str, ...]  # order kinds this marketplace sells
    desk: Desk
    crowd: Crowd
    people: PeopleMaker
    book: OrderBook
    team_override: str | None = None  # a small desk with one team for everything

    def statuses(self, counts: dict[str, int]) -> list[str]:
        plan = [status for status, n in counts.items() for _ in range(n)]
        self.rng.shuffle(plan)
        return plan

    def brief(self, status: str) -> CaseBrief:
        rng = self.rng
        script = self._script(status)
        opened_at = self.now - rng.uniform(*OPENED_DAYS_AGO[status]) * DAY
        requester, order = self._requester_and_order(script, opened_at)
        language = requester.language or self.people.language()
        channel = self._channel(script)
        team_name = self._team_for(script, order)
        team, assignee = self._routing(status, team_name, language, channel)
        return CaseBrief(
            script=script,
            status=status,
            language=language,
            channel=channel,
            priority=self._priority(script, requester),
            requester=requester,
            order=order,
            team=team,
            assignee=assignee,
            opened_at=opened_at,
            via_form=channel == "web" and script.requester != "seller" and rng.random() < 0.6,
            escalate=status != Status.NEW and rng.random() < (0.3 if requester.is_vip else 0.07),
        )

    # --- choices ------------------------------------------------------------------------

    def _script(self, status: str) -> Script:
        fitting = [s for s in self.scripts if not s.statuses or status in s.statuses]
        return self.rng.choices(fitting, weights=[s.weight for s in fitting])[0]

    def _requester_and_order(
        self, script: Script, opened_at: datetime
    ) -> tuple[Party, DemoOrder | None]:
        rng = self.rng
        if script.requester == "prospect":
            return self.people.prospect(self.people.language()), None
        buyer, seller = rng.choice(self.crowd.buyers), rng.choice(self.crowd.sellers)
        situation = script.situation
        kind = rng.choice([k for k in situation.kinds if k in self.kinds])
        goods = kind == "goods"
        lead = rng.uniform(2, 10) if goods else rng.uniform(1, 20)
        order = self.book.place(
            kind=kind,
            buyer=buyer,
            seller=seller,
            placed_at=self._placed_before(opened_at, lead),
            fulfilment=situation.fulfilment or ("delivered" if goods else "transfer_done"),
            payment=situation.payment,
            cancelled=situation.cancelled,
            starts_at=None if goods else opened_at + rng.uniform(2, 21) * DAY,
        )
        return (seller if script.requester == "seller" else buyer), order

    def _placed_before(self, opened_at: datetime, lead_days: float) -> datetime:
        earliest = self.now - HISTORY
        placed = opened_at - lead_days * DAY
        if placed < earliest:
            placed = earliest + self.rng.uniform(0, 0.5) * (opened_at - earliest)
        return placed

    def _channel(self, script: Script) -> str:
        if script.requester == "seller":
            return self.rng.choice(("email", "email", "web"))
        if script.requester == "prospect":
            return self.rng.choice(("web", "chat", "email", "whatsapp"))
        return _weighted(self.rng, CHANNELS)

    def _priority(self, script: Script, requester: Party) -> str:
        priority = _weighted(self.rng, PRESSING_PRIORITIES if script.pressing else PRIORITIES)
        if requester.is_vip:
            priority = {"low": "normal"}.get(priority, priority)
        return priority

    def _team_for(self, script: Script, order: DemoOrder | None) -> str:
        if self.team_override:
            return self.team_override
        if order is None:
            return script.team
        return GOODS_TEAM if order.kind == "goods" else TICKETS_TEAM

    def _routing(self, status: str, team_name: str, language: str, channel: str):
        team = self.desk.teams[team_name]
        agent = self.desk.agent_for(team_name, language, self.rng)
        if status != Status.NEW or channel == "phone":
            return team, agent  # someone is working it (or took the call)
        roll = self.rng.random()
        if roll < 0.5:
            return None, None  # nobody has looked at it yet
        return (team, None) if roll < 0.75 else (team, agent)

    # --- the orders nobody writes about -------------------------------------------------

    def quiet_order(self) -> DemoOrder:
        rng, now = self.rng, self.now
        kind = _weighted(rng, [(k, w) for k, w in QUIET_KINDS if k in self.kinds])
        placed_at = now - rng.uniform(0.05, HISTORY / DAY) * DAY
        buyer, seller = rng.choice(self.crowd.buyers), rng.choice(self.crowd.sellers)
        if kind == "goods":
            fulfilment, payment = self._parcel_state(placed_at)
            starts_at = None
        else:
            starts_at = placed_at + rng.uniform(3, 75) * DAY
            fulfilment, payment = self._transfer_state(starts_at)
        if payment == "captured" and now - placed_at < timedelta(hours=3) and rng.random() < 0.5:
            payment = "authorized"
        return self.book.place(
            kind=kind,
            buyer=buyer,
            seller=seller,
            placed_at=placed_at,
            fulfilment=fulfilment,
            payment=payment,
            starts_at=starts_at,
        )

    def _parcel_state(self, placed_at: datetime) -> tuple[str, str]:
        age = (self.now - placed_at) / DAY
        if age < 1:
            return ShipmentStatus.LABEL_CREATED, "captured"
        if age < 3:
            return _weighted(
                self.rng, ((ShipmentStatus.IN_TRANSIT, 80), (ShipmentStatus.DELIVERED, 20))
            ), "captured"
        state = _weighted(self.rng, QUIET_PARCELS)
        payment = {
            ShipmentStatus.LOST: "refunded",
            ShipmentStatus.RETURNED: "refunded",
            ShipmentStatus.DAMAGED: "partially_refunded",
        }.get(state, "captured")
        return state, payment

    def _transfer_state(self, starts_at: datetime) -> tuple[str, str]:
        if starts_at < self.now:
            return (
                ("transfer_failed", "refunded")
                if self.rng.random() < 0.06
                else ("transfer_done", "captured")
            )
        state = _weighted(
            self.rng, (("transfer_pending", 45), ("transfer_done", 50), ("transfer_failed", 5))
        )
        return state, "refunded" if state == "transfer_failed" else "captured"


QUIET_KINDS = (("event_ticket", 40), ("hotel", 22), ("goods", 35), ("flight", 3))
QUIET_PARCELS = (
    (ShipmentStatus.DELIVERED, 75),
    (ShipmentStatus.IN_TRANSIT, 5),
    (ShipmentStatus.DELAYED, 6),
    (ShipmentStatus.LOST, 3),
    (ShipmentStatus.DAMAGED, 4),
    (ShipmentStatus.RETURNED, 7),
)


def _weighted(rng: random.Random, options) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]
