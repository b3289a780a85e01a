"""Benchmark: the dispute deadline sweep with many open disputes, and the dispute pages.

    .venv/bin/python bench/disputes.py                      # SQLite and PostgreSQL, 10k + 100k
    .venv/bin/python bench/disputes.py --databases sqlite --sizes 10000
    .venv/bin/python bench/disputes.py --databases postgres --sizes 1000000 --requests 20

Each (database, size) runs in its own process on a fresh database (PostgreSQL: a database
of its own, `ombuds_bench_disputes`, dropped afterwards unless --keep). A few hundred
disputes go through the services (opened by a buyer or an agent, offered on, contested,
escalated, decided), with their cases, notices, events and evidence as production writes
them; then `size` open disputes more are written in bulk (INSERT … SELECT, with their
orders and cases, a pending offer where one is awaited and a decision where one was made)
in a realistic spread of states, with half as many again that are over.

It then times the sweep with nothing due, and one sweep with `--due` disputes due (a
quarter each: contact period over, silent seller, silent buyer, appeal window over; the
service-made ones among them), as `ombuds serve` runs it every minute. Last, the desk's
dispute list, the mediation view of one dispute with 50 messages and 20 pieces of
evidence, and the buyer's and the seller's dispute lists in the portals are fetched
through Django's test client, signed in, with their query counts at two lengths.
Figures are printed and written as JSON to bench/results/. This prints numbers; it
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bulk import PG_ADMIN, columns, pg_admin, series, setup_django

REPO = Path(__file__).resolve().parent.parent
PG_DATABASE = "ombuds_bench_disputes"
DEFAULT_SIZES = {"sqlite": [10_000, 100_000], "postgres": [10_000, 100_000]}
SLUG = "bench"
# Disputes of each due kind made through the services (the rest of the due are bulk rows).
THROUGH_SERVICES = 50
MESSAGES, EVIDENCE = 50, 20

# The open states of the bulk rows, by i % 20: what a desk has running on a given day.
SPREAD = (
    ["awaiting_contact"] * 3
    + ["awaiting_seller"] * 5
    + ["offer_pending"] * 2
    + ["contested"] * 2
    + ["in_mediation"] * 4
    + ["decided"] * 2
    + ["under_appeal"]
    + ["frozen"]  # awaiting the seller, frozen by a chargeback: nothing due
)
DEADLINE_OF = {
    "awaiting_contact": "contact_due_at",
    "awaiting_seller": "seller_due_at",
    "offer_pending": "buyer_due_at",
    "contested": "buyer_due_at",
    "decided": "appeal_due_at",
}
ENDED = (("resolved", "seller_accepted"), ("closed", "lapsed"), ("withdrawn", "withdrawn"))
REASONS = ("not_received", "not_as_described", "damaged", "late_delivery", "seller_cancelled")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --------------------------------------------------------------------------- worker side


class Sql:
    """Timestamps and text in the database's own dialect, around one fixed `now`."""

    def __init__(self, vendor: str, now):
        self.vendor = vendor
        if vendor == "postgresql":
            self.stamp = f"TIMESTAMP WITH TIME ZONE '{now.isoformat()}'"
        else:
            self.stamp = f"'{now.strftime('%Y-%m-%d %H:%M:%S')}'"

    def minutes(self, expr: str) -> str:
        if self.vendor == "postgresql":
            return f"({self.stamp} + ({expr}) * INTERVAL '1 minute')"
        return f"strftime('%Y-%m-%d %H:%M:%f', {self.stamp}, ({expr}) || ' minutes')"

    def text(self, expr: str) -> str:
        return f"({expr})::text" if self.vendor == "postgresql" else f"({expr})"

    def json(self, literal: str) -> str:
        return f"'{literal}'::jsonb" if self.vendor == "postgresql" else f"'{literal}'"

    @property
    def false(self) -> str:
        return "false" if self.vendor == "postgresql" else "0"


def build_people(rng: random.Random):
    """A workspace, two agents and a supervisor, 1,000 buyers and 200 sellers (each with
    the e-mail identity the portals sign in with)."""
    from ombuds.accounts.services import add_member, create_workspace
    from ombuds.marketplace.models import Party, PartyIdentity

    ws = create_workspace(slug=SLUG, name="Bench Market", case_prefix="BEN")
    members = [
        add_member(workspace=ws, email=f"agent{i}@bench.test", role="agent", name=f"Agent {i}")
        for i in range(2)
    ]
    members.append(
        add_member(workspace=ws, email="lead@bench.test", role="supervisor", name="Lead")
    )
    buyers = Party.objects.bulk_create(
        Party(
            workspace=ws,
            kind="buyer",
            external_id=f"B{i}",
            name=f"Buyer {i} Jansen",
            email=f"buyer{i}@example.com",
            language=rng.choice(["en", "nl"]),
        )
        for i in range(1000)
    )
    sellers = Party.objects.bulk_create(
        Party(
            workspace=ws,
            kind="seller",
            external_id=f"S{i}",
            name=f"Seller {i}",
            email=f"seller{i}@example.com",
        )
        for i in range(200)
    )
    PartyIdentity.objects.bulk_create(
        PartyIdentity(workspace=ws, party=p, kind="email", value=p.email) for p in buyers + sellers
    )
    return ws, members, buyers, sellers


def _orders(ws, pairs, prefix: str):
    from django.utils import timezone

    from ombuds.marketplace.models import Order

    placed = timezone.now() - timedelta(days=12)
    return Order.objects.bulk_create(
        Order(
            workspace=ws,
            external_id=f"{prefix}-{i:05d}",
            buyer=buyer,
            seller=seller,
            kind="goods",
            currency="EUR",
            total=12500,
            placed_at=placed,
        )
        for i, (buyer, seller) in enumerate(pairs)
    )


def through_services(ws, members, buyers, sellers, rng: random.Random) -> dict[str, list[int]]:
    """`THROUGH_SERVICES` disputes of each kind that can fall due, every step through
    the services: a buyer's dispute in its contact period, an agent's waiting on the
    seller, one with the seller's offer (or contest) waiting on the buyer, and a decided
    one in its appeal window."""
    from ombuds.core.money import Money
    from ombuds.disputes.actors import DisputeActor
    from ombuds.disputes.services import decisions, responses
    from ombuds.disputes.services.opening import open_dispute

    agent = DisputeActor.agent(members[0])
    pairs = [(rng.choice(buyers), rng.choice(sellers)) for _ in range(4 * THROUGH_SERVICES)]
    orders = _orders(ws, pairs, "SVC")
    made: dict[str, list[int]] = {"contact": [], "seller": [], "buyer": [], "appeal": []}
    for i, order in enumerate(orders):
        kind = ("contact", "seller", "buyer", "appeal")[i % 4]
        buyer = DisputeActor.buyer(order.buyer)
        seller = DisputeActor.seller(order.seller)
        dispute = open_dispute(
            workspace=ws,
            order=order,
            actor=buyer if kind == "contact" else agent,
            reason=REASONS[i % len(REASONS)],
            description="The parcel never arrived and the seller does not answer.",
            desired_outcome="full_refund",
            amount=Money(order.total, order.currency),
            idempotency_key=f"bench-{i}",
        )
        if kind == "buyer" and i % 8 < 4:
            responses.propose_offer(
                dispute=dispute,
                actor=seller,
                kind="partial_refund",
                amount=Money(4000, "EUR"),
                note="Half back, and sorry.",
            )
        elif kind == "buyer":
            responses.contest_claim(dispute=dispute, actor=seller, statement="Signed for.")
        elif kind == "appeal":
            responses.contest_claim(dispute=dispute, actor=seller, statement="Signed for.")
            responses.escalate_dispute(dispute=dispute, actor=buyer, note="Please look.")
            decisions.decide_dispute(
                dispute=dispute,
                actor=agent,
                outcome="no_refund",
                amount=None,
                bearer="seller",
                statement="The carrier's proof of delivery shows a signature.",
            )
        made[kind].append(dispute.pk)
    return made


def mediation_dispute(ws, members, rng: random.Random):
    """One dispute in mediation with its own buyer and seller, and a thread of a few
    messages and pieces of evidence (more are added later, to count queries twice)."""
    from ombuds.core.money import Money
    from ombuds.disputes.actors import DisputeActor
    from ombuds.disputes.services import responses
    from ombuds.disputes.services.opening import open_dispute
    from ombuds.marketplace.models import Party, PartyIdentity

    buyer, seller = Party.objects.bulk_create(
        [
            Party(workspace=ws, kind="buyer", external_id="BM", name="Mia Buyer", email="mia@x.nl"),
            Party(
                workspace=ws, kind="seller", external_id="SM", name="Max Seller", email="max@y.nl"
            ),
        ]
    )
    PartyIdentity.objects.bulk_create(
        PartyIdentity(workspace=ws, party=p, kind="email", value=p.email) for p in (buyer, seller)
    )
    [order] = _orders(ws, [(buyer, seller)], "MED")
    agent = DisputeActor.agent(members[0])
    dispute = open_dispute(
        workspace=ws,
        order=order,
        actor=agent,
        reason="damaged",
        description="The lamp arrived with its shade cracked.",
        desired_outcome="full_refund",
        amount=Money(order.total, order.currency),
    )
    responses.contest_claim(
        dispute=dispute, actor=DisputeActor.seller(seller), statement="It left here whole."
    )
    responses.escalate_dispute(dispute=dispute, actor=DisputeActor.buyer(buyer), note="Help.")
    return dispute, buyer, seller


def grow_thread(dispute, members, buyer, seller, messages: int, evidence: int) -> None:
    """Messages from every side, with every visibility; evidence from both parties and
    the platform, statements and small files."""
    from ombuds.conversations.attachments import IncomingFile
    from ombuds.disputes.actors import DisputeActor
    from ombuds.disputes.services.evidence import submit_evidence
    from ombuds.disputes.services.thread import post_message

    sides = [
        (DisputeActor.buyer(buyer), ("parties", "buyer")),
        (DisputeActor.seller(seller), ("parties", "seller")),
        (DisputeActor.agent(members[0]), ("parties", "buyer", "seller", "internal")),
        (DisputeActor.agent(members[1]), ("internal",)),
    ]
    done = dispute.messages.count()
    for i in range(done, messages):
        actor, visibilities = sides[i % len(sides)]
        post_message(
            dispute=dispute,
            actor=actor,
            body=f"Message {i}: the courier says it was handed over at the door. " * 2,
            visibility=visibilities[(i // len(sides)) % len(visibilities)],
        )
    have = dispute.evidence.count()
    for i in range(have, evidence):
        actor = sides[i % 3][0]
        files = (
            [
                IncomingFile(
                    f"photo-{i}.jpg", "image/jpeg", b"\xff\xd8\xff" + bytes(2048) + b"%d" % i
                )
            ]
            if i % 2
            else []
        )
        submit_evidence(
            dispute=dispute, actor=actor, text=f"Statement {i}: what I saw.", files=files
        )


def build_bulk(ws, members, buyers, sellers, n: int):
    """`n` open disputes in the spread of `SPREAD` and n/2 that are over, each with its
    own order and case; a pending offer where the buyer is asked to answer one, a
    decision where one was made. Deadlines fall due between one hour and 30 days from
    now, so nothing is due yet."""
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from ombuds.conversations.models import Case
    from ombuds.core.models import Counter
    from ombuds.disputes.models import Decision, Dispute, Offer
    from ombuds.marketplace.models import Order

    vendor = connection.vendor
    now = timezone.now().replace(microsecond=0)
    sql = Sql(vendor, now)
    first_buyer, first_seller = min(b.pk for b in buyers), min(s.pk for s in sellers)
    case_base = Case.objects.filter(workspace=ws).aggregate(m=Max("number"))["m"] or 0
    dispute_base = Dispute.objects.filter(workspace=ws).aggregate(m=Max("number"))["m"] or 0
    total = n + n // 2  # i <= n: open; the rest are over
    agent_id = members[0].user_id

    def case_when(column_of_state: dict[str, str], default: str) -> str:
        """A CASE over i % 20 (open rows, i <= n) and the ended rows (i > n)."""
        arms = []
        for residue, state in enumerate(SPREAD):
            value = column_of_state.get(state)
            if value is not None:
                arms.append(f"WHEN i <= {n} AND i % 20 = {residue} THEN {value}")
        ended = column_of_state.get("ended")
        if ended is not None:
            arms.append(f"WHEN i > {n} THEN {ended}")
        return f"(CASE {' '.join(arms)} ELSE {default} END)" if arms else default

    later = sql.minutes("60 + (i * 7919) % 43140")  # due 1 h to 30 days from now
    created = sql.minutes("-(600 + (i * 104729) % 259200)")  # 10 h to 180 days ago
    updated = sql.minutes("-(1 + (i * 15485863) % 14400)")
    state = case_when(
        {s: f"'{'awaiting_seller' if s == 'frozen' else s}'" for s in SPREAD}
        | {
            "ended": f"(CASE i % 3 WHEN 0 THEN '{ENDED[0][0]}' WHEN 1 THEN '{ENDED[1][0]}' "
            f"ELSE '{ENDED[2][0]}' END)"
        },
        "''",
    )
    ending = case_when(
        {
            "ended": f"(CASE i % 3 WHEN 0 THEN '{ENDED[0][1]}' WHEN 1 THEN '{ENDED[1][1]}' "
            f"ELSE '{ENDED[2][1]}' END)"
        },
        "''",
    )
    deadline = {
        col: case_when({s: later for s, c in DEADLINE_OF.items() if c == col}, "NULL")
        for col in set(DEADLINE_OF.values())
    }
    deadline["seller_due_at"] = case_when({"awaiting_seller": later, "frozen": later}, "NULL")
    next_due = case_when(dict.fromkeys(DEADLINE_OF, later), "NULL")
    reasons = " ".join(f"WHEN {k} THEN '{r}'" for k, r in enumerate(REASONS))
    order_cols, order_vals = columns(
        Order,
        {
            "workspace_id": str(ws.pk),
            "external_id": "'BLK-' || " + sql.text("i"),
            "buyer_id": f"{first_buyer} + i % 1000",
            "seller_id": f"{first_seller} + (i * 7) % 200",
            "kind": "'goods'",
            "status": "'paid'",
            "currency": "'EUR'",
            "total": "2000 + (i * 31) % 48000",
            "placed_at": created,
            "metadata": sql.json("{}"),
            "created_at": created,
            "updated_at": created,
        },
    )
    started = time.perf_counter()
    step = 100_000
    for first in range(1, total + 1, step):
        last = min(total, first + step - 1)
        with transaction.atomic(), connection.cursor() as cursor:
            before = Order.objects.aggregate(m=Max("pk"))["m"] or 0
            cursor.execute(
                f"INSERT INTO {Order._meta.db_table} ({order_cols}) "
                f"SELECT {order_vals} FROM {series(vendor, first, last)}"
            )
            # Fresh tables in one process: the rows take consecutive ids, i = id - base.
            order_base = before - first + 1
            case_before = Case.objects.aggregate(m=Max("pk"))["m"] or 0
            case_cols, case_vals = columns(
                Case,
                {
                    "workspace_id": str(ws.pk),
                    "number": f"{case_base} + i",
                    "reference": f"'BEN-' || {sql.text(f'{case_base} + i')}",
                    "subject": f"'DSP-' || {sql.text(f'{dispute_base} + i')} || ': Not received'",
                    "status": f"(CASE WHEN i > {n} THEN 'solved' ELSE 'open' END)",
                    "priority": "'normal'",
                    "channel": "'web'",
                    "language": "''",
                    "topic": "'problem'",
                    "requester_id": f"{first_buyer} + i % 1000",
                    "order_id": f"{order_base} + i",
                    "created_at": created,
                    "updated_at": updated,
                    "is_public_post": sql.false,
                },
            )
            cursor.execute(
                f"INSERT INTO {Case._meta.db_table} ({case_cols}) "
                f"SELECT {case_vals} FROM {series(vendor, first, last)}"
            )
            case_id_base = case_before - first + 1
            dispute_cols, dispute_vals = columns(
                Dispute,
                {
                    "workspace_id": str(ws.pk),
                    "number": f"{dispute_base} + i",
                    "reference": f"'DSP-' || {sql.text(f'{dispute_base} + i')}",
                    "case_id": f"{case_id_base} + i",
                    "order_id": f"{order_base} + i",
                    "buyer_id": f"{first_buyer} + i % 1000",
                    "seller_id": f"{first_seller} + (i * 7) % 200",
                    "reason": f"(CASE i % {len(REASONS)} {reasons} END)",
                    "description": "'The parcel never arrived and the seller does not answer.'",
                    "desired_outcome": "'full_refund'",
                    "amount": "1000 + (i * 31) % 24000",
                    "currency": "'EUR'",
                    "state": state,
                    "ending": ending,
                    "language": "'en'",
                    "frozen_at": case_when({"frozen": updated}, "NULL"),
                    "frozen_reason": case_when({"frozen": "'Chargeback at the bank'"}, "''"),
                    **deadline,
                    "next_due_at": next_due,
                    "seller_responded_at": case_when(
                        {s: updated for s in ("contested", "in_mediation", "decided")}, "NULL"
                    ),
                    "escalated_at": case_when(
                        {s: updated for s in ("in_mediation", "decided", "under_appeal")}, "NULL"
                    ),
                    "ended_at": case_when({"ended": updated}, "NULL"),
                    "opened_by_label": "'Buyer'",
                    "idempotency_key": "''",
                    "created_at": created,
                    "updated_at": updated,
                },
            )
            cursor.execute(
                f"INSERT INTO {Dispute._meta.db_table} ({dispute_cols}) "
                f"SELECT {dispute_vals} FROM {series(vendor, first, last)}"
            )
            span = (
                f"d.workspace_id = {ws.pk} AND d.number BETWEEN {dispute_base + first} AND "
                + str(dispute_base + last)
            )
            offer_cols, offer_vals = columns(
                Offer,
                {
                    "workspace_id": str(ws.pk),
                    "dispute_id": "d.id",
                    "number": "1",
                    "kind": "'partial_refund'",
                    "amount": "(d.amount + 1) / 2",
                    "currency": "d.currency",
                    "note": "'Half back, and sorry.'",
                    "bearer": "'seller'",
                    "status": "'pending'",
                    "made_by_role": "'seller'",
                    "made_by_party_id": "d.seller_id",
                    "idempotency_key": "''",
                    "created_at": "d.updated_at",
                },
            )
            cursor.execute(
                f"INSERT INTO {Offer._meta.db_table} ({offer_cols}) SELECT {offer_vals} "
                f"FROM {Dispute._meta.db_table} d WHERE {span} AND d.state = 'offer_pending'"
            )
            decision_cols, decision_vals = columns(
                Decision,
                {
                    "workspace_id": str(ws.pk),
                    "dispute_id": "d.id",
                    "kind": "'decision'",
                    "verdict": "''",
                    "outcome": "'no_refund'",
                    "currency": "d.currency",
                    "bearer": "'seller'",
                    "statement": "'The carrier''s proof of delivery shows a signature.'",
                    "rule": "''",
                    "decided_by_id": str(agent_id),
                    "decided_by_label": "'Agent 0'",
                    "money_status": "'none'",
                    "transactions": sql.json("[]"),
                    "evidence_locked": "0",
                    "idempotency_key": "''",
                    "created_at": "d.updated_at",
                },
            )
            cursor.execute(
                f"INSERT INTO {Decision._meta.db_table} ({decision_cols}) SELECT {decision_vals} "
                f"FROM {Dispute._meta.db_table} d WHERE {span} "
                "AND d.state IN ('decided', 'under_appeal')"
            )
        print(f"    … {last:,} bulk disputes", file=sys.stderr, flush=True)
    # The numbers the services hand out next come after the bulk rows.
    Counter.objects.filter(scope=f"case:{ws.pk}").update(value=case_base + total)
    Counter.objects.filter(scope=f"dispute:{ws.pk}").update(value=dispute_base + total)
    return dispute_base, time.perf_counter() - started


def make_due(ws, n: int, base: int, count: int, made: dict, rng: random.Random) -> dict:
    """`count` disputes fall due a minute to an hour ago, a quarter of each kind: first
    the ones made through the services, then bulk rows of the state picked at random."""
    from django.utils import timezone

    from ombuds.disputes.models import Dispute

    now = timezone.now()
    kinds = {
        "contact": ["awaiting_contact"],
        "seller": ["awaiting_seller"],
        "buyer": ["offer_pending", "contested"],
        "appeal": ["decided"],
    }
    picked: dict[str, int] = {}
    for kind, states in kinds.items():
        want = count // 4 + (1 if kind == "contact" and count % 4 else 0)
        ids = made[kind][:want]
        residues = [r for r, s in enumerate(SPREAD) if s in states]
        numbers: set[int] = set()
        while len(ids) + len(numbers) < want:
            i = rng.randrange(1, n + 1)
            i -= i % 20
            i += rng.choice(residues)
            if 1 <= i <= n:
                numbers.add(base + i)
        for start in range(0, len(numbers), 1000):
            chunk = sorted(numbers)[start : start + 1000]
            ids += list(
                Dispute.objects.filter(
                    workspace=ws, number__in=chunk, state__in=states
                ).values_list("pk", flat=True)
            )
        for state in states:
            column = DEADLINE_OF[state]
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                moment = now - timedelta(minutes=rng.randrange(1, 60))
                Dispute.objects.filter(pk__in=chunk, state=state).update(
                    **{column: moment, "next_due_at": moment}
                )
        picked[kind] = len(ids)
    return picked


def explain(vendor: str) -> str:
    from django.db import connection
    from django.utils import timezone

    from ombuds.disputes.models import Dispute

    query = (
        Dispute.objects.filter(next_due_at__lte=timezone.now())
        .order_by("next_due_at", "pk")
        .values_list("pk", flat=True)[:10_000]
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " / ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN " + sql, params)
        return " / ".join(row[0].strip() for row in cursor.fetchall())


class Queries:
    """Counts the queries run on the connection while it is open (an execute wrapper:
    unlike CaptureQueriesContext it keeps no log, so it has no 9,000 cap and survives
    the reset of the log each request starts with)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapped = connection.execute_wrapper(self)
        self._wrapped.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapped.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


def timed(fn) -> tuple[float, object]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def time_gets(client, url: str, requests: int) -> dict:
    client.get(url)  # warm templates and caches
    with Queries() as queries:
        response = client.get(url)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "status": response.status_code,
        "queries": len(queries),
        "bytes": len(response.content),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "n": len(samples),
    }


def rows_in(response_content: bytes, marker: str) -> int:
    return response_content.decode().count(marker)


def measure_pages(ws, members, dispute, buyer, seller, bulk_buyer, bulk_seller, requests: int):
    from django.db import connection
    from django.test import Client

    from ombuds.marketplace.models import PartyIdentity
    from ombuds.web.portal import magic_links

    agent = Client()
    agent.force_login(members[0].user)
    desk = f"/w/{ws.slug}/disputes/"
    pages = {}

    def page(label: str, client, url: str, marker: str) -> None:
        result = time_gets(client, url, requests)
        result["rows"] = rows_in(client.get(url).content, marker)
        pages[label] = result
        print(
            f"    {label:<34} {result['p50_ms']:8.2f} ms p50, {result['queries']} queries, "
            f"{result['rows']} rows",
            file=sys.stderr,
            flush=True,
        )

    page("desk list, 1 row (by reference)", agent, f"{desk}?q={dispute.reference}", 'class="ref"')
    page("desk list, full page", agent, desk, 'class="ref"')
    page("desk list, due this week", agent, f"{desk}?deadline=week", 'class="ref"')
    page("desk list, in mediation", agent, f"{desk}?state=in_mediation", 'class="ref"')

    def portal(party, audience: str) -> Client:
        client = Client()
        identity = PartyIdentity.objects.get(party=party, kind="email")
        if audience == "seller":
            token = magic_links.make_token(identity, audience=magic_links.SELLER)
            client.get(f"/help/{ws.slug}/seller/login/{token}/")
        else:
            client.get(f"/help/{ws.slug}/portal/login/{magic_links.make_token(identity)}/")
        return client

    buyer_list, seller_list = (
        f"/help/{ws.slug}/portal/disputes/",
        f"/help/{ws.slug}/seller/disputes/",
    )
    page(
        "buyer portal list, own buyer", portal(buyer, "buyer"), buyer_list, 'class="case-item card"'
    )
    page(
        "buyer portal list, busy buyer",
        portal(bulk_buyer, "buyer"),
        buyer_list,
        'class="case-item card"',
    )
    page(
        "seller portal list, own seller",
        portal(seller, "seller"),
        seller_list,
        'class="case-item card"',
    )
    page(
        "seller portal list, busy seller",
        portal(bulk_seller, "seller"),
        seller_list,
        'class="case-item card"',
    )
    # The three pages of the one dispute: queries counted with a short thread, then
    # timed and counted again once it holds MESSAGES messages and EVIDENCE items.
    details = [
        ("mediation view", agent, f"{desk}{dispute.reference}/", 'class="dmsg '),
        (
            "buyer portal dispute page",
            portal(buyer, "buyer"),
            f"/help/{ws.slug}/portal/disputes/{dispute.reference}/",
            '<li class="bubble',
        ),
        (
            "seller portal dispute page",
            portal(seller, "seller"),
            f"/help/{ws.slug}/seller/disputes/{dispute.reference}/",
            '<li class="bubble',
        ),
    ]
    few = {"messages": dispute.messages.count(), "evidence": dispute.evidence.count()}
    small = {}
    for label, client, url, marker in details:
        client.get(url)
        with Queries() as queries:
            response = client.get(url)
        small[label] = (len(queries), rows_in(response.content, marker))
    grow_thread(dispute, members, buyer, seller, MESSAGES, EVIDENCE)
    many = {"messages": dispute.messages.count(), "evidence": dispute.evidence.count()}
    for label, client, url, marker in details:
        page(label, client, url, marker)
        pages[label].update(few=few, few_queries=small[label][0], few_rows=small[label][1])
        pages[label]["many"] = many
    connection.close()
    return pages


def worker(database: str, size: int, due: int, requests: int, data_dir: Path) -> dict:
    url = (
        f"sqlite:///{data_dir / 'bench.sqlite3'}"
        if database == "sqlite"
        else PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DATABASE}"
    )
    setup_django(url, data_dir)
    from django.db import connection
    from django.utils import timezone

    from ombuds.disputes.models import Dispute
    from ombuds.disputes.services.sweep import due_ids, sweep_due_disputes

    rng = random.Random(20261202)
    print(f"==> {database}, {size:,} open disputes: building", file=sys.stderr, flush=True)
    ws, members, buyers, sellers = build_people(rng)
    service_seconds, made = timed(lambda: through_services(ws, members, buyers, sellers, rng))
    dispute, own_buyer, own_seller = mediation_dispute(ws, members, rng)
    grow_thread(dispute, members, own_buyer, own_seller, 5, 2)
    base, bulk_seconds = build_bulk(ws, members, buyers, sellers, size)
    with connection.cursor() as cursor:  # fresh statistics, as a live database has
        cursor.execute("ANALYZE")
    open_disputes = Dispute.objects.filter(workspace=ws, next_due_at__isnull=False).count()
    results = {
        "database": database,
        "open_disputes": Dispute.objects.filter(
            workspace=ws, state__in=[s for s in set(SPREAD) if s != "frozen"]
        ).count(),
        "disputes": Dispute.objects.filter(workspace=ws).count(),
        "with_deadline": open_disputes,
        "through_services": sum(len(v) for v in made.values()) + 1,
        "service_seconds": round(service_seconds, 1),
        "bulk_seconds": round(bulk_seconds, 1),
        "plan": explain(connection.vendor),
    }
    print(
        f"    services {service_seconds:.1f} s, bulk {bulk_seconds:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    assert not due_ids(timezone.now()), "nothing may be due before the sweeps"
    sweep_due_disputes()  # warm caches and connections; nothing is due
    samples = []
    for _ in range(20):
        seconds, _done = timed(sweep_due_disputes)
        samples.append(seconds * 1000)
    with Queries() as idle_queries:
        sweep_due_disputes()
    results["idle_sweep_ms_p50"] = round(statistics.median(samples), 3)
    results["idle_sweep_ms_max"] = round(max(samples), 3)
    results["idle_sweep_queries"] = len(idle_queries)

    bulk_buyer = buyers[7]
    bulk_seller = sellers[11]
    results["pages"] = measure_pages(
        ws, members, dispute, own_buyer, own_seller, bulk_buyer, bulk_seller, requests
    )

    picked = make_due(ws, size, base, due, made, rng)
    if database == "postgres":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Dispute._meta.db_table}")
    results["due"] = len(due_ids(timezone.now()))
    results["due_by_kind"] = picked
    # The sweep with due disputes runs once, so it is timed with the count on (a
    # function call per query).
    with Queries() as due_queries:
        seconds, done = timed(sweep_due_disputes)
    results["due_sweep_seconds"] = round(seconds, 3)
    results["due_sweep_actions"] = done
    results["due_sweep_queries"] = len(due_queries)
    moved = sum(v for k, v in done.items() if k != "failed")
    results["ms_per_due"] = round(seconds * 1000 / max(1, moved), 3)
    results["queries_per_due"] = round(len(due_queries) / max(1, moved), 2)
    results["left_due"] = len(due_ids(timezone.now()))
    print(
        f"    due {results['due']:,}: {seconds:.2f} s, {len(due_queries):,} queries, {done}",
        file=sys.stderr,
        flush=True,
    )
    return results


# --------------------------------------------------------------------------- driver side


def run(database: str, size: int, due: int, requests: int, keep: bool) -> dict:
    data_dir = REPO / "var" / "bench-disputes" / f"{database}-{size}"
    if data_dir.exists():
        subprocess.run(["rm", "-rf", str(data_dir)], check=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    if database == "postgres":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        pg_admin(f"CREATE DATABASE {PG_DATABASE}")
    try:
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                database,
                str(size),
                "--due",
                str(due),
                "--requests",
                str(requests),
            ],
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
            stdout=subprocess.PIPE,
            check=True,
            text=True,
        )
    finally:
        if database == "postgres" and not keep:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(results: list[dict]) -> None:
    for r in results:
        print(
            f"\n{r['database']}: {r['open_disputes']:,} open disputes ({r['with_deadline']:,} "
            f"with a deadline), {r['disputes']:,} in all; {r['through_services']} through the "
            f"services in {r['service_seconds']} s, the rest in bulk in {r['bulk_seconds']} s"
        )
        print(f"  plan of the due read: {r['plan']}")
        print(
            f"  sweep, nothing due: {r['idle_sweep_ms_p50']} ms p50 (max "
            f"{r['idle_sweep_ms_max']} ms), {r['idle_sweep_queries']} queries"
        )
        print(
            f"  sweep, {r['due']:,} due {r['due_by_kind']}: {r['due_sweep_seconds']} s, "
            f"{r['ms_per_due']} ms and {r['queries_per_due']} queries per due dispute "
            f"({r['due_sweep_queries']:,} queries); {r['due_sweep_actions']}; "
            f"still due after: {r['left_due']}"
        )
        for label, p in r["pages"].items():
            extra = ""
            if "few" in p:
                extra = (
                    f"; {p['few_queries']} queries ({p['few_rows']} messages shown) at "
                    f"{p['few']['messages']} messages and {p['few']['evidence']} evidence, "
                    f"{p['queries']} at {p['many']['messages']} and {p['many']['evidence']}"
                )
            print(
                f"  {label:<34} p50 {p['p50_ms']:>7.2f} ms  p95 {p['p95_ms']:>7.2f} ms  "
                f"{p['queries']:>3} queries  {p['rows']:>3} rows  (n={p['n']}, HTTP "
                f"{p['status']}){extra}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--sizes", nargs="+", type=int, help="open disputes per run")
    parser.add_argument("--due", type=int, default=1000, help="disputes due in the one sweep")
    parser.add_argument("--requests", type=int, default=50, help="requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        database, size = args.worker[0], int(args.worker[1])
        data_dir = REPO / "var" / "bench-disputes" / f"{database}-{size}"
        print(json.dumps(worker(database, size, args.due, args.requests, data_dir)))
        return
    results = []
    for database in args.databases:
        for size in args.sizes or DEFAULT_SIZES[database]:
            results.append(run(database, size, args.due, args.requests, args.keep))
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"disputes-{int(time.time())}.json").write_text(json.dumps(results, indent=2))
    report(results)
    print(f"\nmachine: {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
