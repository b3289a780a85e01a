"""Forms of the automation pages: rules as rows of (field, operator, value) and (action,
value, text), macros as one text per language. They parse; the services check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.automation.models import TriggerEvent
from ombuds.automation.rules.schema import ACTION_TYPES, FIELDS, OPERATOR_LABELS
from ombuds.conversations.models import Status

EXTRA_ROWS = 3
# Values SLA warnings and approval requests carry, offered as fields of their own.
EVENT_DATA_CHOICES = [
    ("event.data.target", _("SLA target (event data)")),
    ("event.data.amount", _("Amount (event data)")),
]


def field_choices():
    return [("", "—"), *((name, spec.label) for name, spec in FIELDS.items()), *EVENT_DATA_CHOICES]


def operator_choices():
    return [("", "—"), *OPERATOR_LABELS.items()]


def action_choices():
    return [("", "—"), *ACTION_TYPES.items()]


def _value_text(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def condition_rows(conditions: list[dict], data=None) -> list[dict]:
    """Rows to draw: the stored conditions (or what was posted) and a few blank ones."""
    if data is not None:
        return parse_rows(data, "cond", ("field", "op", "value"), keep_blank=True)
    rows = [
        {"field": c.get("field", ""), "op": c.get("op", ""), "value": _value_text(c.get("value"))}
        for c in conditions
    ]
    return rows + [{"field": "", "op": "", "value": ""} for _ in range(EXTRA_ROWS)]


def action_rows(actions: list[dict], data=None) -> list[dict]:
    if data is not None:
        return parse_rows(data, "act", ("type", "value", "text"), keep_blank=True)
    rows = [
        {"type": a.get("type", ""), "value": a.get("value", ""), "text": a.get("text", "")}
        for a in actions
    ]
    return rows + [{"type": "", "value": "", "text": ""} for _ in range(EXTRA_ROWS)]


def parse_rows(data, prefix: str, names: tuple[str, ...], *, keep_blank=False) -> list[dict]:
    """`cond-0-field`, `cond-0-op`… back into rows; a row whose first cell is empty is
    left out (unless the form is drawn again)."""
    rows = []
    for i in range(100):
        keys = [f"{prefix}-{i}-{name}" for name in names]
        if not any(k in data for k in keys):
            break
        row = {
            name: str(data.get(key, "")).strip()[:5000]
            for name, key in zip(names, keys, strict=True)
        }
        if row[names[0]] or keep_blank:
            rows.append(row)
    return rows


class TriggerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    events = forms.MultipleChoiceField(
        label=_("When"), choices=TriggerEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class TimeRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    status = forms.ChoiceField(
        label=_("While the case is"),
        choices=[(v, label) for v, label in Status.choices if v != Status.CLOSED],
    )
    hours = forms.IntegerField(label=_("for (hours)"), min_value=1, max_value=24 * 365)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, languages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        for code, name in languages:
            self.fields[f"text_{code}"] = forms.CharField(
                label=name,
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 8}),
            )

    def texts(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"text_{code}", "") for code, _ in self.languages}

    def text_fields(self):
        return [self[f"text_{code}"] for code, _ in self.languages]


class WebhookEndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.CharField(
        label=_("Events"),
        required=False,
        max_length=1000,
        help_text=_("Comma-separated; empty for every event."),
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    party = forms.ChoiceField(label=_("Third party"), required=False)
    assignee = forms.ChoiceField(label=_("Owner"), required=False)
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args, parties, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", "—"), *((str(p.pk), str(p)) for p in parties)]
        self.fields["assignee"].choices = [("", "—"), *agents]


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=())
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ombuds.automation.models import TaskStatus

        self.fields["status"].choices = TaskStatus.choices


class TaskEmailForm(forms.Form):
    body = forms.CharField(
        label=_("Email to the third party"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
