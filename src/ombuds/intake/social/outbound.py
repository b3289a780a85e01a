"""What every platform's transport shares: which conversation a reply continues,
through which connected account, and sending a reply in parts exactly once each.

A reply becomes several API calls when it is longer than the platform takes in one
message, or carries files. Each part's provider id is saved on the message as it is
sent, so a retry after a failure half-way sends only what is still missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ombuds.conversations.models import Case, Channel, Delivery, Message, MessageKind
from ombuds.core.transports import PermanentFailure, Sent

from ..models import ChannelAccount

PROGRESS_KEY = "sent_parts"


def last_inbound(case: Case, channel: str) -> Message | None:
    """The customer's latest message on the case through `channel`."""
    return (
        Message.objects.filter(case=case, channel=channel, kind=MessageKind.INBOUND)
        .order_by("-created_at", "-pk")
        .first()
    )


PUBLIC, PRIVATE = "public", "private"
# Channels where a case can begin in public (a mention on X, a comment on a page).
PUBLIC_CHANNELS = (Channel.X, Channel.MESSENGER)


def default_visibility(case: Case) -> str:
    """Where a reply goes unless the agent says otherwise: where the customer last
    wrote, in public or privately."""
    latest = last_inbound(case, case.channel)
    return PUBLIC if latest is not None and (latest.meta or {}).get("public") else PRIVATE


def visibility_of(message: Message) -> str:
    """How a reply goes out: as the agent chose, else where the customer last wrote."""
    chosen = (message.meta or {}).get("visibility")
    return chosen if chosen in (PUBLIC, PRIVATE) else default_visibility(message.case)


def last_public_inbound(case: Case, channel: str) -> Message | None:
    """The customer's latest public post or comment on the case: what a public reply
    answers."""
    for message in Message.objects.filter(
        case=case, channel=channel, kind=MessageKind.INBOUND, meta__public=True
    ).order_by("-created_at", "-pk")[:1]:
        return message
    return None


def answered_message(case: Case, channel: str, before: Message) -> Message | None:
    """The customer's message a reply answers: their latest one, unless an agent has
    replied since (then the reply simply continues the conversation)."""
    latest = last_inbound(case, channel)
    if latest is None or not latest.external_id:
        return None
    replied_since = (
        Message.objects.filter(
            case=case, kind=MessageKind.OUTBOUND, created_at__gt=latest.created_at
        )
        .exclude(pk=before.pk)
        .exists()
    )
    return None if replied_since else latest


def account_for(case: Case, channel: str, conversation: Message | None) -> ChannelAccount:
    """The connected account the customer wrote to; the workspace's only active one on
    that channel when the conversation does not say."""
    accounts = ChannelAccount.objects.filter(
        workspace_id=case.workspace_id, channel=channel, is_active=True
    )
    named = (conversation.meta or {}).get("account") if conversation is not None else None
    if named:
        account = accounts.filter(account_id=str(named)).first()
        if account is not None:
            return account
    candidates = list(accounts[:2])
    if len(candidates) == 1:
        return candidates[0]
    raise PermanentFailure(
        f"No connected {Channel(channel).label} account to send this reply from; connect "
        "one on the workspace's channels page."
    )


Step = Callable[[dict[str, str]], str]


def send_in_parts(delivery: Delivery, steps: Sequence[tuple[str, Step]]) -> Sent:
    """Run each step not done yet (a step gets what the earlier ones returned) and hand
    back the first step's provider id as the reply's id."""
    if not steps:
        raise PermanentFailure("Nothing to send.")
    message = delivery.message
    done: dict[str, str] = dict(
        ((message.meta or {}).get(PROGRESS_KEY) or {}).get(str(delivery.pk)) or {}
    )
    for key, step in steps:
        if key in done:
            continue
        done[key] = step(done)
        progress = dict((message.meta or {}).get(PROGRESS_KEY) or {})
        progress[str(delivery.pk)] = done
        message.meta = {**(message.meta or {}), PROGRESS_KEY: progress}
        message.save(update_fields=["meta"])
    return Sent(provider_id=done[steps[0][0]])


def split_text(text: str, limit: int, *, size: Callable[[str], int] = len) -> list[str]:
    """Text cut into pieces no longer than `limit`, at a paragraph, line or word break."""
    text = (text or "").strip()
    pieces: list[str] = []
    while text and size(text) > limit:
        cut = _longest_prefix(text, limit, size)
        window = text[:cut]
        # A paragraph or line break in the second half reads best; else the last space;
        # a word longer than the whole limit is the only thing ever cut.
        breaks = [window.rfind("\n\n"), window.rfind("\n")]
        at = next((b for b in breaks if b >= cut // 2), max(window.rfind(" "), breaks[1]))
        if at > 0:
            cut = at
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _longest_prefix(text: str, limit: int, size: Callable[[str], int]) -> int:
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if size(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2
