"""Plain PDF documents for a chargeback's evidence: a receipt, the conversation with the
buyer, the refund policy.

Stripe takes evidence files as PDF, JPEG or PNG. These are text documents, so a small
writer suffices: PDF 1.4, the standard Helvetica font (no font file embedded), A4 pages,
lines wrapped to the page. The output depends on the text alone (no creation date), so
the same evidence always makes the same bytes and the preview's fingerprint holds.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 56
FONT_SIZE = 10
LEADING = 13
WRAP = 95  # characters of Helvetica 10 pt that fit between the margins
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]


def _escape(text: str) -> bytes:
    # WinAnsi covers the Latin letters a European marketplace's texts use; anything
    # else becomes "?" rather than breaking the document.
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _wrapped(title: str, sections: list[Section]) -> list[tuple[str, bool]]:
    """(line, bold) pairs: the title, then each section's heading and wrapped lines."""
    out: list[tuple[str, bool]] = [(title, True), ("", False)]
    for section in sections:
        if section.heading:
            out.append((section.heading, True))
        for line in section.lines:
            pieces = textwrap.wrap(
                line.replace("\t", "    "), WRAP, replace_whitespace=False, drop_whitespace=True
            )
            out.extend((piece, False) for piece in pieces or [""])
        out.append(("", False))
    return out


def _page_stream(lines: list[tuple[str, bool]], number: int, total: int) -> bytes:
    parts = [b"BT", f"{LEADING} TL".encode(), f"{MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode()]
    current = None
    for text, bold in lines:
        font = b"/F2" if bold else b"/F1"
        if font != current:
            parts.append(font + f" {FONT_SIZE} Tf".encode())
            current = font
        parts.append(b"(" + _escape(text) + b") Tj T*")
    parts.append(b"ET")
    footer = f"Page {number} of {total}"
    parts += [
        b"BT",
        f"/F1 8 Tf {PAGE_WIDTH - MARGIN - 60} {MARGIN // 2} Td".encode(),
        b"(" + _escape(footer) + b") Tj",
        b"ET",
    ]
    return b"\n".join(parts)


def render_pdf(title: str, sections: list[Section]) -> bytes:
    """A PDF of `title` and its sections, as many A4 pages as the text needs."""
    lines = _wrapped(title, sections)
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree's number is known
    tree = add(b"")
    regular = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    bold = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    page_ids = []
    for number, page in enumerate(pages, start=1):
        stream = _page_stream(page, number, len(pages))
        content = add(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
        page_ids.append(
            add(
                (
                    f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                    f"/Resources << /Font << /F1 {regular} 0 R /F2 {bold} 0 R >> >> "
                    f"/Contents {content} 0 R >>"
                ).encode()
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {tree} 0 R >>".encode()
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects[tree - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
