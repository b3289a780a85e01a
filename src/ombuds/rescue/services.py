"""Climbing the rescue ladder of a failed booking, one step at a time.

1. make the original booking work: a coordination task with the booking's third party
   (venue, hotel, airline) and a message to the seller;
2. propose alternatives, each with its cost against the ladder's rebooking budget;
3. rebook one of them (the ledger's `pay_rebooking`: within budget it is paid, above it
   the step waits for an approval); until then the buyer may say in the portal which
   one they prefer, and the agent is told;
4. refund (`refund_buyer`, never above what the payments captured minus refunds);
5. compensation credit (`credit_buyer`, held to the compensation budget).

Steps are taken in order: a step is closed (done or failed) before the next opens, and
nothing goes back down. Who bears the cost follows the fault rules for the ladder's
reason (a refused transfer or a seller backing out is the seller's error). Every step is
on the case timeline with its cost, and the buyer is told, in their language, each time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ombuds.accounts.models import Membership
from ombuds.automation.coordination import create_task, email_party
from ombuds.automation.macros.services import reply_with_macro
from ombuds.automation.models import Macro
from ombuds.automation.notifications import notify, recipients_for
from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Status
from ombuds.conversations.services import reply_to_customer, update_case
from ombuds.core.errors import ApplicationError, Conflict, NotFound
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.events import APPROVAL_DECIDED
from ombuds.ledger.models import ActionStatus, ApprovalRequest
from ombuds.ledger.services.actions import credit_buyer, pay_rebooking, refund_buyer
from ombuds.marketplace.models import Order, Party
from ombuds.policies.models import BudgetKind, Cause, Reason
from ombuds.policies.selectors import current_policy

from .models import Ladder, LadderStatus, Step, StepKind, StepStatus, Trigger

SENDER = "Rescue"
MAX_NOTE = 2000
MAX_OPTIONS = 5
# The dispute reason code each trigger is reported under, and the finding behind it.
REASONS = {
    Trigger.TRANSFER_REFUSED: (Reason.TRANSFER_REFUSED, Cause.TRANSFER_NOT_MADE),
    Trigger.SELLER_BACKED_OUT: (Reason.SELLER_CANCELLED, Cause.SELLER_CANCELLED),
    Trigger.NOT_HONOURED: (Reason.BOOKING_NOT_HONOURED, Cause.SELLER_ERROR),
}


def _refuse(code: str, message: str, status: int = 409, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details or None, status=status)


def _note(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise _refuse("note_too_long", f"A note holds at most {MAX_NOTE:,} characters.", 422)
    return text


def _money_actor(ladder: Ladder, actor: Actor, role: str | None) -> MoneyActor:
    """An agent is held to their role's authority; the system acts by policy."""
    if actor.user is None:
        return MoneyActor.system(actor.label or "rescue")
    if role is None:
        membership = Membership.objects.filter(
            workspace_id=ladder.workspace_id, user=actor.user
        ).first()
        role = membership.role if membership else None
    return MoneyActor(user=actor.user, role=role, label=actor.label)


def _lock(ladder: Ladder) -> Ladder:
    return (
        Ladder.objects.select_for_update(of=("self",))
        .select_related("workspace", "case", "order", "order__buyer", "order__seller")
        .get(pk=ladder.pk)
    )


def _current(ladder: Ladder) -> Step:
    return Step.objects.select_for_update().get(ladder=ladder, number=ladder.step)


def _expect(ladder: Ladder, number: int, *, open_only: bool = True) -> Step:
    """The ladder's current step, if it is `number` and open; otherwise a refusal."""
    if not ladder.is_running:
        raise _refuse(
            "ladder_finished", "This rescue is over; start a new one if the booking failed again."
        )
    if ladder.step != number:
        current = StepKind(ladder.step).label
        wanted = StepKind(number).label
        raise _refuse(
            "wrong_step",
            f"The rescue is at step {ladder.step} ({current}); '{wanted}' is step {number}.",
            step=ladder.step,
            wanted=number,
        )
    step = _current(ladder)
    if open_only and step.status != StepStatus.OPEN:
        raise _refuse(
            "step_waiting",
            "This step waits for an approval; it goes on once the approval is decided.",
            step=step.number,
        )
    return step


def _record(ladder: Ladder, step: Step, actor: Actor, what: str, **data) -> None:
    events.record(
        ladder.case,
        f"rescue.{what}",
        actor,
        after=step.status,
        data={
            "ladder": ladder.pk,
            "step": step.number,
            "cost": step.cost,
            "currency": ladder.currency,
            **data,
        },
    )


def _close(step: Step, status: str, actor: Actor, now, **fields) -> None:
    step.status = status
    step.closed_at = now
    step.actor_user = actor.user
    step.actor_label = (actor.label or str(actor))[:100]
    for name, value in fields.items():
        setattr(step, name, value)
    step.save()


def _open(ladder: Ladder, number: int, now, **fields) -> Step:
    ladder.step = number
    ladder.save(update_fields=["step"])
    return Step.objects.create(
        workspace_id=ladder.workspace_id, ladder=ladder, number=number, opened_at=now, **fields
    )


def _finish(ladder: Ladder, status: str, now) -> None:
    ladder.status = status
    ladder.ended_at = now
    ladder.save(update_fields=["status", "ended_at"])


# --- telling the buyer ---------------------------------------------------------------


def _language(ladder: Ladder) -> str:
    buyer = ladder.order.buyer
    for code in (buyer.language, ladder.case.language, ladder.workspace.default_language):
        code = (code or "").split("-")[0].lower()
        if code in dict(settings.LANGUAGES):
            return code
    return "en"


def _amount(amount: int, currency: str) -> str:
    return str(Money(amount, currency))


def _text(kind: str, values: dict) -> str:
    texts = {
        "started": _(
            "We are sorry your booking %(booking)s did not work out. We are asking %(seller)s "
            "and %(provider)s to put it right, and will keep you posted."
        ),
        "original_worked": _(
            "Good news: your original booking %(booking)s is sorted out. Nothing else is "
            "needed from you."
        ),
        "original_failed": _(
            "Your original booking %(booking)s could not be saved. We are looking for an "
            "alternative for you now."
        ),
        "alternatives": _(
            "We found these alternatives for %(booking)s: %(options)s. We will book the best "
            "one for you."
        ),
        "rebooked": _(
            "We booked %(option)s for you instead, at no extra cost to you. The details follow."
        ),
        "rebooking_waits": _(
            "We would like to book %(option)s for you. It costs more than usual, so a "
            "colleague approves it first; we will confirm shortly."
        ),
        "rebooking_refused": _(
            "We could not book the alternative for you. We will refund you instead."
        ),
        "no_rebooking": _("We could not find a suitable alternative; we will refund you instead."),
        "refunded": _("We refunded %(amount)s to you for %(booking)s."),
        "refund_waits": _(
            "A refund of %(amount)s for %(booking)s is being approved by the team; we will "
            "confirm it shortly."
        ),
        "credited": _(
            "To make up for the trouble, you receive %(amount)s in store credit for your "
            "next purchase."
        ),
        "credit_waits": _(
            "We would like to give you %(amount)s in store credit for the trouble; a colleague "
            "approves it first."
        ),
    }
    return " ".join((texts[kind] % values).split())


def tell_buyer(ladder: Ladder, kind: str, **extra) -> None:
    """Answer the buyer on the case, with the workspace's own wording when it has a macro
    `rescue-<kind>` (for example `rescue-rebooked`)."""
    case = ladder.case
    actor = Actor.system(SENDER)
    macro = (
        Macro.objects.filter(
            workspace_id=ladder.workspace_id,
            key=f"rescue-{kind.replace('_', '-')}",
            is_active=True,
        )
        .select_related("current")
        .first()
    )
    if macro is not None and macro.current is not None:
        reply_with_macro(case=case, version=macro.current, actor=actor)
        return
    booking = ladder.order.bookings.first()
    with translation.override(_language(ladder)):
        values = {
            "booking": booking.title if booking else ladder.order.external_id,
            "seller": str(ladder.order.seller) if ladder.order.seller_id else _("the seller"),
            "provider": str(booking.third_party)
            if booking and booking.third_party_id
            else _("the provider"),
            **extra,
        }
        body = _text(kind, values)
    reply_to_customer(case=case, actor=actor, body=body, meta={"rescue": ladder.pk})


# --- the steps ------------------------------------------------------------------------


@transaction.atomic
def start_ladder(*, case: Case, order: Order, actor: Actor, reason: str) -> Ladder:
    """Step 1: ask the seller and the booking's third party to make the original work."""
    if order.workspace_id != case.workspace_id:
        raise NotFound("order", order.external_id)
    if reason not in Trigger.values:
        raise _refuse(
            "unknown_reason", f"{reason!r} is not a reason.", 422, allowed=list(Trigger.values)
        )
    booking = order.bookings.select_related("third_party").first()
    if booking is None:
        raise _refuse("no_booking", "The rescue ladder is for orders with a booking.", 422)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if Ladder.objects.filter(case=case, order=order, status=LadderStatus.RUNNING).exists():
        raise Conflict("ladder_running", "A rescue is already under way for this booking.")
    policy = current_policy(case.workspace)
    total = Money(order.total, order.currency)
    now = timezone.now()
    ladder = Ladder.objects.create(
        workspace_id=case.workspace_id,
        case=case,
        order=order,
        reason=reason,
        currency=order.currency,
        rebooking_budget=policy.budget(BudgetKind.REBOOKING, total).amount,
        compensation_budget=policy.budget(BudgetKind.COMPENSATION, total).amount,
        policy_number=policy.number,
        opened_by=actor.user,
        opened_at=now,
    )
    tasks = []
    title = _("Make booking %(booking)s work for the buyer (%(reason)s)") % {
        "booking": booking.confirmation_code or booking.title,
        "reason": Trigger(reason).label,
    }
    # Each party gets a coordination task and, where it has an address, an email on that
    # task's thread: its reply links back to the task (`automation.coordination`).
    if booking.third_party_id:
        task = create_task(case=case, title=title, actor=actor, party=booking.third_party)
        tasks.append(task)
        if booking.third_party.email:
            email_party(
                task=task,
                body=_(
                    "Hello,\n\nThe reservation %(code)s (%(title)s) was resold to %(buyer)s, "
                    "and the transfer to their name did not go through. Could you put the "
                    "booking in their name, or tell us what is needed?\n\nThank you."
                )
                % {
                    "code": booking.confirmation_code or "—",
                    "title": booking.title,
                    "buyer": order.buyer.name,
                },
                actor=actor,
            )
    if order.seller_id:
        seller_title = _("Seller %(seller)s: complete the transfer of %(booking)s") % {
            "seller": order.seller.name,
            "booking": booking.title,
        }
        task = create_task(case=case, title=seller_title, actor=actor, party=order.seller)
        tasks.append(task)
        if order.seller.email:
            email_party(
                task=task,
                body=_(
                    "Hello %(seller)s,\n\nThe booking %(title)s you sold to %(buyer)s "
                    "(order %(order)s) has not reached them: %(reason)s. Please complete the "
                    "transfer to their name, or reply to this email with what stands in the "
                    "way. If it cannot be done, we will look for an alternative for the "
                    "buyer, at the cost the policy puts on the seller.\n\nThank you."
                )
                % {
                    "seller": order.seller.name,
                    "title": booking.title,
                    "buyer": order.buyer.name,
                    "order": order.external_id,
                    "reason": Trigger(reason).label,
                },
                actor=actor,
            )
    step = Step.objects.create(
        workspace_id=case.workspace_id,
        ladder=ladder,
        number=StepKind.ORIGINAL,
        opened_at=now,
        task_ids=[t.pk for t in tasks],
    )
    _record(ladder, step, actor, "started", reason=reason, tasks=[t.reference for t in tasks])
    tell_buyer(ladder, "started")
    return ladder


@transaction.atomic
def record_original_outcome(
    *, ladder: Ladder, actor: Actor, worked: bool, note: str = ""
) -> Ladder:
    """The seller and the third party answered: the original works (the rescue is over)
    or it does not (on to alternatives)."""
    ladder = _lock(ladder)
    step = _expect(ladder, StepKind.ORIGINAL)
    now = timezone.now()
    note = _note(note)
    if worked:
        _close(step, StepStatus.DONE, actor, now, note=note)
        _finish(ladder, LadderStatus.SUCCEEDED, now)
        _record(ladder, step, actor, "original_worked")
        tell_buyer(ladder, "original_worked")
        return ladder
    _close(step, StepStatus.FAILED, actor, now, note=note)
    _record(ladder, step, actor, "original_failed")
    _open(ladder, StepKind.ALTERNATIVES, now)
    tell_buyer(ladder, "original_failed")
    return ladder


def _clean_options(ladder: Ladder, options: list[dict]) -> list[dict]:
    if not options:
        raise _refuse("options_required", "Propose at least one alternative.", 422)
    if len(options) > MAX_OPTIONS:
        raise _refuse("too_many_options", f"Propose at most {MAX_OPTIONS} alternatives.", 422)
    cleaned = []
    for i, option in enumerate(options):
        label = " ".join(str(option.get("label") or "").split())[:200]
        supplier = " ".join(str(option.get("supplier") or "").split())[:200]
        amount = option.get("amount")
        if isinstance(amount, Money):
            if amount.currency != ladder.currency:
                raise _refuse("currency_mismatch", f"The order is in {ladder.currency}.", 422)
            amount = amount.amount
        if not label or not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise _refuse(
                "invalid_option",
                "Each alternative needs a description and a cost of zero or more.",
                422,
                option=i,
            )
        cleaned.append(
            {
                "label": label,
                "supplier": supplier,
                "amount": amount,
                "over_budget": amount > ladder.rebooking_budget,
            }
        )
    return cleaned


@transaction.atomic
def propose_alternatives(*, ladder: Ladder, actor: Actor, options: list[dict]) -> Ladder:
    """Step 2: the alternatives found, each with its cost; those above the rebooking
    budget are marked, since booking one needs approval."""
    ladder = _lock(ladder)
    step = _expect(ladder, StepKind.ALTERNATIVES)
    cleaned = _clean_options(ladder, options)
    now = timezone.now()
    _close(step, StepStatus.DONE, actor, now, options=cleaned)
    _record(ladder, step, actor, "alternatives", options=cleaned)
    _open(ladder, StepKind.REBOOK, now, options=cleaned)
    with translation.override(_language(ladder)):
        listed = "; ".join(
            f"{o['label']} ({_amount(o['amount'], ladder.currency)})" for o in cleaned
        )
    tell_buyer(ladder, "alternatives", options=listed)
    return ladder


@transaction.atomic
def rebook(
    *,
    ladder: Ladder,
    actor: Actor,
    option_index: int,
    idempotency_key: str,
    role: str | None = None,
) -> Ladder:
    """Step 3: book an alternative. Within the budget it is paid now; above it the
    step waits for a supervisor's approval (`on_case_event` goes on from there)."""
    ladder = _lock(ladder)
    step = _expect(ladder, StepKind.REBOOK)
    if not step.options:
        raise _refuse("no_alternatives", "There are no alternatives to book.", 422)
    if not 0 <= option_index < len(step.options):
        raise _refuse("unknown_option", "No such alternative.", 422, option=option_index)
    option = step.options[option_index]
    reason, cause = REASONS[ladder.reason]
    result = pay_rebooking(
        workspace=ladder.workspace,
        actor=_money_actor(ladder, actor, role),
        order=ladder.order,
        amount=Money(option["amount"], ladder.currency),
        reason=reason,
        idempotency_key=idempotency_key,
        cause=cause,
        case=ladder.case,
        note=f"Rebooking: {option['label']}",
    )
    step.chosen = option_index
    step.money_action = result.action
    step.cost = option["amount"]
    if result.status == ActionStatus.AWAITING_APPROVAL:
        _wait_for_approval(ladder, step, actor)
    else:
        _paid(ladder, step, actor, timezone.now())
    return ladder


def _check_buyer_may_choose(ladder: Ladder, party: Party) -> None:
    """Only the order's buyer, on their own case, chooses; and only while step 3 is open.
    The refusals are read by the buyer, so they are in the buyer's language."""
    own = (
        party.workspace_id == ladder.workspace_id
        and party.pk == ladder.order.buyer_id
        and party.pk == ladder.case.requester_id
    )
    if not own:
        # Not theirs is as absent as not there, so a ladder cannot be probed.
        raise ApplicationError("rescue_not_found", _("There is no such rescue."), status=404)
    if ladder.case.status == Status.CLOSED:
        raise _refuse("case_closed", _("This request is closed; the choice can no longer change."))
    if not ladder.is_running or ladder.step != StepKind.REBOOK:
        raise _refuse(
            "wrong_step",
            _("The alternatives can no longer be chosen: the rescue has moved on."),
            step=ladder.step,
            wanted=StepKind.REBOOK,
        )


def _tell_desk(ladder: Ladder, party: Party, option: dict, changed: bool) -> None:
    """The bell and an email for whoever has the case (the team, or else supervisors)."""
    case = ladder.case
    targets = ("assignee", "team") if case.assignee_id or case.team_id else ("supervisors",)
    language = (ladder.workspace.default_language or "en").split("-")[0].lower()
    with translation.override(language if language in dict(settings.LANGUAGES) else "en"):
        title = (
            _("The buyer changed their choice of alternative: %(case)s")
            if changed
            else _("The buyer chose an alternative: %(case)s")
        ) % {"case": case.reference}
        body = _(
            "%(buyer)s prefers %(option)s (%(amount)s). Book it from the rescue on the case."
        ) % {
            "buyer": party.name or party.email,
            "option": option["label"],
            "amount": _amount(option["amount"], ladder.currency),
        }
    notify(
        workspace=ladder.workspace,
        users=recipients_for(case, targets),
        title=title,
        body=body,
        case=case,
        by_label=SENDER,
    )


@transaction.atomic
def choose_alternative(*, ladder: Ladder, party: Party, option_index: int) -> Step:
    """The buyer says which proposed alternative they prefer; the agent books it at step 3.
    They may change their mind until the agent has rebooked."""
    ladder = _lock(ladder)
    _check_buyer_may_choose(ladder, party)
    step = _current(ladder)
    if step.status != StepStatus.OPEN:
        raise _refuse(
            "step_waiting",
            _("Your alternative is being booked; the choice can no longer change."),
            step=step.number,
        )
    if isinstance(option_index, bool) or not 0 <= option_index < len(step.options):
        raise _refuse("unknown_option", _("Please choose one of the alternatives."), 422)
    if step.buyer_choice == option_index:
        return step
    changed = step.buyer_choice is not None
    option = step.options[option_index]
    step.buyer_choice = option_index
    step.buyer_chose_at = timezone.now()
    step.save(update_fields=["buyer_choice", "buyer_chose_at"])
    actor = Actor(party=party)
    _record(
        ladder,
        step,
        actor,
        "buyer_chose",
        option=option["label"],
        option_index=option_index,
        changed=changed,
    )
    # The buyer has answered: a case waiting on them (or solved) is back with the desk.
    if ladder.case.status in (Status.PENDING_CUSTOMER, Status.SOLVED):
        update_case(case=ladder.case, actor=actor, status=Status.OPEN)
    _tell_desk(ladder, party, option, changed)
    return step


def _pay(ladder: Ladder, actor: Actor, role, step: Step, kind: str, amount: Money, key: str):
    if amount.currency != ladder.currency:
        raise _refuse("currency_mismatch", f"The order is in {ladder.currency}.", 422)
    if amount.amount <= 0:
        raise _refuse("amount_required", "Give an amount above zero.", 422)
    reason, cause = REASONS[ladder.reason]
    common = {
        "workspace": ladder.workspace,
        "actor": _money_actor(ladder, actor, role),
        "order": ladder.order,
        "amount": amount,
        "reason": reason,
        "idempotency_key": key,
        "cause": cause,
        "case": ladder.case,
        "note": f"Rescue step {step.number}",
    }
    if kind == "refund":
        return refund_buyer(**common)
    return credit_buyer(**common, buyer=ladder.order.buyer)


@transaction.atomic
def refund(
    *, ladder: Ladder, actor: Actor, amount: Money, idempotency_key: str, role: str | None = None
) -> Ladder:
    """Step 4: money back; step 5 (a compensation credit) opens after it."""
    return _money_step(ladder, actor, role, StepKind.REFUND, amount, idempotency_key)


@transaction.atomic
def compensate(
    *, ladder: Ladder, actor: Actor, amount: Money, idempotency_key: str, role: str | None = None
) -> Ladder:
    """Step 5: store credit for the trouble, held to the compensation budget."""
    return _money_step(ladder, actor, role, StepKind.CREDIT, amount, idempotency_key)


def _money_step(ladder, actor, role, number: int, amount: Money, key: str) -> Ladder:
    ladder = _lock(ladder)
    step = _expect(ladder, number)
    kind = "refund" if number == StepKind.REFUND else "credit"
    result = _pay(ladder, actor, role, step, kind, amount, key)
    step.money_action = result.action
    step.cost = amount.amount
    if result.status == ActionStatus.AWAITING_APPROVAL:
        _wait_for_approval(ladder, step, actor)
    else:
        _paid(ladder, step, actor, timezone.now())
    return ladder


# What a paying step's outcome is, whether it was paid at once or after an approval:
# the event on the case, what the buyer is told, and where the ladder goes next.
_WAITS = {StepKind.REBOOK: "rebooking_waits", StepKind.REFUND: "refund_waits"}
_PAID = {StepKind.REBOOK: "rebooked", StepKind.REFUND: "refunded"}


def _say(ladder: Ladder, step: Step, actor: Actor, what: str) -> None:
    """Record the outcome on the case and tell the buyer: a rebooking by the option
    booked, money by its amount."""
    if step.number == StepKind.REBOOK:
        option = step.options[step.chosen]["label"]
        _record(ladder, step, actor, what, option=option)
        tell_buyer(ladder, what, option=option)
    else:
        _record(ladder, step, actor, what)
        tell_buyer(ladder, what, amount=_amount(step.cost, ladder.currency))


def _wait_for_approval(ladder: Ladder, step: Step, actor: Actor) -> None:
    step.status = StepStatus.AWAITING_APPROVAL
    step.save()
    _say(ladder, step, actor, _WAITS.get(step.number, "credit_waits"))


def _paid(ladder: Ladder, step: Step, actor: Actor, now) -> None:
    """The step's money moved: a rebooking ends the rescue well, a refund opens the
    compensation step, a compensation credit ends the rescue."""
    _close(step, StepStatus.DONE, actor, now)
    if step.number == StepKind.REBOOK:
        _finish(ladder, LadderStatus.SUCCEEDED, now)
    elif step.number == StepKind.REFUND:
        _open(ladder, StepKind.CREDIT, now)
    else:
        _finish(ladder, LadderStatus.ENDED, now)
    _say(ladder, step, actor, _PAID.get(step.number, "credited"))


@transaction.atomic
def give_up_step(*, ladder: Ladder, actor: Actor, note: str = "") -> Ladder:
    """The current step did not work (no alternative found, none affordable, no credit
    due): climb to the next one. Past the last step the rescue ends."""
    ladder = _lock(ladder)
    step = _expect(ladder, ladder.step)
    note = _note(note)
    if ladder.step == StepKind.ORIGINAL:
        return record_original_outcome(ladder=ladder, actor=actor, worked=False, note=note)
    now = timezone.now()
    _close(step, StepStatus.FAILED, actor, now, note=note)
    _record(ladder, step, actor, "step_failed", note=note)
    if ladder.step == StepKind.CREDIT:
        _finish(ladder, LadderStatus.ENDED, now)
        return ladder
    # No alternative worth proposing, or none bookable: the buyer gets their money back.
    following = (
        StepKind.REFUND
        if ladder.step in (StepKind.ALTERNATIVES, StepKind.REBOOK)
        else (ladder.step + 1)
    )
    _open(ladder, following, now)
    if following == StepKind.REFUND:
        tell_buyer(ladder, "no_rebooking")
    return ladder


# --- approvals --------------------------------------------------------------------------


def on_case_event(event) -> None:
    """Timeline listener: a step waiting for an approval goes on once it is decided —
    paid (the ledger's money event names the approval) or rejected."""
    data = event.data or {}
    if event.kind == APPROVAL_DECIDED and event.after == "rejected":
        paid = False
    elif event.kind.startswith("money.") and data.get("approval"):
        paid = True
    else:
        return
    approval = ApprovalRequest.objects.filter(
        pk=data.get("approval"), workspace_id=event.workspace_id
    ).first()
    if approval is None:
        return
    step = Step.objects.filter(
        workspace_id=event.workspace_id,
        money_action_id=approval.action_id,
        status=StepStatus.AWAITING_APPROVAL,
    ).first()
    if step is not None:
        _after_approval(step, paid=paid)


def _after_approval(step: Step, *, paid: bool) -> None:
    ladder = _lock(step.ladder)
    step = Step.objects.select_for_update().get(pk=step.pk)
    actor = Actor.system("approvals")
    now = timezone.now()
    if paid:
        _paid(ladder, step, actor, now)
        return
    _close(step, StepStatus.FAILED, actor, now)
    _record(ladder, step, actor, "step_failed", note="approval rejected")
    if step.number == StepKind.CREDIT:
        _finish(ladder, LadderStatus.ENDED, now)
        return
    _open(ladder, step.number + 1, now)
    if step.number == StepKind.REBOOK:
        tell_buyer(ladder, "rebooking_refused")
