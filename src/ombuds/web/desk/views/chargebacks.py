"""Chargebacks in the desk: the list with deadlines, and answering one with evidence.

The evidence page shows exactly what would go to Stripe (every text field, every file)
for the statement and files the agent chose; "Submit to Stripe" sends that and nothing
else, because it carries the preview's fingerprint (the service refuses a mismatch).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ombuds.chargebacks.evidence import CHOSEN_FILE_FIELDS, FILE_FIELDS, eligible_files
from ombuds.chargebacks.selectors import VIEWS, chargeback_counts, chargeback_of, chargebacks_of
from ombuds.chargebacks.services.evidence import (
    preview_evidence,
    submission_refusal,
    submit_evidence,
)
from ombuds.core.errors import ApplicationError, NotFound

from ..access import access_workspace, can_write
from ..chargeback_refusals import chargeback_refusal_message

GENERATED = ("receipt", "customer_communication", "refund_policy")


def _chargeback_or_404(workspace, pk: int):
    try:
        return chargeback_of(workspace=workspace, pk=pk)
    except NotFound:
        raise Http404("No such chargeback") from None


@login_required
@require_GET
def chargeback_list(request, slug: str):
    workspace, _membership = access_workspace(request, slug)
    view = request.GET.get("view", "open")
    if view not in VIEWS:
        view = "open"
    return render(
        request,
        "web/desk/chargebacks.html",
        {
            "workspace": workspace,
            "view": view,
            "chargebacks": chargebacks_of(workspace=workspace, view=view),
            "counts": chargeback_counts(workspace=workspace),
            "now": timezone.now(),
        },
    )


def _choices(request, source) -> tuple[str, dict[str, str]]:
    statement = source.get("statement", "")
    chosen = {}
    for field in CHOSEN_FILE_FIELDS:
        value = source.get(f"file_{field}", "").strip()
        if value:
            chosen[field] = value[:60]
    return statement, chosen


def _evidence_page(request, workspace, membership, chargeback, *, statement, chosen, error=None):
    pack, preview_error = None, None
    try:
        pack = preview_evidence(chargeback=chargeback, statement=statement, chosen_files=chosen)
    except ApplicationError as refused:
        preview_error = chargeback_refusal_message(refused)
    refusal = submission_refusal(chargeback)
    return render(
        request,
        "web/desk/chargeback_evidence.html",
        {
            "workspace": workspace,
            "chargeback": chargeback,
            "case": chargeback.case,
            "pack": pack,
            "statement": statement,
            "chosen": chosen,
            "slots": [(f, FILE_FIELDS[f]) for f in CHOSEN_FILE_FIELDS],
            "attachments": eligible_files(chargeback),
            "generated": GENERATED,
            "can_submit": can_write(membership) and refusal is None,
            "refusal": chargeback_refusal_message(refusal) if refusal else "",
            "error": error or preview_error,
            "now": timezone.now(),
        },
        status=409 if error else 200,
    )


@login_required
@require_GET
def chargeback_evidence(request, slug: str, pk: int):
    """The evidence that would be sent now, for the statement and files chosen."""
    workspace, membership = access_workspace(request, slug)
    chargeback = _chargeback_or_404(workspace, pk)
    statement, chosen = _choices(request, request.GET)
    return _evidence_page(
        request, workspace, membership, chargeback, statement=statement, chosen=chosen
    )


@login_required
@require_POST
def chargeback_submit(request, slug: str, pk: int):
    """Confirming the preview: send it to Stripe (once)."""
    workspace, membership = access_workspace(request, slug)
    chargeback = _chargeback_or_404(workspace, pk)
    statement, chosen = _choices(request, request.POST)
    try:
        submit_evidence(
            chargeback=chargeback,
            by=request.user,
            fingerprint=request.POST.get("fingerprint", ""),
            statement=statement,
            chosen_files=chosen,
        )
    except ApplicationError as refused:
        if refused.status == 403:
            return render(
                request,
                "web/desk/refused.html",
                {"error": chargeback_refusal_message(refused)},
                status=403,
            )
        return _evidence_page(
            request,
            workspace,
            membership,
            chargeback,
            statement=statement,
            chosen=chosen,
            error=chargeback_refusal_message(refused),
        )
    messages.success(request, _("The evidence is on its way to Stripe."))
    if chargeback.case_id:
        return redirect("web:case", slug=workspace.slug, reference=chargeback.case.reference)
    return redirect("web:chargebacks", slug=workspace.slug)


@login_required
@require_GET
def chargeback_document(request, slug: str, pk: int, field: str):
    """A document the desk writes for the evidence (receipt, conversation, policy), to
    read before it is sent."""
    workspace, _membership = access_workspace(request, slug)
    chargeback = _chargeback_or_404(workspace, pk)
    if field not in GENERATED:
        raise Http404("No such document")
    pack = preview_evidence(chargeback=chargeback)
    document = next((f for f in pack.files if f.field == field), None)
    if document is None:
        raise Http404("No such document")
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="{document.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
