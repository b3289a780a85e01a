"""Benchmark: money actions per second and the cost report at 100,000 transactions.

    .venv/bin/python bench/ledger.py                       # SQLite, and PostgreSQL if up
    .venv/bin/python bench/ledger.py --databases sqlite --refunds 500

Each database runs in its own process on a fresh database. Measured:

- refunds through `refund_buyer` (idempotency claim, order and payment row locks, the
  capture booked on the order's first refund, authority check, balanced entries; no
  case, so no timeline event), one after another: first refunds of orders, then second
  ones;
- on PostgreSQL also 4 threads refunding distinct orders, and 4 threads refunding the
  same order (they queue on its payment lock);
- a replay of an already-made refund (key found, nothing written);
- with 100,000 transactions (200,000 entries) over twelve months, 200 sellers and 2,000
  buyers (written in bulk, their cost tallies rebuilt): the cost report (6 and 12
  months), sellers' refund rates, one order's money panel, the balances of every
  account and the check that every transaction balances.

Figures are printed and written as JSON to bench/results/. It asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "OMBUDS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ombuds_bench_ledger"
)
DATA = Path("/tmp/ombuds-bench-ledger")
SELLERS, BUYERS = 200, 2_000
HISTORY = 100_000


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["OMBUDS_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ombuds.config.settings"
    os.environ["OMBUDS_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


def median_ms(run, times: int = 9) -> float:
    samples = []
    for _ in range(times):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(samples), 2)


def build_market(rng: random.Random, orders: int):
    """A workspace, its sellers and buyers, and `orders` captured orders, written in
    bulk (they are the starting point, not what is measured)."""
    from ombuds.accounts.models import Membership
    from ombuds.accounts.services import add_member, create_workspace
    from ombuds.ledger.authority import MoneyActor
    from ombuds.marketplace.models import Order, Party, Payment

    ws = create_workspace(slug="bench", name="Bench Market", case_prefix="BEN")
    actors = []
    for i in range(4):
        add_member(workspace=ws, email=f"sup{i}@bench.test", role="supervisor", name=f"Sup {i}")
        membership = Membership.objects.select_related("user").get(
            workspace=ws, user__email=f"sup{i}@bench.test"
        )
        actors.append(MoneyActor.member(membership))
    sellers = Party.objects.bulk_create(
        Party(workspace=ws, kind="seller", external_id=f"S{i}", name=f"Shop {i}")
        for i in range(SELLERS)
    )
    buyers = Party.objects.bulk_create(
        Party(workspace=ws, kind="buyer", external_id=f"B{i}", name=f"Buyer {i}")
        for i in range(BUYERS)
    )
    placed = Order.objects.bulk_create(
        Order(
            workspace=ws,
            external_id=f"O{i}",
            buyer=rng.choice(buyers),
            seller=rng.choice(sellers),
            kind="goods",
            currency="EUR",
            total=20000,
            placed_at=None,
        )
        for i in range(orders)
    )
    Payment.objects.bulk_create(
        Payment(
            workspace=ws,
            order=order,
            external_id=f"P{order.external_id}",
            status="captured",
            currency="EUR",
            amount=20000,
            captured_amount=20000,
        )
        for order in placed
    )
    return ws, actors, sellers, buyers, placed


def refunds_per_second(ws, actor, orders, label: str) -> float:
    from ombuds.core.money import Money
    from ombuds.ledger.services import refund_buyer

    began = time.perf_counter()
    for order in orders:
        refund_buyer(
            workspace=ws,
            actor=actor,
            order=order,
            amount=Money(1000, "EUR"),
            bearer="seller",
            reason="damaged",
            idempotency_key=f"{label}-{order.pk}",
        )
    return round(len(orders) / (time.perf_counter() - began), 1)


def parallel_refunds(ws, actors, work: list[list], label: str) -> tuple[float, int]:
    """Threads each refunding their own list of orders; (refunds/s, refusals)."""
    from django.db import connections

    from ombuds.core.errors import ApplicationError
    from ombuds.core.money import Money
    from ombuds.ledger.services import refund_buyer

    refused = []
    start = threading.Barrier(len(work))

    def run(i: int) -> None:
        try:
            start.wait()
            for n, order in enumerate(work[i]):
                try:
                    refund_buyer(
                        workspace=ws,
                        actor=actors[i],
                        order=order,
                        amount=Money(100, "EUR"),
                        bearer="platform",
                        reason="other",
                        idempotency_key=f"{label}-{i}-{n}",
                    )
                except ApplicationError:
                    refused.append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(len(w) for w in work)
    return round(total / (time.perf_counter() - began), 1), len(refused)


def write_history(ws, sellers, buyers, orders, rng: random.Random, count: int) -> float:
    """`count` balanced transactions over twelve months, written in bulk."""
    from django.utils import timezone

    from ombuds.ledger.models import Entry, Transaction
    from ombuds.ledger.postings import AccountRef, accounts_for

    now = timezone.now()
    # The refunds measured before opened some of these accounts already.
    refs = {
        "cost": AccountRef("platform_cost"),
        **{("seller", p.pk): AccountRef("seller_balance", party_id=p.pk) for p in sellers},
        **{("buyer", p.pk): AccountRef("buyer_refunds_payable", party_id=p.pk) for p in buyers},
    }
    rows = accounts_for(ws, refs.values())
    cost = rows[refs["cost"]]
    by_seller = {s.pk: rows[refs[("seller", s.pk)]] for s in sellers}
    payable = {b.pk: rows[refs[("buyer", b.pk)]] for b in buyers}
    reasons = ["not_received", "damaged", "late_delivery", "not_as_described", "other"]
    began = time.perf_counter()
    batch = 5_000
    for start in range(0, count, batch):
        txs = []
        for i in range(start, min(count, start + batch)):
            order = orders[i % len(orders)]
            bearer = rng.choice(["seller", "platform"])
            amount = rng.randint(500, 15000)
            txs.append(
                Transaction(
                    workspace=ws,
                    kind="refund",
                    key=f"h-{i}",
                    order=order,
                    seller_id=order.seller_id,
                    buyer_id=order.buyer_id,
                    reason=rng.choice(reasons),
                    outcome=rng.choice(["full_refund", "partial_refund"]),
                    bearer=bearer,
                    currency="EUR",
                    amount=amount,
                    cost=amount,
                    created_at=now - timedelta(days=rng.uniform(0, 365)),
                )
            )
        Transaction.objects.bulk_create(txs)
        entries = []
        for tx in txs:
            debit = by_seller[tx.seller_id] if tx.bearer == "seller" else cost
            entries.append(
                Entry(workspace=ws, transaction=tx, account=debit, amount=tx.amount, currency="EUR")
            )
            entries.append(
                Entry(
                    workspace=ws,
                    transaction=tx,
                    account=payable[tx.buyer_id],
                    amount=-tx.amount,
                    currency="EUR",
                )
            )
        Entry.objects.bulk_create(entries)
    return round(time.perf_counter() - began, 1)


def run_worker(database: str, database_url: str, refunds: int, history: int) -> dict:
    data_dir = DATA / database
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(database_url, data_dir)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    ws, actors, sellers, buyers, orders = build_market(rng, max(refunds, 2_000) * 2)
    progress = lambda line: print(f"  [{database}] {line}", file=sys.stderr, flush=True)  # noqa: E731

    progress(f"{refunds} refunds, one after another…")
    first = refunds_per_second(ws, actors[0], orders[:refunds], "first")
    second = refunds_per_second(ws, actors[0], orders[:refunds], "second")

    from ombuds.core.money import Money
    from ombuds.ledger.services import refund_buyer

    def replay():
        refund_buyer(
            workspace=ws,
            actor=actors[0],
            order=orders[0],
            amount=Money(1000, "EUR"),
            bearer="seller",
            reason="damaged",
            idempotency_key=f"first-{orders[0].pk}",
        )

    replay_ms = median_ms(replay, times=50)
    result = {
        "database": database,
        "load_average_at_start": round(os.getloadavg()[0], 1),
        "refunds_per_s_first_on_order": first,
        "refunds_per_s_next_on_order": second,
        "replay_ms": replay_ms,
    }
    if connection.vendor == "postgresql":
        progress("parallel refunds…")
        fresh = orders[refunds : refunds + 4 * 250]
        result["refunds_per_s_4_threads_distinct_orders"], _ = parallel_refunds(
            ws, actors, [fresh[i::4] for i in range(4)], "par"
        )
        one = orders[refunds + 1000]
        # 4 × 60 refunds of 1.00 on one 200.00 order: all fit, all queue on its lock.
        result["refunds_per_s_4_threads_same_order"], refused = parallel_refunds(
            ws, actors, [[one] * 60 for _ in range(4)], "same"
        )
        result["same_order_refused"] = refused

    if not history:
        result["load_average_at_end"] = round(os.getloadavg()[0], 1)
        return result
    progress(f"writing {history:,} transactions of history…")
    result["history_write_s"] = write_history(ws, sellers, buyers, orders, rng, history)
    from ombuds.ledger.tallies import rebuild_cost_tallies

    began = time.perf_counter()
    result["tally_rows"] = rebuild_cost_tallies(workspace=ws)
    result["tally_rebuild_s"] = round(time.perf_counter() - began, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from ombuds.ledger.models import Entry, Transaction
    from ombuds.ledger.reports import cost_report, seller_rates
    from ombuds.ledger.selectors import account_balances, order_money, unbalanced_transactions

    result["transactions"] = Transaction.objects.filter(workspace=ws).count()
    result["entries"] = Entry.objects.filter(workspace=ws).count()
    now = timezone.now()
    six, twelve = now - timedelta(days=183), now - timedelta(days=366)
    progress("timing reads…")
    result["report_ms"] = {
        "cost_report_6_months": median_ms(lambda: cost_report(workspace=ws, since=six, until=now)),
        "cost_report_12_months": median_ms(
            lambda: cost_report(workspace=ws, since=twelve, until=now)
        ),
        "seller_rates_12_months": median_ms(
            lambda: seller_rates(workspace=ws, since=twelve, until=now)
        ),
        "order_money_panel": median_ms(lambda: order_money(workspace=ws, order=orders[5])),
        "account_balances_all": median_ms(lambda: account_balances(workspace=ws), times=5),
        "unbalanced_check": median_ms(lambda: unbalanced_transactions(workspace=ws), times=3),
    }
    # The machine is shared: figures taken under a high load say little about the code.
    result["load_average_at_end"] = round(os.getloadavg()[0], 1)
    return result


def postgres_up() -> bool:
    try:
        import psycopg

        psycopg.connect(
            PG_URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres",
            connect_timeout=3,
        ).close()
        return True
    except Exception:
        return False


def ensure_pg_database() -> None:
    import psycopg

    admin = PG_URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def print_result(result: dict) -> None:
    print(f"\n== {result['database']} ==")
    for key, value in result.items():
        if key == "report_ms":
            for name, ms in value.items():
                print(f"  {name:<40} {ms:>9.2f} ms")
        elif key != "database":
            print(f"  {key:<40} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--refunds", type=int, default=1_000)
    parser.add_argument(
        "--history", type=int, default=HISTORY, help="transactions for the read figures (0: none)"
    )
    parser.add_argument("--worker", metavar="DATABASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        url = PG_URL if args.worker == "postgresql" else f"sqlite:///{DATA}/sqlite/ombuds.sqlite3"
        print(json.dumps(run_worker(args.worker, url, args.refunds, args.history)))
        return
    results = []
    for database in args.databases:
        if database == "postgresql":
            if not postgres_up():
                print("PostgreSQL does not answer; skipping its run.")
                continue
            ensure_pg_database()
        print(f"running {database}…", flush=True)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                database,
                "--refunds",
                str(args.refunds),
                "--history",
                str(args.history),
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        sys.stderr.write(out.stderr[-3000:])
        if out.returncode != 0:
            print(f"  failed (exit {out.returncode})")
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print_result(result)
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out_dir / f"ledger-{stamp}.json").write_text(json.dumps(results, indent=2))
    print(f"\nmachine: {os.cpu_count()} cores; results in bench/results/ledger-{stamp}.json")


if __name__ == "__main__":
    main()
