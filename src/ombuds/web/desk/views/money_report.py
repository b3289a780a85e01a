"""What resolutions cost, for supervisors and finance: by month (as a chart), reason,
outcome and seller, and each seller's refund rate per order sold."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ombuds.accounts.roles import READ_MONEY_REPORTS, role_allows
from ombuds.core.money import Money
from ombuds.ledger.models import Outcome
from ombuds.ledger.reports import cost_report, last_months, seller_rates
from ombuds.policies.models import Bearer, Reason

from ..access import access_workspace
from ..charts import stacked_bars
from .money import _refused

WINDOWS = (3, 6, 12, 24)  # months
CHART_SERIES = (Bearer.SELLER, Bearer.PLATFORM, Bearer.CARRIER)


def _months_between(since, until, zone) -> list[str]:
    months, cursor = [], since.astimezone(zone).replace(day=1)
    end = until.astimezone(zone)
    while (cursor.year, cursor.month) <= (end.year, end.month):
        months.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


@login_required
@require_GET
def money_report(request, slug: str):
    workspace, membership = access_workspace(request, slug)
    if not role_allows(membership.role, READ_MONEY_REPORTS):
        return _refused(request, _("Money reports are for supervisors, finance and admins."), 403)
    try:
        months = int(request.GET.get("months", 6))
    except ValueError:
        months = 6
    months = months if months in WINDOWS else 6
    since, until = last_months(workspace, months, timezone.now())
    report = cost_report(workspace=workspace, since=since, until=until)
    rates = seller_rates(workspace=workspace, since=since, until=until)
    locale = to_locale(get_language() or "en")
    currency = report.currencies[0] if report.currencies else None

    def shown(amount: int, currency: str = currency or "EUR") -> str:
        return Money(amount, currency).format(locale)

    columns = _months_between(since, until, ZoneInfo(workspace.timezone))
    chart = stacked_bars(
        columns,
        [str(s) for s in CHART_SERIES],
        report.by_month_and_bearer.get(currency, {}) if currency else {},
        label_value=lambda amount: shown(amount),
    )
    reasons, outcomes = dict(Reason.choices), dict(Outcome.choices)
    context = {
        "workspace": workspace,
        "months": months,
        "windows": WINDOWS,
        "report": report,
        "currency": currency,
        "totals": [(c, report.total(c)) for c in report.currencies],
        "chart": chart,
        "chart_labels": [str(Bearer(s).label) for s in CHART_SERIES],
        "reason_rows": [(str(reasons.get(r.key, r.key)), r) for r in report.by_reason],
        "outcome_rows": [(str(outcomes.get(r.key, r.key)), r) for r in report.by_outcome],
        "seller_rows": [
            (report.sellers.get(int(r.key)), r) for r in report.by_seller[:20] if r.key
        ],
        "month_rows": report.by_month,
        "rates": rates,
    }
    return render(request, "web/desk/money_report.html", context)
