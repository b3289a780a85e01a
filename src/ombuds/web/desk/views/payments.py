"""The workspace's payment providers, for its admins: connect Stripe (or another PSP's
webhooks), see the webhook address, the events received and the calls made."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ombuds.accounts.models import Team
from ombuds.accounts.roles import ADMINISTER, role_allows
from ombuds.chargebacks.connections import (
    connect_psp,
    connection_of,
    connections_of,
    update_psp_connection,
    webhook_url,
)
from ombuds.chargebacks.outbox import retry_call
from ombuds.chargebacks.selectors import call_of, calls_of, failed_call_count, recent_events
from ombuds.core.errors import ApplicationError, NotFound

from ..access import access_workspace
from ..chargeback_refusals import chargeback_refusal_message
from ..psp_forms import PspConnectionForm


def admin_only(view):
    """A page of the workspace's settings: admins only, everyone else 403."""

    @wraps(view)
    @login_required
    def wrapper(request, slug: str, *args, **kwargs):
        workspace, membership = access_workspace(request, slug)
        if not role_allows(membership.role, ADMINISTER):
            return render(
                request,
                "web/desk/refused.html",
                {"error": _("Only the workspace's admins manage its payment providers.")},
                status=403,
            )
        return view(request, workspace, *args, **kwargs)

    return wrapper


def _connection_or_404(workspace, pk: int):
    try:
        return connection_of(workspace=workspace, pk=pk)
    except NotFound:
        raise Http404("No such connection") from None


@admin_only
@require_http_methods(["GET"])
def payment_providers(request, workspace):
    return render(
        request,
        "web/desk/payments.html",
        {
            "workspace": workspace,
            "rows": [(c, webhook_url(c)) for c in connections_of(workspace=workspace)],
            "calls": calls_of(workspace=workspace),
            "failed_count": failed_call_count(workspace),
        },
    )


@admin_only
@require_http_methods(["GET", "POST"])
def payment_provider_edit(request, workspace, pk: int | None = None):
    connection = _connection_or_404(workspace, pk) if pk is not None else None
    teams = list(Team.objects.filter(workspace=workspace).order_by("name"))
    status = 200
    if request.method == "POST":
        form = PspConnectionForm(request.POST, connection=connection, teams=teams)
        if form.is_valid():
            try:
                if connection is None:
                    connection = connect_psp(
                        workspace=workspace, by=request.user, spec=form.to_input()
                    )
                    messages.success(request, _("Payment provider connected."))
                else:
                    connection = update_psp_connection(
                        workspace=workspace,
                        by=request.user,
                        connection=connection,
                        spec=form.to_input(),
                    )
                    messages.success(request, _("Payment provider saved."))
            except ApplicationError as refused:
                details = refused.details if isinstance(refused.details, dict) else {}
                field = details.get("field")
                form.add_error(
                    field if field in form.fields else None, chargeback_refusal_message(refused)
                )
            else:
                return redirect("web:payment_provider", slug=workspace.slug, pk=connection.pk)
        status = 422
    else:
        initial = PspConnectionForm.initial_for(connection) if connection else None
        form = PspConnectionForm(initial=initial, connection=connection, teams=teams)
    return render(
        request,
        "web/desk/payment_provider.html",
        {
            "workspace": workspace,
            "connection": connection,
            "form": form,
            "webhook_url": webhook_url(connection) if connection else "",
            "events": recent_events(connection) if connection else [],
        },
        status=status,
    )


@admin_only
@require_POST
def payment_call_retry(request, workspace, pk: int):
    """Try again a call to the provider that gave up (Stripe's outage is over)."""
    try:
        retry_call(call=call_of(workspace=workspace, pk=pk))
    except NotFound:
        raise Http404("No such call") from None
    except ApplicationError as refused:
        messages.error(request, chargeback_refusal_message(refused))
    else:
        messages.success(request, _("The call is queued again."))
    return redirect("web:payment_providers", slug=workspace.slug)
