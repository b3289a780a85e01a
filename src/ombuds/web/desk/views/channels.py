"""Messaging platforms of a workspace, for its admins: connect one, see the webhook
address to give the platform, and whether its webhooks arrive."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ombuds.accounts.roles import ADMINISTER, role_allows
from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.transports import PermanentFailure
from ombuds.intake.social import telegram
from ombuds.intake.social.accounts import (
    channel_account_of,
    channel_accounts_of,
    connect_channel_account,
    update_channel_account,
    webhook_url,
)
from ombuds.intake.social.http import TransientFailure

from ..access import access_workspace
from ..channel_forms import ChannelAccountForm
from ..refusals import refusal_message


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
                {"error": _("Only the workspace's admins manage its channels.")},
                status=403,
            )
        return view(request, workspace, *args, **kwargs)

    return wrapper


def _account_or_404(workspace, pk: int):
    try:
        return channel_account_of(workspace=workspace, pk=pk)
    except NotFound:
        raise Http404("No such channel") from None


@admin_only
@require_http_methods(["GET"])
def channel_list(request, workspace):
    accounts = channel_accounts_of(workspace=workspace)
    return render(
        request,
        "web/desk/channels.html",
        {
            "workspace": workspace,
            "rows": [(account, webhook_url(account)) for account in accounts],
        },
    )


@admin_only
@require_http_methods(["GET", "POST"])
def channel_edit(request, workspace, pk: int | None = None):
    account = _account_or_404(workspace, pk) if pk is not None else None
    if request.method == "POST":
        form = ChannelAccountForm(request.POST, account=account)
        if form.is_valid():
            try:
                if account is None:
                    account = connect_channel_account(
                        workspace=workspace, by=request.user, spec=form.to_input()
                    )
                    messages.success(request, _("Channel connected."))
                else:
                    account = update_channel_account(
                        workspace=workspace, by=request.user, account=account, spec=form.to_input()
                    )
                    messages.success(request, _("Channel saved."))
            except ApplicationError as refused:
                field = (
                    (refused.details or {}).get("field")
                    if isinstance(refused.details, dict)
                    else None
                )
                form.add_error(field if field in form.fields else None, refusal_message(refused))
            else:
                return redirect("web:channel", slug=workspace.slug, pk=account.pk)
        status = 422
    else:
        initial = ChannelAccountForm.initial_for(account) if account is not None else None
        form = ChannelAccountForm(initial=initial, account=account)
        status = 200
    return render(
        request,
        "web/desk/channel_form.html",
        {
            "workspace": workspace,
            "account": account,
            "form": form,
            "webhook_url": webhook_url(account) if account is not None else "",
            "is_telegram": account is not None and account.channel == Channel.TELEGRAM,
        },
        status=status if request.method == "POST" else 200,
    )


@admin_only
@require_POST
def channel_register_webhook(request, workspace, pk: int):
    """Tell Telegram where the bot's webhook is, with the stored secret token."""
    account = _account_or_404(workspace, pk)
    if account.channel != Channel.TELEGRAM:
        raise Http404("Only Telegram bots are registered from here")
    try:
        telegram.register_webhook(account, webhook_url(account))
    except (PermanentFailure, TransientFailure) as failure:
        messages.error(
            request, _("Telegram did not take the webhook: %(error)s") % {"error": failure}
        )
    else:
        messages.success(request, _("Telegram now sends this bot's messages here."))
    return redirect("web:channel", slug=workspace.slug, pk=account.pk)
