"""Benchmark: email ingestion through the full path — store, parse, thread, file.

    .venv/bin/python bench/ingest.py        # 1k, 10k, 100k on SQLite; 1k, 10k on PostgreSQL
    .venv/bin/python bench/ingest.py --sizes 10000 --databases sqlite
    .venv/bin/python bench/ingest.py --sizes 3000 --databases sqlite --profile

Each (database, size) runs in its own process on a fresh database. The emails are
generated (tests/intake/mail_corpus.py: mixed sizes, 10 % with an attachment, 30 %
replies to earlier ones) and arrive in rounds of 1,000: each round is stored the way the
IMAP fetcher stores it (`intake.inbound.accept`, 50 to a transaction, waking the queue),
then filed the way the worker files it (`process_pending`: the email reader, party
lookup, threading, the case and its message, timeline). Figures are printed and written
as JSON to bench/results/. This prints numbers; it asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import time
from array import array
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PG_URL = os.environ.get(
    "OMBUDS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ombuds_bench_ingest"
)
ROUND = 1000
STORE_BATCH = 50


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --------------------------------------------------------------------------- worker side


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["OMBUDS_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ombuds.config.settings"
    os.environ["OMBUDS_SECRET_KEY"] = "bench"
    os.environ.pop("OMBUDS_TESTING", None)
    import django

    django.setup()


class Timed:
    """Wraps a function and keeps how long each call took."""

    def __init__(self, fn):
        self.fn = fn
        # Arrays of doubles, so that keeping 100,000 timings does not show in the RSS.
        self.seconds = array("d")
        # CPU time of this thread: what the call cost, without the time spent waiting for
        # a core on a shared machine (or for another database process).
        self.cpu_seconds = array("d")

    def __call__(self, *args, **kwargs):
        began, cpu = time.perf_counter(), time.thread_time()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds.append(time.perf_counter() - began)
            self.cpu_seconds.append(time.thread_time() - cpu)


def parse_share(raws: list[bytes]) -> dict:
    """How long parsing alone takes: `email.policy.default` (what the reader once used)
    against `compat32`, both reading the headers and the text body."""
    from email import message_from_bytes, policy

    def read(raw: bytes, chosen) -> None:
        mail = message_from_bytes(raw, policy=chosen)
        for name in ("From", "Subject", "Message-ID", "In-Reply-To", "References"):
            str(mail.get(name, ""))
        if chosen is policy.default:
            body = mail.get_body(preferencelist=("plain", "html"))
            if body is not None:
                body.get_content()
        else:
            for part in mail.walk():
                if part.get_content_type() == "text/plain":
                    part.get_payload(decode=True)
                    break

    out = {}
    for label, chosen in (("policy.default", policy.default), ("compat32", policy.compat32)):
        began = time.perf_counter()
        for raw in raws:
            read(raw, chosen)
        out[label] = (time.perf_counter() - began) / len(raws) * 1000
    return out


def imap_fetch_rate(count: int, seed: int) -> dict | None:
    """Emails per second from a local Dovecot into the database (stored, not yet filed),
    the way `fetch_mailbox` does it: sizes and ids first, download, store, commit, move."""
    from tests.intake import dovecot as dovecot_server

    if not dovecot_server.available():
        return None
    from tests.intake.mail_corpus import stream

    from ombuds.accounts.services import create_workspace
    from ombuds.intake.email.imap import fetch_mailbox
    from ombuds.intake.mailboxes import MailboxSettings, create_mailbox

    server = dovecot_server.Dovecot().start()
    try:
        user = server.new_user()
        imap = server.client(user)
        emails = stream(count, seed=seed)
        for start in range(0, count, 200):
            imap.multiappend("INBOX", [next(emails).raw for _ in range(min(200, count - start))])
        imap.logout()
        ws = create_workspace(slug="imap", name="IMAP", case_prefix="IMA")
        mailbox = create_mailbox(
            workspace=ws,
            spec=MailboxSettings(
                address="support@imap.test",
                host=server.host,
                port=server.port,
                security="plain",
                username=user,
                password=dovecot_server.PASSWORD,
                archive_folder="Archive",
            ),
        )
        began = time.perf_counter()
        report = fetch_mailbox(mailbox.pk)
        seconds = time.perf_counter() - began
    finally:
        server.stop()
    return {"emails": count, "stored": report.stored, "per_s": round(report.stored / seconds)}


def run_worker(
    database: str, database_url: str, size: int, profile: bool, steps_wanted: bool
) -> dict:
    data_dir = Path(f"/tmp/ombuds-bench/ingest-{database}-{size}")
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(database_url, data_dir)
    from django.core.management import call_command
    from django.db import connection, reset_queries, transaction

    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)

    from tests.intake.mail_corpus import stream

    from ombuds.accounts.services import create_workspace
    from ombuds.conversations.models import Case, Message
    from ombuds.intake import inbound, incoming, prepare, threads
    from ombuds.intake.email.read import external_id_of
    from ombuds.intake.models import InboundMessage, InboundStatus

    ws = create_workspace(slug="bench", name="Bench Market", case_prefix="BEN")
    # The timings per email (the sender look-up and the filing of each row) cost little;
    # the ones per step (`--steps`) cost a few per cent more, so rates are taken without.
    # The batch's sender look-up parses each email (and keeps it for the reader): part of
    # that email's time.
    hint = Timed(incoming.sender_hint_for("email"))
    incoming.register_sender_hint("email", hint)
    per_message = Timed(inbound._process_locked)
    inbound._process_locked = per_message
    # Where filing's time goes, step by step.
    steps = {}
    if steps_wanted:
        steps["reader"] = Timed(incoming.reader_for("email"))
        incoming.register_reader("email", steps["reader"])
        steps["file_incoming"] = Timed(inbound.file_incoming)
        inbound.file_incoming = steps["file_incoming"]
        for name in (
            "party_for",
            "find_case",
            "open_case_with_message",
            "receive_customer_message",
        ):
            steps[name] = Timed(getattr(threads, name))
            setattr(threads, name, steps[name])

    from ombuds.intake.language import detect_language

    detect_language("Warm the language model up once, as a running worker has it loaded.")
    store_seconds = array("d")
    store_cpu = array("d")
    store_total = file_total = 0.0
    sample: list[bytes] = []
    # A hundred more than measured: the query counts below use the ones after the last.
    emails = stream(size + 100, seed=size)
    profiler = cProfile.Profile() if profile else None
    done = 0
    total_bytes = 0
    print(f"  [{database} {size:,}] ingesting…", file=sys.stderr, flush=True)
    # A worker starts its helper at its first backlog and keeps it: the figures are for
    # a worker that has one running (its CPU time is counted from here on).
    prepare.start(wait=True)
    cpu_began = round_began = time.process_time()
    helper_began = prepare.helper_cpu_seconds()
    round_cpu: list[float] = []
    generating = 0.0  # CPU time spent making up the emails: not what ingestion costs
    while done < size:
        made = time.process_time()
        batch = [next(emails) for _ in range(min(ROUND, size - done))]
        made = time.process_time() - made
        generating += made
        if len(sample) < 500:
            sample += [e.raw for e in batch[: 500 - len(sample)]]
        began = time.perf_counter()
        for start in range(0, len(batch), STORE_BATCH):
            part = batch[start : start + STORE_BATCH]
            t, t_cpu = time.perf_counter(), time.thread_time()
            with transaction.atomic():
                stored = inbound.accept_many(
                    workspace=ws,
                    channel="email",
                    payloads=[(email.raw, external_id_of(email.raw)) for email in part],
                    source="bench",
                )
                inbound.wake_processing([s.inbound.pk for s in stored])  # as IMAP does
            # One statement stores the batch: each email gets its share of the time.
            store_seconds.extend([(time.perf_counter() - t) / len(part)] * len(part))
            store_cpu.extend([(time.thread_time() - t_cpu) / len(part)] * len(part))
            total_bytes += sum(len(email.raw) for email in part)
        store_total += time.perf_counter() - began
        began = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        inbound.process_pending()
        if profiler is not None:
            profiler.disable()
        file_total += time.perf_counter() - began
        done += len(batch)
        # CPU time per round: a step that grew with the data would slow the later rounds.
        round_cpu.append(time.process_time() - round_began - made)
        round_began = time.process_time()
        if done % 10_000 == 0 or done == size:
            rate = done / (store_total + file_total)
            print(f"    {done:>7,} done, {rate:,.0f}/s so far", file=sys.stderr, flush=True)

    cpu_seconds = time.process_time() - cpu_began - generating
    # The helper process reading ahead on the other core (its start included).
    helper_seconds = prepare.helper_cpu_seconds() - helper_began
    # Queries for one more email of each kind, filed alone.
    from django.test.utils import CaptureQueriesContext

    extra = list(emails)  # replies among them answer emails filed above
    queries = {}
    picked = set()
    for label, pick in (("new case", lambda e: e.answers is None), ("reply", lambda e: e.answers)):
        email = next(e for e in extra if pick(e))
        picked.add(email.raw)
        row, _ = inbound.accept(
            workspace=ws, channel="email", raw=email.raw, external_id=external_id_of(email.raw)
        )
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            inbound.process_inbound(row.pk)
        queries[label] = len(captured)
    # And a batch of 50 filed the way the worker files them: statements per email.
    rest = [e for e in extra if e.raw not in picked][:STORE_BATCH]
    with transaction.atomic():
        for email in rest:
            inbound.accept(
                workspace=ws,
                channel="email",
                raw=email.raw,
                external_id=external_id_of(email.raw),
                wake=False,
            )
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        filed = inbound.process_pending()
    queries["in a batch of 50"] = round(len(captured) / max(filed, 1), 1)

    processed = InboundMessage.objects.filter(status=InboundStatus.PROCESSED).count()
    per_email = [
        s + h + f for s, h, f in zip(store_seconds, hint.seconds, per_message.seconds, strict=False)
    ]
    per_email_cpu = [
        s + h + f
        for s, h, f in zip(store_cpu, hint.cpu_seconds, per_message.cpu_seconds, strict=False)
    ]
    result = {
        "database": database,
        "emails": size,
        "mean_email_bytes": round(total_bytes / size),
        "emails_per_s": round(size / (store_total + file_total)),
        "emails_per_cpu_s": round(size / cpu_seconds),
        "emails_per_cpu_s_both": round(size / (cpu_seconds + helper_seconds)),
        "helper_cpu_ms_per_email": round(helper_seconds / size * 1000, 3),
        "store_per_s": round(size / store_total),
        "file_per_s": round(size / file_total),
        "p50_ms": round(percentile(per_email, 0.50) * 1000, 2),
        "p95_ms": round(percentile(per_email, 0.95) * 1000, 2),
        "p99_ms": round(percentile(per_email, 0.99) * 1000, 2),
        "cpu_p50_ms": round(percentile(per_email_cpu, 0.50) * 1000, 2),
        "cpu_p95_ms": round(percentile(per_email_cpu, 0.95) * 1000, 2),
        "parse_cpu_mean_ms": round(statistics.mean(hint.cpu_seconds) * 1000, 3),
        "steps_cpu_ms_per_email": {
            name: round(sum(t.cpu_seconds) / size * 1000, 3) for name, t in steps.items()
        },
        "file_mean_ms": round(statistics.mean(per_message.seconds) * 1000, 3),
        "store_mean_ms": round(statistics.mean(store_seconds) * 1000, 3),
        "parse_ms": {k: round(v, 3) for k, v in parse_share(sample).items()},
        "steps_ms_per_email": {
            name: round(sum(t.seconds) / size * 1000, 3) for name, t in steps.items()
        },
        "queries_per_email": queries,
        "processed": processed,
        "cases": Case.objects.filter(workspace=ws).count(),
        "messages": Message.objects.filter(workspace=ws).count(),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "helper_peak_rss_mib": prepare.helper_peak_rss_mib(),
        # Emails per CPU second in the first and the last three rounds of 1,000.
        "first_rounds_per_cpu_s": round(ROUND * 3 / sum(round_cpu[:3]))
        if len(round_cpu) >= 6
        else None,
        "last_rounds_per_cpu_s": round(ROUND * 3 / sum(round_cpu[-3:]))
        if len(round_cpu) >= 6
        else None,
    }
    result["imap_fetch"] = (
        imap_fetch_rate(min(size, 10_000), seed=size + 1) if size <= 10_000 else None
    )
    if profiler is not None:
        path = REPO / "bench" / "results" / f"ingest-{database}-{size}.prof"
        path.parent.mkdir(exist_ok=True)
        profiler.dump_stats(path)
        stats = pstats.Stats(str(path), stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return result


# --------------------------------------------------------------------------- orchestrator


def postgres_up() -> bool:
    try:
        import psycopg

        psycopg.connect(_admin_url(), connect_timeout=3).close()
        return True
    except Exception:
        return False


def _admin_url() -> str:
    return PG_URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"


def ensure_pg_database() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def print_result(r: dict) -> None:
    print(f"\n== {r['database']}, {r['emails']:,} emails (mean {r['mean_email_bytes']:,} B) ==")
    print(f"  full path (store + file)  : {r['emails_per_s']:>7,} emails/s")
    print(f"  full path per CPU second  : {r['emails_per_cpu_s']:>7,} emails/s (worker)")
    if "emails_per_cpu_s_both" in r:
        print(
            f"  … with the helper's CPU   : {r['emails_per_cpu_s_both']:>7,} emails/s "
            f"(helper {r['helper_cpu_ms_per_email']} ms per email)"
        )
    print(f"  store (accept)            : {r['store_per_s']:>7,} emails/s")
    print(f"  file (process_pending)    : {r['file_per_s']:>7,} emails/s")
    print(f"  per email p50 / p95 / p99 : {r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']} ms")
    if "cpu_p95_ms" in r:
        print(f"  per email CPU p50 / p95   : {r['cpu_p50_ms']} / {r['cpu_p95_ms']} ms")
        steps = "".join(f", {k} {v}" for k, v in r["steps_cpu_ms_per_email"].items())
        print(f"  CPU ms per email          : sender look-up {r['parse_cpu_mean_ms']}{steps}")
    print(
        f"  mean per email            : store {r['store_mean_ms']} ms, file {r['file_mean_ms']} ms"
    )
    parse = r["parse_ms"]
    print(
        f"  parse only                : policy.default {parse['policy.default']} ms, "
        f"compat32 {parse['compat32']} ms"
    )
    if r["steps_ms_per_email"]:
        steps = ", ".join(f"{k} {v}" for k, v in r["steps_ms_per_email"].items())
        print(f"  filing steps, ms per email: {steps}")
    print(f"  queries per email         : {r['queries_per_email']}")
    print(f"  processed / cases / msgs  : {r['processed']:,} / {r['cases']:,} / {r['messages']:,}")
    print(f"  peak RSS                  : {r['peak_rss_mib']} MiB", end="")
    print(f" (the helper: {r['helper_peak_rss_mib']} MiB)" if r.get("helper_peak_rss_mib") else "")
    if r.get("first_rounds_per_cpu_s"):
        print(
            f"  per CPU second, first / last 3,000 : {r['first_rounds_per_cpu_s']} / "
            f"{r['last_rounds_per_cpu_s']} emails/s"
        )
    if r.get("imap_fetch"):
        f = r["imap_fetch"]
        print(
            f"  IMAP fetch (store only)   : {f['per_s']:>7,} emails/s"
            f" ({f['stored']:,} from Dovecot)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--profile", action="store_true", help="cProfile the filing step")
    parser.add_argument(
        "--steps", action="store_true", help="time each filing step too (costs a few per cent)"
    )
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        database, size = args.worker[0], int(args.worker[1])
        url = (
            PG_URL
            if database == "postgresql"
            else f"sqlite:////tmp/ombuds-bench/ingest-sqlite-{size}/ombuds.sqlite3"
        )
        result = run_worker(database, url, size, args.profile, args.steps)
        print(json.dumps(result))
        return

    runs = []
    for database in args.databases:
        if database == "postgresql":
            if not postgres_up():
                print("!! PostgreSQL does not answer; skipping it.", file=sys.stderr)
                continue
            ensure_pg_database()
        sizes = args.sizes or (
            [1_000, 10_000, 100_000] if database == "sqlite" else [1_000, 10_000]
        )
        for size in sizes:
            command = [sys.executable, __file__, "--worker", database, str(size)]
            if args.profile:
                command.append("--profile")
            if args.steps:
                command.append("--steps")
            proc = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
            if proc.returncode != 0:
                print(f"!! {database} {size}: worker failed", file=sys.stderr)
                continue
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            print_result(result)
            runs.append(result)
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"ingest-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(runs, indent=2))
    print(f"\nWritten to {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
