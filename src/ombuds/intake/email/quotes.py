"""What a reply adds: the new words, without the quoted history and the signature.

Mail programs mark the history in a few well-known ways: an attribution line ("On … wrote:",
"Op … schreef:", "Am … schrieb:", "Le … a écrit :"), Outlook's "-----Original Message-----"
or its From/Sent/To/Subject header block (in the sender's language), `>` quoting, and in
HTML a quote container (Gmail's `gmail_quote`, Apple Mail's and Thunderbird's
`<blockquote type="cite">`, Outlook's `divRplyFwdMsg`). The visible part ends at the
first of them. A signature after "-- " and a mobile "Sent from my iPhone" go too.

Two rules keep this from losing words: a forward is never cut (what was forwarded is
the message), and when nothing would remain (an answer written below or between the
quoted lines) the text stays whole. The full text is always kept beside the visible
part, and the original email can be downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .markup import Line, lines_of, render, tokenize

_FLAGS = re.IGNORECASE
# One attribution line, possibly wrapped over up to three lines by the sender's program.
_ATTRIBUTIONS = [
    re.compile(p, _FLAGS)
    for p in (
        r"^on\b.{1,250}\bwrote\s*:$",
        r"^op\b.{1,250}\b(?:schreef|geschreven)\b.{0,120}:$",
        r"^am\b.{1,250}\bschrieb\b.{0,120}:$",
        r"^le\b.{1,250}\ba\s+écrit\s*:$",
    )
]
# "Ann Buyer <ann@example.com> wrote:" without a date: counts only above `>` lines.
_BARE_ATTRIBUTION = re.compile(r"^.{1,160}\s(?:wrote|schreef|schrieb|a\s+écrit)\s*:$", _FLAGS)
_ATTRIBUTION_END = re.compile(r"\b(?:wrote|schreef|geschreven|schrieb|a\s+écrit)\s*:$", _FLAGS)
_SEPARATOR = re.compile(
    r"^[-_=]{3,}\s*(?:original message|oorspronkelijk bericht|origineel bericht|"
    r"ursprüngliche nachricht|originalnachricht|message d'origine|message original|"
    r"mensaje original|messaggio originale|reply message|antwoord bericht)\s*[-_=]{3,}$",
    _FLAGS,
)
_RULE = re.compile(r"^_{10,}$")
_HEADER_FROM = re.compile(r"^\*?(?:from|van|von|de|från|fra)\s*:\*?\s*\S", _FLAGS)
_HEADER_OTHER = re.compile(
    r"^\*?(?:sent|date|verzonden|datum|gesendet|envoyé|to|aan|an|à|cc|subject|onderwerp|"
    r"betreff|objet|reply-to)\s*:",
    _FLAGS,
)
_FORWARD_MARK = re.compile(
    r"^(?:[-_=]{2,}\s*(?:forwarded message|doorgestuurd bericht|weitergeleitete nachricht|"
    r"message transféré|mensaje reenviado|original message follows)\s*[-_=]{2,}|"
    r"begin forwarded message\s*:|begin doorgestuurd bericht\s*:|"
    r"anfang der weitergeleiteten nachricht\s*:|début du message réexpédié\s*:)$",
    _FLAGS,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|fw|wg|tr|doorst|rv|enc)\s*:", _FLAGS)
_MOBILE = re.compile(
    r"^(?:(?:sent|verzonden|verstuurd|envoyé|gesendet|enviado)\b.{0,40}\b"
    r"(?:iphone|ipad|android|samsung|galaxy|mobile|blackberry|outlook|yahoo|proton\s?mail|"
    r"mail for windows|huawei|xiaomi|pixel|telefoon|téléphone|smartphone|handy|móvil)\b.{0,40}|"
    r"von meinem\b.{0,40}\bgesendet|"
    r"(?:get|download|télécharger|downloaden)\s+outlook\b.{0,40}|outlook voor \w+ downloaden)"
    r"[.!]?$",
    _FLAGS,
)
# A signature longer than this is more likely text after a stray "--".
_SIGNATURE_LINES = 15
# HTML containers of quoted history, by the attribute that marks them.
_QUOTE_CLASSES = {
    "gmail_quote",
    "gmail_quote_container",
    "gmail_extra",
    "yahoo_quoted",
    "moz-cite-prefix",
    "protonmail_quote",
    "zmail_extra",
    "outlookmessageheader",
    "ms-outlook-mobile-reference-message",
}
_SIGNATURE_CLASSES = {"gmail_signature", "moz-signature"}
_QUOTE_IDS = {
    "divrplyfwdmsg",
    "x_divrplyfwdmsg",
    "appendonsend",
    "olk_src_body_section",
    "mail-editor-reference-message-container",
    "stopspelling",
}
_SIGNATURE_IDS = {"signature", "ms-outlook-mobile-signature"}
# Cheap checks before the HTML is parsed at all.
_HTML_HINTS = (
    "quote",
    "cite",
    "rplyfwd",
    "appendonsend",
    "olk_src",
    "reference-message",
    "signature",
    "stopspelling",
    "original",
    "wrote",
    "schreef",
    "schrieb",
    "crit",
    "from:",
    "van:",
    "von:",
    "de:",
    "--",
    "sent ",
    "verzonden",
    "verstuurd",
    "gesendet",
    "envoy",
    "outlook",
)


@dataclass(frozen=True)
class Visible:
    """The part of a message a reader needs, and whether anything was taken away."""

    text: str
    html: str
    stripped: bool


def is_forward(subject: str) -> bool:
    return bool(_FORWARD_SUBJECT.match(subject or ""))


def _norm(line: str) -> str:
    return " ".join(line.replace("\xa0", " ").split())


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_at(lines: list[str], i: int) -> bool:
    first = lines[i]
    if not first or first[:1].lower() not in "oalr" or len(first) > 300:
        return False
    joined = first
    for extra in range(3):
        if any(p.match(joined) for p in _ATTRIBUTIONS):
            return True
        if i + extra + 1 >= len(lines) or not lines[i + extra + 1]:
            return False
        joined = f"{joined} {lines[i + extra + 1]}"
    return False


def _next_nonblank(lines: list[str], i: int) -> int | None:
    for j in range(i, len(lines)):
        if lines[j]:
            return j
    return None


def _header_block_at(lines: list[str], i: int) -> bool:
    if not _HEADER_FROM.match(lines[i]):
        return False
    others = sum(1 for line in lines[i + 1 : i + 7] if _HEADER_OTHER.match(line))
    return others >= 2


def history_start(lines: list[str]) -> int | None:
    """Index of the line where quoted history begins, or None (lines normalised)."""
    for i, line in enumerate(lines):
        if not line:
            continue
        if _FORWARD_MARK.match(line):
            return None  # what follows was forwarded: it is the message
        if _SEPARATOR.match(line) or _attribution_at(lines, i):
            return i
        if _RULE.match(line):
            j = _next_nonblank(lines, i + 1)
            if j is not None and _header_block_at(lines, j):
                return i
        if _header_block_at(lines, i):
            return i
        if _BARE_ATTRIBUTION.match(line):
            j = _next_nonblank(lines, i + 1)
            if j is not None and _quoted(lines[j]):
                return i
    return None


def _trailing_quote_start(lines: list[str]) -> int | None:
    """Where a `>` quoted block starts that nothing but blank lines follow."""
    end = len(lines)
    while end and not lines[end - 1]:
        end -= 1
    start = end
    while start and (not lines[start - 1] or _quoted(lines[start - 1])):
        start -= 1
    if start == end or not any(_quoted(line) for line in lines[start:end]):
        return None
    return start


def _signature_start(lines: list[str]) -> int | None:
    end = len(lines)
    while end and not lines[end - 1]:
        end -= 1
    for i in range(end - 1, max(-1, end - 1 - _SIGNATURE_LINES), -1):
        if lines[i] in ("--", "-- ", "—", "–"):
            return i
    cut = None
    i = end - 1
    while i >= 0 and (not lines[i] or _MOBILE.match(lines[i])):
        if lines[i]:
            cut = i
        i -= 1
    return cut


def _cut_index(lines: list[str], *, forward: bool) -> int | None:
    """The first line that is not the sender's new words, or None to keep everything."""

    def words_before(index: int | None) -> bool:
        if index is None:
            return False
        return any(
            line
            and not _quoted(line)
            and not _ATTRIBUTION_END.search(line)
            and not _attribution_at(lines, i)
            for i, line in enumerate(lines[:index])
        )

    cut = None
    if not forward:
        # History with nothing above it is the context of an answer written below or
        # between the quoted lines: it stays.
        cut = history_start(lines)
        cut = cut if words_before(cut) else None
        trailing = _trailing_quote_start(lines if cut is None else lines[:cut])
        if words_before(trailing):
            cut = trailing
    signature = _signature_start(lines if cut is None else lines[:cut])
    if words_before(signature):
        cut = signature
    return cut


def visible_text(text: str, *, forward: bool = False) -> tuple[str, bool]:
    """The new words of a plain-text reply, and whether anything was cut off."""
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _cut_index([_norm(line) for line in raw_lines], forward=forward)
    if cut is None:
        return text.strip(), False
    return "\n".join(raw_lines[:cut]).rstrip(), True


def _marker(attrs: dict[str, str], tag: str, *, forward: bool) -> bool:
    classes = {c.lower() for c in attrs.get("class", "").split()}
    ident = attrs.get("id", "").lower()
    if classes & _SIGNATURE_CLASSES or ident in _SIGNATURE_IDS:
        return not forward
    if forward:
        return False
    if classes & _QUOTE_CLASSES or ident in _QUOTE_IDS:
        return True
    if tag == "blockquote" and attrs.get("type", "").lower() == "cite":
        return True
    return attrs.get("data-marker", "") in ("__QUOTED_TEXT__", "__SIG_PRE__")


def visible_html(markup: str, *, forward: bool = False) -> tuple[str, bool]:
    """The new part of an HTML reply, and whether anything was cut off."""
    lowered = markup.lower()
    if not any(hint in lowered for hint in _HTML_HINTS):
        return markup, False
    tokens = tokenize(markup)
    marker = next(
        (
            i
            for i, token in enumerate(tokens)
            if token.kind == "start" and _marker(token.attrs, token.tag, forward=forward)
        ),
        None,
    )
    lines: list[Line] = [line for line in lines_of(tokens) if marker is None or line.token < marker]
    cut_line = _cut_index([_norm(line.text) for line in lines], forward=forward)
    cut = lines[cut_line].token if cut_line is not None else marker
    if cut is None:
        return markup, False
    before = [line for line in lines if line.token < cut]
    if not any(line.text.strip() for line in before):
        return markup, False
    return render(tokens[:cut]), True


def visible(text: str, html: str, *, subject: str = "") -> Visible:
    """The visible part of a message's text and HTML."""
    forward = is_forward(subject)
    short_text, text_cut = visible_text(text, forward=forward)
    short_html, html_cut = visible_html(html, forward=forward) if html else ("", False)
    return Visible(text=short_text, html=short_html, stripped=text_cut or html_cut)
