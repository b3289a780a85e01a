"""Benchmark: case creation, inbox, case page and search at 10,000 and 100,000 cases.

    .venv/bin/python bench/cases.py                    # 10k and 100k, SQLite (+ PostgreSQL if up)
    .venv/bin/python bench/cases.py --sizes 10000 --databases sqlite

Each (database, size) runs in its own process on a fresh database: it creates the cases
through the service layer, spreads them over statuses, agents and six months, then starts
`ombuds serve` and measures over real HTTP. Figures are printed and written as JSON to
bench/results/. This prints numbers; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "OMBUDS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ombuds_bench"
)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- worker side


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["OMBUDS_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ombuds.config.settings"
    os.environ["OMBUDS_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


def build_people(rng: random.Random):
    from ombuds.accounts.services import add_member, create_team, create_workspace
    from ombuds.marketplace.models import Order, Party, PartyIdentity

    ws = create_workspace(slug="bench", name="Bench Market", case_prefix="BEN")
    agents = [
        add_member(
            workspace=ws,
            email=f"agent{i}@bench.test",
            role="agent",
            name=f"Agent {i}",
            password="bench-password",
        ).user
        for i in range(20)
    ]
    teams = [
        create_team(workspace=ws, name="Tickets", members=agents[:10]),
        create_team(workspace=ws, name="Goods", members=agents[10:]),
    ]
    buyers = Party.objects.bulk_create(
        Party(
            workspace=ws,
            kind="buyer",
            external_id=f"B{i}",
            name=f"Buyer {i} Jansen",
            email=f"buyer{i}@example.com",
            language=rng.choice(["en", "nl"]),
        )
        for i in range(2000)
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
    orders = Order.objects.bulk_create(
        Order(
            workspace=ws,
            external_id=f"ORD-{i:06d}",
            buyer=rng.choice(buyers),
            seller=rng.choice(sellers),
            kind=rng.choice(["goods", "event_ticket", "hotel"]),
            currency="EUR",
            total=rng.randrange(1000, 90000),
        )
        for i in range(5000)
    )
    return ws, agents, teams, buyers, orders


def create_cases(ws, buyers, orders, n: int, rng: random.Random) -> float:
    """Cases per second through the service layer (one transaction per case)."""
    from ombuds.conversations.events import Actor
    from ombuds.conversations.services import open_case

    by_buyer: dict[int, list] = {}
    for order in orders:
        by_buyer.setdefault(order.buyer_id, []).append(order)
    subjects = [
        "Tickets not received",
        "Parcel is late",
        "Hotel cannot find my booking",
        "Charged twice",
        "Seller cancelled",
        "Wrong size delivered",
        "Refund status",
    ]
    started = time.perf_counter()
    for i in range(n):
        buyer = buyers[i % len(buyers)]
        own = by_buyer.get(buyer.pk)
        open_case(
            workspace=ws,
            subject=f"{rng.choice(subjects)} #{i}",
            body="Hello, I bought through your site and something went wrong. " * 3,
            requester=buyer,
            actor=Actor(party=buyer),
            channel=rng.choice(["email", "web", "chat", "whatsapp", "phone"]),
            order=rng.choice(own) if own and i % 3 else None,
            tags=["late"] if i % 10 == 0 else (),
        )
        if i and i % 10000 == 0:
            print(f"    … {i:,} cases", file=sys.stderr, flush=True)
    return n / (time.perf_counter() - started)


def spread_cases(ws, agents, teams, rng: random.Random) -> None:
    """Make the data look like a desk after months: most cases solved or closed,
    a working set open, assigned across agents and teams, activity over six months."""
    from datetime import timedelta

    from django.utils import timezone

    from ombuds.conversations.models import Case

    now = timezone.now()
    statuses = (
        ["closed"] * 50
        + ["solved"] * 28
        + ["open"] * 8
        + ["new"] * 4
        + ["pending_customer"] * 5
        + ["pending_third_party"] * 3
        + ["on_hold"] * 2
    )
    ids = list(Case.objects.filter(workspace=ws).values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        batch = list(Case.objects.filter(pk__in=ids[start : start + 2000]))
        for case in batch:
            case.status = rng.choice(statuses)
            case.priority = rng.choice(["low", "normal", "normal", "normal", "high", "urgent"])
            case.assignee = rng.choice(agents) if rng.random() < 0.7 else None
            case.team = rng.choice(teams) if rng.random() < 0.8 else None
            case.updated_at = now - timedelta(minutes=rng.randrange(0, 180 * 24 * 60))
        Case.objects.bulk_update(batch, ["status", "priority", "assignee", "team", "updated_at"])


def inbox_query_counts(ws, user) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    counts = {}
    for label, url in [
        ("inbox all", f"/w/{ws.slug}/inbox/?view=all"),
        ("inbox unassigned", f"/w/{ws.slug}/inbox/?view=unassigned"),
    ]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        counts[label] = {"status": response.status_code, "queries": len(ctx.captured_queries)}
    return counts


def session_cookie(user) -> tuple[str, str]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def api_token(ws) -> str:
    from ombuds.accounts.services import add_member, issue_token

    membership = add_member(workspace=ws, email="integration@bench.test", role="admin")
    return issue_token(membership=membership)[1]


def start_server(port: int, env: dict) -> subprocess.Popen:
    import httpx

    proc = subprocess.Popen(
        [str(REPO / ".venv/bin/ombuds"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise RuntimeError("server did not become healthy")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def time_gets(client, urls: list[str]) -> dict:
    samples = []
    statuses = set()
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
    return {
        "p50_ms": round(percentile(samples, 0.5), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "n": len(samples),
        "statuses": sorted(statuses),
    }


def api_create(base: str, token: str, total: int, clients: int) -> float:
    import httpx

    each = total // clients
    errors: list[str] = []

    def run(k: int) -> None:
        with httpx.Client(
            base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            for i in range(each):
                response = http.post(
                    "/api/v1/cases",
                    json={
                        "subject": f"API case {k}-{i}",
                        "body": "Where are my tickets?",
                        "requester": {"email": f"buyer{(k * each + i) % 2000}@example.com"},
                    },
                )
                if response.status_code != 201:
                    errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        print(f"    API errors: {len(errors)}, first: {errors[0]}", file=sys.stderr)
    return (each * clients - len(errors)) / elapsed


def run_worker(
    database: str, database_url: str, size: int, requests: int, reuse: bool = False
) -> dict:
    data_dir = Path(f"/tmp/ombuds-bench/{database}-{size}")
    if not reuse:
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(database_url, data_dir)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql" and not reuse:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    rng = random.Random(size)

    if reuse:
        # Re-measure the pages on the data an earlier run built; creation is not re-timed.
        from ombuds.accounts.models import User
        from ombuds.core.models import Workspace

        ws = Workspace.objects.get(slug="bench")
        agents = list(User.objects.filter(email__startswith="agent").order_by("pk"))
        service_rate = None
    else:
        ws, agents, teams, buyers, orders = build_people(rng)
        print(
            f"  [{database} {size:,}] creating cases through the service layer…",
            file=sys.stderr,
            flush=True,
        )
        service_rate = create_cases(ws, buyers, orders, size, rng)
        spread_cases(ws, agents, teams, rng)
    with connection.cursor() as cursor:  # fresh statistics, as a live database has
        cursor.execute("ANALYZE")
    queries = inbox_query_counts(ws, agents[0])
    cookie = session_cookie(agents[0])
    token = api_token(ws)
    connection.close()

    from ombuds.conversations.models import Case

    refs = list(Case.objects.filter(workspace=ws).values_list("reference", flat=True)[:5000])
    connection.close()

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "OMBUDS_DATA_DIR": str(data_dir),
        "OMBUDS_LOG_LEVEL": "WARNING",
    }
    server = start_server(port, env)
    base = f"http://127.0.0.1:{port}"
    import httpx

    try:
        with httpx.Client(base_url=base, timeout=30, cookies={cookie[0]: cookie[1]}) as web:
            inbox = f"/w/{ws.slug}/inbox/"
            web.get(inbox)  # warm caches and templates
            pages = {
                "inbox (all)": time_gets(web, [f"{inbox}?view=all"] * requests),
                "inbox (mine)": time_gets(web, [f"{inbox}?view=mine"] * requests),
                "inbox (unassigned, high)": time_gets(
                    web, [f"{inbox}?view=unassigned&priority=high"] * requests
                ),
                "inbox (pending)": time_gets(web, [f"{inbox}?view=pending"] * requests),
                "case page": time_gets(
                    web, [f"/w/{ws.slug}/cases/{rng.choice(refs)}/" for _ in range(requests)]
                ),
                "search by reference": time_gets(
                    web, [f"{inbox}?q={rng.choice(refs)}" for _ in range(requests)]
                ),
                "search by email": time_gets(
                    web,
                    [f"{inbox}?q=buyer{rng.randrange(2000)}@example.com" for _ in range(requests)],
                ),
                "search by order number": time_gets(
                    web, [f"{inbox}?q=ORD-{rng.randrange(5000):06d}" for _ in range(requests)]
                ),
                "search by name": time_gets(
                    web, [f"{inbox}?q=Buyer {rng.randrange(2000)} Jansen" for _ in range(requests)]
                ),
                "search by subject words": time_gets(
                    web, [f"{inbox}?q=Charged twice" for _ in range(requests)]
                ),
            }
        api_one = api_create(base, token, 1000, 1)
        api_eight = api_create(base, token, 2000, 8)
        rss = peak_rss_mib(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return {
        "database": database,
        "cases": size,
        "service_cases_per_s": None if service_rate is None else round(service_rate),
        "api_cases_per_s_1_client": round(api_one),
        "api_cases_per_s_8_clients": round(api_eight),
        "pages": pages,
        "query_counts": queries,
        "server_peak_rss_mib": round(rss, 1),
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


def print_result(result: dict) -> None:
    print(f"\n== {result['database']}, {result['cases']:,} cases ==")
    if result["service_cases_per_s"] is not None:
        print(f"  case creation, service layer : {result['service_cases_per_s']:>7,} cases/s")
    print(f"  case creation, API, 1 client : {result['api_cases_per_s_1_client']:>7,} cases/s")
    print(f"  case creation, API, 8 clients: {result['api_cases_per_s_8_clients']:>7,} cases/s")
    for label, page in result["pages"].items():
        print(
            f"  {label:<28} p50 {page['p50_ms']:>7.2f} ms   p95 {page['p95_ms']:>7.2f} ms"
            f"   (n={page['n']}, HTTP {page['statuses']})"
        )
    for label, q in result["query_counts"].items():
        print(f"  queries, {label:<19} {q['queries']} (HTTP {q['status']})")
    print(f"  server peak RSS              : {result['server_peak_rss_mib']} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the data of the last run"
    )
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        database, size = args.worker[0], int(args.worker[1])
        url = (
            PG_URL
            if database == "postgresql"
            else f"sqlite:////tmp/ombuds-bench/{database}-{size}/ombuds.sqlite3"
        )
        print(json.dumps(run_worker(database, url, size, args.requests, args.reuse)))
        return

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
                    "--requests",
                    str(args.requests),
                    *(["--reuse"] if args.reuse else []),
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
    (out_dir / f"cases-{stamp}.json").write_text(json.dumps(results, indent=2))
    print(f"\nmachine: {os.cpu_count()} cores; results in bench/results/cases-{stamp}.json")
    if results:
        print(
            "median p95 over pages:",
            statistics.median(p["p95_ms"] for r in results for p in r["pages"].values()),
        )


if __name__ == "__main__":
    main()
