"""What automation adds to the case page: approved answers in the reply box, the
escalation reasons, and the coordination tasks with third parties."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import reswap, retarget

from ombuds.automation import coordination
from ombuds.automation.macros.selectors import macro_of
from ombuds.automation.macros.services import render_for_case
from ombuds.conversations.events import Actor
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.marketplace.models import Party, PartyKind

from .. import timeline
from ..access import access_workspace
from ..case_access import case_or_404
from ..choices import choices_for
from ..forms import ReplyForm
from ..refusals import refusal_message
from ..rule_forms import TaskEmailForm, TaskForm, TaskUpdateForm
from .cases import _case_context, _written, case_write

# --- macros in the reply box ---------------------------------------------------------------


@login_required
@require_GET
def macro_preview(request, slug: str, reference: str):
    """The chosen macro filled in for this case, ready to insert into the reply."""
    workspace, membership = access_workspace(request, slug)
    case = case_or_404(workspace, reference)
    try:
        macro = macro_of(workspace=workspace, pk=int(request.GET.get("macro") or 0))
        choice = render_for_case(macro=macro, case=case, agent=request.user)
    except (NotFound, ApplicationError, ValueError):
        return render(
            request, "web/desk/partials/macro_preview.html", {"workspace": workspace, "case": case}
        )
    insert = request.GET.get("insert") == "1"
    context = {
        "workspace": workspace,
        "case": case,
        "choice": choice,
        "missing": [timeline.variable_label(name) for name in choice.rendered.missing],
    }
    if insert and request.htmx:
        return render(request, "web/desk/partials/macro_insert.html", context)
    if insert:
        # Without script: the case page again, with the reply box filled in.
        form = ReplyForm(initial={"body": choice.rendered.text, "macro_version": choice.version.pk})
        page = _case_context(request, workspace, membership, case, reply_form=form)
        return render(request, "web/desk/case.html", page)
    return render(request, "web/desk/partials/macro_preview.html", context)


# --- coordination tasks --------------------------------------------------------------------


def _task_refused(request, workspace, membership, case, message: str, status: int):
    if request.htmx:
        response = render(
            request, "web/desk/partials/flash.html", {"flash_error": message}, status=status
        )
        return reswap(retarget(response, "#flash"), "innerHTML")
    context = _case_context(request, workspace, membership, case, error=message)
    return render(request, "web/desk/case.html", context, status=status)


@case_write
def task_create(request, workspace, membership, case):
    choices = choices_for(workspace)
    parties = list(
        Party.objects.filter(workspace=workspace, kind=PartyKind.THIRD_PARTY).order_by("name")
    )
    form = TaskForm(request.POST, parties=parties, agents=choices.agents)
    if not form.is_valid():
        return _task_refused(
            request,
            workspace,
            membership,
            case,
            _("The task was not added; check its fields."),
            422,
        )
    data = form.cleaned_data
    party = next((p for p in parties if str(p.pk) == data["party"]), None)
    assignee = choices.agent_rows.get(data["assignee"])
    try:
        coordination.create_task(
            case=case,
            title=data["title"],
            party=party,
            assignee=assignee,
            due_at=data["due_at"],
            actor=Actor(user=request.user),
        )
    except ApplicationError as refusal:
        return _task_refused(
            request, workspace, membership, case, refusal_message(refusal), refusal.status
        )
    return _written(request, workspace, membership, case, _("Task added."))


def _task(workspace, case, number: int):
    try:
        return coordination.task_of(workspace=workspace, case=case, number=number)
    except NotFound:
        raise Http404("No such task") from None


def task_write(view):
    """A POST on one task of a case, by someone whose role may change cases."""

    @wraps(view)
    def wrapper(request, slug: str, reference: str, number: int):
        @case_write
        def on_case(request, workspace, membership, case):
            return view(request, workspace, membership, case, _task(workspace, case, number))

        return on_case(request, slug, reference)

    return wrapper


@task_write
def task_update(request, workspace, membership, case, task):
    form = TaskUpdateForm(request.POST)
    if not form.is_valid():
        return _task_refused(
            request, workspace, membership, case, _("The task was not changed."), 422
        )
    try:
        coordination.update_task(
            task=task,
            actor=Actor(user=request.user),
            status=form.cleaned_data["status"],
            outcome=form.cleaned_data["outcome"],
        )
    except ApplicationError as refusal:
        return _task_refused(
            request, workspace, membership, case, refusal_message(refusal), refusal.status
        )
    return _written(request, workspace, membership, case, _("Task updated."))


@task_write
def task_email(request, workspace, membership, case, task):
    form = TaskEmailForm(request.POST)
    if not form.is_valid():
        return _task_refused(
            request, workspace, membership, case, _("The email was not sent; it needs text."), 422
        )
    try:
        coordination.email_party(
            task=task, body=form.cleaned_data["body"], actor=Actor(user=request.user)
        )
    except ApplicationError as refusal:
        return _task_refused(
            request, workspace, membership, case, refusal_message(refusal), refusal.status
        )
    message = _("Email sent to %(party)s.") % {"party": task.party}
    return _written(request, workspace, membership, case, message)
