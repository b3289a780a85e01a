"""Reading an email's HTML as text: readable plain text for mail that has only HTML, and
the HTML's lines with where each starts, so a reply's quoted history can be cut off.

Nothing here makes HTML safe; what is kept is sanitized (`core.html`) when it is stored.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

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


@dataclass(frozen=True)
class Token:
    kind: str  # "start", "end" or "text"
    tag: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    raw: str = ""


# One token of markup: a comment or declaration, a tag (attribute values may hold ">"),
# or text. A lone "<" that starts nothing is text.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|$)|<![^>]*>?|<\?[^>]*>?"
    r"|<(/?)([a-zA-Z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|[^<]+|<",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
# Elements whose content is raw text up to their end tag, as browsers parse them.
_RAW_TEXT = {"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"}


def _attributes(source: str) -> dict[str, str]:
    found = {}
    for match in _ATTRIBUTE.finditer(source):
        name = match.group(1).lower()
        if name not in found:
            value = match.group(2) or match.group(3) or match.group(4) or ""
            found[name] = html.unescape(value) if "&" in value else value
    return found


# Reading one email asks for the same markup's tokens more than once (its text, then its
# quotes); the last few are kept, unless they are too large to keep around.
CACHE_UP_TO = 1024 * 1024


def tokenize(markup: str) -> tuple[Token, ...]:
    """Markup as start tags, end tags and (unescaped) text, the way a browser reads it
    closely enough to find lines and quote containers."""
    return _tokenize_kept(markup) if len(markup) <= CACHE_UP_TO else _tokenize(markup)


@lru_cache(maxsize=4)
def _tokenize_kept(markup: str) -> tuple[Token, ...]:
    return _tokenize(markup)


def _tokenize(markup: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    position = 0
    length = len(markup)
    while position < length:
        match = _TOKEN.match(markup, position)
        if match is None:  # cannot happen: "<" alone is a token
            break
        position = match.end()
        raw = match.group(0)
        tag = match.group(2)
        if tag is None:
            if raw[:2] not in ("<!", "<?"):
                tokens.append(Token("text", raw=html.unescape(raw) if "&" in raw else raw))
            continue
        tag = tag.lower()
        if match.group(1):
            tokens.append(Token("end", tag))
            continue
        tokens.append(Token("start", tag, _attributes(match.group(3)), raw))
        if tag in _RAW_TEXT:
            close = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(markup, position)
            stop = close.start() if close else length
            if stop > position:
                tokens.append(Token("text", raw=markup[position:stop]))
            if close:
                tokens.append(Token("end", tag))
            position = close.end() if close else length
    return tuple(tokens)


def render(tokens) -> str:
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


def lines_of(tokens) -> list[Line]:
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


def _with_link_targets(tokens) -> list[Token]:
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
