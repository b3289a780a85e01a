"""One case, told from the customer's first message to the status it should end in.

Every step goes through the conversation services, which stamp rows with the present.
A demo inbox should look lived-in, so after each step the chronicle moves what that step
wrote back to the moment the story says it happened. Only demo data is ever re-dated."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from ombuds.accounts.models import Team, User
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, CaseEvent, Message, Status
from ombuds.conversations.services import (
    add_internal_note,
    open_case,
    receive_customer_message,
    record_order_event,
    reply_to_customer,
    update_case,
)
from ombuds.core.models import Workspace
from ombuds.intake.services import submit_contact_form
from ombuds.marketplace.models import OrderEvent, Party

from . import wording
from .catalogue import BRAND
from .orders import DemoOrder, OrderBook
from .scripts import Script

HOUR = timedelta(hours=1)
MARKETPLACE = Actor.system("marketplace")
ROUTING = Actor.system("routing")
AUTO_CLOSE = Actor.system("auto-close")
# The latest a story may reach: a reply "just now" would look odd in a demo inbox.
FRESHNESS = timedelta(minutes=10)


class Chronicle:
    """Moves rows the services just wrote (messages, case events, order events) to the
    moment a story step happened.

    The services stamp rows with the present, and every moment in a story lies before
    the load began, so a row dated after that moment is one not moved yet.
    """

    def __init__(self, began: datetime):
        self.began = began

    def stamp(self, case: Case, at: datetime) -> None:
        Message.objects.filter(case=case, created_at__gte=self.began).update(created_at=at)
        CaseEvent.objects.filter(case=case, created_at__gte=self.began).update(created_at=at)
        if case.order_id:
            OrderEvent.objects.filter(order_id=case.order_id, received_at__gte=self.began).update(
                received_at=at
            )


@dataclass
class CaseBrief:
    """What the story of one case should be."""

    script: Script
    status: str
    language: str
    channel: str
    priority: str
    requester: Party
    order: DemoOrder | None
    team: Team | None
    assignee: User | None
    opened_at: datetime
    via_form: bool = False
    escalate: bool = False


class CaseStory:
    def __init__(
        self,
        brief: CaseBrief,
        *,
        workspace: Workspace,
        book: OrderBook,
        chronicle: Chronicle,
        rng: random.Random,
        timing: random.Random,
        supervisor: User | None,
        now: datetime,
        placeholders: dict[str, str],
    ):
        self.brief = brief
        self.workspace = workspace
        self.book = book
        self.chronicle = chronicle
        self.rng = rng
        # Whether a step falls outside working hours depends on the time of day the demo is
        # loaded; those draws come from their own generator so the content stays the same.
        self.timing = timing
        self.supervisor = supervisor
        self.now = now
        self.case: Case | None = None
        self.solved_at: datetime | None = None
        first = brief.requester.name.split()[0] if brief.requester.name else ""
        self.words = {
            **placeholders,
            **(brief.order.context(brief.language) if brief.order else {}),
            "brand": BRAND,
            "name": brief.requester.name,
            "first": first,
        }

    # --- telling ------------------------------------------------------------------------

    def tell(self) -> Case:
        steps = self._plan()
        moments = self._schedule(steps)
        for (_, step), at in zip(steps, moments, strict=True):
            step(at)
            self.chronicle.stamp(self.case, at)
        self._settle_clock(moments[0], moments[-1])
        return self.case

    def _plan(self) -> list[tuple[float, Callable[[datetime], None]]]:
        """The steps of the story as (hours after the previous step, step)."""
        b, u = self.brief, self.rng.uniform
        steps = [(0.0, self.customer_writes_in)]
        steps += [
            (u(0.05, 0.6), partial(self.marketplace_reports, e)) for e in b.script.reported_events
        ]
        if b.team or b.assignee or b.via_form:
            steps.append((u(0.05, 1.5), self.desk_routes))
        if b.status == Status.NEW:
            if self.rng.random() < 0.3:
                steps.append((u(3, 20), self.customer_chases))
            return steps
        if b.escalate:
            steps.append((u(0.2, 3), self.supervisor_escalates))

        asks_first = b.status in (Status.OPEN, Status.PENDING_CUSTOMER) or self.rng.random() < 0.5
        if asks_first:
            steps.append((u(0.3, 8), self.agent_replies_and_asks))
            if b.status == Status.PENDING_CUSTOMER:
                return steps
            steps.append((u(1, 20), self.customer_answers))
        if b.status == Status.OPEN:
            if self.rng.random() < 0.5:
                steps.append((u(0.2, 4), self.agent_notes_third_party))
            return steps
        if not asks_first:
            steps.append((u(0.3, 8), self.agent_replies))
        if b.status == Status.PENDING_THIRD_PARTY:
            steps += [
                (u(0.1, 2), self.agent_notes_third_party),
                (u(0.05, 0.5), partial(self.agent_sets_status, Status.PENDING_THIRD_PARTY)),
            ]
            return steps
        if b.status == Status.ON_HOLD:
            steps += [
                (u(0.2, 6), self.agent_notes_hold),
                (u(0.05, 0.5), partial(self.agent_sets_status, Status.ON_HOLD)),
            ]
            return steps
        if self.rng.random() < 0.4:
            steps.append((u(0.2, 4), self.agent_notes_third_party))
        if b.script.outcome:
            steps.append((u(12, 72), self.marketplace_settles))
        steps.append((u(0.1, 2) if b.script.outcome else u(4, 30), self.agent_solves))
        if b.status == Status.CLOSED:
            steps.append((u(72, 168), self.case_closes))
        return steps

    def _schedule(self, steps) -> list[datetime]:
        """Moments for the steps: agents work office hours and customers sleep at night,
        unless that would run the story into the present; then it is squeezed."""
        start, limit = self.brief.opened_at, self.now - FRESHNESS
        gaps = [gap for gap, _ in steps]
        hours = [_working_hours(step) for _, step in steps]
        squeeze = min(1.0, (limit - start) / HOUR / sum(gaps)) if sum(gaps) else 1.0
        for scale, keep_hours in ((1.0, True), (squeeze, True), (squeeze, False)):
            moments = self._lay_out(start, gaps, hours if keep_hours else None, scale)
            if moments[-1] <= limit:
                return moments
        return moments

    def _lay_out(self, start, gaps, hours, scale) -> list[datetime]:
        moments, at = [], start
        for i, gap in enumerate(gaps):
            at = at + gap * scale * HOUR
            if hours and hours[i]:
                at = self._within(at, hours[i])
            moments.append(at)
        return moments

    def _within(self, at: datetime, hours: tuple[int, int]) -> datetime:
        """The same moment, or the start of the next stretch of `hours` (local time)."""
        local = at.astimezone(wording.LOCAL)
        opens, closes = hours
        if opens <= local.hour < closes:
            return at
        day = local if local.hour < opens else local + timedelta(days=1)
        wake = day.replace(hour=opens, minute=0, second=0, microsecond=0)
        return wake + self.timing.uniform(0, 150) * timedelta(minutes=1)

    def _settle_clock(self, opened: datetime, last: datetime) -> None:
        case = Case.objects.only("first_response_at", "solved_at").get(pk=self.case.pk)
        first_reply = (
            Message.objects.filter(case=case, kind="outbound")
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        Case.objects.filter(pk=case.pk).update(
            created_at=opened,
            updated_at=last,
            first_response_at=first_reply if case.first_response_at else None,
            solved_at=self.solved_at if case.solved_at else None,
        )

    # --- the steps ----------------------------------------------------------------------

    def customer_writes_in(self, at: datetime) -> None:
        b = self.brief
        subject = self._say(self.rng.choice(b.script.subjects[b.language]))
        opening = self._say(b.script.opening[b.language])
        if b.via_form:
            self.case = submit_contact_form(
                workspace=self.workspace,
                email=b.requester.email,
                name=b.requester.name,
                topic=b.script.topic,
                message=opening,
                order_number=b.order.external_id if b.order else "",
                language=b.language,
            )
            return
        if b.channel == "phone":
            actor = Actor(user=b.assignee) if b.assignee else ROUTING
        elif b.channel == "api":
            actor = MARKETPLACE
        else:
            actor = Actor(party=b.requester)
        self.case = open_case(
            workspace=self.workspace,
            subject=subject,
            body=self._customer(opening),
            requester=b.requester,
            actor=actor,
            channel=b.channel,
            order=b.order.order if b.order else None,
            priority=b.priority,
            language=b.language,
            topic=b.script.topic,
            tags=self._tags(),
        )

    def marketplace_reports(self, event_type: str, at: datetime) -> None:
        order = self.brief.order
        data = _event_data(order, event_type)
        record_order_event(
            workspace=self.workspace,
            order=order.order,
            type=event_type,
            occurred_at=at - self.rng.uniform(0.1, 6) * HOUR,
            data=data,
            external_id=f"{order.external_id}:{event_type}",
            actor=MARKETPLACE,
        )
        order.observe(event_type, at)

    def desk_routes(self, at: datetime) -> None:
        b = self.brief
        changes = {"team": b.team, "assignee": b.assignee}
        if b.via_form:
            # The web form knows neither priority nor tags; triage adds them.
            changes.update(priority=b.priority, tags=self._tags())
        update_case(case=self.case, actor=ROUTING, **changes)

    def customer_chases(self, at: datetime) -> None:
        self._customer_says(wording.CHASE[self.brief.language])

    def supervisor_escalates(self, at: datetime) -> None:
        lang = self.brief.language
        higher = "urgent" if self.brief.priority in ("high", "urgent") else "high"
        by = self.supervisor or self.brief.assignee
        update_case(case=self.case, actor=Actor(user=by), priority=higher)
        reason = self.rng.choice(wording.ESCALATION_REASONS[lang])
        add_internal_note(
            case=self.case, author=by, body=wording.ESCALATION_NOTE[lang].format(reason=reason)
        )

    def agent_replies(self, at: datetime) -> None:
        self._agent_says(self.brief.script.reply)

    def agent_replies_and_asks(self, at: datetime) -> None:
        s, lang = self.brief.script, self.brief.language
        self._agent_says(
            {lang: f"{s.reply[lang]}\n\n{s.ask[lang]}"}, status=Status.PENDING_CUSTOMER
        )

    def customer_answers(self, at: datetime) -> None:
        self._customer_says(self._say(self.brief.script.answer[self.brief.language]))

    def agent_notes_third_party(self, at: datetime) -> None:
        self._note(self.brief.script.third_party_note)

    def agent_notes_hold(self, at: datetime) -> None:
        self._note(self.brief.script.hold_note)

    def agent_sets_status(self, status: str, at: datetime) -> None:
        update_case(case=self.case, actor=Actor(user=self.brief.assignee), status=status)

    def marketplace_settles(self, at: datetime) -> None:
        """What the marketplace did to resolve it: a transfer went through, the parcel
        arrived, or money went back."""
        outcome, order = self.brief.script.outcome, self.brief.order
        if outcome == "transfer_done":
            self.marketplace_reports("booking.transfer_done", at)
        elif outcome == "delivered":
            self.marketplace_reports("shipment.delivered", at)
        elif outcome and outcome.startswith("refund"):
            amount = self.book.refund(order, how=outcome)
            record_order_event(
                workspace=self.workspace,
                order=order.order,
                type="payment.refunded",
                occurred_at=at,
                data={"amount": amount, "currency": order.spec.currency},
                external_id=f"{order.external_id}:payment.refunded",
                actor=MARKETPLACE,
            )
            self.words.update(order.context(self.brief.language))
            update_case(case=self.case, actor=MARKETPLACE, tags=[*self._tags(), "refunded"])

    def agent_solves(self, at: datetime) -> None:
        self._agent_says(self.brief.script.resolution, status=Status.SOLVED)
        self.solved_at = at

    def case_closes(self, at: datetime) -> None:
        update_case(case=self.case, actor=AUTO_CLOSE, status=Status.CLOSED)

    # --- words --------------------------------------------------------------------------

    def _say(self, template: str) -> str:
        return template.format_map(self.words)

    def _customer(self, text: str) -> str:
        b = self.brief
        return wording.customer_words(
            text, channel=b.channel, language=b.language, first=self.words["first"]
        )

    def _customer_says(self, text: str) -> None:
        b = self.brief
        receive_customer_message(
            case=self.case,
            party=b.requester,
            body=self._customer(text),
            channel=b.channel,
            language=b.language,
        )

    def _agent_says(self, text: dict[str, str], *, status: str | None = None) -> None:
        b = self.brief
        body = wording.agent_words(
            self._say(text[b.language]),
            channel=b.channel,
            language=b.language,
            first=self.words["first"],
            agent=b.assignee.name.split()[0],
        )
        reply_to_customer(case=self.case, author=b.assignee, body=body, status=status)

    def _note(self, text: dict[str, str]) -> None:
        add_internal_note(
            case=self.case, author=self.brief.assignee, body=self._say(text[self.brief.language])
        )

    def _tags(self) -> list[str]:
        tags = list(self.brief.script.tags)
        if self.brief.requester.is_vip:
            tags.append("vip")
        return tags


DESK_HOURS = (8, 21)
CUSTOMER_HOURS = (7, 23)
_DESK_STEPS = {
    "supervisor_escalates",
    "agent_replies",
    "agent_replies_and_asks",
    "agent_notes_third_party",
    "agent_notes_hold",
    "agent_sets_status",
    "agent_solves",
}
_CUSTOMER_STEPS = {"customer_writes_in", "customer_chases", "customer_answers"}


def _working_hours(step) -> tuple[int, int] | None:
    name = getattr(step, "func", step).__name__
    if name in _DESK_STEPS:
        return DESK_HOURS
    if name in _CUSTOMER_STEPS:
        return CUSTOMER_HOURS
    return None  # the marketplace and the desk's automations run around the clock


def _event_data(order: DemoOrder, event_type: str) -> dict:
    if event_type.startswith("booking.") and order.spec.bookings:
        return {"booking": order.spec.bookings[0].external_id}
    if event_type.startswith("shipment.") and order.spec.shipments:
        shipment = order.spec.shipments[0]
        return {
            "shipment": shipment.external_id,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
        }
    if event_type == "order.cancelled_by_seller":
        return {"reason": "seller_cancelled"}
    if event_type == "event.postponed":
        return {"booking": order.spec.bookings[0].external_id, "new_date": "to be announced"}
    return {}
