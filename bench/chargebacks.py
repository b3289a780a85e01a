"""Benchmark: Stripe's dispute webhooks, from the POST to a chargeback on its case, and
the chargebacks list at 10,000 chargebacks.

    .venv/bin/python bench/chargebacks.py                   # SQLite (+ PostgreSQL if up)
    .venv/bin/python bench/chargebacks.py --disputes 300 --databases sqlite

Each database runs in its own process on a fresh database, with a workspace connected
to Stripe and one paid order per dispute. In process (Django's test client, no
sockets), one call at a time:

- webhook: signed `charge.dispute.created` calls, checked and stored (what Stripe waits
  for);
- opening: processing them: the chargeback, the order's case (opened, tagged, raised,
  routed), its timeline, the marketplace's webhook rows;
- losing: `charge.dispute.closed` (lost) for each: the state change and the ledger's
  balanced withdrawal, by the fault rules;
- the desk's chargebacks list (100 a page) and its query count with 10,000 chargebacks
  (written in bulk), and the deadline sweep when nothing is due.

Figures are printed and written as JSON to bench/results/. This asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "OMBUDS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ombuds_bench_chargebacks"
)
SECRET_KEY = "sk_test_51BenchOmbudsChargebacks0000"
WEBHOOK_SECRET = "whsec_benchOmbudsChargebacks0000"
LIST_ROWS = 10_000


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dispute_event(n: int, status: str, created: datetime) -> bytes:
    opened = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return json.dumps(
        {
            "id": f"evt_bench{status}{n}",
            "object": "event",
            "created": int(created.timestamp()),
            "livemode": False,
            "type": "charge.dispute.created"
            if status == "needs_response"
            else "charge.dispute.closed",
            "data": {
                "object": {
                    "id": f"du_bench{n}",
                    "object": "dispute",
                    "amount": 12500,
                    "currency": "eur",
                    "charge": f"ch_bench{n:07d}",
                    "payment_intent": None,
                    "created": int(opened.timestamp()),
                    "reason": "fraudulent",
                    "status": status,
                    "is_charge_refundable": False,
                    "balance_transactions": [],
                    "evidence_details": {
                        "due_by": int((opened + timedelta(days=7)).timestamp()),
                        "submission_count": 0,
                    },
                }
            },
        }
    ).encode()


def median_ms(run, times: int = 7) -> float:
    samples = []
    for _ in range(times):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(samples), 2)


def worker(database_url: str, disputes: int) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="ombuds-bench-chargebacks-"))
    os.environ.update(
        DATABASE_URL=database_url,
        OMBUDS_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="ombuds.config.settings",
        OMBUDS_LOG_LEVEL="ERROR",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import stripe
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from ombuds.accounts.services import add_member, create_workspace
    from ombuds.chargebacks.connections import ConnectionInput, connect_psp
    from ombuds.chargebacks.models import Chargeback
    from ombuds.chargebacks.receiving import process_pending_events
    from ombuds.chargebacks.services.deadlines import sweep_deadlines
    from ombuds.ledger.models import Transaction
    from ombuds.marketplace.models import Order, Party, Payment

    workspace = create_workspace(slug="bench", name="Bench", case_prefix="BEN")
    admin = add_member(workspace=workspace, email="admin@bench.test", role="admin").user
    connection_ = connect_psp(
        workspace=workspace,
        by=admin,
        spec=ConnectionInput(
            provider="stripe", name="Stripe", secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET
        ),
    )
    seller = Party.objects.create(workspace=workspace, kind="seller", external_id="S", name="Shop")
    buyers = Party.objects.bulk_create(
        Party(workspace=workspace, kind="buyer", external_id=f"B{i}", name=f"Buyer {i}")
        for i in range(max(disputes, LIST_ROWS))
    )
    orders = Order.objects.bulk_create(
        Order(
            workspace=workspace,
            external_id=f"O{i}",
            buyer=buyers[i],
            seller=seller,
            kind="goods",
            currency="EUR",
            total=12500,
        )
        for i in range(max(disputes, LIST_ROWS))
    )
    payments = Payment.objects.bulk_create(
        Payment(
            workspace=workspace,
            order=order,
            external_id=f"ch_bench{i:07d}",
            provider="stripe",
            status="captured",
            currency="EUR",
            amount=12500,
            captured_amount=12500,
        )
        for i, order in enumerate(orders)
    )
    client = Client()
    path = f"/psp/{workspace.slug}/stripe/"

    def post_all(bodies: list[bytes]) -> tuple[float, list[float]]:
        latencies = []
        started = time.perf_counter()
        for body in bodies:
            t0 = time.perf_counter()
            header = stripe.WebhookSignature.generate_signature_header(
                body.decode(), WEBHOOK_SECRET
            )
            answer = client.post(
                path,
                data=body,
                content_type="application/json",
                headers={"Stripe-Signature": header},
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            assert answer.status_code == 200, answer.content
        return time.perf_counter() - started, latencies

    now = datetime.now(UTC)
    webhook_seconds, latencies = post_all(
        [dispute_event(i, "needs_response", now) for i in range(disputes)]
    )
    started = time.perf_counter()
    process_pending_events()
    opening_seconds = time.perf_counter() - started
    assert Chargeback.objects.count() == disputes
    post_all([dispute_event(i, "lost", now + timedelta(minutes=5)) for i in range(disputes)])
    started = time.perf_counter()
    process_pending_events()
    losing_seconds = time.perf_counter() - started
    assert Transaction.objects.filter(kind="chargeback").count() == disputes

    # The list at LIST_ROWS chargebacks: the rest written in bulk, open, due at spread times.
    opened = timezone.now() - timedelta(days=3)
    Chargeback.objects.bulk_create(
        Chargeback(
            workspace=workspace,
            connection=connection_,
            provider="stripe",
            provider_dispute_id=f"du_bulk{i}",
            charge_id=payments[i].external_id,
            order=orders[i],
            payment=payments[i],
            amount=12500,
            currency="EUR",
            reason="fraudulent",
            state="needs_response",
            evidence_due_by=opened + timedelta(days=7, minutes=i),
            due_warning_at=opened + timedelta(days=5, minutes=i),
            observed_at=opened,
            opened_at=opened,
        )
        for i in range(disputes, LIST_ROWS)
    )
    client.force_login(admin)
    page = "/w/bench/chargebacks/"
    client.get(page)
    with CaptureQueriesContext(connection) as captured:
        client.get(page)
    list_queries = len(captured.captured_queries)
    list_ms = median_ms(lambda: client.get(page))
    all_ms = median_ms(lambda: client.get(page + "?view=all"))
    idle_sweep_ms = median_ms(lambda: sweep_deadlines(now=opened))
    return {
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "disputes": disputes,
        "webhook_per_second": round(disputes / webhook_seconds),
        "webhook_p50_ms": round(statistics.median(latencies), 2),
        "webhook_p95_ms": round(percentile(latencies, 0.95), 2),
        "opened_per_second": round(disputes / opening_seconds, 1),
        "lost_per_second": round(disputes / losing_seconds, 1),
        "list_rows": LIST_ROWS,
        "list_page_queries": list_queries,
        "list_open_p50_ms": list_ms,
        "list_all_p50_ms": all_ms,
        "idle_deadline_sweep_ms": idle_sweep_ms,
        "peak_rss_mb": round(peak_rss_mb()),
    }


def fresh_postgres() -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    base, _, name = PG_URL.rpartition("/")
    try:
        with psycopg.connect(
            base.replace("postgres://", "postgresql://") + "/postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"(no PostgreSQL: {exc.__class__.__name__})")
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=500)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.disputes)))
        return
    results = []
    for database in args.databases.split(","):
        if database == "sqlite":
            url = f"sqlite:///{tempfile.mkdtemp(prefix='ombuds-bench-db-')}/bench.sqlite3"
        elif database == "postgresql" and fresh_postgres():
            url = PG_URL
        else:
            continue
        answer = subprocess.run(
            [sys.executable, __file__, "--worker", url, "--disputes", str(args.disputes)],
            capture_output=True,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
        if answer.returncode != 0:
            print(answer.stderr[-3000:])
            continue
        result = json.loads(answer.stdout.strip().splitlines()[-1])
        results.append(result)
        print(json.dumps(result, indent=2))
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "chargebacks.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
