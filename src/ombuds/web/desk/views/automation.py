"""The automation pages: triggers, time rules, care plans, webhooks, macros, tasks and
notifications. Everyone in the workspace may look; admins and supervisors may change."""

from __future__ import annotations

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ombuds.automation import coordination
from ombuds.automation import notifications as inbox_notices
from ombuds.automation.defaults import install_defaults
from ombuds.automation.macros.render import VARIABLES
from ombuds.automation.macros.selectors import macro_of, macros_of, versions_of
from ombuds.automation.macros.services import create_macro, edit_macro, texts_of
from ombuds.automation.models import CarePlan
from ombuds.automation.rules import services as rules
from ombuds.automation.rules.schema import ACTION_TYPES, OPERATOR_LABELS, field_spec
from ombuds.automation.rules.selectors import (
    time_rule_of,
    time_rules_of,
    trigger_of,
    triggers_of,
)
from ombuds.core import webhooks
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.models import WebhookDelivery, WebhookEndpoint, WebhookStatus

from ..access import access_workspace, can_manage_automation
from ..choices import language_name
from ..refusals import refusal_message
from ..rule_forms import (
    MacroForm,
    TimeRuleForm,
    TriggerForm,
    WebhookEndpointForm,
    action_choices,
    action_rows,
    condition_rows,
    field_choices,
    operator_choices,
    parse_rows,
)

DELIVERY_LIMIT = 50


def desk_page(manage: bool = False):
    """A desk page of the workspace; `manage` pages refuse roles that may not change."""

    def wrap(view):
        @wraps(view)
        @login_required
        def wrapper(request, slug: str, *args, **kwargs):
            workspace, membership = access_workspace(request, slug)
            allowed = can_manage_automation(membership)
            if (manage or request.method == "POST") and not allowed:
                return render(
                    request,
                    "web/desk/refused.html",
                    {"error": _("Only admins and supervisors change automations.")},
                    status=403,
                )
            request.can_manage = allowed
            try:
                return view(request, workspace, *args, **kwargs)
            except NotFound:
                raise Http404("Not found") from None

        return wrapper

    return wrap


def _describe_condition(condition: dict) -> str:
    spec = field_spec(condition.get("field", ""))
    label = str(spec.label) if spec else condition.get("field", "")
    if condition["field"].startswith("event.data."):
        label = f"{label} «{condition['field'][11:]}»"
    op = str(OPERATOR_LABELS.get(condition.get("op"), condition.get("op")))
    value = condition.get("value")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value[:6]) + (" …" if len(value) > 6 else "")
    return " ".join(part for part in (label, op, "" if value is None else str(value)) if part)


def _describe_action(action: dict, macros: dict[int, str]) -> str:
    label = str(ACTION_TYPES.get(action["type"], action["type"]))
    value = action.get("value", "")
    if action["type"] == "reply_macro" and value.isdigit():
        value = macros.get(int(value), value)
    parts = [label, value, f"“{action['text']}”" if action.get("text") else ""]
    return " · ".join(p for p in parts if p)


@desk_page()
@require_GET
def automation_home(request, workspace):
    macros = {m.pk: m.name for m in macros_of(workspace)}
    triggers = [
        {
            "rule": t,
            "conditions": [_describe_condition(c) for c in t.conditions],
            "actions": [_describe_action(a, macros) for a in t.actions],
        }
        for t in triggers_of(workspace)
    ]
    time_rules = [
        {
            "rule": r,
            "conditions": [_describe_condition(c) for c in r.conditions],
            "actions": [_describe_action(a, macros) for a in r.actions],
        }
        for r in time_rules_of(workspace)
    ]
    plans = list(
        CarePlan.objects.filter(workspace=workspace)
        .select_related("macro", "follow_up_macro")
        .order_by("event_type")
    )
    return render(
        request,
        "web/desk/automation/home.html",
        {
            "workspace": workspace,
            "triggers": triggers,
            "time_rules": time_rules,
            "care_plans": plans,
            "can_manage": request.can_manage,
            "tab": "rules",
        },
    )


@desk_page(manage=True)
@require_POST
def install_automation_defaults(request, workspace):
    made = install_defaults(workspace)
    messages.success(
        request,
        _("Installed %(triggers)d triggers, %(macros)d macros and %(plans)d care plans.")
        % {"triggers": made["triggers"], "macros": made["macros"], "plans": made["care_plans"]},
    )
    return redirect("web:automation", slug=workspace.slug)


def _rule_context(workspace, **extra) -> dict:
    return {
        "workspace": workspace,
        "field_choices": field_choices(),
        "operator_choices": operator_choices(),
        "action_choices": action_choices(),
        "variables": VARIABLES,
        "macros": macros_of(workspace, active_only=True),
        "endpoints": list(WebhookEndpoint.objects.filter(workspace=workspace)),
        "tab": "rules",
        **extra,
    }


def _rows_from_post(request):
    return (
        parse_rows(request.POST, "cond", ("field", "op", "value")),
        parse_rows(request.POST, "act", ("type", "value", "text")),
    )


@desk_page(manage=True)
@require_http_methods(["GET", "POST"])
def trigger_edit(request, workspace, pk: int | None = None):
    trigger = trigger_of(workspace=workspace, pk=pk) if pk else None
    if request.method == "GET":
        initial = {"is_active": True}
        if trigger is not None:
            initial = {
                "name": trigger.name,
                "description": trigger.description,
                "events": trigger.events,
                "position": trigger.position,
                "is_active": trigger.is_active,
            }
        form = TriggerForm(initial=initial)
        context = _rule_context(
            workspace,
            form=form,
            trigger=trigger,
            conditions=condition_rows(trigger.conditions if trigger else []),
            actions=action_rows(trigger.actions if trigger else []),
        )
        return render(request, "web/desk/automation/trigger_form.html", context)
    form = TriggerForm(request.POST)
    conditions, actions = _rows_from_post(request)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        values = {
            "name": data["name"],
            "description": data["description"],
            "events": data["events"],
            "conditions": conditions,
            "actions": actions,
            "is_active": data["is_active"],
            "position": data["position"],
        }
        try:
            if trigger is None:
                rules.create_trigger(workspace=workspace, **values)
            else:
                rules.update_trigger(trigger=trigger, **values)
        except ApplicationError as refusal:
            error = _rule_refusal(refusal)
        else:
            messages.success(request, _("Trigger saved."))
            return redirect("web:automation", slug=workspace.slug)
    context = _rule_context(
        workspace,
        form=form,
        trigger=trigger,
        error=error or _("The trigger was not saved; see the marked fields."),
        conditions=condition_rows([], data=request.POST),
        actions=action_rows([], data=request.POST),
    )
    return render(request, "web/desk/automation/trigger_form.html", context, status=422)


def _rule_refusal(refusal: ApplicationError) -> str:
    details = refusal.details if isinstance(refusal.details, dict) else {}
    message = refusal_message(refusal)
    if "row" in details:
        return _("Row %(row)d: %(message)s") % {"row": details["row"] + 1, "message": message}
    return message


@desk_page(manage=True)
@require_POST
def trigger_delete(request, workspace, pk: int):
    rules.delete_trigger(trigger=trigger_of(workspace=workspace, pk=pk))
    messages.success(request, _("Trigger deleted."))
    return redirect("web:automation", slug=workspace.slug)


@desk_page(manage=True)
@require_http_methods(["GET", "POST"])
def time_rule_edit(request, workspace, pk: int | None = None):
    rule = time_rule_of(workspace=workspace, pk=pk) if pk else None
    if request.method == "GET":
        initial = {"is_active": True, "status": "pending_customer", "hours": 72}
        if rule is not None:
            initial = {
                "name": rule.name,
                "status": rule.status,
                "hours": rule.hours,
                "is_active": rule.is_active,
            }
        context = _rule_context(
            workspace,
            form=TimeRuleForm(initial=initial),
            rule=rule,
            conditions=condition_rows(rule.conditions if rule else []),
            actions=action_rows(rule.actions if rule else []),
        )
        return render(request, "web/desk/automation/time_rule_form.html", context)
    form = TimeRuleForm(request.POST)
    conditions, actions = _rows_from_post(request)
    error = None
    if form.is_valid():
        values = {**form.cleaned_data, "conditions": conditions, "actions": actions}
        try:
            if rule is None:
                rules.create_time_rule(workspace=workspace, **values)
            else:
                rules.update_time_rule(rule=rule, **values)
        except ApplicationError as refusal:
            error = _rule_refusal(refusal)
        else:
            messages.success(request, _("Time rule saved."))
            return redirect("web:automation", slug=workspace.slug)
    context = _rule_context(
        workspace,
        form=form,
        rule=rule,
        error=error or _("The time rule was not saved; see the marked fields."),
        conditions=condition_rows([], data=request.POST),
        actions=action_rows([], data=request.POST),
    )
    return render(request, "web/desk/automation/time_rule_form.html", context, status=422)


@desk_page(manage=True)
@require_POST
def time_rule_delete(request, workspace, pk: int):
    rules.delete_time_rule(rule=time_rule_of(workspace=workspace, pk=pk))
    messages.success(request, _("Time rule deleted."))
    return redirect("web:automation", slug=workspace.slug)


# --- webhooks ------------------------------------------------------------------------------


@desk_page(manage=True)
@require_http_methods(["GET", "POST"])
def webhooks_page(request, workspace):
    form = WebhookEndpointForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            url = webhooks.check_endpoint_url(data["url"])
            if WebhookEndpoint.objects.filter(workspace=workspace, name=data["name"]).exists():
                raise ApplicationError("webhook_name_taken", _("That name is taken."), status=409)
            endpoint = WebhookEndpoint.objects.create(
                workspace=workspace,
                name=data["name"],
                url=url,
                secret=f"whsec_{secrets.token_urlsafe(24)}",
                events=[e.strip() for e in data["events"].split(",") if e.strip()],
            )
        except ApplicationError as refusal:
            error = refusal_message(refusal)
        else:
            messages.success(
                request,
                _("Webhook %(name)s added. Its signing secret: %(secret)s")
                % {"name": endpoint.name, "secret": endpoint.secret},
            )
            return redirect("web:webhooks", slug=workspace.slug)
    deliveries = list(
        WebhookDelivery.objects.filter(workspace=workspace)
        .select_related("endpoint")
        .order_by("-created_at", "-pk")[:DELIVERY_LIMIT]
    )
    failed = WebhookDelivery.objects.filter(
        workspace=workspace, status=WebhookStatus.FAILED
    ).count()
    return render(
        request,
        "web/desk/automation/webhooks.html",
        {
            "workspace": workspace,
            "form": form,
            "error": error,
            "endpoints": list(WebhookEndpoint.objects.filter(workspace=workspace)),
            "deliveries": deliveries,
            "failed_count": failed,
            "tab": "webhooks",
        },
        status=422 if request.method == "POST" else 200,
    )


@desk_page(manage=True)
@require_POST
def webhook_retry(request, workspace, pk: int):
    delivery = WebhookDelivery.objects.filter(workspace=workspace, pk=pk).first()
    if delivery is None:
        raise Http404("No such delivery")
    try:
        webhooks.retry(delivery=delivery)
    except ApplicationError as refusal:
        messages.error(request, refusal_message(refusal))
    else:
        messages.success(request, _("The call will be sent again."))
    return redirect("web:webhooks", slug=workspace.slug)


# --- macros --------------------------------------------------------------------------------


def _languages(workspace) -> list[tuple[str, str]]:
    codes = list(dict.fromkeys([workspace.default_language, *(workspace.languages or ["en"])]))
    return [(code, language_name(code)) for code in codes if code]


@desk_page()
@require_GET
def macro_list(request, workspace):
    return render(
        request,
        "web/desk/automation/macros.html",
        {
            "workspace": workspace,
            "macros": macros_of(workspace),
            "can_manage": request.can_manage,
            "tab": "macros",
        },
    )


@desk_page(manage=True)
@require_http_methods(["GET", "POST"])
def macro_edit(request, workspace, pk: int | None = None):
    macro = macro_of(workspace=workspace, pk=pk) if pk else None
    languages = _languages(workspace)
    if request.method == "GET":
        initial = {"is_active": True}
        if macro is not None:
            initial = {"name": macro.name, "is_active": macro.is_active}
            initial.update({f"text_{k}": v for k, v in texts_of(macro.current).items()})
        form = MacroForm(initial=initial, languages=languages)
        status, error = 200, None
    else:
        form = MacroForm(request.POST, languages=languages)
        status, error = 422, _("The macro was not saved; see the marked fields.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if macro is None:
                    macro = create_macro(
                        workspace=workspace, name=data["name"], texts=form.texts(), by=request.user
                    )
                else:
                    edit_macro(
                        macro=macro,
                        name=data["name"],
                        texts=form.texts(),
                        is_active=data["is_active"],
                        by=request.user,
                    )
            except ApplicationError as refusal:
                error = refusal_message(refusal)
            else:
                messages.success(request, _("Macro saved."))
                return redirect("web:macro", slug=workspace.slug, pk=macro.pk)
    return render(
        request,
        "web/desk/automation/macro_form.html",
        {
            "workspace": workspace,
            "form": form,
            "macro": macro,
            "error": error,
            "variables": VARIABLES,
            "tab": "macros",
        },
        status=status,
    )


@desk_page()
@require_GET
def macro_detail(request, workspace, pk: int):
    macro = macro_of(workspace=workspace, pk=pk)
    return render(
        request,
        "web/desk/automation/macro_detail.html",
        {
            "workspace": workspace,
            "macro": macro,
            "versions": versions_of(macro),
            "can_manage": request.can_manage,
            "tab": "macros",
        },
    )


# --- tasks and notifications ---------------------------------------------------------------


@desk_page()
@require_GET
def task_list(request, workspace):
    mine = request.GET.get("mine") == "1"
    tasks = coordination.open_tasks(workspace=workspace, user=request.user if mine else None)
    return render(
        request,
        "web/desk/automation/tasks.html",
        {"workspace": workspace, "tasks": tasks, "mine": mine, "now": timezone.now()},
    )


@desk_page()
@require_GET
def notification_list(request, workspace):
    rows = inbox_notices.notifications_for(workspace=workspace, user=request.user)
    return render(
        request,
        "web/desk/automation/notifications.html",
        {"workspace": workspace, "notifications": rows},
    )


@login_required
@require_POST
def notifications_read(request, slug: str):
    # Any member reads their own notifications; no manage check here.
    workspace, _membership = access_workspace(request, slug)
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    inbox_notices.mark_read(workspace=workspace, user=request.user, ids=ids)
    return redirect("web:notifications", slug=workspace.slug)
