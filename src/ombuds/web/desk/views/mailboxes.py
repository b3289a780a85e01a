"""Mailboxes: a workspace's admins connect, edit and test the IMAP mailboxes its email is
fetched from, and see how each is doing (last fetch, the error that stops it, emails
left on the server because they were too large). Passwords are never shown again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ombuds.accounts.roles import ADMINISTER, role_allows
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.intake.email.imap import MailboxError, check_mailbox
from ombuds.intake.mailboxes import (
    create_mailbox,
    draft_mailbox,
    mailbox_of,
    mailboxes_of,
    refused_mail,
    update_mailbox,
)

from ..access import access_workspace
from ..mailbox_forms import MailboxForm
from ..refusals import refusal_message


def _admin_workspace(request, slug: str):
    workspace, membership = access_workspace(request, slug)
    if not role_allows(membership.role, ADMINISTER):
        return workspace, False
    return workspace, True


def _not_admin(request):
    return render(
        request,
        "web/desk/refused.html",
        {"error": _("Only the workspace's admins manage its mailboxes.")},
        status=403,
    )


def problem_headline(error: MailboxError) -> str:
    """What went wrong, in the admin's language; the server's own words follow it."""
    return str(
        {
            "imap_login_failed": _("The server refused the user name or password."),
            "imap_tls_failed": _(
                "The secure connection failed. Check the encryption setting and the port: "
                "993 usually expects SSL/TLS, 143 STARTTLS."
            ),
            "imap_unreachable": _("The server cannot be reached. Check its name and port."),
            "imap_folder_missing": _("The folder cannot be opened on the server."),
        }.get(error.code, _("Fetching from this mailbox failed."))
    )


def _state(mailbox, now) -> tuple[str, str]:
    if not mailbox.is_active:
        return "off", _("Switched off")
    if mailbox.lease_expires_at is not None and mailbox.lease_expires_at > now:
        return "busy", _("Connected")
    if mailbox.last_error:
        return "failing", _("Failing")
    if mailbox.last_success_at is None:
        return "new", _("Not fetched yet")
    return "ok", _("Working")


@login_required
@require_GET
def mailbox_list(request, slug: str):
    workspace, is_admin = _admin_workspace(request, slug)
    if not is_admin:
        return _not_admin(request)
    now = timezone.now()
    return render(
        request,
        "web/desk/mailboxes.html",
        {
            "workspace": workspace,
            "rows": [(m, *_state(m, now)) for m in mailboxes_of(workspace=workspace)],
            "refused": refused_mail(workspace=workspace),
            "now": now,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_new(request, slug: str):
    workspace, is_admin = _admin_workspace(request, slug)
    if not is_admin:
        return _not_admin(request)
    return _edit(request, workspace, None)


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_edit(request, slug: str, mailbox_id: int):
    workspace, is_admin = _admin_workspace(request, slug)
    if not is_admin:
        return _not_admin(request)
    try:
        mailbox = mailbox_of(workspace=workspace, pk=mailbox_id)
    except NotFound:
        raise Http404("No such mailbox") from None
    return _edit(request, workspace, mailbox)


def _edit(request, workspace, mailbox):
    form = MailboxForm(request.POST or None, mailbox=mailbox)
    context = {"workspace": workspace, "mailbox": mailbox, "form": form}
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "web/desk/mailbox_form.html", context, status=422)
        spec = form.to_settings()
        try:
            if request.POST.get("action") == "test":
                # Tests what is in the form, saved or not; nothing is written.
                draft = draft_mailbox(workspace=workspace, spec=spec, based_on=mailbox)
                context["check"] = check_mailbox(draft)
            else:
                if mailbox is None:
                    create_mailbox(workspace=workspace, spec=spec)
                else:
                    update_mailbox(mailbox=mailbox, spec=spec)
                messages.success(
                    request, _("Mailbox saved. New mail is fetched within about a minute.")
                )
                return redirect("web:mailboxes", slug=workspace.slug)
        except MailboxError as exc:
            context["problem"] = {"headline": problem_headline(exc), "detail": exc.message}
            status = 200  # the test ran; its answer is the page
        except ApplicationError as exc:
            for field, text in (exc.details or {}).items() if isinstance(exc.details, dict) else ():
                form.add_error(field if field in form.fields else None, text)
            context["error"] = refusal_message(exc)
            status = exc.status
    return render(request, "web/desk/mailbox_form.html", context, status=status)
