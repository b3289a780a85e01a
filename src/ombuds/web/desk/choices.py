"""The options the desk's forms offer, read once per request and always within one workspace."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import get_language_info

from ombuds.accounts.models import Team, User
from ombuds.accounts.selectors import agents_of, teams_of
from ombuds.conversations.selectors import tag_names_of
from ombuds.core.models import Workspace


def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code.upper()


@dataclass
class FilterChoices:
    agent_rows: dict[str, User] = field(default_factory=dict)
    team_rows: dict[str, Team] = field(default_factory=dict)
    tags: list[tuple[str, str]] = field(default_factory=list)
    languages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def agents(self) -> list[tuple[str, str]]:
        return [(pk, user.display_name) for pk, user in self.agent_rows.items()]

    @property
    def teams(self) -> list[tuple[str, str]]:
        return [(pk, team.name) for pk, team in self.team_rows.items()]


def choices_for(workspace: Workspace) -> FilterChoices:
    """Agents, teams, tags and languages of the workspace, in three queries."""
    codes = list(dict.fromkeys([*(workspace.languages or []), *(c for c, _ in settings.LANGUAGES)]))
    return FilterChoices(
        agent_rows={str(u.pk): u for u in agents_of(workspace)},
        team_rows={str(t.pk): t for t in teams_of(workspace)},
        tags=[(name, name) for name in tag_names_of(workspace)],
        languages=[(c, language_name(c)) for c in codes],
    )
