"""Benchmark: how long reading one email takes, before any database work.

    .venv/bin/python bench/email_read.py [--seconds 2]

Parses each message of the test corpus (tests/intake/email_samples) plus two generated
ones (a 60 KB HTML newsletter-like reply and a 2 MB attachment) the way the email
reader does — MIME walk and decoding, bounce and automation checks, quote stripping —
and prints the time per message and messages per second per kind. It asserts nothing;
the figures are in docs/performance.md. The whole intake path (threading, storing,
routing) is measured by the ingestion benchmark.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.config.settings")
os.environ.setdefault("OMBUDS_TESTING", "1")

KINDS = {
    "plain text": ["latin1_8bit", "windows1252_qp", "shift_jis", "gmail_fr_reply"],
    "text + HTML reply (quotes cut)": [
        "outlook_reply",
        "outlook_web_nl_reply",
        "gmail_reply",
        "apple_mail_nl_reply",
        "iphone_reply",
        "thunderbird_de_reply",
    ],
    "attachments, forwards, inline image": [
        "utf8_rfc2047_rfc2231",
        "winmail",
        "forwarded_attached",
        "inline_image",
    ],
    "bounces and automatic replies": [
        "dsn_postfix",
        "dsn_exchange",
        "dsn_gmail",
        "bounce_qmail",
        "ooo_exchange",
        "ooo_gmail",
    ],
}


def generated() -> dict[str, bytes]:
    paragraph = (
        "<p>Dear customer, <b>thank you</b> for your <a href='https://x.example'>order</a>.</p>"
    )
    html = "<div>" + paragraph * 600 + "</div>"
    quoted = (
        html + "<div class='gmail_quote'><blockquote>" + paragraph * 100 + "</blockquote></div>"
    )
    big = base64.encodebytes(os.urandom(2 * 1024 * 1024)).decode()
    return {
        "60 KB HTML reply": (
            "From: a@example.com\nSubject: Re: x\nMessage-ID: <g1@x>\nMIME-Version: 1.0\n"
            "Content-Type: text/html; charset=utf-8\n\n" + quoted
        ).encode(),
        "2 MB attachment": (
            "From: a@example.com\nSubject: scan\nMessage-ID: <g2@x>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
            "See attached.\n--b\nContent-Type: application/pdf; name=scan.pdf\n"
            "Content-Transfer-Encoding: base64\n\n" + big + "\n--b--\n"
        ).encode(),
    }


def read_once(raw: bytes) -> None:
    from ombuds.intake.email.classify import automation_of, bounce_of
    from ombuds.intake.email.parse import parse_email
    from ombuds.intake.email.quotes import visible
    from ombuds.intake.email.read import external_id_of

    external_id_of(raw)
    parsed = parse_email(raw)
    if bounce_of(parsed) is None:
        automation_of(parsed)
        visible(parsed.text, parsed.html, subject=parsed.subject)


def measure(messages: list[bytes], seconds: float) -> tuple[float, float]:
    timings = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for raw in messages:
            start = time.perf_counter()
            read_once(raw)
            timings.append(time.perf_counter() - start)
    ordered = sorted(timings)
    return statistics.mean(timings), ordered[int(0.95 * (len(ordered) - 1))]


def main() -> None:
    import django

    django.setup()
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    samples = REPO / "tests" / "intake" / "email_samples"
    groups = {
        kind: [(samples / f"{name}.eml").read_bytes() for name in names]
        for kind, names in KINDS.items()
    }
    groups.update({kind: [raw] for kind, raw in generated().items()})
    print(f"{'kind':40} {'mean':>9} {'p95':>9} {'per second':>11}")
    for kind, messages in groups.items():
        mean, p95 = measure(messages, args.seconds)
        print(f"{kind:40} {mean * 1e3:7.2f}ms {p95 * 1e3:7.2f}ms {1 / mean:11,.0f}")


if __name__ == "__main__":
    main()
