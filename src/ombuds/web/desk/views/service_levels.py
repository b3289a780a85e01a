"""Service levels in the desk: business calendars (hours, holidays, closures), which
calendar each team counts on, and the SLA policies in the order they are tried.
Admins and supervisors only."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ombuds.accounts.roles import MANAGE_SERVICE_LEVELS, role_allows
from ombuds.accounts.selectors import teams_of
from ombuds.accounts.services import set_team_calendar
from ombuds.conversations.selectors import team_of
from ombuds.core import services as calendars
from ombuds.core.errors import ApplicationError
from ombuds.core.models import CalendarClosure
from ombuds.core.selectors import calendar_by_id, calendars_of
from ombuds.core.services import known_timezones
from ombuds.sla import services as sla
from ombuds.sla.selectors import policies_of, policy_by_id
from ombuds.sla.tasks import start_clocks_on_existing_cases

from ..access import access_workspace
from ..choices import choices_for
from ..refusals import refusal_message
from ..service_level_forms import CalendarForm, ClosureForm, PolicyForm, TeamCalendarForm


def manages_service_levels(view):
    """Signed in, a member of the workspace, and an admin or supervisor there."""

    @wraps(view)
    @login_required
    def wrapper(request, slug: str, *args, **kwargs):
        workspace, membership = access_workspace(request, slug)
        if not role_allows(membership.role, MANAGE_SERVICE_LEVELS):
            message = _("Only admins and supervisors manage service levels.")
            return render(request, "web/desk/refused.html", {"error": message}, status=403)
        return view(request, workspace, *args, **kwargs)

    return wrapper


def _overview(workspace):
    return redirect("web:service_levels", slug=workspace.slug)


def _apply_refusal(form, refusal: ApplicationError) -> str:
    """Put a service's refusal next to the field it names; returns the page's message."""
    details = refusal.details if isinstance(refusal.details, dict) else {}
    errors = details.get("errors") or {}
    for field, messages_ in errors.items():
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)
    return refusal_message(refusal)


@manages_service_levels
@require_http_methods(["GET"])
def service_levels(request, workspace):
    teams = teams_of(workspace)
    context = {
        "workspace": workspace,
        "desk_section": "service_levels",
        "policies": policies_of(workspace),
        "calendars": calendars_of(workspace),
        "teams": [
            (
                team,
                TeamCalendarForm(
                    initial={"calendar": team.calendar_id},
                    workspace=workspace,
                    prefix=f"t{team.pk}",
                ),
            )
            for team in teams
        ],
    }
    return render(request, "web/desk/sla/overview.html", context)


# --- policies -------------------------------------------------------------------------------


def _policy_page(request, workspace, form, policy, status=200, error=None):
    context = {
        "workspace": workspace,
        "desk_section": "service_levels",
        "form": form,
        "policy": policy,
        "error": error,
    }
    return render(request, "web/desk/sla/policy_form.html", context, status=status)


@manages_service_levels
@require_http_methods(["GET", "POST"])
def policy_edit(request, workspace, policy_id: int | None = None):
    policy = None
    if policy_id is not None:
        policy = policy_by_id(workspace=workspace, pk=policy_id)
        if policy is None:
            raise Http404("No such policy")
    languages = choices_for(workspace).languages
    if request.method == "GET":
        form = PolicyForm(
            initial=PolicyForm.initial_for(policy), workspace=workspace, languages=languages
        )
        return _policy_page(request, workspace, form, policy)
    form = PolicyForm(request.POST, workspace=workspace, languages=languages)
    if not form.is_valid():
        return _policy_page(
            request,
            workspace,
            form,
            policy,
            422,
            _("The policy was not saved; see the marked fields."),
        )
    try:
        if policy is None:
            policy = sla.create_policy(workspace=workspace, terms=form.terms())
            messages.success(request, _("Policy %(name)s added.") % {"name": policy.name})
        else:
            sla.update_policy(policy=policy, terms=form.terms())
            messages.success(request, _("Policy %(name)s saved.") % {"name": policy.name})
    except ApplicationError as refusal:
        return _policy_page(
            request, workspace, form, policy, refusal.status, _apply_refusal(form, refusal)
        )
    return _overview(workspace)


@manages_service_levels
@require_POST
def policy_delete(request, workspace, policy_id: int):
    policy = policy_by_id(workspace=workspace, pk=policy_id)
    if policy is None:
        raise Http404("No such policy")
    sla.delete_policy(policy=policy)
    messages.success(request, _("Policy %(name)s removed.") % {"name": policy.name})
    return _overview(workspace)


@manages_service_levels
@require_POST
def policy_move(request, workspace, policy_id: int):
    policy = policy_by_id(workspace=workspace, pk=policy_id)
    if policy is None:
        raise Http404("No such policy")
    sla.move_policy(policy=policy, up=request.POST.get("direction") == "up")
    return _overview(workspace)


@manages_service_levels
@require_POST
def start_clocks(request, workspace):
    start_clocks_on_existing_cases(workspace.pk)
    messages.success(
        request, _("Open cases without SLA clocks get them from their history, in the background.")
    )
    return _overview(workspace)


# --- calendars ------------------------------------------------------------------------------


def _calendar_page(
    request, workspace, form, calendar, *, closure_form=None, status=200, error=None
):
    context = {
        "workspace": workspace,
        "desk_section": "service_levels",
        "form": form,
        "calendar": calendar,
        "closure_form": closure_form or ClosureForm(),
        "timezones": sorted(known_timezones()),
        "error": error,
    }
    return render(request, "web/desk/sla/calendar_form.html", context, status=status)


def _calendar_or_404(workspace, calendar_id):
    calendar = calendar_by_id(workspace=workspace, pk=calendar_id)
    if calendar is None:
        raise Http404("No such calendar")
    return calendar


@manages_service_levels
@require_http_methods(["GET", "POST"])
def calendar_edit(request, workspace, calendar_id: int | None = None):
    calendar = _calendar_or_404(workspace, calendar_id) if calendar_id is not None else None
    if request.method == "GET":
        form = CalendarForm(initial=CalendarForm.initial_for(calendar, workspace))
        return _calendar_page(request, workspace, form, calendar)
    form = CalendarForm(request.POST)
    if not form.is_valid():
        return _calendar_page(
            request,
            workspace,
            form,
            calendar,
            status=422,
            error=_("The calendar was not saved; see the marked fields."),
        )
    data = form.cleaned_data
    fields = {
        "name": data["name"],
        "timezone_name": data["timezone"],
        "weekly_hours": form.weekly_hours(),
        "holiday_country": data["holiday_country"] or "",
        "holiday_subdivision": data["holiday_subdivision"] or "",
    }
    try:
        if calendar is None:
            calendar = calendars.create_calendar(
                workspace=workspace, is_default=data["is_default"], **fields
            )
            messages.success(request, _("Calendar %(name)s added.") % {"name": calendar.name})
        else:
            calendars.update_calendar(
                calendar=calendar, is_default=data["is_default"] or None, **fields
            )
            messages.success(request, _("Calendar %(name)s saved.") % {"name": calendar.name})
    except ApplicationError as refusal:
        details = refusal.details if isinstance(refusal.details, dict) else {}
        field = details.get("field")
        form.add_error(field if field in form.fields else None, refusal.message)
        return _calendar_page(
            request,
            workspace,
            form,
            calendar,
            status=refusal.status,
            error=refusal_message(refusal),
        )
    return redirect("web:sla_calendar", slug=workspace.slug, calendar_id=calendar.pk)


@manages_service_levels
@require_POST
def calendar_delete(request, workspace, calendar_id: int):
    calendar = _calendar_or_404(workspace, calendar_id)
    try:
        calendars.delete_calendar(calendar=calendar)
    except ApplicationError as refusal:
        messages.error(request, refusal_message(refusal))
        return redirect("web:sla_calendar", slug=workspace.slug, calendar_id=calendar.pk)
    messages.success(request, _("Calendar %(name)s removed.") % {"name": calendar.name})
    return _overview(workspace)


@manages_service_levels
@require_POST
def closure_add(request, workspace, calendar_id: int):
    calendar = _calendar_or_404(workspace, calendar_id)
    closure_form = ClosureForm(request.POST)
    form = CalendarForm(initial=CalendarForm.initial_for(calendar, workspace))
    if not closure_form.is_valid():
        return _calendar_page(
            request,
            workspace,
            form,
            calendar,
            closure_form=closure_form,
            status=422,
            error=_("The closure was not added; see the marked fields."),
        )
    data = closure_form.cleaned_data
    try:
        calendars.add_closure(
            calendar=calendar,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            from_time=data["from_time"],
            until_time=data["until_time"],
            reason=data["reason"],
        )
    except ApplicationError as refusal:
        details = refusal.details if isinstance(refusal.details, dict) else {}
        field = details.get("field")
        closure_form.add_error(field if field in closure_form.fields else None, refusal.message)
        return _calendar_page(
            request,
            workspace,
            form,
            calendar,
            closure_form=closure_form,
            status=refusal.status,
            error=refusal_message(refusal),
        )
    messages.success(request, _("Closure added."))
    return redirect("web:sla_calendar", slug=workspace.slug, calendar_id=calendar.pk)


@manages_service_levels
@require_POST
def closure_delete(request, workspace, calendar_id: int, closure_id: int):
    calendar = _calendar_or_404(workspace, calendar_id)
    closure = CalendarClosure.objects.filter(calendar=calendar, pk=closure_id).first()
    if closure is None:
        raise Http404("No such closure")
    calendars.remove_closure(closure=closure)
    messages.success(request, _("Closure removed."))
    return redirect("web:sla_calendar", slug=workspace.slug, calendar_id=calendar.pk)


@manages_service_levels
@require_POST
def team_calendar(request, workspace, team_id: int):
    team = team_of(workspace=workspace, team_id=team_id)
    if team is None:
        raise Http404("No such team")
    form = TeamCalendarForm(request.POST, workspace=workspace, prefix=f"t{team.pk}")
    if not form.is_valid():
        messages.error(request, _("That calendar does not exist."))
        return _overview(workspace)
    set_team_calendar(team=team, calendar=form.cleaned_data["calendar"])
    messages.success(request, _("Calendar of team %(name)s saved.") % {"name": team.name})
    return _overview(workspace)
