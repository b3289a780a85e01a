"""Forms of the service-level pages: calendars, closures, SLA policies, the CSAT target
and the report's period. They parse; the services validate and write."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.accounts.models import Team
from ombuds.conversations.models import Channel, Priority, Status
from ombuds.core.business_time import WEEKDAYS, CalendarError, parse_openings
from ombuds.core.models import BusinessCalendar
from ombuds.core.services import holiday_regions, known_timezones
from ombuds.sla.models import (
    MAX_TARGET_MINUTES,
    PAUSABLE_STATUSES,
    CustomerTier,
    DisputeCondition,
    Metric,
    Notify,
    SlaPolicy,
)
from ombuds.sla.services import PolicyTerms

WEEKDAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.I)
_CLOCK = re.compile(r"^\s*(\d+):([0-5]\d)\s*$")


def format_minutes(minutes: int | None) -> str:
    """90 -> '1h 30m', 240 -> '4h', 45 -> '45m'."""
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    return (
        " ".join(
            part for part in (f"{hours}h" if hours else "", f"{rest}m" if rest else "") if part
        )
        or "0m"
    )


class DurationField(forms.CharField):
    """Business time as people write it: '4h', '1h 30m', '45m' or '2:30'; empty is none."""

    default_error_messages = {
        "invalid": _("Write a duration like 4h, 1h 30m or 45m."),
        "range": _("Between 1 minute and a year of business time."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return format_minutes(value) if isinstance(value, int) else value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        if m := _CLOCK.match(text):
            minutes = int(m.group(1)) * 60 + int(m.group(2))
        elif (m := _DURATION.match(text)) and (m.group(1) or m.group(2)):
            minutes = int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
        else:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if not 1 <= minutes <= MAX_TARGET_MINUTES:
            raise forms.ValidationError(self.error_messages["range"], code="range")
        return minutes


def _checks(choices):
    return forms.MultipleChoiceField(
        choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    priorities = _checks(Priority.choices)
    channels = _checks(Channel.choices)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    customer_tier = forms.ChoiceField(label=_("Customers"), choices=CustomerTier.choices)
    dispute = forms.ChoiceField(label=_("Disputes"), choices=DisputeCondition.choices)
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=BusinessCalendar.objects.none(),
        required=False,
        empty_label=_("The case's team calendar, else the default"),
    )
    first_response_minutes = DurationField(label=Metric.FIRST_RESPONSE.label)
    next_response_minutes = DurationField(label=Metric.NEXT_RESPONSE.label)
    resolution_minutes = DurationField(label=Metric.RESOLUTION.label)
    follow_up_minutes = DurationField(label=Metric.FOLLOW_UP.label)
    warn_percent = forms.IntegerField(label=_("Warn at (% of target)"), min_value=1, max_value=99)
    pause_statuses = _checks([(s, Status(s).label) for s in PAUSABLE_STATUSES])
    warning_notify = forms.ChoiceField(label=_("Notify"), choices=Notify.choices, required=False)
    warning_raise_priority = forms.BooleanField(label=_("Raise priority"), required=False)
    warning_team = forms.ModelChoiceField(
        label=_("Move to team"), queryset=Team.objects.none(), required=False
    )
    breach_notify = forms.ChoiceField(label=_("Notify"), choices=Notify.choices, required=False)
    breach_raise_priority = forms.BooleanField(label=_("Raise priority"), required=False)
    breach_team = forms.ModelChoiceField(
        label=_("Move to team"), queryset=Team.objects.none(), required=False
    )

    TARGETS = (
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "follow_up_minutes",
    )

    def __init__(self, *args, workspace, languages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].label = _("Priorities")
        self.fields["channels"].label = _("Channels")
        self.fields["pause_statuses"].label = _("Clocks pause while the case is")
        self.fields["languages"].choices = languages
        calendars = BusinessCalendar.objects.filter(workspace=workspace)
        teams = Team.objects.filter(workspace=workspace)
        self.fields["calendar"].queryset = calendars
        self.fields["warning_team"].queryset = teams
        self.fields["breach_team"].queryset = teams

    @classmethod
    def initial_for(cls, policy: SlaPolicy | None) -> dict:
        if policy is None:
            return {
                "warn_percent": 75,
                "pause_statuses": PolicyTerms(name="").pause_statuses,
                "is_active": True,
            }
        terms = PolicyTerms.of(policy)
        return {name: getattr(terms, name) for name in terms.__dataclass_fields__}

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(t) for t in self.TARGETS):
            self.add_error("first_response_minutes", _("A policy needs at least one target."))
        return data

    def terms(self) -> PolicyTerms:
        data = self.cleaned_data
        return PolicyTerms(**{name: data[name] for name in PolicyTerms.__dataclass_fields__})


def _hours_field(day: str) -> forms.CharField:
    return forms.CharField(
        label=WEEKDAY_LABELS[day],
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("closed")}),
    )


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    timezone = forms.CharField(
        label=_("Timezone"),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
        help_text=_("An IANA name such as Europe/Amsterdam or America/New_York."),
    )
    holiday_country = forms.ChoiceField(label=_("Public holidays of"), required=False)
    holiday_subdivision = forms.CharField(
        label=_("Region"),
        max_length=10,
        required=False,
        help_text=_("Optional: a state or province code, such as CA for California."),
    )
    is_default = forms.BooleanField(label=_("Workspace default"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[day] = _hours_field(day)
        countries = sorted(holiday_regions())
        self.fields["holiday_country"].choices = [("", _("No public holidays"))] + [
            (code, code) for code in countries
        ]

    @property
    def day_fields(self):
        return [self[day] for day in WEEKDAYS]

    @classmethod
    def initial_for(cls, calendar: BusinessCalendar | None, workspace) -> dict:
        if calendar is None:
            hours = {day: ("09:00-17:00" if i < 5 else "") for i, day in enumerate(WEEKDAYS)}
            return {"timezone": workspace.timezone, **hours}
        return {
            "name": calendar.name,
            "timezone": calendar.timezone,
            "holiday_country": calendar.holiday_country,
            "holiday_subdivision": calendar.holiday_subdivision,
            "is_default": calendar.is_default,
            **{day: (calendar.weekly_hours or {}).get(day, "") for day in WEEKDAYS},
        }

    def clean_timezone(self):
        name = self.cleaned_data["timezone"].strip()
        if name not in known_timezones():
            raise forms.ValidationError(_("Not a timezone; try Europe/Amsterdam."))
        return name

    def clean(self):
        data = super().clean()
        for day in WEEKDAYS:
            try:
                parse_openings(data.get(day, ""))
            except CalendarError:
                self.add_error(day, _("Write hours like 09:00-17:00 or 09:00-12:00, 13:00-17:00."))
        if not self.errors and not any(data.get(day) for day in WEEKDAYS):
            self.add_error(WEEKDAYS[0], _("Open on at least one day."))
        country = data.get("holiday_country") or ""
        region = (data.get("holiday_subdivision") or "").strip().upper()
        if region and not country:
            self.add_error("holiday_subdivision", _("Choose the country first."))
        elif region and region not in {s.upper() for s in holiday_regions().get(country, ())}:
            self.add_error("holiday_subdivision", _("Not a region of that country."))
        return data

    def weekly_hours(self) -> dict[str, str]:
        return {day: self.cleaned_data.get(day, "") for day in WEEKDAYS}


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    from_time = forms.TimeField(
        label=_("From time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    until_time = forms.TimeField(
        label=_("Until time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The closure cannot end before it starts."))
        return data


class TeamCalendarForm(forms.Form):
    calendar = forms.ModelChoiceField(
        queryset=BusinessCalendar.objects.none(), required=False, empty_label=_("Workspace default")
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = BusinessCalendar.objects.filter(workspace=workspace)


class CsatTargetForm(forms.Form):
    csat_target_percent = forms.IntegerField(label=_("CSAT target (%)"), min_value=1, max_value=100)


PERIODS = (7, 30, 90)


class ReportForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        required=False,
        choices=[(d, d) for d in PERIODS],
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(
        label=_("Per"), required=False, choices=[("team", _("Team")), ("agent", _("Agent"))]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [
            (7, _("Last 7 days")),
            (30, _("Last 30 days")),
            (90, _("Last 90 days")),
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The period cannot end before it starts."))
        if since and until and (until - since) > timedelta(days=366):
            self.add_error("since", _("At most a year at a time."))
        return data

    def period(self, today: date) -> tuple[date, date]:
        """First and last day (inclusive), in the workspace's timezone."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("since"):
            return data["since"], data.get("until") or today
        days = data.get("days") or 30
        return today - timedelta(days=days - 1), today
