"""The evidence documents are well-formed PDFs, whatever text goes in."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ombuds.chargebacks.documents import LINES_PER_PAGE, Section, render_pdf


def check_structure(pdf: bytes) -> int:
    """Every cross-reference points at its object, the trailer at the table; the page
    count the tree claims. Returns the number of pages."""
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[start : start + 5] == b"xref\n"
    count = int(re.match(rb"xref\n0 (\d+)\n", pdf[start:]).group(1))
    rows = re.findall(rb"(\d{10}) 00000 n \n", pdf[start:])
    assert len(rows) == count - 1
    for number, offset in enumerate(rows, start=1):
        assert pdf[int(offset) :].startswith(f"{number} 0 obj\n".encode())
    for length, stream in re.findall(rb"<< /Length (\d+) >>\nstream\n(.*?)\nendstream", pdf, re.S):
        assert int(length) == len(stream)
    pages = int(re.search(rb"/Count (\d+)", pdf).group(1))
    assert pdf.count(b"/Type /Page ") == pages
    return pages


def test_a_long_conversation_runs_over_pages():
    lines = tuple(f"Line {n} of a long message" for n in range(3 * LINES_PER_PAGE))
    assert check_structure(render_pdf("Conversation", [Section("Buyer", lines)])) == 4


def test_brackets_backslashes_and_accents_cannot_break_the_text():
    pdf = render_pdf("Café (test)", [Section("", ("a ) b ( c \\ d", "€ 12,50 — ok", "日本"))])
    check_structure(pdf)
    assert b"(Caf\xe9 \\(test\\)) Tj" in pdf
    assert b"(a \\) b \\( c \\\\ d) Tj" in pdf
    assert b"(??) Tj" in pdf  # outside WinAnsi: replaced, never a broken string


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=40))
def test_any_text_makes_a_well_formed_pdf(lines):
    check_structure(render_pdf("Evidence", [Section("Heading", tuple(lines))]))
