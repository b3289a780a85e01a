"""Benchmark: messaging webhooks, from the platform's POST to a message on a case.

    .venv/bin/python bench/social_webhooks.py                  # SQLite (+ PostgreSQL if up)
    .venv/bin/python bench/social_webhooks.py --messages 5000 --databases sqlite

Each database runs in its own process on a fresh database. It connects a WhatsApp
number, then measures three steps separately, in process (Django's test client, no
sockets, so the figures are Ombuds' own cost):

- webhook: signed WhatsApp webhook calls, one text message each, checked and stored
  (what the platform waits for);
- processing: the intake worker turning the stored rows into messages on cases (half of
  the senders write twice, so half the messages continue a case);
- receipts: "delivered" statuses for as many sent replies, matched by wamid.

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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "OMBUDS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ombuds_bench_social"
)
SECRET = "bench-app-secret"
PHONE_NUMBER_ID = "106540352242922"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def webhook_body(index: int, *, status: bool = False) -> bytes:
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
    }
    sender = f"3161{index // 2:07d}"  # two messages per sender
    if status:
        value["statuses"] = [
            {
                "id": f"wamid.out.{index}",
                "status": "delivered",
                "timestamp": "1750263780",
                "recipient_id": sender,
            }
        ]
    else:
        value["contacts"] = [{"profile": {"name": f"Customer {index // 2}"}, "wa_id": sender}]
        value["messages"] = [
            {
                "from": sender,
                "id": f"wamid.in.{index}",
                "timestamp": "1749416383",
                "type": "text",
                "text": {"body": f"My order ORD-{index} has not arrived, can you check?"},
            }
        ]
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(payload).encode()


def worker(database_url: str, messages: int) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="ombuds-bench-social-"))
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
    from django.test import Client
    from django.utils import timezone

    from ombuds.accounts.services import add_member, create_workspace
    from ombuds.conversations.models import Delivery, DeliveryStatus, Message
    from ombuds.intake.inbound import process_pending
    from ombuds.intake.social.accounts import AccountInput, connect_channel_account
    from ombuds.intake.social.signatures import meta_signature

    workspace = create_workspace(slug="bench", name="Bench", case_prefix="BEN")
    admin = add_member(workspace=workspace, email="admin@bench.test", role="admin").user
    account = connect_channel_account(
        workspace=workspace,
        by=admin,
        spec=AccountInput(
            channel="whatsapp",
            name="Bench line",
            account_id=PHONE_NUMBER_ID,
            access_token="token",
            signing_secret=SECRET,
            verify_token="verify",
        ),
    )
    client = Client()
    path = f"/intake/whatsapp/{account.account_id}/"

    def post_all(bodies: list[bytes]) -> tuple[float, list[float]]:
        latencies = []
        started = time.perf_counter()
        for body in bodies:
            t0 = time.perf_counter()
            answer = client.post(
                path,
                data=body,
                content_type="application/json",
                headers={"X-Hub-Signature-256": meta_signature(SECRET, body)},
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            assert answer.status_code == 200, answer.content
        return time.perf_counter() - started, latencies

    bodies = [webhook_body(i) for i in range(messages)]
    webhook_seconds, latencies = post_all(bodies)

    started = time.perf_counter()
    process_pending()
    processing_seconds = time.perf_counter() - started
    assert Message.objects.count() == messages

    # As many sent replies, then one "delivered" status for each.
    first_by_case = {}
    for message in Message.objects.order_by("pk"):
        first_by_case.setdefault(message.case_id, message)
    replies = [
        Message(
            workspace=workspace,
            case_id=m.case_id,
            kind="outbound",
            channel="whatsapp",
            body_text="On its way.",
            created_at=timezone.now(),
        )
        for m in first_by_case.values()
        for _ in range(2)
    ][:messages]
    Message.objects.bulk_create(replies)
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            workspace=workspace,
            message=reply,
            channel="whatsapp",
            recipient=f"3161{i // 2:07d}",
            status=DeliveryStatus.SENT,
            provider_id=f"wamid.out.{i}",
            sent_at=now,
        )
        for i, reply in enumerate(replies)
    )
    status_seconds_post, _ = post_all([webhook_body(i, status=True) for i in range(len(replies))])
    started = time.perf_counter()
    process_pending()
    receipts_seconds = time.perf_counter() - started
    delivered = Delivery.objects.filter(delivered_at__isnull=False).count()
    return {
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "messages": messages,
        "webhook_per_second": round(messages / webhook_seconds),
        "webhook_p50_ms": round(statistics.median(latencies), 2),
        "webhook_p95_ms": round(percentile(latencies, 0.95), 2),
        "processing_per_second": round(messages / processing_seconds),
        "status_webhook_per_second": round(len(replies) / status_seconds_post),
        "receipts_per_second": round(len(replies) / receipts_seconds),
        "receipts_matched": delivered,
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
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.messages)))
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
            [sys.executable, __file__, "--worker", url, "--messages", str(args.messages)],
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
    (out / "social_webhooks.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
