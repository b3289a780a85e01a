"""Skills as values: what an agent can handle and what a case needs, compared one way.

A skill is a kind (language, channel, topic) and a free code. Codes are compared as
lower-case text with single spaces, so the help center's "delivery" and a script's
"Delivery" are one topic. A language skill covers its regional variants: someone who
speaks "nl" can take a case in "nl-BE".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ombuds.core.errors import ApplicationError

from .models import SkillKind

MAX_CODE = 40
MAX_SKILLS = 60
_CODE = re.compile(r"^[\w][\w .&/+:-]*$")


@dataclass(frozen=True, order=True)
class Skill:
    kind: str
    code: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


def normalize_code(raw: str) -> str:
    return " ".join(str(raw or "").split()).lower()


def skill(kind: str, code: str) -> Skill:
    """A checked, normalized skill; refuses an unknown kind or an unusable code."""
    if kind not in SkillKind.values:
        raise ApplicationError(
            "unknown_skill_kind",
            f"{kind!r} is not a kind of skill.",
            details={"allowed": SkillKind.values},
            status=422,
        )
    code = normalize_code(code)
    if not code or len(code) > MAX_CODE or not _CODE.match(code):
        raise ApplicationError(
            "invalid_skill",
            f"{code!r} is not a usable {kind} code: 1 to {MAX_CODE} letters, digits, "
            "spaces or - _ . & / + :",
            details={"kind": kind, "code": code},
            status=422,
        )
    return Skill(kind, code)


def skill_set(pairs: Iterable[tuple[str, str]]) -> frozenset[Skill]:
    skills = frozenset(skill(kind, code) for kind, code in pairs)
    if len(skills) > MAX_SKILLS:
        raise ApplicationError(
            "too_many_skills", f"An agent may have at most {MAX_SKILLS} skills.", status=422
        )
    return skills


def _language_base(code: str) -> str:
    return code.split("-", 1)[0]


def covers(have: frozenset[Skill], need: Skill) -> bool:
    if need in have:
        return True
    if need.kind == SkillKind.LANGUAGE:
        return Skill(need.kind, _language_base(need.code)) in have
    return False


def has_all(have: frozenset[Skill], needs: Iterable[Skill]) -> bool:
    return all(covers(have, need) for need in needs)


def language_fits(accepted: Iterable[str], language: str) -> bool:
    """A queue condition on languages: "nl" also accepts a case in "nl-BE"."""
    language = normalize_code(language)
    accepted = {normalize_code(a) for a in accepted}
    return language in accepted or _language_base(language) in accepted


def required_by(queue, *, language: str, channel: str, topic: str) -> tuple[Skill, ...]:
    """What an agent must handle to take a case from `queue`: the case's language,
    channel and topic, as far as the queue asks for them and the case has them."""
    needs = []
    if queue.match_language and normalize_code(language):
        needs.append(Skill(SkillKind.LANGUAGE, normalize_code(language)))
    if queue.match_channel and channel:
        needs.append(Skill(SkillKind.CHANNEL, normalize_code(channel)))
    if queue.match_topic and normalize_code(topic):
        needs.append(Skill(SkillKind.TOPIC, normalize_code(topic)))
    return tuple(needs)


def parse_skill_text(text: str, kind: str) -> list[Skill]:
    """Skills typed as a comma-separated list ("en, nl"), all of one kind."""
    return [skill(kind, part) for part in str(text or "").split(",") if part.strip()]
