"""Hostile email never runs in an agent's browser: a corpus of XSS payloads in HTML and
text bodies, subjects, sender names and attachment file names, through the real intake,
onto the case page and the inbox — checked in the markup, and once in Chromium."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from tests import builders
from tests.core.test_html import PAYLOADS as SANITIZER_PAYLOADS
from tests.intake.email.mailroom import ingest
from tests.web import test_browser_desk as browser

PAYLOADS = [
    *SANITIZER_PAYLOADS,
    '<img src="cid:parcel@x" onerror="alert(1)">',
    '<a href="cid:parcel@x">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<input autofocus onfocus=alert(1)>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="background-image:url(javascript:alert(1))">x</div>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<img src=x onerror="window.__xss=1">',
    "<svg><script>window.__xss=1</script></svg>",
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% now 'Y' %}",
]
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def encoded_word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def hostile_email(payload: str, number: int) -> bytes:
    """The payload everywhere an email lets a sender put text, and one real inline image."""
    name = "inv" + payload + ".pdf"
    html = f'<p>Before</p><p><img src="cid:parcel@x"></p>{payload}<p>After</p>'
    return (
        f"From: {encoded_word(payload + ' Buyer')} <evil{number}@example.com>\n"
        f"To: support@resale.test\nSubject: {encoded_word('Help ' + payload)}\n"
        f"Message-ID: <xss-{number}@example.com>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="mix"\n\n'
        '--mix\nContent-Type: multipart/alternative; boundary="alt"\n\n'
        "--alt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(f"Text {payload} end".encode()).decode()
        + '\n--alt\nContent-Type: multipart/related; boundary="rel"\n\n'
        "--rel\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(html.encode()).decode()
        + "\n--rel\nContent-Type: image/png\nContent-ID: <parcel@x>\n"
        "Content-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(PNG).decode()
        + "\n--rel--\n\n--alt--\n\n"
        f"--mix\nContent-Type: application/pdf\nContent-Disposition: attachment;"
        f" filename*=utf-8''{quote(name)}\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(b"%PDF-1.4").decode()
        + "\n--mix--\n"
    ).encode()


class _Tags(HTMLParser):
    """Every element the browser will build, with its attributes, and whether it sits in
    the timeline (where customer content is)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict, bool]] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        if self.depth:
            self.depth += tag not in VOID
        elif values.get("id") == "timeline":
            self.depth = 1
        self.tags.append((tag, values, bool(self.depth)))

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1


VOID = {"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}
SCHEME = re.compile(r"^[\x00-\x20]*(?:javascript|vbscript|data)\s*:", re.I)
# Customer content may use these and nothing else (core.html's allow-list).
FORMATTING = {"a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4",
              "hr", "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup",
              "table", "tbody", "td", "th", "thead", "tr", "u", "ul"}  # fmt: skip


def assert_nothing_runs(page: str) -> None:
    parser = _Tags()
    parser.feed(page)
    for tag, attrs, in_timeline in parser.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction", "srcdoc", "xlink:href"):
            assert not SCHEME.match(attrs.get(name, "")), (tag, attrs)
            assert "evil.example" not in attrs.get(name, ""), (tag, attrs)
        assert "expression(" not in attrs.get("style", ""), (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        if tag == "img":
            assert re.fullmatch(r"/w/resale/attachments/\d+/inline/", attrs.get("src", "")), attrs
        if tag in ("iframe", "object", "embed", "base", "frame"):
            raise AssertionError(f"<{tag}> on the page")
        # The desk draws its own icons as inline SVG; none may come from a message.
        if tag in ("svg", "math") and in_timeline:
            raise AssertionError(f"<{tag}> in the timeline")
        if tag == "meta":
            assert "http-equiv" not in attrs, attrs
        if in_timeline and tag not in FORMATTING | {"ol", "li", "time", "details", "summary"}:
            # The desk's own markup around messages.
            assert tag in ("span", "strong", "div", "ul", "a", "p", "pre"), tag


@pytest.fixture
def hostile_cases(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    workspace = builders.workspace("resale", prefix="RES", support_email="support@resale.test")
    agent = builders.member(workspace, "anna@resale.test", name="Anna Agent")
    cases = []
    for number, payload in enumerate(PAYLOADS):
        inbound = ingest(workspace, hostile_email(payload, number))
        assert inbound.status == "processed", (payload, inbound.error)
        cases.append(inbound.message.case)
    return workspace, agent, cases


def test_no_payload_runs_on_the_case_page_or_in_the_inbox(client, hostile_cases):
    _, agent, cases = hostile_cases
    client.force_login(agent)
    for case in cases:
        page = client.get(f"/w/resale/cases/{case.reference}/").text
        assert_nothing_runs(page)
        # The formatting around the payload is kept, and the real inline image shown.
        assert "<p>Before</p>" in page
        assert re.search(r'<img src="/w/resale/attachments/\d+/inline/">', page)
    inbox = client.get("/w/resale/inbox/?view=all").text
    assert_nothing_runs(inbox)
    assert "Help &lt;script&gt;alert(1)&lt;/script&gt;" in inbox
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Buyer" in inbox


def test_the_payloads_reach_the_page_as_text(client, hostile_cases):
    _, agent, cases = hostile_cases
    client.force_login(agent)
    page = client.get(f"/w/resale/cases/{cases[0].reference}/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Buyer" in page  # the sender's name
    template = client.get(f"/w/resale/cases/{cases[-1].reference}/").text
    assert "{{ 7|add:7 }}" in template  # shown as written, never evaluated


def test_a_plain_text_email_shows_its_payloads_as_text(client, hostile_cases):
    workspace, agent, _ = hostile_cases
    body = "\n".join(PAYLOADS).encode()
    raw = b"From: ann@example.com\nSubject: Plain\nMessage-ID: <plain-xss@x>\n\n" + body
    case = ingest(workspace, raw).message.case
    client.force_login(agent)
    page = client.get(f"/w/resale/cases/{case.reference}/").text
    assert_nothing_runs(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in page


browser_page = browser.browser_page


@pytest.fixture
def everything_at_once(db, settings):
    """One email carrying every payload at once, and an agent to open it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    workspace = builders.workspace("resale", prefix="RES", support_email="support@resale.test")
    agent = builders.member(workspace, "anna@resale.test", name="Anna Agent")
    case = ingest(workspace, hostile_email("".join(PAYLOADS), 999)).message.case
    return agent, case


# browser_page comes last: see tests/web/test_browser_desk.py.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chromium_runs_no_payload_and_opens_no_dialog(
    live_server, everything_at_once, browser_page
):
    agent, case = everything_at_once
    page, _ = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", agent.email)
    page.fill("input[name=password]", builders.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/inbox/**")
    page.goto(f"{live_server.url}/w/resale/cases/{case.reference}/")
    page.wait_for_selector("#timeline .msg--inbound")
    # Give anything that would run (onerror, autofocus, ontoggle) the chance to.
    page.wait_for_timeout(500)
    image = page.locator("#timeline .msg-body img").first
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1  # the real one

    page.goto(f"{live_server.url}/w/resale/inbox/")
    page.wait_for_timeout(300)

    assert dialogs == []
    assert page.evaluate("window.__xss") is None
