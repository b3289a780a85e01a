"""A commerce policy as the code reads it, and the JSON document a version stores.

The document is checked completely before a version is written, so every stored version
can be read back without further checks. Amounts are minor units per currency; an
authority limit of None means unlimited, and the currency "*" stands for any currency
the policy does not name. The dispute terms (deadlines, what a silent party's silence
leads to) were added after the first stored versions: a document without them reads the
defaults.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ombuds.accounts.models import Role
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money, known_currencies
from ombuds.marketplace.models import OrderKind

from .models import ActionKind, Bearer, BudgetKind, Cause, ReturnBy

SCHEMA = 1
ANY_CURRENCY = "*"
MAX_CURRENCIES = 10
MAX_WINDOW_DAYS = 365
WHOLE = 10_000  # basis points
# Roles that may move money at all; read-only members never can, whatever a policy says.
MONEY_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ADMIN)
# Who pays the postage of a return nobody caused (a carrier never does).
RETURN_SHIPPING_PAYERS = (Bearer.BUYER, Bearer.SELLER, Bearer.PLATFORM)

Limit = int | None

# What a party's silence past its deadline leads to.
ESCALATE = "escalate"  # to the platform's mediation
DECIDE = "decide"  # for the buyer, at the seller's cost (a silent seller only)
CLOSE = "close"  # as lapsed (a silent buyer only)
SILENT_SELLER = (ESCALATE, DECIDE)
SILENT_BUYER = (CLOSE, ESCALATE)
MAX_CONTACT_HOURS = 14 * 24
MAX_ANSWER_DAYS = 30
MAX_APPEAL_DAYS = 180


@dataclass(frozen=True)
class ReturnRule:
    window_days: int  # 0: this kind of order cannot be returned
    shipping_paid_by: str  # when nobody is at fault (the buyer changed their mind)


@dataclass(frozen=True)
class FaultRule:
    cause: str
    bears: str  # who bears the cost of putting it right
    return_by: str  # who arranges sending the goods back, if anything goes back

    @property
    def code(self) -> str:
        """A stable name decisions show and reports group by: 'fault.carrier_loss'."""
        return f"fault.{self.cause}"


@dataclass(frozen=True)
class Budget:
    share_bp: int | None  # basis points of the order total; None: no share
    caps: dict[str, int] = field(default_factory=dict)  # per currency; absent: no cap


@dataclass(frozen=True)
class DisputeTerms:
    """The deadlines of the buyer–seller process and what silence past them leads to."""

    contact_hours: int = 48  # the buyer first tries the seller; 0: disputes open at once
    seller_days: int = 3  # business days of the workspace's calendar to respond
    buyer_days: int = 5  # business days to answer an offer or a contest
    appeal_days: int = 30  # calendar days a decision may be appealed
    silent_seller: str = ESCALATE  # or DECIDE
    silent_buyer: str = CLOSE  # or ESCALATE

    def to_document(self) -> dict[str, Any]:
        return {
            "contact_hours": self.contact_hours,
            "seller_days": self.seller_days,
            "buyer_days": self.buyer_days,
            "appeal_days": self.appeal_days,
            "silent_seller": self.silent_seller,
            "silent_buyer": self.silent_buyer,
        }


# (least, most) of each number in the dispute terms.
DISPUTE_TERM_BOUNDS = {
    "contact_hours": (0, MAX_CONTACT_HOURS),
    "seller_days": (1, MAX_ANSWER_DAYS),
    "buyer_days": (1, MAX_ANSWER_DAYS),
    "appeal_days": (1, MAX_APPEAL_DAYS),
}


@dataclass(frozen=True)
class Policy:
    """One version of a workspace's commerce policy, typed."""

    currencies: tuple[str, ...]
    returns: dict[str, ReturnRule]
    fault_rules: dict[str, FaultRule]
    budgets: dict[str, Budget]
    authority: dict[str, dict[str, dict[str, Limit]]]  # role -> action -> currency -> limit
    version_id: int | None = None  # the PolicyVersion row; None for an unsaved document
    number: int = 0
    disputes: DisputeTerms = field(default_factory=DisputeTerms)

    # --- authority ------------------------------------------------------------------

    def limit(self, *, role: str, action: str, currency: str) -> Limit:
        """How much a role may move in one action without approval (None: no limit)."""
        if role not in MONEY_ROLES:
            return 0
        limits = self.authority.get(role, {}).get(action, {})
        if currency in limits:
            return limits[currency]
        return limits.get(ANY_CURRENCY, 0)

    def covers(self, *, role: str, action: str, amount: Money) -> bool:
        limit = self.limit(role=role, action=action, currency=amount.currency)
        return limit is None or amount.amount <= limit

    # --- budgets --------------------------------------------------------------------

    def budget(self, kind: str, order_total: Money) -> Money:
        """What a resolution of this kind may cost on an order without approval: the
        share of its total, capped by the amount set for its currency."""
        rule = self.budgets[kind]
        bounds = []
        if rule.share_bp is not None:
            # Rounded down: a budget never allows a cent more than the share.
            bounds.append(order_total.amount * rule.share_bp // WHOLE)
        if (cap := rule.caps.get(order_total.currency)) is not None:
            bounds.append(cap)
        return Money(min(bounds) if bounds else 0, order_total.currency)

    # --- the stored form ------------------------------------------------------------

    def to_document(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "currencies": list(self.currencies),
            "returns": {
                kind: {"window_days": r.window_days, "shipping_paid_by": r.shipping_paid_by}
                for kind, r in self.returns.items()
            },
            "fault_rules": {
                cause: {"bears": r.bears, "return_by": r.return_by}
                for cause, r in self.fault_rules.items()
            },
            "budgets": {
                kind: {"share_bp": b.share_bp, "caps": dict(b.caps)}
                for kind, b in self.budgets.items()
            },
            "authority": {
                role: {action: dict(limits) for action, limits in actions.items()}
                for role, actions in self.authority.items()
            },
            "disputes": self.disputes.to_document(),
        }

    @classmethod
    def from_document(
        cls, document: dict[str, Any], *, version_id: int | None = None, number: int = 0
    ) -> Policy:
        """Read a document that passed `check_document`."""
        return cls(
            currencies=tuple(document["currencies"]),
            returns={
                kind: ReturnRule(r["window_days"], r["shipping_paid_by"])
                for kind, r in document["returns"].items()
            },
            fault_rules={
                cause: FaultRule(cause, r["bears"], r["return_by"])
                for cause, r in document["fault_rules"].items()
            },
            budgets={
                kind: Budget(b["share_bp"], dict(b["caps"]))
                for kind, b in document["budgets"].items()
            },
            authority={
                role: {action: dict(limits) for action, limits in actions.items()}
                for role, actions in document["authority"].items()
            },
            version_id=version_id,
            number=number,
            disputes=DisputeTerms(**document.get("disputes", {})),
        )


def _per_currency(eur: int, usd: int, gbp: int) -> dict[str, int]:
    return {"EUR": eur, "USD": usd, "GBP": gbp}


def default_document() -> dict[str, Any]:
    """The policy every new workspace starts with: the party at fault bears the cost,
    goods return within 14 days, bookings cannot be returned, agents refund up to
    100.00 and credit up to 25.00, supervisors five times that, finance without limit."""
    seller_fixes = {"bears": Bearer.SELLER.value, "return_by": ReturnBy.SELLER.value}
    seller_keeps = {"bears": Bearer.SELLER.value, "return_by": ReturnBy.NONE.value}
    buyer_returns = {"bears": Bearer.BUYER.value, "return_by": ReturnBy.BUYER.value}
    carrier = {"bears": Bearer.CARRIER.value, "return_by": ReturnBy.NONE.value}
    platform = {"bears": Bearer.PLATFORM.value, "return_by": ReturnBy.NONE.value}
    unlimited = {ANY_CURRENCY: None}
    document = {
        "schema": SCHEMA,
        "currencies": ["EUR", "USD", "GBP"],
        "returns": {
            OrderKind.GOODS: {"window_days": 14, "shipping_paid_by": Bearer.BUYER.value},
            OrderKind.EVENT_TICKET: {"window_days": 0, "shipping_paid_by": Bearer.BUYER.value},
            OrderKind.HOTEL: {"window_days": 0, "shipping_paid_by": Bearer.BUYER.value},
            OrderKind.FLIGHT: {"window_days": 0, "shipping_paid_by": Bearer.BUYER.value},
        },
        "fault_rules": {
            Cause.SELLER_ERROR: seller_fixes,
            Cause.NOT_AS_DESCRIBED: seller_fixes,
            Cause.WRONG_ITEM: seller_fixes,
            Cause.SELLER_CANCELLED: seller_keeps,
            Cause.TRANSFER_NOT_MADE: seller_keeps,
            Cause.WRONG_ADDRESS: buyer_returns,
            Cause.WRONG_SIZE: buyer_returns,
            Cause.CHANGED_MIND: buyer_returns,
            Cause.CARRIER_LOSS: carrier,
            Cause.CARRIER_DAMAGE: carrier,
            Cause.CARRIER_DELAY: carrier,
            Cause.PLATFORM_ERROR: platform,
            Cause.DUPLICATE_CHARGE: platform,
        },
        "budgets": {
            BudgetKind.REBOOKING: {"share_bp": 2500, "caps": _per_currency(25000, 25000, 20000)},
            BudgetKind.COMPENSATION: {"share_bp": 1000, "caps": _per_currency(5000, 5000, 4000)},
        },
        "authority": {
            Role.AGENT: {
                ActionKind.REFUND: _per_currency(10000, 10000, 8500),
                ActionKind.CREDIT: _per_currency(2500, 2500, 2000),
                ActionKind.SELLER_DEBIT: _per_currency(10000, 10000, 8500),
                ActionKind.REBOOKING: _per_currency(15000, 15000, 12500),
                ActionKind.REVERSAL: {},
            },
            Role.SUPERVISOR: {
                ActionKind.REFUND: _per_currency(50000, 50000, 42500),
                ActionKind.CREDIT: _per_currency(10000, 10000, 8500),
                ActionKind.SELLER_DEBIT: _per_currency(50000, 50000, 42500),
                ActionKind.REBOOKING: _per_currency(50000, 50000, 42500),
                ActionKind.REVERSAL: _per_currency(50000, 50000, 42500),
            },
            Role.ADMIN: {
                ActionKind.REFUND: _per_currency(50000, 50000, 42500),
                ActionKind.CREDIT: _per_currency(10000, 10000, 8500),
                ActionKind.SELLER_DEBIT: _per_currency(50000, 50000, 42500),
                ActionKind.REBOOKING: _per_currency(50000, 50000, 42500),
                ActionKind.REVERSAL: _per_currency(50000, 50000, 42500),
            },
            Role.FINANCE: {action: dict(unlimited) for action in ActionKind.values},
        },
        "disputes": DisputeTerms().to_document(),
    }
    # Through JSON once: choice members become the plain strings a stored version holds.
    return json.loads(json.dumps(document))


def default_policy() -> Policy:
    return Policy.from_document(default_document())


# --- checking a document --------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.found: list[dict[str, str]] = []

    def add(self, where: str, message: str) -> None:
        self.found.append({"field": where, "message": message})


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _mapping(doc: Any, key: str, problems: _Problems) -> dict:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, dict):
        problems.add(key, "must be an object")
        return {}
    return value


def _check_exact_keys(value: dict, allowed, where: str, problems: _Problems) -> None:
    for missing in sorted(set(allowed) - set(value)):
        problems.add(f"{where}.{missing}", "is missing")
    for extra in sorted(set(value) - set(allowed), key=str):
        problems.add(f"{where}.{extra}", "is not known")


def _check_amount(value: Any, where: str, problems: _Problems, *, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if not _is_int(value) or value < 0:
        problems.add(where, "must be a whole number of minor units, 0 or more")


def _check_returns(doc: dict, problems: _Problems) -> None:
    returns = _mapping(doc, "returns", problems)
    _check_exact_keys(returns, OrderKind.values, "returns", problems)
    for kind, rule in returns.items():
        where = f"returns.{kind}"
        if not isinstance(rule, dict):
            problems.add(where, "must be an object")
            continue
        _check_exact_keys(rule, ("window_days", "shipping_paid_by"), where, problems)
        days = rule.get("window_days")
        if not _is_int(days) or not 0 <= days <= MAX_WINDOW_DAYS:
            problems.add(f"{where}.window_days", f"must be 0 to {MAX_WINDOW_DAYS} days")
        if rule.get("shipping_paid_by") not in RETURN_SHIPPING_PAYERS:
            problems.add(f"{where}.shipping_paid_by", "must be buyer, seller or platform")


def _check_fault_rules(doc: dict, problems: _Problems) -> None:
    rules = _mapping(doc, "fault_rules", problems)
    _check_exact_keys(rules, Cause.values, "fault_rules", problems)
    for cause, rule in rules.items():
        where = f"fault_rules.{cause}"
        if not isinstance(rule, dict):
            problems.add(where, "must be an object")
            continue
        _check_exact_keys(rule, ("bears", "return_by"), where, problems)
        if rule.get("bears") not in Bearer.values:
            problems.add(f"{where}.bears", f"must be one of {', '.join(Bearer.values)}")
        if rule.get("return_by") not in ReturnBy.values:
            problems.add(f"{where}.return_by", f"must be one of {', '.join(ReturnBy.values)}")


def _check_budgets(doc: dict, problems: _Problems) -> None:
    budgets = _mapping(doc, "budgets", problems)
    _check_exact_keys(budgets, BudgetKind.values, "budgets", problems)
    for kind, budget in budgets.items():
        where = f"budgets.{kind}"
        if not isinstance(budget, dict):
            problems.add(where, "must be an object")
            continue
        _check_exact_keys(budget, ("share_bp", "caps"), where, problems)
        share = budget.get("share_bp")
        if share is not None and (not _is_int(share) or not 0 <= share <= WHOLE):
            problems.add(f"{where}.share_bp", f"must be 0 to {WHOLE} basis points, or null")
        caps = budget.get("caps")
        if not isinstance(caps, dict):
            problems.add(f"{where}.caps", "must be an object")
            continue
        for currency, cap in caps.items():
            if currency not in known_currencies():
                problems.add(f"{where}.caps.{currency}", "is not an ISO 4217 currency")
            _check_amount(cap, f"{where}.caps.{currency}", problems, allow_none=False)


def _check_authority(doc: dict, problems: _Problems) -> None:
    authority = _mapping(doc, "authority", problems)
    for role, actions in authority.items():
        where = f"authority.{role}"
        if role not in MONEY_ROLES:
            problems.add(where, "this role cannot move money")
            continue
        if not isinstance(actions, dict):
            problems.add(where, "must be an object")
            continue
        for action, limits in actions.items():
            if action not in ActionKind.values:
                problems.add(f"{where}.{action}", "is not a money action")
                continue
            if not isinstance(limits, dict):
                problems.add(f"{where}.{action}", "must be an object")
                continue
            for currency, limit in limits.items():
                spot = f"{where}.{action}.{currency}"
                if currency != ANY_CURRENCY and currency not in known_currencies():
                    problems.add(spot, "is not an ISO 4217 currency or *")
                _check_amount(limit, spot, problems, allow_none=True)


def _check_disputes(doc: dict, problems: _Problems) -> None:
    if "disputes" not in doc:
        return  # a document from before dispute terms: the defaults apply
    terms = doc["disputes"]
    if not isinstance(terms, dict):
        problems.add("disputes", "must be an object")
        return
    _check_exact_keys(terms, DisputeTerms().to_document().keys(), "disputes", problems)
    for key, (least, most) in DISPUTE_TERM_BOUNDS.items():
        value = terms.get(key)
        if not _is_int(value) or not least <= value <= most:
            problems.add(f"disputes.{key}", f"must be a whole number from {least} to {most}")
    if terms.get("silent_seller") not in SILENT_SELLER:
        problems.add("disputes.silent_seller", f"must be one of {', '.join(SILENT_SELLER)}")
    if terms.get("silent_buyer") not in SILENT_BUYER:
        problems.add("disputes.silent_buyer", f"must be one of {', '.join(SILENT_BUYER)}")


def check_document(document: Any) -> dict[str, Any]:
    """The document if every part of it is valid; otherwise one refusal naming each
    problem (field path and what is wrong)."""
    problems = _Problems()
    if not isinstance(document, dict):
        problems.add("", "a policy is an object")
    else:
        keys = ("schema", "currencies", "returns", "fault_rules", "budgets", "authority")
        _check_exact_keys(
            document, (*keys, "disputes") if "disputes" in document else keys, "", problems
        )
        if document.get("schema") != SCHEMA:
            problems.add("schema", f"must be {SCHEMA}")
        currencies = document.get("currencies")
        if (
            not isinstance(currencies, list)
            or not 1 <= len(currencies) <= MAX_CURRENCIES
            or len(set(currencies)) != len(currencies)
            or any(c not in known_currencies() for c in currencies)
        ):
            problems.add("currencies", f"must list 1 to {MAX_CURRENCIES} distinct ISO currencies")
        _check_returns(document, problems)
        _check_fault_rules(document, problems)
        _check_budgets(document, problems)
        _check_authority(document, problems)
        _check_disputes(document, problems)
    if problems.found:
        for problem in problems.found:
            problem["field"] = problem["field"].lstrip(".")
        raise ApplicationError(
            "invalid_policy",
            "The policy is not valid: " + "; ".join(p["field"] for p in problems.found[:5]),
            details={"problems": problems.found},
            status=422,
        )
    return document


def document_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The paths of every value that differs between two documents
    ('authority.agent.refund.EUR'), for a version history people can read."""
    changes: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                walk(a.get(key, _ABSENT), b.get(key, _ABSENT), f"{path}.{key}" if path else key)
        elif a != b:
            changes.append(path)

    walk(before, after, "")
    return changes


_ABSENT = object()
