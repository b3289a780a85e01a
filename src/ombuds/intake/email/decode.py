"""Bytes and header words into clean text, whatever the sender's mail program claimed.

Mail in the wild declares charsets that do not exist (`x-unknown`, `utf8mb4`), declares
the wrong one (Latin-1 text labelled UTF-8), puts raw 8-bit bytes into headers, and
breaks RFC 2047 encoded words in half. Everything here falls back instead of failing:
the declared charset when it decodes cleanly, then UTF-8, then Windows-1252 (which is
what "ISO-8859-1" means in practice, as the WHATWG encoding standard says), and as a
last resort the declared charset with replacement characters.

What leaves this module is storable anywhere: no NUL or other control characters (the
PostgreSQL text type refuses NUL) and no lone surrogates.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from email.utils import getaddresses

# Labels mail programs use that Python does not know, or knows as something narrower
# than what is meant (Shift_JIS mail is written by Windows with cp932's extra rows).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "windows-1252": "cp1252",
    "x-user-defined": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "utf8": "utf-8",
    "utf8mb4": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "unicode": "utf-16",
}
# Codecs Python accepts as text encodings that no mail is really written in; decoding
# with them would turn ordinary text into escapes or hostnames.
_NOT_MAIL = {"idna", "punycode", "unicode_escape", "raw_unicode_escape", "undefined"}
# C0 controls other than tab, newline and carriage return, DEL, and the C1 block.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?\s]*)\?=")
_WORD_GAP = re.compile(r"(=\?[^?\s]{1,60}\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)")
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def codec_for(charset: str | None) -> str | None:
    """The Python codec for a declared charset, or None when it names nothing usable."""
    if not charset:
        return None
    label = str(charset).strip().strip("\"'").lower().split("*", 1)[0]
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return None
    return None if name in _NOT_MAIL else name


def clean_text(text: str) -> str:
    """Drop what no database or browser should get: NUL and control characters, lone
    surrogates. Newlines and tabs stay."""
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return _CONTROLS.sub("", text)


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in a declared (possibly wrong or unknown) charset."""
    declared = codec_for(charset)
    for codec in (declared, "utf-8", "cp1252"):
        if codec is None:
            continue
        try:
            return clean_text(data.decode(codec))
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    try:
        return clean_text(data.decode(declared or "utf-8", errors="replace"))
    except (LookupError, ValueError):
        return clean_text(data.decode("utf-8", errors="replace"))


def raw_header_text(value: str) -> str:
    """A header value as the parser stored it: raw 8-bit bytes (RFC 6532 UTF-8, or a
    careless Latin-1 mailer) are carried as surrogate escapes; make them text."""
    if _SURROGATES.search(value):
        value = decode_bytes(value.encode("ascii", "surrogateescape"))
    return value


def _decode_word(charset: str, encoding: str, payload: str) -> str | None:
    if encoding in "bB":
        payload = payload.strip()
        try:
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        except (binascii.Error, ValueError):
            return None
    else:
        raw = payload.replace("_", " ").encode("ascii", "replace")
        try:
            data = binascii.a2b_qp(raw)
        except (binascii.Error, ValueError):
            return None
    return decode_bytes(data, charset)


def decode_words(value: str) -> str:
    """RFC 2047 encoded words (`=?utf-8?q?Caf=C3=A9?=`) into text; what does not decode
    is left as it was written."""
    if "=?" not in value:
        return value
    # Whitespace between two adjacent encoded words is not part of the text (RFC 2047 6.2).
    value = _WORD_GAP.sub(r"\1", value)

    def word(match: re.Match) -> str:
        decoded = _decode_word(match.group(1), match.group(2), match.group(3))
        return match.group(0) if decoded is None else decoded

    return _ENCODED_WORD.sub(word, value)


def unfold(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def header_text(value: str | None) -> str:
    """A header's value as one readable line of text."""
    if not value:
        return ""
    return clean_text(unfold(decode_words(raw_header_text(str(value)))))


def addresses(value: str | None) -> list[tuple[str, str]]:
    """(name, address) pairs of an address header, best effort: a header the strict
    parser gives up on still yields the addresses written in it."""
    if not value:
        return []
    raw = unfold(raw_header_text(str(value)))
    found: list[tuple[str, str]] = []
    try:
        pairs = getaddresses([raw])
    except Exception:  # the stdlib parser has raised on hostile input before
        pairs = []
    for name, address in pairs:
        address = clean_text(address.strip().strip("<>").strip())
        if "@" not in address or " " in address:
            continue
        found.append((clean_text(unfold(decode_words(name))).strip(" \"'"), address))
    if not found:
        found = [("", match) for match in _ADDRESS.findall(raw)]
    return found


def address_of(value: str | None) -> tuple[str, str]:
    """The first (name, address) of an address header, or ("", "")."""
    found = addresses(value)
    return found[0] if found else ("", "")
