"""Cases, their messages and their timeline, for integrations and scripts.

Reads need cases.read; writes need cases.write. A case reference of another workspace
answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from ombuds.accounts.api_auth import can_read_cases, can_write_cases
from ombuds.accounts.models import Membership
from ombuds.core.errors import ApplicationError
from ombuds.intake.services import open_case_for_requester

from .attachments import IncomingFile
from .events import Actor
from .schemas import (
    CaseEventOut,
    CaseIn,
    CaseOut,
    CasePage,
    CasePatch,
    InboxQuery,
    MessageIn,
    MessageOut,
)
from .selectors import (
    InboxFilters,
    assignable_user,
    case_by_reference,
    cases_for_inbox,
    events_of,
    messages_of,
    team_of,
)
from .services import add_internal_note, reply_to_customer, update_case

router = Router(tags=["cases"], auth=can_read_cases)


@router.post("/cases", auth=can_write_cases, response={201: CaseOut})
def post_case(request: HttpRequest, payload: CaseIn):
    """Open a case for a customer, by email; the answer carries its reference."""
    member: Membership = request.auth
    case = open_case_for_requester(
        workspace=member.workspace,
        by=member.user,
        email=payload.requester.email,
        name=payload.requester.name,
        subject=payload.subject,
        body=payload.body,
        order_external_id=payload.order,
        channel=payload.channel,
        priority=payload.priority,
        language=payload.language,
        tags=payload.tags,
    )
    return Status(201, case_by_reference(workspace=member.workspace, reference=case.reference))


@router.get("/cases", response=CasePage)
def list_cases(request: HttpRequest, filters: Query[InboxQuery]):
    """The inbox, newest activity first, one page at a time."""
    member: Membership = request.auth
    page = cases_for_inbox(
        workspace=member.workspace,
        user=member.user,
        filters=InboxFilters(
            **filters.model_dump(exclude={"cursor", "limit"}),
        ),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next": page.next_cursor}


@router.get("/cases/{reference}", response=CaseOut)
def get_case(request: HttpRequest, reference: str):
    return case_by_reference(workspace=request.auth.workspace, reference=reference)


@router.patch("/cases/{reference}", auth=can_write_cases, response=CaseOut)
def patch_case(request: HttpRequest, reference: str, payload: CasePatch):
    """Change status, priority, assignee, team, tags or subject; each change is one
    timeline event."""
    member: Membership = request.auth
    case = case_by_reference(workspace=member.workspace, reference=reference)
    # Absent means "leave as is"; null means "clear": only sent fields are passed on.
    sent = payload.model_fields_set
    people = {}
    if "assignee" in sent:
        people["assignee"] = _assignee(member, payload.assignee)
    if "team" in sent:
        people["team"] = _team(member, payload.team)
    update_case(
        case=case,
        actor=Actor(user=member.user),
        status=payload.status,
        priority=payload.priority,
        tags=payload.tags,
        subject=payload.subject,
        **people,
    )
    return case_by_reference(workspace=member.workspace, reference=reference)


def _assignee(member: Membership, user_id: int | None):
    if user_id is None:
        return None
    user = assignable_user(workspace=member.workspace, user_id=user_id)
    if user is None:
        raise ApplicationError(
            "unknown_assignee",
            "That person is not in this workspace.",
            details={"field": "assignee", "value": user_id},
            status=422,
        )
    return user


def _team(member: Membership, team_id: int | None):
    if team_id is None:
        return None
    team = team_of(workspace=member.workspace, team_id=team_id)
    if team is None:
        raise ApplicationError(
            "unknown_team",
            "No such team in this workspace.",
            details={"field": "team", "value": team_id},
            status=422,
        )
    return team


@router.get("/cases/{reference}/messages", response=list[MessageOut])
def list_messages(request: HttpRequest, reference: str):
    """Every message of the case, oldest first, internal notes included."""
    case = case_by_reference(workspace=request.auth.workspace, reference=reference)
    return messages_of(case)


@router.post(
    "/cases/{reference}/messages",
    auth=can_write_cases,
    response={201: MessageOut},
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["kind", "body"],
                        "properties": {
                            "kind": {"type": "string", "enum": ["reply", "note"]},
                            "body": {"type": "string"},
                            "status": {"type": "string"},
                            "files": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            },
                        },
                    }
                }
            }
        }
    },
)
def post_message(request: HttpRequest, reference: str, payload: MessageIn):
    """Reply to the customer or add an internal note. JSON, or multipart with `files`."""
    member: Membership = request.auth
    case = case_by_reference(workspace=member.workspace, reference=reference)
    files = [
        IncomingFile(filename=f.name, content_type=f.content_type or "", content=f.read())
        for f in request.FILES.getlist("files")
    ]
    if payload.kind == "note":
        if payload.status is not None:
            raise ApplicationError(
                "status_with_note",
                "A note does not change the status; PATCH the case instead.",
                details={"field": "status"},
                status=422,
            )
        message = add_internal_note(case=case, author=member.user, body=payload.body, files=files)
    else:
        message = reply_to_customer(
            case=case, author=member.user, body=payload.body, files=files, status=payload.status
        )
    return Status(201, message)


@router.get("/cases/{reference}/timeline", response=list[CaseEventOut])
def timeline(request: HttpRequest, reference: str):
    """Who changed what and when, oldest first: status, assignment, order events…"""
    case = case_by_reference(workspace=request.auth.workspace, reference=reference)
    return events_of(case)
