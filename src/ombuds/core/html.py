"""Customer HTML is hostile until proven otherwise: only this module turns it into markup.

Images are the one exception to "formatting only", and a narrow one: a stored message may
keep `<img src="cid:…">` (an email's inline image, named by its Content-ID, which no
browser can fetch), and only at rendering are those rewritten to the desk's own URLs for
the message's attachments (`with_inline_images`). Every other image is dropped, so
hostile mail cannot make an agent's browser fetch a tracking pixel or anything else.
"""

import html
import re
from collections.abc import Mapping
from urllib.parse import unquote

import nh3

_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "img": {"src"},
}
_CID = re.compile(r"^cid:[\x21-\x7e]{1,250}$", re.IGNORECASE)
# What nh3 leaves of an image whose source it dropped.
_BARE_IMG = re.compile(r"<img\s*/?>")


def _cid_images_only(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "src":
        return value if tag == "img" and _CID.match(value) and '"' not in value else None
    if attribute == "href" and value.lower().startswith("cid:"):
        return None
    return value


def sanitize_html(markup: str) -> str:
    """Keep formatting, drop scripts, handlers, styles, images other than an email's own
    inline ones (cid:), and any link that is not http(s)/mailto."""
    clean = nh3.clean(
        markup,
        tags=_TAGS | {"img"},
        attributes=_ATTRIBUTES,
        attribute_filter=_cid_images_only,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return _BARE_IMG.sub("", clean) if "<img" in clean else clean


def with_inline_images(markup: str, urls: Mapping[str, str]) -> str:
    """Stored (sanitized) HTML ready to show: each `cid:` image becomes the desk URL of
    the attachment with that Content-ID, and any image without one is dropped.

    `urls` maps lower-cased Content-IDs to URLs the caller built itself; no other image
    source survives, so what the sender wrote can only point at their own attachments."""
    if "<img" not in markup:
        return markup
    allowed = set(urls.values())

    def only_ours(tag: str, attribute: str, value: str) -> str | None:
        if tag != "img" or attribute != "src":
            return value
        if value.lower().startswith("cid:"):
            value = urls.get(unquote(value[4:]).strip().lower(), "")
        return value if value in allowed else None

    clean = nh3.clean(
        markup,
        tags=_TAGS | {"img"},
        attributes=_ATTRIBUTES,
        attribute_filter=only_ours,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return _BARE_IMG.sub("", clean)


def text_to_html(text: str) -> str:
    """Plain text as safe HTML paragraphs."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
