"""Reads of macros, always within one workspace; lists in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from ombuds.core.errors import NotFound
from ombuds.core.models import Workspace

from ..models import Macro, MacroTranslation, MacroVersion


def _with_texts(query: QuerySet[Macro]) -> QuerySet[Macro]:
    return query.select_related("current").prefetch_related(
        Prefetch("current__texts", queryset=MacroTranslation.objects.order_by("language"))
    )


def macros_of(workspace: Workspace, *, active_only: bool = False) -> list[Macro]:
    query = Macro.objects.filter(workspace=workspace)
    if active_only:
        query = query.filter(is_active=True)
    return list(_with_texts(query).order_by("name"))


def macro_of(*, workspace: Workspace, pk: int) -> Macro:
    macro = _with_texts(Macro.objects.filter(workspace=workspace, pk=pk)).first()
    if macro is None:
        raise NotFound("macro", pk)
    return macro


def versions_of(macro: Macro) -> list[MacroVersion]:
    """Every version, newest first, with its texts and how often each was used."""
    return list(
        macro.versions.select_related("created_by")
        .prefetch_related(Prefetch("texts", queryset=MacroTranslation.objects.order_by("language")))
        .annotate(uses_count=Count("uses"))
        .order_by("-number")
    )


def version_of(*, workspace: Workspace, pk: int) -> MacroVersion:
    version = (
        MacroVersion.objects.filter(macro__workspace=workspace, pk=pk)
        .select_related("macro")
        .first()
    )
    if version is None:
        raise NotFound("macro_version", pk)
    return version
