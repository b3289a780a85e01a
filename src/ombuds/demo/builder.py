"""Loading the demo marketplace: the "resale" workspace with a lived-in desk, and a small
"outlet" workspace beside it to show that tenants do not see each other."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from ombuds.accounts.services import create_workspace
from ombuds.conversations.models import Delivery, DeliveryStatus, Message, Status
from ombuds.core.models import Workspace
from ombuds.intake.chat.setup import enable_chat
from ombuds.marketplace.models import Order

from . import catalogue as cat
from . import wording
from .automation import switch_on as switch_on_automation
from .casting import Casting
from .channels import feed_channels
from .chargebacks import file_chargebacks
from .disputes import open_demo_disputes
from .money import move_demo_money
from .orders import OrderBook
from .people import Crowd, PeopleMaker, Roster, hire_staff
from .rescues import climb_demo_ladders
from .routing import set_up_routing
from .scripts import all_scripts
from .service_levels import set_service_levels
from .stories import CaseStory, Chronicle

SEED = 20250917
Progress = Callable[[str], None]

RESALE_CASES = {
    Status.NEW: 24,
    Status.OPEN: 34,
    Status.PENDING_CUSTOMER: 28,
    Status.PENDING_THIRD_PARTY: 26,
    Status.ON_HOLD: 16,
    Status.SOLVED: 40,
    Status.CLOSED: 32,
}
OUTLET_CASES = {
    Status.NEW: 1,
    Status.OPEN: 2,
    Status.PENDING_CUSTOMER: 1,
    Status.SOLVED: 1,
    Status.CLOSED: 1,
}
OUTLET_TEAM = "Outlet"
OUTLET_SCRIPTS = ("parcel_late", "item_damaged", "return_not_refunded", "delivered_not_received")


@dataclass(frozen=True)
class Profile:
    """The shape of one demo workspace."""

    slug: str
    name: str
    prefix: str
    support_email: str
    roster: Roster
    buyers: int
    sellers: int
    orders: int
    cases: dict[str, int]
    kinds: tuple[str, ...]
    script_keys: tuple[str, ...] = ()  # empty: every script
    shops: tuple[str, ...] = cat.SELLER_SHOPS
    team_override: str | None = None
    service_levels: bool = False
    money: bool = False  # the desk's refunds, credits and approvals (demo/money.py)


RESALE = Profile(
    slug=cat.SLUG,
    name=cat.BRAND,
    prefix=cat.CASE_PREFIX,
    support_email=cat.SUPPORT_EMAIL,
    roster=[(m, m.role, m.teams) for m in cat.STAFF],
    buyers=60,
    sellers=25,
    orders=400,
    cases=RESALE_CASES,
    kinds=("event_ticket", "hotel", "flight", "goods"),
    service_levels=True,
    money=True,
)

OUTLET = Profile(
    slug=cat.OUTLET_SLUG,
    name=cat.OUTLET_NAME,
    prefix=cat.OUTLET_PREFIX,
    support_email=cat.OUTLET_SUPPORT_EMAIL,
    roster=[
        (m, m.outlet_role, (OUTLET_TEAM,) if m.outlet_role == "agent" else ())
        for m in cat.STAFF
        if m.outlet_role
    ],
    buyers=8,
    sellers=2,
    orders=15,
    cases=OUTLET_CASES,
    kinds=("goods",),
    script_keys=OUTLET_SCRIPTS,
    shops=("Outlet Warehouse", "Refurb Depot"),
    team_override=OUTLET_TEAM,
)


@dataclass
class DemoOutcome:
    created: bool
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def load_demo(*, progress: Progress = lambda line: None, seed: int = SEED) -> DemoOutcome:
    """Load the demo marketplace once; a second call leaves everything as it is."""
    if Workspace.objects.filter(slug=RESALE.slug).exists():
        return DemoOutcome(created=False)
    began = time.perf_counter()
    # All or nothing: a load cut short must not leave a workspace that blocks the next try.
    with transaction.atomic():
        now = timezone.now()
        counts = build_workspace(RESALE, seed=seed, now=now, progress=progress)
        if not Workspace.objects.filter(slug=OUTLET.slug).exists():
            build_workspace(OUTLET, seed=seed + 1, now=now, progress=lambda line: None)
            progress(f"Loading demo marketplace: small second workspace '{OUTLET.slug}'.")
    return DemoOutcome(created=True, seconds=time.perf_counter() - began, counts=counts)


def build_workspace(profile: Profile, *, seed: int, now: datetime, progress: Progress) -> dict:
    rng = random.Random(seed)
    workspace = open_workspace(profile)
    progress(f"Loading demo marketplace: workspace '{profile.slug}', staff and teams…")
    desk = hire_staff(workspace, profile.roster)
    people = PeopleMaker(workspace, rng, seed)
    crowd = Crowd(
        third_parties=people.third_parties(bookings=profile.kinds != ("goods",)),
        buyers=people.buyers(profile.buyers),
        sellers=people.sellers(profile.sellers, shops=profile.shops),
    )
    progress(
        f"Loading demo marketplace: {len(crowd.buyers)} buyers, {len(crowd.sellers)} sellers, "
        f"{len(crowd.third_parties)} venues, hotels, airlines and couriers…"
    )
    scripts = tuple(
        s for s in all_scripts() if not profile.script_keys or s.key in profile.script_keys
    )
    book = OrderBook(workspace, rng, crowd.third_parties)
    casting = Casting(
        rng,
        now,
        scripts,
        profile.kinds,
        desk,
        crowd,
        people,
        book,
        team_override=profile.team_override,
    )
    chronicle = Chronicle(began=timezone.now())
    timing = random.Random(seed + 1000)
    plan = casting.statuses(profile.cases)
    case_orders = 0
    for i, status in enumerate(plan, start=1):
        brief = casting.brief(status)
        case_orders += brief.order is not None
        story = CaseStory(
            brief,
            workspace=workspace,
            book=book,
            chronicle=chronicle,
            rng=rng,
            timing=timing,
            supervisor=desk.supervisor,
            now=now,
            placeholders=_interests(rng, now, brief.language),
        )
        story.tell()
        if i % 20 == 0 or i == len(plan):
            progress(f"Loading demo marketplace: {i}/{len(plan)} cases…")
    quiet = max(0, profile.orders - case_orders)
    for _ in range(quiet):
        casting.quiet_order()
    progress(f"Loading demo marketplace: {case_orders + quiet} orders.")
    switch_on_automation(workspace, now=now)
    progress("Loading demo marketplace: triggers, macros, escalations and proactive care.")
    settle_history(workspace)
    if profile.slug == cat.SLUG:
        # Before the SLA replay, so the chargebacks' cases get their clocks from it too.
        file_chargebacks(workspace, now=now)
        progress("Loading demo marketplace: Stripe chargebacks.")
        progress("Loading demo marketplace: cases from every channel…")
        feed_channels(workspace, desk, crowd, now=now)
    if profile.service_levels:
        progress("Loading demo marketplace: SLA policies and clocks…")
        set_service_levels(workspace)
    moved = (
        move_demo_money(workspace=workspace, supervisor=desk.supervisor) if profile.money else {}
    )
    if profile.slug == cat.SLUG:
        progress("Loading demo marketplace: disputes…")
        moved.update(open_demo_disputes(workspace, now=now))
        progress("Loading demo marketplace: rescues of refused hotel name changes…")
        moved.update(climb_demo_ladders(workspace, now=now))
    routed = set_up_routing(workspace, desk, now=now)
    progress(
        f"Loading demo marketplace: routing: {routed.assigned} new cases assigned, "
        f"{routed.waiting} waiting; {routed.handed_over} handed over at the end of a shift."
    )
    return {
        **moved,
        "cases": len(plan),
        "orders": case_orders + quiet,
        "buyers": len(crowd.buyers),
        "sellers": len(crowd.sellers),
    }


def open_workspace(profile: Profile) -> Workspace:
    workspace = create_workspace(
        slug=profile.slug,
        name=profile.name,
        case_prefix=profile.prefix,
        timezone_name=cat.TIMEZONE,
        languages=["en", "nl"],
        support_email=profile.support_email,
    )
    # The widget runs on the desk's own demo shop page; a real shop adds its origins.
    enable_chat(workspace=workspace)
    return workspace


def settle_history(workspace: Workspace) -> None:
    """Make the past look past: replies in a re-dated history were sent when written
    (the outbox must not mail hundreds of old answers on first start), and an order
    entered the desk when it was placed."""
    written_at = Subquery(
        Message.objects.filter(pk=OuterRef("message_id")).values("created_at")[:1]
    )
    Delivery.objects.filter(workspace=workspace, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENT,
        attempts=1,
        next_attempt_at=None,
        sent_at=written_at,
        created_at=written_at,
        provider_id=Concat(
            Value("<demo-"), Cast("id", CharField()), Value(f"@{cat.STAFF_DOMAIN}>")
        ),
    )
    Order.objects.filter(workspace=workspace, placed_at__isnull=False).update(
        created_at=F("placed_at")
    )


def _interests(rng: random.Random, now: datetime, language: str) -> dict[str, str]:
    """What a prospect asks about before buying: an event and a hotel on the site."""
    event, hotel = rng.choice(cat.EVENTS), rng.choice(cat.HOTELS)
    stay = now + timedelta(days=rng.randint(10, 60))
    return {
        "event": event.title,
        "hotel": hotel.name,
        "city": hotel.city,
        "checkin": wording.day(stay, language),
    }


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, email, note) for every demo login, in the order a visitor wants them."""
    rows = []
    for member in cat.STAFF:
        details = ["Dutch" if member.language == "nl" else "English", *member.teams]
        if member.outlet_role:
            details.append(f"also {member.outlet_role} in '{cat.OUTLET_SLUG}'")
        rows.append((member.role, member.email, f"  {member.name} — {', '.join(details)}"))
    return rows
