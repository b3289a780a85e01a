"""Forms of the agent workspace. They parse and validate input; writes happen in services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.models import Channel, Priority, Status
from ombuds.conversations.selectors import SLA_FILTERS, SORTS, VIEWS, InboxFilters

from .choices import FilterChoices


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, labelled for an email address (the user model's username)."""

    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class InboxFilterForm(forms.Form):
    """The inbox's query string. Each list filter accepts repeated values (?status=a&status=b)
    even though the page offers one at a time, so links built elsewhere can combine them."""

    view = forms.ChoiceField(choices=[(v, v) for v in VIEWS], required=False)
    status = forms.MultipleChoiceField(choices=Status.choices, required=False)
    priority = forms.MultipleChoiceField(choices=Priority.choices, required=False)
    channel = forms.MultipleChoiceField(choices=Channel.choices, required=False)
    language = forms.MultipleChoiceField(choices=(), required=False)
    tag = forms.MultipleChoiceField(choices=(), required=False)
    assignee = forms.ChoiceField(choices=(), required=False)
    team = forms.ChoiceField(choices=(), required=False)
    q = forms.CharField(max_length=200, required=False, strip=True)
    sla = forms.ChoiceField(choices=[(v, v) for v in SLA_FILTERS], required=False)
    sort = forms.ChoiceField(choices=[(v, v) for v in SORTS], required=False)
    cursor = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, choices: FilterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = choices.languages
        self.fields["tag"].choices = choices.tags
        self.fields["assignee"].choices = [("", ""), ("none", ""), *choices.agents]
        self.fields["team"].choices = [("", ""), ("none", ""), *choices.teams]

    def to_filters(self) -> InboxFilters:
        data = self.cleaned_data
        return InboxFilters(
            view=data["view"] or "all",
            status=data["status"],
            priority=data["priority"],
            channel=data["channel"],
            language=data["language"],
            tag=data["tag"],
            assignee=data["assignee"] or None,
            team=data["team"] or None,
            q=data["q"],
            sla=data["sla"] or "",
            sort=data["sort"] or "updated",
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each becomes an IncomingFile the services check."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if len(uploads) > settings.OMBUDS_MAX_ATTACHMENTS_PER_MESSAGE:
            raise forms.ValidationError(
                _("At most %(count)d files per message."),
                params={"count": settings.OMBUDS_MAX_ATTACHMENTS_PER_MESSAGE},
            )
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


def incoming_files(uploads) -> list[IncomingFile]:
    return [
        IncomingFile(filename=f.name, content_type=f.content_type or "", content=f.read())
        for f in uploads
    ]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to customer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=settings.OMBUDS_MAX_MESSAGE_CHARS,
    )
    status = forms.ChoiceField(
        label=_("and set status"),
        choices=[("", _("keep status")), *Status.choices],
        required=False,
    )
    files = MultipleFileField(label=_("Attachments"))
    # Only on cases that began as a public post: reply in public, or privately.
    visibility = forms.ChoiceField(
        label=_("Send as"),
        choices=[("public", _("Public reply")), ("private", _("Direct message"))],
        required=False,
    )

    def reply_meta(self) -> dict | None:
        visibility = self.cleaned_data.get("visibility")
        return {"visibility": visibility} if visibility else None

    # Set when the text came from a macro, so the reply records which version it used.
    macro_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=settings.OMBUDS_MAX_MESSAGE_CHARS,
    )
    files = MultipleFileField(label=_("Attachments"))


class CallForm(forms.Form):
    """A call an agent had with the customer, written down on the case."""

    phone = forms.CharField(label=_("Phone number"), max_length=40)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("inbound", _("Customer called us")), ("outbound", _("We called the customer"))],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("answered", _("Answered")),
            ("missed", _("Missed")),
            ("voicemail", _("Voicemail")),
            ("busy", _("Busy")),
            ("failed", _("Failed")),
        ],
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=1440, initial=0)
    seconds = forms.IntegerField(
        label=_("Seconds"), min_value=0, max_value=59, initial=0, required=False
    )
    notes = forms.CharField(
        label=_("What was said"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
    )

    def duration_seconds(self) -> int:
        return self.cleaned_data["minutes"] * 60 + (self.cleaned_data["seconds"] or 0)


class MergePartyForm(forms.Form):
    """The requester is the same person as the party known by this email or phone."""

    identifier = forms.CharField(label=_("Email or phone of the same person"), max_length=254)


class PropertiesForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas."),
    )

    def __init__(self, *args, choices: FilterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Unassigned")), *choices.agents]
        self.fields["team"].choices = [("", _("No team")), *choices.teams]
        self._agents = choices.agent_rows
        self._teams = choices.team_rows

    @classmethod
    def initial_for(cls, case) -> dict:
        return {
            "status": case.status,
            "priority": case.priority,
            "assignee": str(case.assignee_id or ""),
            "team": str(case.team_id or ""),
            "tags": ", ".join(t.name for t in case.tags.all()),
        }

    def changes(self) -> dict:
        """Keyword arguments for conversations.services.update_case."""
        data = self.cleaned_data
        return {
            "status": data["status"],
            "priority": data["priority"],
            "assignee": self._agents.get(data["assignee"]),
            "team": self._teams.get(data["team"]),
            "tags": [t for t in data["tags"].split(",") if t.strip()],
        }
