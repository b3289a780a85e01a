"""Forms of the desk's routing pages. They parse and validate input; writes happen in
ombuds.routing.services, whose refusals are put back on the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.accounts.models import Team
from ombuds.conversations.models import Channel, Priority
from ombuds.core.errors import ApplicationError
from ombuds.routing.models import MAX_CAPACITY, Condition, Presence, Queue, SkillKind, Strategy
from ombuds.routing.services import QueueSpec
from ombuds.routing.skills import Skill, parse_skill_text


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(label=_("Presence"), choices=Presence.choices)
    next = forms.CharField(required=False, max_length=500)


def _skills(value: str, kind: str) -> list[Skill]:
    try:
        return parse_skill_text(value, kind)
    except ApplicationError as refused:
        code = (refused.details or {}).get("code", value)
        raise forms.ValidationError(
            _(
                "“%(code)s” is not usable: use letters, digits, spaces or - _ . & / + :, "
                "at most 40 characters each."
            ),
            params={"code": code},
        ) from None


class AgentRoutingForm(forms.Form):
    """One person's capacity and skills, as a supervisor sets them."""

    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text=_("Most active cases routing gives them at once; 0 takes none."),
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=500,
        help_text=_("Language codes, separated by commas: en, nl"),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=1000,
        help_text=_("Topics or dispute reasons, separated by commas: delivery, refund"),
    )

    def clean_languages(self):
        return _skills(self.cleaned_data["languages"], SkillKind.LANGUAGE)

    def clean_topics(self):
        return _skills(self.cleaned_data["topics"], SkillKind.TOPIC)

    @classmethod
    def initial_for(cls, profile, skills: list[Skill]) -> dict:
        by_kind = {kind: [s.code for s in skills if s.kind == kind] for kind in SkillKind.values}
        return {
            "capacity": profile.capacity if profile else 8,
            "languages": ", ".join(by_kind[SkillKind.LANGUAGE]),
            "channels": by_kind[SkillKind.CHANNEL],
            "topics": ", ".join(by_kind[SkillKind.TOPIC]),
        }

    def skills(self) -> list[Skill]:
        data = self.cleaned_data
        return [
            *data["languages"],
            *(Skill(SkillKind.CHANNEL, c) for c in data["channels"]),
            *data["topics"],
        ]


def _codes(text: str) -> list[str]:
    return [part.strip() for part in str(text or "").split(",") if part.strip()]


class QueueForm(forms.Form):
    """A queue and the rule that fills it."""

    name = forms.CharField(label=_("Name"), max_length=100)
    team = forms.ChoiceField(label=_("Team"))
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=10_000,
        initial=10,
        help_text=_("Queues are tried from the lowest position up; the first that fits wins."),
    )
    strategy = forms.ChoiceField(label=_("Strategy"), choices=Strategy.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every channel."),
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=300,
        help_text=_("Separated by commas; empty: every language."),
    )
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas; empty: every topic."),
    )
    priorities = forms.MultipleChoiceField(
        label=_("Priorities"),
        required=False,
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every priority."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("A case with any of these tags; empty: any case."),
    )
    vip = forms.ChoiceField(label=_("VIP requesters"), choices=Condition.choices)
    public_post = forms.ChoiceField(label=_("Public posts"), choices=Condition.choices)
    match_language = forms.BooleanField(
        label=_("Agent must speak the case's language"), required=False, initial=True
    )
    match_channel = forms.BooleanField(
        label=_("Agent must handle the case's channel"), required=False
    )
    match_topic = forms.BooleanField(label=_("Agent must know the case's topic"), required=False)

    def __init__(self, *args, teams: list[Team], **kwargs):
        super().__init__(*args, **kwargs)
        self._teams = {str(t.pk): t for t in teams}
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]

    @classmethod
    def initial_for(cls, queue: Queue) -> dict:
        return {
            "name": queue.name,
            "team": str(queue.team_id),
            "position": queue.position,
            "strategy": queue.strategy,
            "is_active": queue.is_active,
            "channels": queue.channels,
            "languages": ", ".join(queue.languages),
            "topics": ", ".join(queue.topics),
            "priorities": queue.priorities,
            "tags": ", ".join(queue.tags),
            "vip": queue.vip,
            "public_post": queue.public_post,
            "match_language": queue.match_language,
            "match_channel": queue.match_channel,
            "match_topic": queue.match_topic,
        }

    def to_spec(self) -> QueueSpec:
        data = self.cleaned_data
        return QueueSpec(
            name=data["name"],
            team=self._teams[data["team"]],
            strategy=data["strategy"],
            position=data["position"],
            is_active=data["is_active"],
            channels=data["channels"],
            languages=_codes(data["languages"]),
            topics=_codes(data["topics"]),
            priorities=data["priorities"],
            tags=_codes(data["tags"]),
            vip=data["vip"],
            public_post=data["public_post"],
            match_language=data["match_language"],
            match_channel=data["match_channel"],
            match_topic=data["match_topic"],
        )

    def add_refusal(self, refusal: ApplicationError, message: str) -> None:
        """Put a service's refusal on the field it names, or on the form."""
        details = refusal.details if isinstance(refusal.details, dict) else {}
        name = details.get("field")
        self.add_error(name if name in self.fields else None, message)
