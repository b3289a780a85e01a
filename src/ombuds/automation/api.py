"""Macros for integrations: the approved answers of the workspace, and one filled in for a
case (the words an integration or a bot may send). Needs cases.read."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from ombuds.accounts.api_auth import can_read_cases
from ombuds.conversations.selectors import case_by_reference

from .macros.selectors import macro_of, macros_of
from .macros.services import render_for_case, texts_of

router = Router(tags=["macros"], auth=can_read_cases)


class MacroTextOut(Schema):
    language: str
    body: str


class MacroOut(Schema):
    id: int
    name: str
    key: str
    is_active: bool
    version: int | None
    languages: list[str]
    texts: list[MacroTextOut]
    usage_count: int
    last_used_at: datetime | None


class RenderedOut(Schema):
    macro: int
    version: int
    language: str
    text: str
    missing: list[str]


def _out(macro) -> MacroOut:
    texts = texts_of(macro.current)
    return MacroOut(
        id=macro.pk,
        name=macro.name,
        key=macro.key,
        is_active=macro.is_active,
        version=macro.current.number if macro.current else None,
        languages=sorted(texts),
        texts=[MacroTextOut(language=k, body=v) for k, v in sorted(texts.items())],
        usage_count=macro.usage_count,
        last_used_at=macro.last_used_at,
    )


@router.get("/macros", response=list[MacroOut])
def list_macros(request: HttpRequest, active: bool = True):
    """The workspace's macros with their current words per language."""
    return [_out(m) for m in macros_of(request.auth.workspace, active_only=active)]


@router.get("/macros/{macro_id}/render", response=RenderedOut)
def render_macro(request: HttpRequest, macro_id: int, case: str):
    """The macro filled in for a case (`?case=RES-12`), in the case's language; `missing`
    names the variables the case has no value for."""
    workspace = request.auth.workspace
    found = macro_of(workspace=workspace, pk=macro_id)
    target = case_by_reference(workspace=workspace, reference=case)
    choice = render_for_case(macro=found, case=target, agent=request.auth.user)
    return RenderedOut(
        macro=found.pk,
        version=choice.version.number,
        language=choice.language,
        text=choice.rendered.text,
        missing=choice.rendered.missing,
    )
