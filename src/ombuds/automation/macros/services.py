"""Writing macros (every edit a new version) and answering with them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Message
from ombuds.conversations.services import reply_to_customer
from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace

from ..models import Macro, MacroTranslation, MacroUse, MacroVersion
from .render import Rendered, case_values, check_text, fill

MAX_LANGUAGES = 12


def _check_texts(texts: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for language, body in (texts or {}).items():
        language = (language or "").strip().lower()[:8]
        if not body or not body.strip():
            continue  # a language left empty has no translation
        cleaned[language] = check_text(body, language=language)
    if not cleaned:
        raise ApplicationError(
            "empty_macro", "A macro needs its text in at least one language.", status=422
        )
    if len(cleaned) > MAX_LANGUAGES:
        raise ApplicationError("too_many_languages", "Too many languages.", status=422)
    return cleaned


def _check_name(workspace: Workspace, name: str, *, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ApplicationError("empty_macro_name", "A macro needs a name.", status=422)
    clash = Macro.objects.filter(workspace=workspace, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ApplicationError(
            "macro_name_taken", f"A macro named {name!r} already exists.", status=409
        )
    return name


def _new_version(macro: Macro, texts: dict[str, str], by: User | None) -> MacroVersion:
    number = (macro.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = MacroVersion.objects.create(
        macro=macro, number=number, created_by=by, created_at=timezone.now()
    )
    MacroTranslation.objects.bulk_create(
        MacroTranslation(version=version, language=lang, body=body) for lang, body in texts.items()
    )
    macro.current = version
    return version


@transaction.atomic
def create_macro(
    *,
    workspace: Workspace,
    name: str,
    texts: dict[str, str],
    by: User | None = None,
    key: str = "",
) -> Macro:
    """A new approved answer with its text per language (version 1)."""
    name = _check_name(workspace, name)
    texts = _check_texts(texts)
    macro = Macro.objects.create(workspace=workspace, name=name, key=key)
    _new_version(macro, texts, by)
    macro.save(update_fields=["current"])
    return macro


def texts_of(version: MacroVersion | None) -> dict[str, str]:
    if version is None:
        return {}
    return {t.language: t.body for t in version.texts.all()}


@transaction.atomic
def edit_macro(
    *,
    macro: Macro,
    texts: dict[str, str],
    by: User | None = None,
    name: str | None = None,
    is_active: bool | None = None,
) -> Macro:
    """Change a macro. New words make a new version; the old versions stay as they were."""
    macro = Macro.objects.select_for_update().get(pk=macro.pk)
    fields = []
    if name is not None and name != macro.name:
        macro.name = _check_name(macro.workspace, name, exclude=macro.pk)
        fields.append("name")
    if is_active is not None and is_active != macro.is_active:
        macro.is_active = is_active
        fields.append("is_active")
    texts = _check_texts(texts)
    if texts != texts_of(macro.current):
        _new_version(macro, texts, by)
        fields.append("current")
    if fields:
        macro.save(update_fields=[*fields, "updated_at"])
    return macro


@dataclass
class Choice:
    """A macro's words for one case: the version and language picked, filled in."""

    macro: Macro
    version: MacroVersion
    language: str
    rendered: Rendered


def pick_language(version: MacroVersion, case: Case) -> tuple[str, str]:
    """The case's language if the macro has it, else the workspace's default, else any."""
    texts = texts_of(version)
    for language in (case.language, case.workspace.default_language):
        if language and language in texts:
            return language, texts[language]
    language = sorted(texts)[0]
    return language, texts[language]


def render_for_case(
    *,
    macro: Macro,
    case: Case,
    agent: User | None = None,
    version: MacroVersion | None = None,
) -> Choice:
    """The macro filled in for the case, in the case's language."""
    if macro.workspace_id != case.workspace_id:
        raise ApplicationError("macro_not_found", "No such macro.", status=404)
    version = version or macro.current
    if version is None or version.macro_id != macro.pk:
        raise ApplicationError("macro_not_found", "No such macro version.", status=404)
    language, text = pick_language(version, case)
    rendered = fill(text, case_values(case, language=language, agent=agent))
    rendered.language = language
    return Choice(macro=macro, version=version, language=language, rendered=rendered)


@transaction.atomic
def record_macro_use(*, message: Message, version: MacroVersion, language: str, actor: Actor):
    """Count that a reply was made from this macro version."""
    macro = version.macro
    now = timezone.now()
    MacroUse.objects.create(
        workspace_id=message.workspace_id,
        macro=macro,
        version=version,
        case_id=message.case_id,
        message=message,
        language=language,
        used_by=actor.user,
        used_by_label="" if actor.user else actor.label,
        created_at=now,
    )
    Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1, last_used_at=now)


@transaction.atomic
def reply_with_macro(
    *,
    case: Case,
    version: MacroVersion,
    body: str | None = None,
    author: User | None = None,
    actor: Actor | None = None,
    status: str | None = None,
    files=(),
    language: str | None = None,
    meta: dict | None = None,
) -> Message:
    """Answer the customer with a macro: its filled-in words (or the agent's edit of
    them), recording which version the reply was made from."""
    macro = version.macro
    if macro.workspace_id != case.workspace_id:
        raise ApplicationError("macro_not_found", "No such macro.", status=404)
    if body is None:
        choice = render_for_case(macro=macro, case=case, agent=author, version=version)
        body, language = choice.rendered.text, choice.language
    language = language or pick_language(version, case)[0]
    actor = actor or Actor(user=author)
    message = reply_to_customer(
        case=case, author=author, actor=actor, body=body, status=status, files=files, meta=meta
    )
    record_macro_use(message=message, version=version, language=language, actor=actor)
    return message
