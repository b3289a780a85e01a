"""Buyer–seller disputes in the demo: at least one in every state of the process, one
frozen by the Stripe chargeback on its order, deadlines due soon and overdue.

Every step goes through the dispute services (opening, responses, the thread,
evidence, the deadline sweep with its `now` set to the moment the deadline lapsed), so
the events, timelines, notices and webhooks are what production writes. Like the case
stories, each step is then moved back to the moment it happened: its rows are re-dated,
each deadline it started is computed again from that moment with the workspace's
calendar, and the deadline in the notice it sent is rewritten to match.

Disputes grow out of the desk's own cases: each is opened on the order of an active
case whose story fits (a damaged parcel, a seller who backed out…), picked in case
number order, so the same seed gives the same disputes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.chargebacks.models import Chargeback
from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent, Message
from ombuds.core.models import Workspace
from ombuds.core.money import Money
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.deadlines import appeal_deadline, buyer_deadline, seller_deadline
from ombuds.disputes.models import (
    Decision,
    Dispute,
    DisputeEvent,
    DisputeMessage,
    Evidence,
    Offer,
    Reason,
    State,
    Visibility,
)
from ombuds.disputes.services import decisions, evidence, responses, settlement, thread
from ombuds.disputes.services.machine import due_next
from ombuds.disputes.services.notices import when
from ombuds.disputes.services.opening import open_dispute
from ombuds.disputes.services.sweep import due_ids, sweep_due_disputes
from ombuds.disputes.terms import terms_for
from ombuds.ledger.models import ApprovalRequest, MoneyAction, Transaction
from ombuds.ledger.tallies import rebuild_cost_tallies

from .dispute_words import FILES, say

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
_DEADLINES = ("contact_due_at", "seller_due_at", "buyer_due_at", "appeal_due_at")
AGENT_LIMIT = 10000  # what the default policy lets an agent refund
_MOMENTS = ("frozen_at", "seller_responded_at", "escalated_at", "ended_at")


@dataclass
class Thread:
    """One demo dispute while its story is told: who is who, and what it is about."""

    dispute: Dispute | None
    case: Case
    buyer: DisputeActor
    seller: DisputeActor
    agent: DisputeActor
    language: str
    words: dict = field(default_factory=dict)

    def say(self, key: str) -> str:
        return say(key, self.language, **self.words)


class DemoDisputes:
    """Tells the demo disputes; see the module's docstring."""

    def __init__(self, workspace: Workspace, *, now: datetime):
        self.workspace = workspace
        self.now = now
        self.terms = terms_for(workspace)
        self.used: set[int] = set()
        self._agents = {
            m.user_id: DisputeActor.agent(m)
            for m in Membership.objects.filter(workspace=workspace).select_related("user")
        }
        self.supervisor = next(a for a in self._agents.values() if a.member_role == "supervisor")

    # --- picking ---------------------------------------------------------------------

    def pick(self, tags: tuple[str, ...], *, opened_at: datetime, more: Q | None = None):
        """The first active case (by number) tagged like this whose order has a seller, no
        dispute, no chargeback and no money moved yet, opened before the dispute."""
        moved = Transaction.objects.filter(case=OuterRef("pk")).exclude(kind="capture")
        for tag in tags:
            case = (
                Case.objects.filter(
                    workspace=self.workspace,
                    tags__name=tag,
                    status__in=ACTIVE_STATUSES,
                    order__seller__isnull=False,
                    requester_id=F("order__buyer_id"),
                    created_at__lt=opened_at - HOUR,
                )
                .filter(more or Q())
                .exclude(order_id__in=self.used)
                .exclude(Exists(Dispute.objects.filter(order_id=OuterRef("order_id"))))
                .exclude(Exists(Chargeback.objects.filter(order_id=OuterRef("order_id"))))
                .exclude(Exists(moved))
                .select_related("order__buyer", "order__seller", "assignee")
                .order_by("number")
                .first()
            )
            if case is not None:
                return self.cast(case)
        return None

    def cast(self, case: Case) -> Thread:
        order = case.order
        self.used.add(order.pk)
        agent = self._agents.get(case.assignee_id) or self.supervisor
        return Thread(
            dispute=None,
            case=case,
            buyer=DisputeActor.buyer(order.buyer),
            seller=DisputeActor.seller(order.seller) if order.seller_id else None,
            agent=agent,
            language="nl" if (order.buyer.language or "").startswith("nl") else "en",
            words={"order": order.external_id},
        )

    def ago(self, hours: float) -> datetime:
        return self.now - hours * HOUR

    # --- telling ---------------------------------------------------------------------

    def step(self, t: Thread, at: datetime, do: Callable[[], object]):
        """Take one step through a service, then move what it wrote back to `at`."""
        if at > self.now - 10 * timedelta(minutes=1):
            raise ValueError(f"a demo dispute step at {at} would look like it happened just now")
        began = timezone.now()
        before = (
            {n: getattr(t.dispute, n) for n in _DEADLINES}
            if t.dispute is not None
            else dict.fromkeys(_DEADLINES)
        )
        result = do()
        if t.dispute is None:
            t.dispute = result
        self._redate(t, began, at, before)
        return result

    def open(self, t: Thread, at: datetime, *, reason: str, desired: str, share: float, **kw):
        order = t.case.order
        amount = Money(round(order.total * share), order.currency)
        by = kw.pop("by", t.buyer)
        description = t.say(kw.pop("claim"))
        return self.step(
            t,
            at,
            lambda: open_dispute(
                workspace=self.workspace,
                order=order,
                actor=by,
                reason=reason,
                description=description,
                desired_outcome=desired,
                amount=amount,
                idempotency_key=f"demo-dispute-{order.external_id}",
                **kw,
            ),
        )

    def write(self, t: Thread, at: datetime, who: DisputeActor, key: str, visibility: str):
        self.step(
            t,
            at,
            lambda: thread.post_message(
                dispute=t.dispute, actor=who, body=t.say(key), visibility=visibility
            ),
        )

    def attach(self, t: Thread, at: datetime, who: DisputeActor, key: str, note: str = ""):
        name, content_type, content = FILES[key]
        self.step(
            t,
            at,
            lambda: evidence.submit_evidence(
                dispute=t.dispute,
                actor=who,
                text=t.say(note) if note else "",
                files=[IncomingFile(name, content_type, content.encode())],
            ),
        )

    def sweep(self, t: Thread, at: datetime) -> None:
        """The deadline sweep as it ran at `at`, when only this dispute was due."""
        due = due_ids(at)
        if due != [t.dispute.pk]:
            raise RuntimeError(
                f"demo plan: the sweep at {at} would move {len(due)} disputes, not only "
                f"{t.dispute.reference}"
            )
        self.step(t, at, lambda: sweep_due_disputes(now=at))

    def colleague(self, t: Thread) -> DisputeActor:
        """Another member of the desk than the one who decided, to review the appeal."""
        decided_by = t.dispute.decisions.get().decided_by_id
        others = [a for a in self._agents.values() if a.user.pk != decided_by]
        return next((a for a in others if a.member_role == "supervisor"), others[0])

    def to_mediation(self, t: Thread, at: datetime, *, contest: str, escalate: str, **kw):
        """The seller contests, then the buyer asks the platform to step in."""
        self.step(
            t,
            at,
            lambda: responses.contest_claim(
                dispute=t.dispute, actor=t.seller, statement=t.say(contest), **kw
            ),
        )
        self.step(
            t,
            at + 14 * HOUR,
            lambda: responses.escalate_dispute(
                dispute=t.dispute, actor=t.buyer, note=t.say(escalate)
            ),
        )

    def decide(self, t: Thread, at: datetime, *, outcome: str, share: float, key: str):
        """The dispute's agent decides, or the supervisor when what it pays is beyond an
        agent's authority; the seller bears it."""
        order = t.case.order
        amount = Money(round(order.total * share), order.currency) if share else None
        paid = t.dispute.amount if outcome == "full_refund" else round(order.total * share)
        by = t.agent if paid <= AGENT_LIMIT else self.supervisor
        return self.step(
            t,
            at,
            lambda: decisions.decide_dispute(
                dispute=t.dispute,
                actor=by,
                outcome=outcome,
                amount=amount,
                bearer="seller",
                statement=t.say(key),
                idempotency_key=f"demo-decision-{order.external_id}",
            ),
        )

    def appeal(self, t: Thread, at: datetime, who: DisputeActor, key: str) -> None:
        self.step(
            t,
            at,
            lambda: decisions.appeal_decision(dispute=t.dispute, actor=who, grounds=t.say(key)),
        )

    def deadline_from(self, start: datetime, *, seller: bool) -> datetime:
        """When a party asked at `start` must have answered."""
        make = seller_deadline if seller else buyer_deadline
        return make(self.workspace, start, self.terms)

    # --- re-dating -------------------------------------------------------------------

    def _again(self, name: str, at: datetime) -> datetime:
        if name == "contact_due_at":
            return at + self.terms.contact_hours * HOUR
        if name == "seller_due_at":
            return seller_deadline(self.workspace, at, self.terms)
        if name == "buyer_due_at":
            return buyer_deadline(self.workspace, at, self.terms)
        return appeal_deadline(at, self.terms)

    def _redate(self, t: Thread, began: datetime, at: datetime, before: dict) -> None:
        dispute = Dispute.objects.select_related("workspace").get(pk=t.dispute.pk)
        recent = {"dispute": dispute, "created_at__gte": began}
        DisputeEvent.objects.filter(**recent).update(created_at=at)
        DisputeMessage.objects.filter(**recent).update(created_at=at)
        Evidence.objects.filter(**recent).update(created_at=at)
        Evidence.objects.filter(dispute=dispute, locked_at__gte=began).update(locked_at=at)
        Offer.objects.filter(**recent).update(created_at=at)
        Offer.objects.filter(dispute=dispute, answered_at__gte=began).update(answered_at=at)
        Decision.objects.filter(**recent).update(created_at=at)
        # The money a step moved, on the dispute's case, at the same moment.
        money = {"case_id": dispute.case_id, "created_at__gte": began}
        Transaction.objects.filter(**money).update(created_at=at)
        MoneyAction.objects.filter(**money).update(created_at=at)
        ApprovalRequest.objects.filter(**money).update(created_at=at)
        CaseEvent.objects.filter(case_id=dispute.case_id, created_at__gte=began).update(
            created_at=at
        )
        changed = []
        for name in _DEADLINES:
            written = getattr(dispute, name)
            if written is not None and written != before[name]:
                setattr(dispute, name, self._again(name, at))
                changed.append((written, getattr(dispute, name)))
        for name in _MOMENTS:
            moment = getattr(dispute, name)
            if moment is not None and moment >= began:
                setattr(dispute, name, at)
        if dispute.created_at >= began:
            dispute.created_at = at
        dispute.updated_at = at
        dispute.next_due_at = due_next(dispute)
        dispute.save(
            update_fields=[*_DEADLINES, *_MOMENTS, "created_at", "updated_at", "next_due_at"]
        )
        messages = Message.objects.filter(case_id=dispute.case_id, created_at__gte=began)
        if changed:
            self._reword(dispute, messages, changed)
        messages.update(created_at=at)
        Case.objects.filter(pk=dispute.case_id, updated_at__lt=at).update(updated_at=at)
        t.dispute = dispute

    def _reword(self, dispute: Dispute, messages, changed) -> None:
        """The notice named the deadline the service computed; name the re-dated one."""
        for message in messages:
            text, html = message.body_text, message.body_html
            for written, moved in changed:
                for language in ("en", "nl"):
                    old, new = when(dispute, written, language), when(dispute, moved, language)
                    text, html = text.replace(old, new), html.replace(old, new)
            if (text, html) != (message.body_text, message.body_html):
                Message.objects.filter(pk=message.pk).update(body_text=text, body_html=html)


# --- the stories ------------------------------------------------------------------------

# Who reads a message: both parties, the buyer or the seller (with us), or only us.
BOTH, BUYER, SELLER, US = (
    Visibility.PARTIES,
    Visibility.BUYER,
    Visibility.SELLER,
    Visibility.INTERNAL,
)


def buyer_tries_seller_first(demo: DemoDisputes) -> None:
    """Awaiting contact, due within hours: a cracked lamp shade, photos on the dispute."""
    opened = demo.ago(40)
    t = demo.pick(("damaged",), opened_at=opened)
    if t is None:
        return
    demo.open(
        t, opened, reason=Reason.DAMAGED, desired="partial_refund", share=0.3, claim="damaged.claim"
    )
    demo.write(t, opened + 0.2 * HOUR, t.buyer, "damaged.buyer_to_seller", BOTH)
    demo.write(t, demo.ago(26), t.seller, "damaged.seller_asks", BOTH)
    demo.attach(t, demo.ago(22), t.buyer, "damaged.photos", note="damaged.photo_note")


def buyer_just_opened(demo: DemoDisputes) -> None:
    """Awaiting contact, opened this morning: a parcel the tracking calls delivered."""
    opened = demo.ago(5)
    t = demo.pick(("courier-claim", "delivery"), opened_at=opened)
    if t is not None:
        demo.open(
            t,
            opened,
            reason=Reason.NOT_RECEIVED,
            desired="full_refund",
            share=1.0,
            claim="missing.claim",
        )


def agent_opens_for_buyer(demo: DemoDisputes) -> None:
    """Awaiting the seller, their deadline the soonest still ahead: tickets not sent."""
    opened = _opening_for(demo, lambda at: demo.deadline_from(at, seller=True), ahead=True)
    t = demo.pick(("transfer", "tickets"), opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        by=t.agent,
        reason=Reason.TICKET_LATE,
        desired="full_refund",
        share=1.0,
        claim="tickets.claim",
        channel="phone",
    )
    demo.write(t, opened + 0.1 * HOUR, t.agent, "tickets.internal", US)


def seller_lets_deadline_pass(demo: DemoDisputes) -> None:
    """Awaiting the seller, overdue: the contact period ran out, the seller said nothing;
    the next sweep escalates it."""
    contact = demo.terms.contact_hours * HOUR
    opened = _opening_for(
        demo, lambda at: demo.deadline_from(at + contact, seller=True), ahead=False
    )
    t = demo.pick(("lost", "courier-claim", "late", "delivery"), opened_at=opened)
    if t is None:
        return
    demo.open(
        t, opened, reason=Reason.NOT_RECEIVED, desired="full_refund", share=1.0, claim="lost.claim"
    )
    demo.sweep(t, opened + contact + 0.02 * HOUR)
    demo.write(t, opened + contact + 20 * HOUR, t.buyer, "lost.buyer_chases", BUYER)


def seller_offers_part(demo: DemoDisputes) -> None:
    """Offer pending: the seller offers part of the price back; the buyer asks us."""
    opened = demo.ago(60)
    t = demo.pick(("damaged", "return"), opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        reason=Reason.NOT_AS_DESCRIBED,
        desired="partial_refund",
        share=0.4,
        claim="scratched.claim",
    )
    order = t.case.order
    demo.step(
        t,
        opened + 9 * HOUR,
        lambda: responses.propose_offer(
            dispute=t.dispute,
            actor=t.seller,
            kind="partial_refund",
            amount=Money(round(order.total * 0.25), order.currency),
            note=t.say("scratched.offer"),
            idempotency_key=f"demo-offer-{order.external_id}",
        ),
    )
    demo.write(t, opened + 20 * HOUR, t.buyer, "scratched.buyer_asks_platform", BUYER)
    demo.write(t, opened + 23 * HOUR, t.agent, "scratched.agent_answers", BUYER)


def seller_contests(demo: DemoDisputes) -> None:
    """Contested: the seller has the courier's proof of delivery."""
    opened = demo.ago(4 * 24)
    t = demo.pick(("courier-claim", "delivery"), opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        reason=Reason.NOT_RECEIVED,
        desired="full_refund",
        share=1.0,
        claim="signed.claim",
    )
    name, content_type, content = FILES["signed.proof"]
    demo.step(
        t,
        opened + 30 * HOUR,
        lambda: responses.contest_claim(
            dispute=t.dispute,
            actor=t.seller,
            statement=t.say("signed.contest"),
            files=[IncomingFile(name, content_type, content.encode())],
        ),
    )
    demo.write(t, opened + 40 * HOUR, t.buyer, "signed.buyer_answers", BOTH)


def silent_seller_escalates(demo: DemoDisputes) -> None:
    """In mediation by the sweep: the seller let their deadline pass; the mediator writes
    to each side and keeps a note for colleagues."""
    opened = demo.ago(12 * 24)
    t = demo.pick(("late",), opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        reason=Reason.LATE_DELIVERY,
        desired="full_refund",
        share=1.0,
        claim="late.claim",
    )
    contact_over = opened + demo.terms.contact_hours * HOUR + 0.02 * HOUR
    demo.sweep(t, contact_over)
    demo.sweep(t, t.dispute.seller_due_at + 0.02 * HOUR)
    escalated = t.dispute.escalated_at
    demo.write(t, escalated + 15 * HOUR, t.agent, "late.internal", US)
    demo.write(t, escalated + 15.2 * HOUR, t.agent, "late.agent_to_seller", SELLER)
    demo.write(t, escalated + 15.4 * HOUR, t.agent, "late.agent_to_buyer", BUYER)


def buyer_escalates_contest(demo: DemoDisputes) -> None:
    """In mediation at the buyer's request: the seller who backed out contests."""
    opened = demo.ago(8 * 24)
    t = demo.pick(("seller-cancelled",), opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        by=t.agent,
        reason=Reason.SELLER_CANCELLED,
        desired="full_refund",
        share=1.0,
        claim="cancelled.claim",
    )
    demo.step(
        t,
        opened + 20 * HOUR,
        lambda: responses.contest_claim(
            dispute=t.dispute, actor=t.seller, statement=t.say("cancelled.contest")
        ),
    )
    demo.step(
        t,
        opened + 30 * HOUR,
        lambda: responses.escalate_dispute(
            dispute=t.dispute, actor=t.buyer, note=t.say("cancelled.escalate")
        ),
    )
    demo.write(t, opened + 33 * HOUR, t.agent, "cancelled.internal", US)
    demo.write(t, opened + 33.5 * HOUR, t.agent, "cancelled.agent_to_seller", SELLER)


def platform_takes_billing(demo: DemoDisputes) -> None:
    """In mediation from the start: a duplicate charge is the platform's own problem."""
    opened = demo.ago(30)
    t = demo.pick(("duplicate-charge",), opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        by=t.agent,
        reason=Reason.DUPLICATE_CHARGE,
        desired="partial_refund",
        share=0.5,
        claim="twice.claim",
    )
    demo.write(t, opened + 0.3 * HOUR, t.agent, "twice.internal", US)


def buyer_withdraws(demo: DemoDisputes) -> None:
    """Withdrawn: the parcel turned up after all."""
    opened = demo.ago(6 * 24)
    t = demo.pick(("late", "delivery"), opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        reason=Reason.LATE_DELIVERY,
        desired="full_refund",
        share=1.0,
        claim="arrived.claim",
    )
    demo.write(t, opened + 7 * HOUR, t.seller, "arrived.seller", BOTH)
    demo.step(
        t,
        opened + 30 * HOUR,
        lambda: responses.withdraw_dispute(
            dispute=t.dispute, actor=t.buyer, note=t.say("arrived.withdraw")
        ),
    )


def offer_lapses(demo: DemoDisputes) -> None:
    """Closed by the sweep: the buyer never answered the seller's credit offer."""
    opened = demo.ago(11 * 24)
    t = demo.pick(("postponed", "tickets"), opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        reason=Reason.EVENT_CANCELLED,
        desired="full_refund",
        share=1.0,
        claim="postponed.claim",
    )
    order = t.case.order
    demo.step(
        t,
        opened + 18 * HOUR,
        lambda: responses.propose_offer(
            dispute=t.dispute,
            actor=t.seller,
            kind="credit",
            amount=Money(order.total, order.currency),
            note=t.say("postponed.offer"),
            idempotency_key=f"demo-offer-{order.external_id}",
        ),
    )
    demo.sweep(t, t.dispute.buyer_due_at + 0.02 * HOUR)


def chargeback_freezes(demo: DemoDisputes) -> None:
    """Frozen: the buyer opened a dispute after asking the bank too; the Stripe
    chargeback on the order freezes it as it opens."""
    chargeback = (
        Chargeback.objects.filter(workspace=demo.workspace, state="needs_response")
        .select_related("case__order__buyer", "case__order__seller", "case__assignee")
        .order_by("pk")
        .first()
    )
    if chargeback is None or chargeback.case is None or chargeback.case.order is None:
        return
    t = demo.cast(chargeback.case)
    opened = max(chargeback.created_at + 20 * HOUR, demo.ago(30))
    demo.open(
        t,
        opened,
        by=t.agent,
        reason=Reason.NOT_RECEIVED,
        desired="full_refund",
        share=1.0,
        claim="frozen.claim",
    )
    demo.write(t, opened + 0.2 * HOUR, t.agent, "frozen.internal", US)
    demo.write(t, opened + 0.4 * HOUR, t.agent, "frozen.agent_to_buyer", BUYER)


# --- decided, appealed, settled ---------------------------------------------------------
# Picked among orders the supervisor may refund in full, so their money moves at once.
WITHIN_REACH = Q(order__total__lte=50000)
# Cases about an item that came and disappointed, the parcel stories as a last resort.
GOODS = ("return", "refund", "damaged", "courier-claim")


def seller_must_refund(demo: DemoDisputes) -> None:
    """Decided, in the appeal window: a jacket not the size it was sold as; a full
    refund at the seller's cost, with the reasons in writing."""
    opened = demo.ago(7 * 24)
    t = demo.pick(GOODS, opened_at=opened, more=WITHIN_REACH)
    if t is None:
        return
    demo.open(
        t,
        opened,
        reason=Reason.NOT_AS_DESCRIBED,
        desired="full_refund",
        share=1.0,
        claim="wrongsize.claim",
    )
    demo.to_mediation(
        t, opened + 20 * HOUR, contest="wrongsize.contest", escalate="wrongsize.escalate"
    )
    demo.decide(t, opened + 4 * 24 * HOUR, outcome="full_refund", share=0, key="wrongsize.decision")


def buyer_appeals_no_refund(demo: DemoDisputes) -> None:
    """Under appeal: the proof of delivery decided it for the seller; the buyer appeals."""
    opened = demo.ago(6 * 24)
    t = demo.pick(("courier-claim", "delivery", "lost", "late"), opened_at=opened)
    if t is None:
        return
    demo.open(
        t, opened, reason=Reason.NOT_RECEIVED, desired="full_refund", share=1.0, claim="porch.claim"
    )
    name, content_type, content = FILES["signed.proof"]
    demo.to_mediation(
        t,
        opened + 26 * HOUR,
        contest="porch.contest",
        escalate="porch.escalate",
        files=[IncomingFile(name, content_type, content.encode())],
    )
    demo.decide(t, opened + 3 * 24 * HOUR, outcome="no_refund", share=0, key="porch.decision")
    demo.appeal(t, opened + 4 * 24 * HOUR, t.buyer, "porch.grounds")


def appeal_upheld(demo: DemoDisputes) -> None:
    """Closed after review: a broken vase, half back at the seller's cost; the seller
    appeals and a colleague upholds the decision."""
    opened = demo.ago(9 * 24)
    t = demo.pick(("damaged", "return", "courier-claim"), opened_at=opened, more=WITHIN_REACH)
    if t is None:
        return
    demo.open(
        t, opened, reason=Reason.DAMAGED, desired="full_refund", share=1.0, claim="vase.claim"
    )
    demo.attach(t, opened + 0.5 * HOUR, t.buyer, "vase.photos")
    demo.to_mediation(t, opened + 22 * HOUR, contest="vase.contest", escalate="vase.escalate")
    demo.decide(t, opened + 3 * 24 * HOUR, outcome="partial_refund", share=0.5, key="vase.decision")
    demo.appeal(t, opened + 4 * 24 * HOUR, t.seller, "vase.grounds")
    demo.step(
        t,
        opened + 6 * 24 * HOUR,
        lambda: decisions.review_appeal(
            dispute=t.dispute,
            actor=demo.colleague(t),
            verdict="uphold",
            statement=t.say("vase.review"),
        ),
    )


def appeal_revised(demo: DemoDisputes) -> None:
    """Closed after review: no refund at first; the buyer's repair report on appeal
    turns it into a partial refund at the seller's cost."""
    opened = demo.ago(8 * 24)
    t = demo.pick(GOODS, opened_at=opened, more=WITHIN_REACH)
    if t is None:
        return
    demo.open(
        t,
        opened,
        reason=Reason.NOT_AS_DESCRIBED,
        desired="full_refund",
        share=1.0,
        claim="console.claim",
    )
    demo.to_mediation(t, opened + 30 * HOUR, contest="console.contest", escalate="console.escalate")
    demo.decide(t, opened + 3 * 24 * HOUR, outcome="no_refund", share=0, key="console.decision")
    demo.attach(t, opened + 4 * 24 * HOUR, t.buyer, "console.report")
    demo.appeal(t, opened + 4.1 * 24 * HOUR, t.buyer, "console.grounds")
    order = t.case.order
    demo.step(
        t,
        opened + 6 * 24 * HOUR,
        lambda: decisions.review_appeal(
            dispute=t.dispute,
            actor=demo.colleague(t),
            verdict="revise",
            statement=t.say("console.review"),
            outcome="partial_refund",
            amount=Money(round(order.total * 0.4), order.currency),
            bearer="seller",
        ),
    )


def seller_accepts(demo: DemoDisputes) -> None:
    """Resolved: the seller forgot the charger and accepts the claim."""
    opened = demo.ago(9 * 24)
    t = demo.pick(GOODS, opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        reason=Reason.NOT_AS_DESCRIBED,
        desired="partial_refund",
        share=0.2,
        claim="missingpart.claim",
    )
    demo.step(
        t,
        opened + 6 * HOUR,
        lambda: settlement.accept_claim(
            dispute=t.dispute, actor=t.seller, note=t.say("missingpart.accept")
        ),
    )


def buyer_takes_offer(demo: DemoDisputes) -> None:
    """Resolved: a stain on the hem; the buyer accepts the seller's partial refund."""
    opened = demo.ago(5 * 24)
    t = demo.pick(GOODS, opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        reason=Reason.NOT_AS_DESCRIBED,
        desired="partial_refund",
        share=0.3,
        claim="stain.claim",
    )
    order = t.case.order
    demo.step(
        t,
        opened + 10 * HOUR,
        lambda: responses.propose_offer(
            dispute=t.dispute,
            actor=t.seller,
            kind="partial_refund",
            amount=Money(round(order.total * 0.2), order.currency),
            note=t.say("stain.offer"),
            idempotency_key=f"demo-offer-{order.external_id}",
        ),
    )
    demo.write(t, opened + 14.9 * HOUR, t.buyer, "stain.thanks", BOTH)
    demo.step(
        t, opened + 15 * HOUR, lambda: settlement.accept_offer(dispute=t.dispute, actor=t.buyer)
    )


def agent_resolves(demo: DemoDisputes) -> None:
    """Resolved by the desk: the parcel was stuck on an address; the courier delivered
    it once the agent gave them the house number."""
    opened = demo.ago(6 * 24)
    t = demo.pick(("late", "delivery", "lost", "courier-claim"), opened_at=opened)
    if t is None:
        return
    demo.open(
        t,
        opened,
        by=t.agent,
        reason=Reason.NOT_RECEIVED,
        desired="full_refund",
        share=1.0,
        claim="customs.claim",
        channel="phone",
    )
    demo.write(t, opened + 20 * HOUR, t.agent, "customs.agent_to_buyer", BUYER)
    demo.write(t, opened + 46 * HOUR, t.buyer, "customs.buyer", BUYER)
    demo.step(
        t,
        opened + 47 * HOUR,
        lambda: settlement.resolve_dispute(
            dispute=t.dispute, actor=t.agent, note=t.say("customs.resolve")
        ),
    )


def _opening_for(demo: DemoDisputes, deadline_of, *, ahead: bool) -> datetime:
    """An opening on the hour, 1–10 days back, whose deadline is the soonest still
    ahead of now (`ahead`), or the most recent one already passed. Deadlines only move
    later with a later opening, so going back an hour at a time finds it."""
    chosen = demo.ago(24)
    for hours in range(24, 240):
        at = demo.ago(hours)
        due = deadline_of(at)
        if ahead:
            if due <= demo.now + HOUR:
                return chosen
            chosen = at
        elif due < demo.now - HOUR:
            return at
    return chosen


STORIES = (
    # Oldest first: a sweep in the past must never meet a deadline left for the desk.
    offer_lapses,
    silent_seller_escalates,
    buyer_escalates_contest,
    buyer_withdraws,
    seller_lets_deadline_pass,
    seller_contests,
    seller_offers_part,
    buyer_tries_seller_first,
    agent_opens_for_buyer,
    platform_takes_billing,
    chargeback_freezes,
    buyer_just_opened,
    # No sweep after these: their deadlines are passed ones or far ahead.
    seller_must_refund,
    buyer_appeals_no_refund,
    appeal_upheld,
    appeal_revised,
    seller_accepts,
    buyer_takes_offer,
    agent_resolves,
)


def open_demo_disputes(workspace: Workspace, *, now: datetime) -> dict[str, int]:
    """Tell every demo dispute; a count per state."""
    from .builder import settle_history  # the builder calls this module

    demo = DemoDisputes(workspace, now=now)
    for story in STORIES:
        story(demo)
    # The notices went out when they were written, not when the demo loads; the cost
    # report counts the disputes' money in the months it was re-dated to.
    settle_history(workspace)
    rebuild_cost_tallies(workspace=workspace)
    counts: dict[str, int] = {}
    for state in Dispute.objects.filter(workspace=workspace).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return {f"disputes_{State(s).value}": n for s, n in counts.items()}
