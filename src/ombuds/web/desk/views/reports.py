"""Supervisors' reports: SLA compliance per team and agent over a period, with a chart,
and the workspace's CSAT target."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ombuds.accounts.roles import MANAGE_SERVICE_LEVELS, READ_REPORTS, role_allows
from ombuds.core.errors import ApplicationError
from ombuds.sla.models import Metric
from ombuds.sla.selectors import compliance_report, service_targets_of
from ombuds.sla.services import set_csat_target

from ..access import access_workspace
from ..refusals import refusal_message
from ..service_level_forms import CsatTargetForm, ReportForm
from ..sla_chart import compliance_chart, percent


def _zone(workspace) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.timezone)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _report_page(request, workspace, membership, *, csat_form=None, status=200):
    form = ReportForm(request.GET or None)
    zone = _zone(workspace)
    first, last = form.period(timezone.localdate(timezone=zone))
    since = datetime.combine(first, time(), zone)
    until = datetime.combine(last + timedelta(days=1), time(), zone)
    by = (form.cleaned_data.get("by") if form.is_bound and form.is_valid() else "") or "team"
    report = compliance_report(workspace=workspace, since=since, until=until, by=by)
    targets = service_targets_of(workspace)
    context = {
        "workspace": workspace,
        "form": form,
        "first": first,
        "last": last,
        "report": report,
        "chart": compliance_chart(report),
        "overall": percent(report.totals.overall),
        "rows": [(row, [row.metrics.get(m) for m in report.metrics]) for row in report.rows],
        "totals": [report.totals.metrics.get(m) for m in report.metrics],
        "targets": targets,
        "csat_form": csat_form
        or CsatTargetForm(initial={"csat_target_percent": targets.csat_target_percent}),
        "can_set_target": role_allows(membership.role, MANAGE_SERVICE_LEVELS),
        "metric_labels": [Metric(m).label for m in report.metrics],
        "desk_section": "reports",
    }
    return render(request, "web/desk/sla/report.html", context, status=status)


def _reader(request, slug):
    workspace, membership = access_workspace(request, slug)
    if not role_allows(membership.role, READ_REPORTS):
        message = _("Only admins and supervisors see reports.")
        return None, None, render(request, "web/desk/refused.html", {"error": message}, status=403)
    return workspace, membership, None


@login_required
@require_GET
def sla_report(request, slug: str):
    workspace, membership, refused = _reader(request, slug)
    if refused is not None:
        return refused
    form = ReportForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return _report_page(request, workspace, membership, status=status)


@login_required
@require_POST
def csat_target(request, slug: str):
    workspace, membership, refused = _reader(request, slug)
    if refused is not None:
        return refused
    if not role_allows(membership.role, MANAGE_SERVICE_LEVELS):
        message = _("Only admins and supervisors set the CSAT target.")
        return render(request, "web/desk/refused.html", {"error": message}, status=403)
    form = CsatTargetForm(request.POST)
    if not form.is_valid():
        return _report_page(request, workspace, membership, csat_form=form, status=422)
    try:
        set_csat_target(
            workspace=workspace, percent=form.cleaned_data["csat_target_percent"], by=request.user
        )
    except ApplicationError as refusal:
        form.add_error("csat_target_percent", refusal_message(refusal))
        return _report_page(request, workspace, membership, csat_form=form, status=refusal.status)
    messages.success(request, _("CSAT target saved."))
    return redirect("web:sla_report", slug=workspace.slug)
