"""Benchmark: live chat messages through a real `ombuds serve`, over real websockets.

    .venv/bin/python bench/chat.py                          # SQLite (+ PostgreSQL if up)
    .venv/bin/python bench/chat.py --visitors 25 --messages 12 --databases sqlite

Each database gets a fresh data directory and a server process with chat on. Visitors
connect at once; each sends its messages one after another, waiting for the ack (stored
through the intake: accept, read, file on the case) and then for the live echo of the same
message (the after-commit push through the channel layer, the path an agent's desk page
hears it by). The per-chat message limit (12 per 30 s) and new chats per address (30 an
hour) bound one run's size. This prints numbers; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "OMBUDS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ombuds_bench_chat"
)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ombuds(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(REPO / ".venv/bin/ombuds"), *args], env=env, check=True, capture_output=True, text=True
    )


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


def fresh_postgres() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    admin = PG_URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


async def visitor(url: str, n: int, messages: int, acks: list, echoes: list) -> None:
    import websockets

    # The desk's own origin, as its demo shop page would connect.
    origin = url.replace("ws://", "http://").split("/ws/")[0]
    async with websockets.connect(url, origin=origin) as ws:
        await ws.send(json.dumps({"type": "hello", "token": None, "language": "en"}))
        welcome = json.loads(await ws.recv())
        assert welcome["type"] == "welcome", welcome
        for i in range(messages):
            client_id = f"bench-{n:04d}-{i:04d}"
            began = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "id": client_id, "text": f"Question {i}"}))
            acked = echoed = None
            while acked is None or echoed is None:
                frame = json.loads(await ws.recv())
                now = time.perf_counter()
                if frame["type"] == "ack" and frame["id"] == client_id:
                    acked = now
                elif frame["type"] == "message" and frame["message"]["client_id"] == client_id:
                    echoed = now
                elif frame["type"] == "error":
                    raise RuntimeError(frame)
            acks.append((acked - began) * 1000)
            echoes.append((echoed - began) * 1000)


async def drive(base_ws: str, visitors: int, messages: int) -> dict:
    acks: list[float] = []
    echoes: list[float] = []
    began = time.perf_counter()
    await asyncio.gather(*(visitor(base_ws, n, messages, acks, echoes) for n in range(visitors)))
    seconds = time.perf_counter() - began
    return {
        "messages": len(acks),
        "seconds": round(seconds, 2),
        "messages_per_second": round(len(acks) / seconds, 1),
        "ack_p50_ms": round(statistics.median(acks), 1),
        "ack_p95_ms": round(percentile(acks, 0.95), 1),
        "push_p50_ms": round(statistics.median(echoes), 1),
        "push_p95_ms": round(percentile(echoes, 0.95), 1),
    }


def server_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run_one(database: str, visitors: int, messages: int) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="ombuds-bench-chat-"))
    env = {k: v for k, v in os.environ.items() if k not in {"OMBUDS_TESTING", "REDIS_URL"}}
    env.update(OMBUDS_DATA_DIR=str(data_dir), OMBUDS_LOG_LEVEL="WARNING", OMBUDS_DEMO="1")
    if database == "postgresql":
        fresh_postgres()
        env["DATABASE_URL"] = PG_URL
    else:
        env.pop("DATABASE_URL", None)
    port = free_port()
    ombuds("migrate", "--verbosity", "0", env=env)
    ombuds("create-workspace", "bench", "--name", "Bench", "--prefix", "BEN", env=env)
    ombuds("enable-chat", "--workspace", "bench", env=env)
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/ombuds"), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        # One chat first, so the language model's one-off load is not in the figures.
        asyncio.run(drive(f"ws://127.0.0.1:{port}/ws/chat/bench/", 1, 1))
        figures = asyncio.run(drive(f"ws://127.0.0.1:{port}/ws/chat/bench/", visitors, messages))
        figures["server_peak_rss_mb"] = server_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
        if os.environ.get("KEEP"):
            print(data_dir)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return {"database": database, "visitors": visitors, **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=25)
    parser.add_argument("--messages", type=int, default=12)
    parser.add_argument("--databases", default="sqlite,postgresql")
    options = parser.parse_args()
    results = []
    for database in options.databases.split(","):
        if database == "postgresql" and not postgres_up():
            print("PostgreSQL does not answer: skipped", file=sys.stderr)
            continue
        result = run_one(database, options.visitors, options.messages)
        results.append(result)
        print(json.dumps(result))
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "chat.json").write_text(json.dumps(results, indent=2))
    print(f"client peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
