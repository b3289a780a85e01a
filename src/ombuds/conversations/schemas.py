"""What API clients send about cases and messages, and what they get back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import StrictInt, field_validator

from ombuds.accounts.models import User
from ombuds.marketplace.models import Party
from ombuds.marketplace.schemas import Input, PartyRef

from .models import Case, CaseEvent, Channel, Message, Priority, Status
from .selectors import SLA_FILTERS, SORTS, VIEWS

MAX_SUBJECT = Case._meta.get_field("subject").max_length
MAX_LANGUAGE = Case._meta.get_field("language").max_length


class RequesterIn(Input):
    email: str = Field(max_length=254)
    name: str = Field("", max_length=Party._meta.get_field("name").max_length)


class CaseIn(Input):
    subject: str = Field(max_length=MAX_SUBJECT)
    body: str
    requester: RequesterIn
    order: str | None = Field(None, description="The order's external id")
    channel: Channel = Channel.API
    priority: Priority = Priority.NORMAL
    tags: list[str] = []
    language: str = Field("", max_length=MAX_LANGUAGE)


class CasePatch(Input):
    """Only the fields sent change; `"assignee": null` unassigns, `"team": null` too."""

    status: Status | None = None
    priority: Priority | None = None
    assignee: StrictInt | None = Field(None, description="A user id of the workspace")
    team: StrictInt | None = Field(None, description="A team id of the workspace")
    tags: list[str] | None = Field(None, description="The full set; replaces the current tags")
    subject: str | None = Field(None, max_length=MAX_SUBJECT)


class MessageIn(Input):
    kind: Literal["reply", "note"]
    body: str
    status: Status | None = Field(None, description="Replies only: the case's status after")


class InboxQuery(Schema):
    """Filters repeat (`status=new&status=open`) or take commas (`status=new,open`)."""

    view: Literal[VIEWS] = "all"
    status: list[Status] = []
    priority: list[Priority] = []
    channel: list[Channel] = []
    language: list[str] = []
    tag: list[str] = []
    assignee: str | None = Field(None, description="A user id, or 'none' for unassigned")
    team: str | None = Field(None, description="A team id, or 'none'")
    q: str = Field("", max_length=200)
    sla: Literal[("", *SLA_FILTERS)] = Field(
        "", description="`breached`: a running SLA deadline passed; `due_soon`: one within 1 h"
    )
    sort: Literal[SORTS] = Field("updated", description="`sla_due`: soonest SLA deadline first")
    cursor: str | None = Field(None, max_length=200, description="`next` of the previous page")
    limit: int = Field(50, ge=1, le=200)

    @field_validator("status", "priority", "channel", "language", "tag", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return value
        return [part.strip() for item in value for part in str(item).split(",") if part.strip()]

    @field_validator("assignee", "team", "cursor", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: Any) -> Any:
        # `assignee=` from a cleared form field means "any", not "unassigned" ('none').
        return None if value == "" else value


class UserRef(Schema):
    id: int
    name: str
    email: str

    @staticmethod
    def resolve_name(user: User) -> str:
        return user.display_name


class TeamRef(Schema):
    id: int
    name: str


class CaseOut(Schema):
    reference: str
    subject: str
    status: str
    priority: str
    channel: str
    language: str
    topic: str
    requester: PartyRef
    order: str | None = Field(description="The order's external id")
    assignee: UserRef | None
    team: TeamRef | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    sla_due_at: datetime | None = Field(
        description="The earliest deadline among the case's running SLA clocks"
    )

    @staticmethod
    def resolve_order(case: Case) -> str | None:
        return case.order.external_id if case.order_id else None

    @staticmethod
    def resolve_tags(case: Case) -> list[str]:
        return sorted(tag.name for tag in case.tags.all())


class CasePage(Schema):
    items: list[CaseOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class Who(Schema):
    """An agent (`user`), a customer or other party (`party`), or the system."""

    type: Literal["user", "party", "system"]
    name: str
    email: str = ""
    user_id: int | None = None
    party_external_id: str | None = None


def who(user: User | None, party: Party | None, label: str = "") -> dict[str, Any]:
    if user is not None:
        return {"type": "user", "name": user.display_name, "email": user.email, "user_id": user.pk}
    if party is not None:
        return {
            "type": "party",
            "name": str(party),
            "email": party.email,
            "party_external_id": party.external_id,
        }
    return {"type": "system", "name": label or "system"}


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    kind: str = Field(description="inbound (from the customer), outbound (a reply) or note")
    channel: str
    body: str
    body_html: str
    language: str
    author: Who | None
    attachments: list[AttachmentOut]
    created_at: datetime

    @staticmethod
    def resolve_body(message: Message) -> str:
        return message.body_text

    @staticmethod
    def resolve_author(message: Message) -> dict[str, Any] | None:
        if message.author_user is None and message.author_party is None:
            return None
        return who(message.author_user, message.author_party)


class CaseEventOut(Schema):
    id: int
    kind: str
    actor: Who
    before: Any
    after: Any
    data: dict[str, Any]
    message_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_actor(event: CaseEvent) -> dict[str, Any]:
        return who(event.actor_user, event.actor_party, event.actor_label)
