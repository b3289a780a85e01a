"""What a chargeback does to the ledger (ADR 0043).

When the provider takes the disputed amount back (Stripe: `funds_withdrawn`, or a
withdrawal among the dispute's balance transactions, or a dispute closed `lost`), the
ledger books a `chargeback` movement: the bearer's account is debited, PSP clearing is
credited. The bearer follows the workspace's fault rules for the reason the bank gave
(a parcel the carrier lost is the carrier's, a seller's error the seller's); when the
rules cannot tell, the platform bears it, since it is the platform's balance the
provider debited. The provider's dispute fee is booked the same way, once per balance
transaction. When the platform wins and the funds come back (`funds_reinstated`, or a
reinstatement among the balance transactions), a `chargeback_reversal` undoes the
movement with its legs negated.

Every movement is keyed by what it is (`~chargeback:<provider>:<dispute>:withdrawn`,
`…:reinstated`, `…:fee:<balance transaction>`, in the ledger's own key space), so a
report seen twice, or reports seen in another order, book the same movements once.
"""

from __future__ import annotations

from django.utils import timezone

from ombuds.ledger import announcements
from ombuds.ledger import events as ledger_events
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.legs import bearer_account
from ombuds.ledger.models import AccountKind, Outcome, Transaction, TransactionKind
from ombuds.ledger.postings import SYSTEM_KEY_PREFIX, AccountRef, Leg, post
from ombuds.ledger.services.payments import lock_order
from ombuds.ledger.tallies import count_cost
from ombuds.policies.fault import attribute_fault, infer_cause
from ombuds.policies.models import Bearer, Reason
from ombuds.policies.services import policy_in_force

from .. import announce
from ..models import CallKind, Chargeback, FundsStatus
from ..reports import REINSTATEMENT, WITHDRAWAL, BalanceMovement, DisputeReport
from ..states import S

# The bank's reasons in the ledger's words, for the fault rules and the cost report.
STRIPE_REASONS = {
    "fraudulent": Reason.UNRECOGNISED_CHARGE,
    "unrecognized": Reason.UNRECOGNISED_CHARGE,
    "duplicate": Reason.DUPLICATE_CHARGE,
    "product_not_received": Reason.NOT_RECEIVED,
    "product_unacceptable": Reason.NOT_AS_DESCRIBED,
    "subscription_canceled": Reason.SUBSCRIPTION_CHARGED,
    "credit_not_processed": Reason.REFUND_NOT_RECEIVED,
}


def ledger_reason(chargeback: Chargeback) -> str:
    return STRIPE_REASONS.get(chargeback.reason, Reason.OTHER)


def _key(chargeback: Chargeback, what: str) -> str:
    # The ledger's own prefix: no caller's idempotency key can take these.
    dispute = f"{chargeback.provider}:{chargeback.provider_dispute_id}"
    return f"{SYSTEM_KEY_PREFIX}chargeback:{dispute}:{what}"[:255]


def _existing(chargeback: Chargeback, key: str) -> Transaction | None:
    return Transaction.objects.filter(workspace_id=chargeback.workspace_id, key=key).first()


def bearer_of(chargeback: Chargeback) -> tuple[str, str, int | None]:
    """(bearer, the fault rule that said so, the policy version) for this chargeback."""
    policy = policy_in_force(workspace=chargeback.workspace)
    cause = infer_cause(reason=ledger_reason(chargeback), order=chargeback.order)
    if cause is not None:
        found = attribute_fault(policy=policy, cause=cause, order=chargeback.order)
        if found.ledger_bearer is not None:
            return found.ledger_bearer, found.rule, policy.version_id
    # Nobody else can be charged for it: the provider debited the platform.
    return Bearer.PLATFORM, "", policy.version_id


def _book(
    chargeback: Chargeback,
    *,
    kind: str,
    key: str,
    legs: list[Leg],
    amount: int,
    cost: int,
    bearer: str,
    rule: str,
    policy_version_id: int | None,
    by: MoneyActor,
    memo: str,
    reverses: Transaction | None = None,
) -> Transaction:
    order = chargeback.order
    outcome = Outcome.FULL_REFUND if chargeback.amount >= order.total else Outcome.PARTIAL_REFUND
    tx = post(
        workspace=chargeback.workspace,
        kind=kind,
        key=key,
        legs=legs,
        actor=by,
        amount=amount,
        currency=chargeback.currency,
        cost=cost,
        order=order,
        payment=chargeback.payment,
        case_id=chargeback.case_id,
        seller_id=order.seller_id,
        buyer_id=order.buyer_id,
        reason=ledger_reason(chargeback),
        outcome=outcome,
        bearer=bearer,
        policy_version_id=policy_version_id,
        fault_rule=rule,
        memo=memo[:500],
        reverses=reverses,
        at=timezone.now(),
    )
    count_cost(tx, workspace=chargeback.workspace)
    ledger_events.money_moved(tx, by=by)
    announced = announcements.announce(tx) or announcements.announcement_for(tx)
    announce.announce_money(
        workspace=chargeback.workspace,
        event=announced.event,
        transaction_id=tx.pk,
        payload={**announced.payload, "chargeback": chargeback.pk},
        subject=f"case:{chargeback.case_id}" if chargeback.case_id else "",
    )
    return tx


def _clearing_legs(debit: AccountRef, amount: int, currency: str) -> list[Leg]:
    return [
        Leg(debit, amount, currency),
        Leg(AccountRef(AccountKind.PSP_CLEARING), -amount, currency),
    ]


def _withdrawal(chargeback: Chargeback, by: MoneyActor) -> Transaction:
    key = _key(chargeback, "withdrawn")
    if (done := _existing(chargeback, key)) is not None:
        return done
    bearer, rule, version = bearer_of(chargeback)
    legs = _clearing_legs(
        bearer_account(bearer, chargeback.order), chargeback.amount, chargeback.currency
    )
    return _book(
        chargeback,
        kind=TransactionKind.CHARGEBACK,
        key=key,
        legs=legs,
        amount=chargeback.amount,
        cost=chargeback.amount,
        bearer=bearer,
        rule=rule,
        policy_version_id=version,
        by=by,
        memo=f"{chargeback.provider_dispute_id} withdrawn",
    )


def _reinstatement(chargeback: Chargeback, withdrawal: Transaction, by: MoneyActor):
    key = _key(chargeback, "reinstated")
    if (done := _existing(chargeback, key)) is not None:
        return done
    legs = [
        Leg(
            AccountRef(e.account.kind, e.account.party_id, e.account.carrier), -e.amount, e.currency
        )
        for e in withdrawal.entries.select_related("account")
    ]
    return _book(
        chargeback,
        kind=TransactionKind.CHARGEBACK_REVERSAL,
        key=key,
        legs=legs,
        amount=withdrawal.amount,
        cost=-withdrawal.cost,
        bearer=withdrawal.bearer,
        rule=withdrawal.fault_rule,
        policy_version_id=withdrawal.policy_version_id,
        by=by,
        memo=f"{chargeback.provider_dispute_id} reinstated",
        reverses=withdrawal,
    )


def _fee(chargeback: Chargeback, movement: BalanceMovement, withdrawal: Transaction, by):
    """The provider's dispute fee (positive: charged, negative: given back)."""
    key = _key(chargeback, f"fee:{movement.id}")
    if movement.fee == 0 or _existing(chargeback, key) is not None:
        return None
    bearer = withdrawal.bearer
    account = bearer_account(bearer, chargeback.order)
    fee = abs(movement.fee)
    legs = _clearing_legs(account, fee, chargeback.currency)
    if movement.fee < 0:
        legs = [Leg(leg.account, -leg.amount, leg.currency) for leg in legs]
    return _book(
        chargeback,
        kind=TransactionKind.CHARGEBACK
        if movement.fee > 0
        else TransactionKind.CHARGEBACK_REVERSAL,
        key=key,
        legs=legs,
        amount=fee,
        cost=movement.fee,
        bearer=bearer,
        rule=withdrawal.fault_rule,
        policy_version_id=withdrawal.policy_version_id,
        by=by,
        memo=f"{chargeback.provider_dispute_id} fee {movement.id}",
    )


def apply_dispute_money(*, chargeback: Chargeback, report: DisputeReport, by: MoneyActor) -> None:
    """Book what this report shows the provider took or gave back (inside the event's
    transaction, with the chargeback's row locked)."""
    movements = report.movements
    withdrawn = (
        report.funds_withdrawn
        or report.state == S.LOST
        or any(m.direction == WITHDRAWAL for m in movements)
    )
    reinstated = report.funds_reinstated or any(m.direction == REINSTATEMENT for m in movements)
    if not (withdrawn or reinstated):
        return
    # The same lock every refund of the order takes, so money on one order moves in turn.
    lock_order(chargeback.order)
    withdrawal = _withdrawal(chargeback, by)
    # A fee in another currency than the charge's is the provider's settlement currency:
    # the ledger of the order's currency cannot hold it, so it stays on the report.
    for movement in movements:
        if movement.currency == chargeback.currency:
            _fee(chargeback, movement, withdrawal, by)
    funds = FundsStatus.WITHDRAWN
    if reinstated:
        _reinstatement(chargeback, withdrawal, by)
        funds = FundsStatus.REINSTATED
    elif _existing(chargeback, _key(chargeback, "reinstated")) is not None:
        funds = FundsStatus.REINSTATED
    if chargeback.funds != funds:
        chargeback.funds = funds
        chargeback.save(update_fields=["funds", "updated_at"])
    if report.state == S.LOST:
        recover_from_seller(chargeback, withdrawal)


def recover_from_seller(chargeback: Chargeback, withdrawal: Transaction) -> None:
    """A lost chargeback the seller bears, on a Connect platform: take the seller's share
    back from their Stripe account with a transfer reversal (once)."""
    connection = chargeback.connection
    if (
        not (connection.is_stripe and connection.connect_enabled)
        or withdrawal.bearer != Bearer.SELLER
    ):
        return
    from ..outbox import enqueue_call

    transfer = str((chargeback.order.metadata or {}).get("stripe_transfer") or "")
    enqueue_call(
        connection=connection,
        kind=CallKind.TRANSFER_REVERSAL,
        idempotency_key=f"ombuds-chargeback-{chargeback.pk}-transfer-reversal",
        params={
            "transfer": transfer,
            "charge": chargeback.charge_id,
            "amount": chargeback.amount,
            "currency": chargeback.currency.lower(),
            "metadata": {
                "ombuds_chargeback": str(chargeback.pk),
                "dispute": chargeback.provider_dispute_id,
                "ombuds_transaction": str(withdrawal.pk),
            },
        },
        chargeback=chargeback,
        case_id=chargeback.case_id,
        payment=chargeback.payment,
        ledger_transaction_id=withdrawal.pk,
    )
