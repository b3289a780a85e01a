"""Whatever bytes arrive, reading them never fails for any reason but a refusal, and
what is read can be stored: no NUL, no lone surrogate, text a database takes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ombuds.core.errors import ApplicationError
from ombuds.intake.email.parse import parse_email
from ombuds.intake.email.read import external_id_of, read_email
from ombuds.intake.inbound import accept, process_inbound
from ombuds.intake.incoming import Incoming
from ombuds.intake.models import InboundMessage, InboundStatus

from .mailroom import SAMPLES

CORPUS = [path.read_bytes() for path in sorted(Path(SAMPLES).glob("*.eml"))]
FRAGMENTS = [
    b"\n",
    b"\r\n",
    b"\n\n",
    b"--",
    b"=?",
    b"?=",
    b"=?utf-8?b?",
    b"=?x-nope?q?=FF=FE?=",
    b"Content-Type: multipart/mixed; boundary=",
    b"Content-Type: message/rfc822\n\n",
    b"Content-Transfer-Encoding: base64\n",
    b"Content-Transfer-Encoding: x-uuencode\n",
    b"charset=utf-7",
    b'charset="unicode_escape"',
    b"filename*=utf-8''%ff%fe",
    b"\x00",
    b"\xff\xfe",
    b"\xed\xa0\x80",
    b"<html><blockquote type=cite>",
    b"From: <@>\n",
    b"Date: Mon, 99 Foo 99999 99:99:99 +9999\n",
]


@st.composite
def mutated(draw) -> bytes:
    raw = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["cut", "insert", "fragment", "flip", "truncate"]))
        if action == "cut":
            del raw[at : at + draw(st.integers(1, 200))]
        elif action == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif action == "fragment":
            raw[at:at] = draw(st.sampled_from(FRAGMENTS))
        elif action == "flip" and at < len(raw):
            raw[at] = draw(st.integers(0, 255))
        elif action == "truncate":
            del raw[at:]
    return bytes(raw)


def storable(value: str) -> bool:
    value.encode("utf-8")  # raises on a lone surrogate
    return "\x00" not in value


def assert_storable(incoming: Incoming) -> None:
    assert storable(incoming.text) and storable(incoming.html) and storable(incoming.subject)
    assert storable(incoming.sender.value) and storable(incoming.sender.name)
    assert storable(incoming.external_id) and all(storable(i) for i in incoming.answers)
    assert storable(str(incoming.meta))
    for file in incoming.files:
        assert storable(file.filename) and storable(file.content_type)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=2000), mutated()))
def test_the_parser_reads_any_bytes(raw):
    parsed = parse_email(raw)
    for value in (parsed.subject, parsed.text, parsed.html, parsed.from_name, parsed.message_id):
        assert storable(value)
    assert storable(external_id_of(raw))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=mutated())
def test_the_reader_refuses_or_reads_but_never_crashes(mail_workspace, raw):
    inbound = InboundMessage(workspace=mail_workspace, channel="email", raw=raw, external_id="x")
    try:
        result = read_email(inbound)
    except ApplicationError:
        return
    if isinstance(result, Incoming):
        assert_storable(result)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=mutated())
def test_any_mail_through_the_whole_pipeline_ends_filed_ignored_or_rejected(mail_workspace, raw):
    inbound, _ = accept(
        workspace=mail_workspace, channel="email", raw=raw, external_id=external_id_of(raw)
    )
    process_inbound(inbound.pk)
    inbound.refresh_from_db()
    # Pending after a pass would mean the pipeline crashed on it.
    assert inbound.status != InboundStatus.PENDING, inbound.error
