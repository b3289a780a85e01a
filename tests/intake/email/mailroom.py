"""The email tests' sample corpus and a way to put raw mail through the real intake
pipeline: store it, then process it."""

from __future__ import annotations

from pathlib import Path

from ombuds.intake.email.read import external_id_of
from ombuds.intake.inbound import accept, process_inbound
from ombuds.intake.models import InboundMessage

SAMPLES = Path(__file__).parent.parent / "email_samples"
# The Message-ID the samples' replies, bounces and auto-replies refer to: our reply.
OUR_ID = "<ombuds.abcdefghijklmnopqrstuvwxyz@resale.test>"
SUPPORT = "support@resale.test"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def ingest(workspace, raw: bytes, *, source: str = "test") -> InboundMessage:
    inbound, _ = accept(
        workspace=workspace,
        channel="email",
        raw=raw,
        external_id=external_id_of(raw),
        source=source,
    )
    process_inbound(inbound.pk)
    inbound.refresh_from_db()
    return inbound
