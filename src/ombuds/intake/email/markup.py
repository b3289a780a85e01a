"""Reading an email's HTML as text: readable plain text for mail that has only HTML, and
the HTML's lines with where each starts, so a reply's quoted history can be cut off.

Nothing here makes HTML safe; what is kept is sanitized (`core.html`) when it is stored.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that start a new line of text; the rest flow inline.
BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr"}
)
# Whose content is never text for a reader.
HIDDEN = frozenset({"head", "script", "style", "title", "template", "noscript", "xml", "object"})
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
_SPACES = re.compile(r"[ \t\r\n\f\u200b\ufeff]+")


@dataclass
class Token:
    kind: str  # "start", "end" or "text"
    tag: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    raw: str = ""


class _Tokens(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[Token] = []

    def handle_starttag(self, tag, attrs):
        values = {name.lower(): (value or "") for name, value in attrs}
        self.tokens.append(Token("start", tag, values, self.get_starttag_text() or ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tokens.append(Token("end", tag))

    def handle_data(self, data):
        self.tokens.append(Token("text", raw=data))


def tokenize(markup: str) -> list[Token]:
    parser = _Tokens()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # the stdlib parser's way of giving up
        pass
    return parser.tokens


def render(tokens: list[Token]) -> str:
    """The tokens as markup again (to be sanitized before anyone sees it)."""
    out = []
    for token in tokens:
        if token.kind == "start":
            out.append(token.raw)
        elif token.kind == "end":
            out.append(f"</{token.tag}>")
        else:
            out.append(html.escape(token.raw, quote=False))
    return "".join(out)


@dataclass
class Line:
    text: str
    token: int  # index of the token where the line starts
    depth: int = 0  # blockquote nesting


def lines_of(tokens: list[Token]) -> list[Line]:
    """The text lines a mail program would show, each with the token it starts at."""
    lines: list[Line] = []
    current: list[str] = []
    start = 0
    hidden = 0
    pre = 0
    depth = 0

    def flush(next_token: int, blank: bool = False) -> None:
        nonlocal current, start
        text = "".join(current)
        text = text if pre else _SPACES.sub(" ", text).strip()
        if text or blank:
            lines.append(Line(text, start, depth))
        current = []
        start = next_token

    for index, token in enumerate(tokens):
        tag = token.tag
        if token.kind == "text":
            if not hidden:
                current.append(token.raw)
            continue
        if tag in HIDDEN and tag not in VOID:
            hidden = max(0, hidden + (1 if token.kind == "start" else -1))
            continue
        if hidden:
            continue
        if tag == "br" and token.kind == "start":
            flush(index + 1, blank=not current)
            continue
        if tag in BLOCKS:
            flush(index)
            if tag == "blockquote":
                depth = max(0, depth + (1 if token.kind == "start" else -1))
            if tag == "pre":
                pre = max(0, pre + (1 if token.kind == "start" else -1))
            if tag == "li" and token.kind == "start":
                current.append("- ")
            if tag in PARAGRAPHS and token.kind == "end":
                lines.append(Line("", index + 1, depth))
    flush(len(tokens))
    return lines


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML email: paragraphs, line breaks, list items and
    links kept, markup, styles and scripts gone."""
    tokens = _with_link_targets(tokenize(markup))
    out: list[str] = []
    for line in lines_of(tokens):
        text = line.text.rstrip()
        if line.depth and text:
            text = "> " * line.depth + text
        out.append(text)
    joined = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


def _with_link_targets(tokens: list[Token]) -> list[Token]:
    """Put a link's address after its text when the text does not already show it."""
    result: list[Token] = []
    targets: list[str] = []
    texts: list[list[str]] = []
    for token in tokens:
        if token.kind == "start" and token.tag == "a":
            targets.append(token.attrs.get("href", ""))
            texts.append([])
        elif token.kind == "text" and texts:
            texts[-1].append(token.raw)
        elif token.kind == "end" and token.tag == "a" and targets:
            href = targets.pop().strip()
            text = "".join(texts.pop())
            if href.lower().startswith(("http://", "https://")) and href not in text:
                result.append(token)
                result.append(Token("text", raw=f" <{href}>"))
                continue
        result.append(token)
    return result
