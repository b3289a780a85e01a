"""Benchmark: the SLA deadline sweep with many open cases and few, some or many due.

    .venv/bin/python bench/sla_sweep.py                        # SQLite 10k + 100k, PostgreSQL 1M
    .venv/bin/python bench/sla_sweep.py --databases sqlite --sizes 100000
    .venv/bin/python bench/sla_sweep.py --databases postgres --sizes 1000000 --due 10 1000

Each (database, size) runs in its own process on a fresh database (PostgreSQL: a database
of its own, `bench_sla`, dropped afterwards unless --keep). The cases and their clocks
are written in bulk (every open case has a running first-response and resolution clock:
real rows with the real indexes), then for each count of due clocks the sweep records
that many breaches, as `ombuds serve` does every minute. It also times a sweep with
nothing due and, for contrast, one read of every running clock. This prints numbers; it
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bulk import PG_ADMIN, columns, pg_admin, series, setup_django

REPO = Path(__file__).resolve().parent.parent
PG_DATABASE = "bench_sla"
DEFAULT_SIZES = {"sqlite": [10_000, 100_000], "postgres": [1_000_000]}


# --------------------------------------------------------------------------- worker side


def build(n: int, rng: random.Random):
    """A workspace, one policy, n open cases, each with two running clocks due later
    (within 30 days), written by INSERT … SELECT over a generated series."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ombuds.accounts.services import create_workspace
    from ombuds.conversations.models import Case
    from ombuds.core.selectors import calendar_of
    from ombuds.marketplace.models import Party
    from ombuds.sla.models import SlaClock
    from ombuds.sla.services import PolicyTerms, create_policy

    vendor = connection.vendor
    ws = create_workspace(slug="bench", name="Bench Market", case_prefix="BEN")
    policy = create_policy(
        workspace=ws,
        terms=PolicyTerms(name="Standard", first_response_minutes=240, resolution_minutes=2400),
    )
    calendar = calendar_of(workspace=ws)
    buyers = Party.objects.bulk_create(
        Party(workspace=ws, external_id=f"B{i}", name=f"Buyer {i}", email=f"b{i}@example.com")
        for i in range(1000)
    )
    first_party = min(b.pk for b in buyers)
    now = timezone.now().replace(microsecond=0)
    if vendor == "postgresql":
        stamp = f"TIMESTAMP WITH TIME ZONE '{now.isoformat()}'"

        def minutes(expr: str) -> str:
            return f"({stamp} + ({expr}) * INTERVAL '1 minute')"

        def span(hours: int) -> str:
            return f"INTERVAL '{hours} hours'"

        false = "false"
    else:
        stamp = f"'{now.strftime('%Y-%m-%d %H:%M:%S')}'"

        def minutes(expr: str) -> str:
            return f"strftime('%Y-%m-%d %H:%M:%f', {stamp}, ({expr}) || ' minutes')"

        def span(hours: int) -> str:
            return str(hours * 3600 * 1_000_000)  # DurationField: microseconds

        false = "0"
    status = (
        "CASE WHEN i % 10 < 3 THEN 'new' WHEN i % 10 < 8 THEN 'open' "
        "WHEN i % 10 = 8 THEN 'pending_customer' ELSE 'on_hold' END"
    )
    case_columns, case_values = columns(
        Case,
        {
            "workspace_id": str(ws.pk),
            "number": "i",
            "reference": "'BEN-' || i" if vendor != "postgresql" else "'BEN-' || i::text",
            "subject": "'Where is my order?'",
            "status": status,
            "priority": "'normal'",
            "channel": "'web'",
            "language": "''",
            "topic": "''",
            "requester_id": f"{first_party} + i % 1000",
            "created_at": minutes("-(1 + i % 28800)"),
            "updated_at": stamp,
            "is_public_post": false,
        },
    )
    clock_columns, clock_values = columns(
        SlaClock,
        {
            "workspace_id": str(ws.pk),
            "case_id": "c.id",
            "metric": "m.metric",
            "policy_id": str(policy.pk),
            "policy_name": "'Standard'",
            "calendar_id": str(calendar.pk),
            "state": "'running'",
            "target": "m.target",
            "warn_after": "m.warn",
            "elapsed": span(0),
            "started_at": "c.created_at",
            "running_since": "c.created_at",
            # Due between one hour and 30 days from now, spread over the clocks.
            "due_at": minutes("60 + (c.id * 7919 + m.salt) % 43140"),
            "warn_at": minutes("30 + (c.id * 7919 + m.salt) % 43140"),
            "outcome": "''",
        },
    )
    metrics = (
        f"(SELECT 'first_response' AS metric, {span(4)} AS target, {span(3)} AS warn, 0 AS salt "
        f"UNION ALL SELECT 'resolution', {span(40)}, {span(30)}, 12347) AS m"
    )
    started = time.perf_counter()
    step = 100_000
    for first in range(1, n + 1, step):
        last = min(n, first + step - 1)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Case._meta.db_table} ({case_columns}) "
                f"SELECT {case_values} FROM {series(vendor, first, last)}"
            )
            cursor.execute(
                f"INSERT INTO {SlaClock._meta.db_table} ({clock_columns}) "
                f"SELECT {clock_values} FROM {Case._meta.db_table} c CROSS JOIN {metrics} "
                f"WHERE c.workspace_id = {ws.pk} AND c.number BETWEEN {first} AND {last}"
            )
        if last % 100_000 == 0 or last == n:
            print(f"    … {last:,} cases", file=sys.stderr, flush=True)
    del rng
    return ws, time.perf_counter() - started


def make_due(ws, count: int, rng: random.Random) -> None:
    """`count` undecided running clocks fall due a minute ago (already warned, so each
    costs exactly one breach)."""
    from datetime import timedelta

    from django.utils import timezone

    from ombuds.sla.models import SlaClock

    now = timezone.now()
    # Pick by id range, not ORDER BY random(): the choice must not read every clock.
    bounds = SlaClock.objects.filter(workspace=ws).order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    chosen: set[int] = set()
    while len(chosen) < count:
        chosen.update(rng.randrange(low, high + 1) for _ in range(count - len(chosen)))
        taken = set(
            SlaClock.objects.filter(pk__in=chosen, breached_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        chosen &= taken
    ids = sorted(chosen)
    for start in range(0, len(ids), 1000):
        SlaClock.objects.filter(pk__in=ids[start : start + 1000]).update(
            due_at=now - timedelta(minutes=1), warn_at=None, warned_at=now - timedelta(hours=1)
        )


def explain(sql_vendor: str) -> str:
    from django.db import connection
    from django.utils import timezone

    from ombuds.sla.sweep import due_breaches

    query = due_breaches(timezone.now())[:200]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if sql_vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " / ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN " + sql, params)
        return " / ".join(row[0].strip() for row in cursor.fetchall())


def timed(fn) -> tuple[float, object]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def worker(database: str, size: int, due_counts: list[int], data_dir: Path) -> dict:
    url = (
        f"sqlite:///{data_dir / 'bench.sqlite3'}"
        if database == "sqlite"
        else PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DATABASE}"
    )
    setup_django(url, data_dir)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ombuds.sla.models import SlaClock
    from ombuds.sla.sweep import sweep_due_clocks

    rng = random.Random(20261201)
    print(f"==> {database}, {size:,} open cases: building", file=sys.stderr, flush=True)
    ws, build_seconds = build(size, rng)
    if database == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    clocks = SlaClock.objects.filter(workspace=ws).count()
    results = {
        "database": database,
        "open_cases": size,
        "clocks": clocks,
        "build_seconds": round(build_seconds, 1),
        "plan": explain(connection.vendor),
        "sweeps": [],
    }
    sweep_due_clocks()  # warm caches and connections; nothing is due
    idle, _ = timed(lambda: sweep_due_clocks())
    with CaptureQueriesContext(connection) as idle_queries:
        sweep_due_clocks()
    scan, running = timed(lambda: SlaClock.objects.filter(state="running").count())
    results["idle_sweep_ms"] = round(idle * 1000, 2)
    results["idle_sweep_queries"] = len(idle_queries)
    results["read_every_running_clock_ms"] = round(scan * 1000, 1)
    results["running_clocks"] = running
    for count in due_counts:
        make_due(ws, count, rng)
        if database == "postgres":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE sla_slaclock")
        seconds, outcome = timed(lambda: sweep_due_clocks())
        row = {
            "due": count,
            "breaches": outcome.breaches,
            "seconds": round(seconds, 3),
            "ms_per_due_clock": round(seconds * 1000 / max(1, count), 3),
        }
        results["sweeps"].append(row)
        print(f"    due {count:>6,}: {seconds:8.3f} s", file=sys.stderr, flush=True)
    return results


# --------------------------------------------------------------------------- driver side


def run(database: str, size: int, due: list[int], keep: bool) -> dict:
    data_dir = REPO / "var" / "bench-sla" / f"{database}-{size}"
    if data_dir.exists():
        for child in data_dir.iterdir():
            if child.is_file():
                child.unlink()
    data_dir.mkdir(parents=True, exist_ok=True)
    if database == "postgres":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        pg_admin(f"CREATE DATABASE {PG_DATABASE}")
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", database, str(size), "--due", *map(str, due)],
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
            f"\n{r['database']}: {r['open_cases']:,} open cases, {r['clocks']:,} clocks "
            f"(built in {r['build_seconds']} s)"
        )
        print(f"  plan of the breach read: {r['plan']}")
        print(
            f"  sweep, nothing due: {r['idle_sweep_ms']} ms ({r['idle_sweep_queries']} queries); "
            f"reading every running clock once instead: {r['read_every_running_clock_ms']} ms"
        )
        for s in r["sweeps"]:
            print(
                f"  {s['due']:>6,} due: {s['seconds']:8.3f} s  "
                f"({s['ms_per_due_clock']} ms per due clock, {s['breaches']:,} breaches)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--sizes", nargs="+", type=int, help="open cases per run")
    parser.add_argument("--due", nargs="+", type=int, default=[10, 1000, 10000])
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        database, size = args.worker[0], int(args.worker[1])
        data_dir = REPO / "var" / "bench-sla" / f"{database}-{size}"
        print(json.dumps(worker(database, size, args.due, data_dir)))
        return
    results = []
    for database in args.databases:
        for size in args.sizes or DEFAULT_SIZES[database]:
            results.append(run(database, size, args.due, args.keep))
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"sla_sweep-{int(time.time())}.json").write_text(json.dumps(results, indent=2))
    report(results)


if __name__ == "__main__":
    main()
