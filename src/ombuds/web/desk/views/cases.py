"""The case page and the writes an agent makes on it: reply, internal note, properties.

Writes answer with a redirect (plain forms) or with the new timeline plus out-of-band
fragments (HTMX). A refusal from a service is shown next to the form that caused it,
with the service's 4xx status; the service's transaction means nothing was written.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from ombuds.automation.macros.selectors import version_of
from ombuds.automation.macros.services import reply_with_macro
from ombuds.conversations.events import Actor
from ombuds.conversations.models import ParticipantRole
from ombuds.conversations.selectors import other_cases_of, timeline_of
from ombuds.conversations.services import add_internal_note, reply_to_customer, update_case
from ombuds.core.errors import ApplicationError
from ombuds.intake.identity import merge_parties, undo_party_merge
from ombuds.intake.phone.calls import log_call
from ombuds.intake.selectors import merge_by_id, merges_of, party_by_identifier
from ombuds.marketplace.selectors import order_with_details
from ombuds.sla.selectors import clocks_of_case

from .. import timeline
from ..access import access_workspace, can_write
from ..case_access import case_or_404, refuse
from ..case_panels import case_extras, third_parties_for
from ..chargeback_panels import chargeback_panel
from ..choices import choices_for
from ..forms import (
    CallForm,
    MergePartyForm,
    NoteForm,
    PropertiesForm,
    ReplyForm,
    incoming_files,
)
from ..refusals import refusal_message
from ..rescue import rescue_panel
from .chats import chat_context
from .money import money_panel

OTHER_CASES_LIMIT = 8
# Each write form, the partial that draws it and the element id HTMX swaps on a refusal.
FORMS = {
    "reply_form": "reply-form",
    "note_form": "note-form",
    "call_form": "call-form",
    "properties_form": "properties-form",
}


def _parties(case, order):
    """Everyone on the case besides the requester: the seller and third parties."""
    participants = list(case.participants.select_related("party").order_by("role", "pk"))
    seller = order.seller if order is not None and order.seller_id else None
    if seller is None:
        seller = next((p.party for p in participants if p.role == ParticipantRole.SELLER), None)
    third = {p.party.pk: p.party for p in participants if p.role == ParticipantRole.THIRD_PARTY}
    for booking in order.bookings.all() if order is not None else ():
        if booking.third_party is not None:
            third.setdefault(booking.third_party.pk, booking.third_party)
    copied = [p.party for p in participants if p.role == ParticipantRole.CC]
    return seller, list(third.values()), copied


def _case_context(request, workspace, membership, case, **overrides) -> dict:
    choices = choices_for(workspace)
    order = order_with_details(workspace=workspace, pk=case.order_id) if case.order_id else None
    seller, third_parties, copied = _parties(case, order)
    now = timezone.now()
    context = {
        "workspace": workspace,
        "case": case,
        "order": order,
        "seller": seller,
        "third_parties": third_parties,
        "copied": copied,
        "timeline": timeline.entries(timeline_of(case)),
        "requester_cases": other_cases_of(
            workspace=workspace, party=case.requester, exclude=case, limit=OTHER_CASES_LIMIT
        ),
        "seller_cases": other_cases_of(
            workspace=workspace, party=seller, exclude=case, limit=OTHER_CASES_LIMIT
        )
        if seller is not None
        else [],
        "can_write": can_write(membership),
        "reply_form": ReplyForm(),
        "note_form": NoteForm(),
        "call_form": CallForm(),
        "merge_form": MergePartyForm(),
        "merges": merges_of(workspace=workspace, party=case.requester),
        "properties_form": PropertiesForm(
            initial=PropertiesForm.initial_for(case), choices=choices
        ),
        **chat_context(case),
        "now": now,
        "sla_clocks": clocks_of_case(case, now=now),
        "money_panel": money_panel(workspace, membership, case, order),
        "chargeback_panel": chargeback_panel(case),
        "rescue_panel": rescue_panel(case, membership),
    }
    context.update(
        case_extras(
            workspace,
            case,
            parties=third_parties_for(workspace, third_parties),
            agents=choices.agents,
        )
    )
    context.update(overrides)
    return context


@login_required
@require_GET
def case_detail(request, slug: str, reference: str):
    workspace, membership = access_workspace(request, slug)
    case = case_or_404(workspace, reference)
    return render(
        request, "web/desk/case.html", _case_context(request, workspace, membership, case)
    )


def case_write(view):
    """A POST on a case by someone whose role may change cases; others get 403."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(request, slug: str, reference: str):
        workspace, membership = access_workspace(request, slug)
        if not can_write(membership):
            return refuse(request, _("Your role can view cases but not change them."), 403)
        case = case_or_404(workspace, reference)
        return view(request, workspace, membership, case)

    return wrapper


def _form_refused(request, workspace, membership, case, name: str, form, message: str, status):
    """Show the form again, as the agent filled it in, with what went wrong."""
    if request.htmx:
        context = {
            "workspace": workspace,
            "case": case,
            name: form,
            "error": message,
            "error_form": name,
            "can_write": True,
        }
        response = render(request, f"web/desk/partials/{name}.html", context, status=status)
        return reswap(retarget(response, f"#{FORMS[name]}"), "outerHTML")
    context = _case_context(
        request, workspace, membership, case, **{name: form}, error=message, error_form=name
    )
    return render(request, "web/desk/case.html", context, status=status)


def _written(request, workspace, membership, case, message: str):
    if request.htmx:
        case = case_or_404(workspace, case.reference)
        context = _case_context(request, workspace, membership, case, flash=message)
        return render(request, "web/desk/partials/case_updated.html", context)
    messages.success(request, message)
    return redirect("web:case", slug=workspace.slug, reference=case.reference)


def _submit(request, workspace, membership, case, name: str, form, *, invalid, done, write):
    """Every write on the case page: check the form, run the service, then show the case
    again, or the form as the agent filled it in with what went wrong."""
    if not form.is_valid():
        return _form_refused(request, workspace, membership, case, name, form, invalid, 422)
    try:
        write(form.cleaned_data)
    except ApplicationError as refusal:
        message = refusal_message(refusal)
        return _form_refused(
            request, workspace, membership, case, name, form, message, refusal.status
        )
    return _written(request, workspace, membership, case, done)


@case_write
def case_reply(request, workspace, membership, case):
    form = ReplyForm(request.POST, request.FILES)
    return _submit(
        request,
        workspace,
        membership,
        case,
        "reply_form",
        form,
        invalid=_("The reply was not sent; see the marked fields."),
        done=_("Reply sent."),
        write=lambda data: _send_reply(
            request,
            workspace,
            case,
            data,
            meta=form.reply_meta() if case.is_public_post else None,
        ),
    )


def _send_reply(request, workspace, case, data, *, meta=None):
    """A reply, made from a macro when the reply box says so (the version is recorded);
    `meta` says how the channel sends it (in public or privately)."""
    common = {
        "case": case,
        "author": request.user,
        "body": data["body"],
        "status": data["status"] or None,
        "files": incoming_files(data["files"]),
        "meta": meta,
    }
    if data.get("macro_version"):
        version = version_of(workspace=workspace, pk=data["macro_version"])
        return reply_with_macro(version=version, **common)
    return reply_to_customer(**common)


@case_write
def case_note(request, workspace, membership, case):
    return _submit(
        request,
        workspace,
        membership,
        case,
        "note_form",
        NoteForm(request.POST, request.FILES),
        invalid=_("The note was not added; see the marked fields."),
        done=_("Note added."),
        write=lambda data: add_internal_note(
            case=case, author=request.user, body=data["body"], files=incoming_files(data["files"])
        ),
    )


@case_write
def case_properties(request, workspace, membership, case):
    form = PropertiesForm(request.POST, choices=choices_for(workspace))
    return _submit(
        request,
        workspace,
        membership,
        case,
        "properties_form",
        form,
        invalid=_("Nothing was changed; see the marked fields."),
        done=_("Case updated."),
        write=lambda data: update_case(case=case, actor=Actor(user=request.user), **form.changes()),
    )


@case_write
def case_call(request, workspace, membership, case):
    form = CallForm(request.POST)
    return _submit(
        request,
        workspace,
        membership,
        case,
        "call_form",
        form,
        invalid=_("The call was not logged; see the marked fields."),
        done=_("Call logged."),
        write=lambda data: log_call(
            workspace=workspace,
            by=request.user,
            phone=data["phone"],
            direction=data["direction"],
            outcome=data["outcome"],
            duration_seconds=form.duration_seconds(),
            notes=data["notes"],
            case=case,
        ),
    )


@case_write
def party_merge(request, workspace, membership, case):
    """The requester and the party known by an email or phone are one person."""
    form = MergePartyForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("Give the email address or phone number to merge."), 422)
    other = party_by_identifier(workspace=workspace, text=form.cleaned_data["identifier"])
    if other is None:
        return refuse(request, _("Nobody in this workspace has that email or phone."), 404)
    try:
        merge_parties(workspace=workspace, keep=case.requester, merge=other, by=request.user)
    except ApplicationError as refusal:
        return refuse(request, refusal_message(refusal), refusal.status)
    messages.success(request, _("Merged: their cases and identifiers are now one history."))
    return redirect("web:case", slug=workspace.slug, reference=case.reference)


@case_write
def party_unmerge(request, workspace, membership, case):
    record = merge_by_id(workspace=workspace, pk=request.POST.get("merge", ""))
    if record is None:
        raise Http404("No such merge")
    try:
        undo_party_merge(workspace=workspace, merge=record, by=request.user)
    except ApplicationError as refusal:
        return refuse(request, refusal_message(refusal), refusal.status)
    messages.success(request, _("The merge was undone."))
    return redirect("web:case", slug=workspace.slug, reference=case.reference)
