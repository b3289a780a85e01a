"""Benchmark: routing decision latency and backlog drain speed, 200 agents in 20 queues.

    .venv/bin/python bench/routing.py         # 10k and 100k cases, SQLite and PostgreSQL
    .venv/bin/python bench/routing.py --sizes 10000 --databases sqlite

Each (database, size) runs in its own process on a fresh database:

- 200 agents in 20 teams (a fifth of them in a second team), each with 1-3 languages of
  four, 2-6 channels of six and 0-3 topics of eight; 60 % online, 20 % away, 20 %
  offline; capacity 6-15, already holding 0 to capacity active cases.
- 20 queues, one per team, tried in order: by language, by topic, by VIP, catch-alls;
  half round robin, half least loaded; asking for language, channel or topic.
- SIZE cases already in the workspace (78 % solved or closed, the rest active, spread
  over the agents), written in bulk: they are the history a decision must not read.

Then it measures, each in its own transaction as in production:

- one decision (`route_case` on an unassigned case): DECISIONS cases, one at a time;
  after each, the routed case is solved outside the timing so loads stay as they were.
- opening a case through `open_case` with routing and without any queue (the overhead).
- drain speed: every agent offline, BACKLOG cases routed into the backlogs, then
  everyone online with room, and every queue drained.

Figures are printed and written as JSON to bench/results/. Nothing is asserted.
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
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "OMBUDS_BENCH_ROUTING_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ombuds_bench_routing"
)
AGENTS, TEAMS = 200, 20
LANGUAGES = ["en", "nl", "de", "fr"]
CHANNELS = ["email", "web", "chat", "whatsapp", "phone", "api"]
TOPICS = ["delivery", "returns", "refund", "tickets", "hotel", "flight", "payment", "selling"]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(samples_ms: list[float]) -> dict:
    return {
        "n": len(samples_ms),
        "p50_ms": round(percentile(samples_ms, 0.50), 2),
        "p95_ms": round(percentile(samples_ms, 0.95), 2),
        "p99_ms": round(percentile(samples_ms, 0.99), 2),
        "mean_ms": round(statistics.fmean(samples_ms), 2),
    }


# --------------------------------------------------------------------------- worker side


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["OMBUDS_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ombuds.config.settings"
    os.environ["OMBUDS_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


def build_desk(rng: random.Random):
    """The workspace, 200 agents with skills, presence and capacity, 20 teams, 20 queues."""
    from django.utils import timezone

    from ombuds.accounts.models import Membership, Team, User
    from ombuds.accounts.services import create_workspace
    from ombuds.routing.models import AgentProfile, AgentSkill, Queue

    ws = create_workspace(slug="bench", name="Bench Market", case_prefix="BEN")
    now = timezone.now()
    # Written in bulk: building the desk is not what is measured.
    users = User.objects.bulk_create(
        User(email=f"agent{i}@bench.test", name=f"Agent {i}", password="!") for i in range(AGENTS)
    )
    memberships = Membership.objects.bulk_create(
        Membership(workspace=ws, user=u, role="agent") for u in users
    )
    teams = Team.objects.bulk_create(Team(workspace=ws, name=f"Team {t}") for t in range(TEAMS))
    links = []
    for i, user in enumerate(users):
        home = teams[i % TEAMS]
        links.append(Team.members.through(team_id=home.pk, user_id=user.pk))
        if rng.random() < 0.2:
            other = rng.choice([t for t in teams if t.pk != home.pk])
            links.append(Team.members.through(team_id=other.pk, user_id=user.pk))
    Team.members.through.objects.bulk_create(links)
    presences = ["online"] * 6 + ["away"] * 2 + ["offline"] * 2
    profiles = AgentProfile.objects.bulk_create(
        AgentProfile(
            workspace=ws,
            membership=m,
            user_id=m.user_id,
            presence=rng.choice(presences),
            presence_changed_at=now,
            capacity=rng.randint(6, 15),
        )
        for m in memberships
    )
    skills = []
    for profile in profiles:
        languages = {"en"} | set(rng.sample(LANGUAGES[1:], rng.randint(0, 2)))
        for code in languages:
            skills.append(AgentSkill(workspace=ws, profile=profile, kind="language", code=code))
        for code in rng.sample(CHANNELS, rng.randint(2, 6)):
            skills.append(AgentSkill(workspace=ws, profile=profile, kind="channel", code=code))
        for code in rng.sample(TOPICS, rng.randint(0, 3)):
            skills.append(AgentSkill(workspace=ws, profile=profile, kind="topic", code=code))
    AgentSkill.objects.bulk_create(skills)
    queues = []
    for q, team in enumerate(teams):
        spec = {"languages": [], "topics": [], "vip": "any"}
        if q < 6:
            spec["languages"] = [LANGUAGES[1 + q % 3]]
        elif q < 14:
            spec["topics"] = [TOPICS[q - 6]]
        elif q < 16:
            spec["vip"] = "only"
        queues.append(
            Queue(
                workspace=ws,
                team=team,
                name=f"Queue {q}",
                position=q,
                strategy="round_robin" if q % 2 else "least_loaded",
                match_language=True,
                match_channel=q % 3 == 0,
                match_topic=6 <= q < 14,
                **spec,
            )
        )
    Queue.objects.bulk_create(queues)
    return ws, users, teams, profiles


def build_history(ws, users, profiles, size: int, rng: random.Random) -> list:
    """SIZE cases as months of work leave them, written in bulk, with loads below
    capacity for the agents holding the active ones."""
    from datetime import timedelta

    from django.utils import timezone

    from ombuds.conversations.models import Case
    from ombuds.core.models import Counter
    from ombuds.marketplace.models import Party

    buyers = Party.objects.bulk_create(
        Party(
            workspace=ws,
            kind="buyer",
            external_id=f"B{i}",
            name=f"Buyer {i}",
            email=f"buyer{i}@example.com",
            language=rng.choice(LANGUAGES),
            is_vip=rng.random() < 0.05,
        )
        for i in range(2000)
    )
    room = {p.user_id: rng.randint(0, p.capacity) for p in profiles}
    now = timezone.now()
    done = ["closed"] * 50 + ["solved"] * 28
    active = ["open"] * 8 + ["new"] * 4 + ["pending_customer"] * 5 + ["on_hold"] * 5
    batch = []
    for n in range(1, size + 1):
        status = rng.choice(done + active)
        assignee = rng.choice(users)
        if status not in ("closed", "solved"):
            if room[assignee.pk] > 0:
                room[assignee.pk] -= 1
            else:
                status = "solved"
        buyer = rng.choice(buyers)
        at = now - timedelta(minutes=rng.randrange(60, 180 * 24 * 60))
        batch.append(
            Case(
                workspace=ws,
                number=n,
                reference=f"BEN-{n}",
                subject=f"History {n}",
                status=status,
                priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
                channel=rng.choice(CHANNELS),
                language=buyer.language,
                topic=rng.choice(TOPICS),
                requester=buyer,
                assignee=assignee,
                created_at=at,
                updated_at=at,
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    Counter.objects.update_or_create(scope=f"case:{ws.pk}", defaults={"value": size})
    return buyers


def unrouted(ws, buyers, count: int, rng: random.Random, start: int) -> list:
    """Cases opened while routing did not see them (bulk): the ones decisions are timed on."""
    from django.utils import timezone

    from ombuds.conversations.models import Case
    from ombuds.core.models import Counter

    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            workspace=ws,
            number=start + i,
            reference=f"BEN-{start + i}",
            subject=f"New {i}",
            channel=rng.choice(CHANNELS),
            language=(buyer := rng.choice(buyers)).language,
            topic=rng.choice(TOPICS),
            priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
            requester=buyer,
            created_at=now,
            updated_at=now,
        )
        for i in range(count)
    )
    Counter.objects.filter(scope=f"case:{ws.pk}").update(value=start + count)
    return list(Case.objects.filter(pk__in=[c.pk for c in cases]).select_related("requester"))


def time_decisions(ws, buyers, count: int, rng: random.Random, start: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ombuds.conversations.models import Case
    from ombuds.routing.services import route_case

    cases = unrouted(ws, buyers, count, rng, start)
    by_outcome: dict[str, list[float]] = {"assigned": [], "queued": [], "no queue": []}
    everything, queries = [], []
    for n, case in enumerate(cases):
        if n % 10 == 0:
            # Query counts from every tenth decision; capturing them slows the call down.
            with CaptureQueriesContext(connection) as captured:
                outcome = route_case(case=case, new=True)
            queries.append(len(captured.captured_queries))
            if outcome is not None and outcome.assigned:
                Case.objects.filter(pk=case.pk).update(status="solved")
            continue
        began = time.perf_counter()
        outcome = route_case(case=case, new=True)
        elapsed = (time.perf_counter() - began) * 1000
        everything.append(elapsed)
        kind = "no queue" if outcome is None else "assigned" if outcome.assigned else "queued"
        by_outcome[kind].append(elapsed)
        if outcome is not None and outcome.assigned:
            # Keep loads where they were: the next decision sees the same desk.
            Case.objects.filter(pk=case.pk).update(status="solved")
    return {
        "all": latency(everything),
        **{k: latency(v) for k, v in by_outcome.items() if v},
        "queries_max": max(queries),
        "queries_median": statistics.median(queries),
    }


def time_open_case(ws, buyers, count: int, rng: random.Random) -> dict:
    """open_case with routing on, then with every queue switched off (routing reads the
    rules and finds none)."""
    from ombuds.conversations.events import Actor
    from ombuds.conversations.models import Case
    from ombuds.conversations.services import open_case
    from ombuds.routing.models import Queue, QueueEntry

    def run(n: int) -> list[float]:
        samples = []
        for _ in range(n):
            buyer = rng.choice(buyers)
            began = time.perf_counter()
            case = open_case(
                workspace=ws,
                subject="Where is my parcel?",
                body="It has not arrived yet.",
                requester=buyer,
                actor=Actor(party=buyer),
                channel=rng.choice(CHANNELS),
                topic=rng.choice(TOPICS),
                language=buyer.language,
            )
            samples.append((time.perf_counter() - began) * 1000)
            Case.objects.filter(pk=case.pk).update(status="solved")
            QueueEntry.objects.filter(case_id=case.pk).delete()
        return samples

    with_routing = run(count)
    Queue.objects.filter(workspace=ws).update(is_active=False)
    without = run(count)
    Queue.objects.filter(workspace=ws).update(is_active=True)
    return {"with_routing": latency(with_routing), "no_queues": latency(without)}


def time_drain(ws, buyers, profiles, count: int, rng: random.Random, start: int) -> dict:
    from ombuds.conversations.models import Case
    from ombuds.routing.models import AgentProfile, Queue, QueueEntry
    from ombuds.routing.services import drain_queue, route_case

    AgentProfile.objects.filter(workspace=ws).update(presence="offline")
    cases = unrouted(ws, buyers, count, rng, start)
    began = time.perf_counter()
    for case in cases:
        route_case(case=case)
    queue_rate = count / (time.perf_counter() - began)
    waiting = QueueEntry.objects.filter(workspace=ws).count()
    AgentProfile.objects.filter(workspace=ws).update(presence="online", capacity=200)
    began = time.perf_counter()
    handed = 0
    for queue_id in (
        Queue.objects.filter(workspace=ws).order_by("position").values_list("pk", flat=True)
    ):
        while batch := drain_queue(queue_id=queue_id):
            handed += len(batch)
    elapsed = time.perf_counter() - began
    left = QueueEntry.objects.filter(workspace=ws).count()
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(status="solved")
    return {
        "backlog": waiting,
        "queued_per_s": round(queue_rate, 1),
        "drained": handed,
        "left_waiting": left,
        "drain_seconds": round(elapsed, 2),
        "drained_per_s": round(handed / elapsed, 1) if elapsed else None,
    }


def explain_load_query(ws, users) -> str:
    """The plan of the load count, to show it reads the case index, not the table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ombuds.routing.selectors import active_loads

    with CaptureQueriesContext(connection) as captured:
        active_loads(workspace_id=ws.pk, user_ids=[u.pk for u in users[:10]])
    sql = captured.captured_queries[-1]["sql"]
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return " | ".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def run_worker(database: str, database_url: str, size: int, decisions: int, backlog: int) -> dict:
    data_dir = Path(f"/tmp/ombuds-bench-routing/{database}-{size}")
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(database_url, data_dir)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    rng = random.Random(size)
    ws, users, _teams, profiles = build_desk(rng)
    print(f"  [{database} {size:,}] writing the history…", file=sys.stderr, flush=True)
    buyers = build_history(ws, users, profiles, size, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  [{database} {size:,}] timing decisions…", file=sys.stderr, flush=True)
    decided = time_decisions(ws, buyers, decisions, rng, start=size + 1)
    opened = time_open_case(ws, buyers, min(300, decisions), rng)
    from ombuds.core.models import Counter

    next_number = Counter.objects.get(scope=f"case:{ws.pk}").value + 1
    print(f"  [{database} {size:,}] timing the drain…", file=sys.stderr, flush=True)
    drained = time_drain(ws, buyers, profiles, backlog, rng, start=next_number)
    return {
        "database": database,
        "cases": size,
        "agents": AGENTS,
        "queues": TEAMS,
        "decision": decided,
        "open_case": opened,
        "drain": drained,
        "load_query_plan": explain_load_query(ws, users),
    }


# --------------------------------------------------------------------------- orchestrator


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


def _line(label: str, figures: dict) -> str:
    return (
        f"  {label:<30} p50 {figures['p50_ms']:>7.2f}  p95 {figures['p95_ms']:>7.2f}"
        f"  p99 {figures['p99_ms']:>7.2f} ms  (n={figures['n']})"
    )


def print_result(result: dict) -> None:
    print(
        f"\n== {result['database']}, {result['cases']:,} cases, {result['agents']} agents, "
        f"{result['queues']} queues =="
    )
    decision = result["decision"]
    print(_line("decision, all", decision["all"]))
    for kind in ("assigned", "queued", "no queue"):
        if kind in decision:
            print(_line(f"decision, {kind}", decision[kind]))
    print(
        f"  queries per decision          median {decision['queries_median']}, "
        f"max {decision['queries_max']}"
    )
    print(_line("open_case with routing", result["open_case"]["with_routing"]))
    print(_line("open_case, no queue", result["open_case"]["no_queues"]))
    d = result["drain"]
    print(
        f"  backlog of {d['backlog']:,}: queued at {d['queued_per_s']}/s; drained {d['drained']:,}"
        f" in {d['drain_seconds']} s = {d['drained_per_s']} cases/s ({d['left_waiting']} left:"
        " nobody with their skills)"
    )
    print(f"  load query plan: {result['load_query_plan']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        database, size = args.worker[0], int(args.worker[1])
        url = (
            PG_URL
            if database == "postgresql"
            else f"sqlite:////tmp/ombuds-bench-routing/{database}-{size}/ombuds.sqlite3"
        )
        print(json.dumps(run_worker(database, url, size, args.decisions, args.backlog)))
        return

    # The machine is shared: this figure says how busy it was (14.9 µs when quiet).
    import timeit

    calibration = timeit.timeit("sum(range(1000))", number=20000) / 20000 * 1e6
    print(f"sum(range(1000)): {calibration:.1f} µs")
    results = []
    for database in args.databases:
        if database == "postgresql":
            if not postgres_up():
                print("PostgreSQL does not answer; skipping its runs.")
                continue
            ensure_pg_database()
        for size in args.sizes:
            print(f"running {database} with {size:,} cases…", flush=True)
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    database,
                    str(size),
                    "--decisions",
                    str(args.decisions),
                    "--backlog",
                    str(args.backlog),
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
            result["calibration_us"] = round(calibration, 1)
            results.append(result)
            print_result(result)
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out_dir / f"routing-{stamp}.json").write_text(json.dumps(results, indent=2))
    print(f"\nmachine: {os.cpu_count()} cores; results in bench/results/routing-{stamp}.json")


if __name__ == "__main__":
    main()
