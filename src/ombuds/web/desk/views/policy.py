"""The workspace's commerce policy: everyone reads it, admins change it. Each change
is a new version with who made it, when and why; past decisions keep naming theirs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ombuds.accounts.roles import ADMINISTER, role_allows
from ombuds.core.errors import ApplicationError
from ombuds.policies.document import default_document, document_changes
from ombuds.policies.selectors import latest_version, policy_versions
from ombuds.policies.services import open_default_policy, revise_policy

from ..access import access_workspace
from ..money_refusals import refusal_message
from ..policy_forms import PolicyForm

HISTORY = 20


def _history(versions) -> list[tuple]:
    """Each version with the paths it changed from the one before it."""
    rows = []
    for i, version in enumerate(versions):
        before = versions[i + 1].document if i + 1 < len(versions) else None
        rows.append((version, document_changes(before, version.document) if before else []))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def policy(request, slug: str):
    workspace, membership = access_workspace(request, slug)
    may_edit = role_allows(membership.role, ADMINISTER)
    version = latest_version(workspace)
    if version is None and request.method == "POST" and may_edit:
        version = open_default_policy(workspace=workspace)
    status, problems, error = 200, [], ""
    document = version.document if version is not None else default_document()
    form = PolicyForm(
        document=document, based_on=version.number if version else 0, disabled=not may_edit
    )
    if request.method == "POST":
        if not may_edit:
            return render(
                request,
                "web/desk/refused.html",
                {"error": _("Only admins may change the policy.")},
                status=403,
            )
        form = PolicyForm(request.POST, document=version.document, based_on=version.number)
        if form.is_valid():
            try:
                saved = revise_policy(
                    workspace=workspace,
                    by=request.user,
                    document=form.to_document(),
                    based_on=form.cleaned_data["based_on"],
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as refusal:
                status, error = refusal.status, refusal_message(refusal)
                problems = (refusal.details or {}).get("problems", []) if refusal.details else []
            else:
                if saved.number == version.number:
                    messages.info(request, _("Nothing changed; the policy stays as it was."))
                else:
                    messages.success(
                        request, _("Saved as version %(number)d.") % {"number": saved.number}
                    )
                return redirect("web:policy", slug=workspace.slug)
        else:
            status, error = 422, _("Nothing was saved; see the marked fields.")
    versions = policy_versions(workspace=workspace, limit=HISTORY)
    context = {
        "workspace": workspace,
        "version": version,
        "form": form,
        "may_edit": may_edit,
        "history": _history(versions),
        "error": error,
        "problems": problems,
    }
    return render(request, "web/desk/policy.html", context, status=status)
