"""Benchmark: the time-rule sweep when 1,000 of N armed cases are due, the cost of an
idle sweep, and what the standard escalation triggers add to opening a case.

    .venv/bin/python bench/automation.py                          # 100k on SQLite
    .venv/bin/python bench/automation.py --size 1000000 --database postgres

Runs in-process on a fresh database. The armed cases are written with bulk inserts (this
is load, not the product's path); what is measured goes through the product's code: the
sweep (`sweep_time_rules`) and `open_case` with the triggers listening. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "OMBUDS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ombuds_bench_automation"
)
DUE = 1_000
CHUNK = 20_000


def setup(database: str, data_dir: Path) -> None:
    url = PG_URL if database == "postgres" else f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["OMBUDS_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ombuds.config.settings"
    os.environ["OMBUDS_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    sys.path.insert(0, str(REPO / "src"))
    if database == "postgres":
        import psycopg

        admin = PG_URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
        name = PG_URL.rsplit("/", 1)[1]
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def arm(size: int):
    from django.utils import timezone

    from ombuds.accounts.services import create_workspace
    from ombuds.automation.models import DueAction
    from ombuds.automation.rules.services import create_time_rule
    from ombuds.conversations.models import Case
    from ombuds.marketplace.models import Party

    ws = create_workspace(slug="bench", name="Bench", case_prefix="BEN")
    buyer = Party.objects.create(workspace=ws, kind="buyer", name="Bench Buyer")
    rule = create_time_rule(
        workspace=ws,
        name="Nudge",
        status="pending_customer",
        hours=72,
        actions=[{"type": "add_tags", "value": "nudged"}],
    )
    now = timezone.now()
    started = time.perf_counter()
    for start in range(0, size, CHUNK):
        stop = min(size, start + CHUNK)
        cases = Case.objects.bulk_create(
            Case(
                workspace=ws,
                number=n + 1,
                reference=f"BEN-{n + 1}",
                subject="Waiting for an answer",
                status="pending_customer",
                requester=buyer,
                created_at=now - timedelta(days=5),
                updated_at=now - timedelta(days=5),
            )
            for n in range(start, stop)
        )
        DueAction.objects.bulk_create(
            DueAction(
                workspace=ws,
                case=case,
                rule=rule,
                since=now - timedelta(days=5),
                # The first DUE cases are due now; the rest over the next weeks.
                due_at=now - timedelta(minutes=1)
                if i < DUE
                else now + timedelta(hours=1 + i % 500),
            )
            for i, case in zip(range(start, stop), cases, strict=True)
        )
    from ombuds.core.models import Counter

    # Cases written in bulk took their numbers by hand; the counter must follow.
    Counter.objects.update_or_create(scope=f"case:{ws.pk}", defaults={"value": size})
    return ws, now, time.perf_counter() - started


def measure_sweep(now) -> dict:
    from django.db import connection

    from ombuds.automation.rules.timers import due_actions, sweep_time_rules

    samples = []
    for _ in range(20):
        t = time.perf_counter()
        due_actions(now - timedelta(hours=1))  # nothing due an hour ago
        samples.append((time.perf_counter() - t) * 1000)
    idle_ms = statistics.median(samples)
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    t = time.perf_counter()
    with connection.execute_wrapper(count):
        ran = sweep_time_rules(now)
    sweep_s = time.perf_counter() - t
    return {
        "idle_due_query_ms": round(idle_ms, 2),
        "sweep_ran": ran,
        "sweep_seconds": round(sweep_s, 2),
        "per_due_ms": round(sweep_s * 1000 / max(ran, 1), 2),
        "queries_per_due": round(queries[0] / max(ran, 1), 1),
    }


def measure_triggers(ws, n: int = 200) -> dict:
    from ombuds.automation.defaults import install_defaults
    from ombuds.automation.models import Trigger
    from ombuds.conversations.events import Actor
    from ombuds.conversations.services import open_case
    from ombuds.marketplace.models import Party

    buyers = Party.objects.bulk_create(
        Party(workspace=ws, kind="buyer", name=f"Buyer {i}", external_id=f"TB{i}")
        for i in range(2 * n)
    )

    def open_many(offset: int) -> float:
        t = time.perf_counter()
        for i in range(n):
            party = buyers[offset + i]
            open_case(
                workspace=ws,
                subject="Where is my parcel?",
                body="It has not arrived and I am waiting for days now.",
                requester=party,
                actor=Actor(party=party),
            )
        return (time.perf_counter() - t) * 1000 / n

    Trigger.objects.filter(workspace=ws).delete()
    without = open_many(0)
    install_defaults(ws)
    with_defaults = open_many(n)
    return {
        "open_case_ms_no_triggers": round(without, 2),
        "open_case_ms_with_6_escalations": round(with_defaults, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="ombuds-bench-automation-"))
    try:
        setup(args.database, data_dir)
        ws, now, load_s = arm(args.size)
        result = {"database": args.database, "armed_cases": args.size, "due": DUE}
        result["load_seconds"] = round(load_s, 1)
        result.update(measure_sweep(now))
        result.update(measure_triggers(ws))
        for key, value in result.items():
            print(f"{key:>34}: {value}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
