"""Routing in the desk: the presence switch in the header, the overview of queues and
people everyone sees, and the pages where supervisors and admins keep skills,
capacities and queues."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ombuds.accounts.selectors import teams_of
from ombuds.core.errors import ApplicationError
from ombuds.routing.selectors import (
    backlog_of,
    may_manage_routing,
    may_take_cases,
    membership_of,
    presence_of,
    queue_of,
    routing_overview,
    skills_of,
)
from ombuds.routing.services import (
    PresenceChange,
    configure_agent,
    create_queue,
    hand_over_cases,
    set_presence,
    update_queue,
)

from ..access import access_workspace
from ..case_access import refuse
from ..refusals import refusal_message
from ..routing_forms import AgentRoutingForm, PresenceForm, QueueForm

BACKLOG_PREVIEW = 8


def refusal(error: ApplicationError) -> str:
    """A routing service's refusal in the agent's language."""
    known = {
        "unknown_presence": _("That is not a presence."),
        "invalid_capacity": _("Capacity is a whole number from 0 to 200."),
        "not_routable": _("This role takes no cases; give them an agent role first."),
        "too_many_skills": _("At most 60 skills per person."),
        "invalid_skill": _("That skill code is not usable."),
        "empty_name": _("A queue needs a name."),
        "name_too_long": _("A queue name is at most 100 characters."),
        "queue_exists": _("A queue with this name already exists."),
        "unknown_team": _("No such team in this workspace."),
        "unknown_strategy": _("That is not a strategy."),
        "invalid_position": _("The position is a number from 0 to 10000."),
        "too_many_values": _("At most 30 values per condition."),
        "value_too_long": _("Values are at most 40 characters."),
        "queue_has_backlog": _(
            "Cases wait in this queue for its team. Switch the queue off first (which lets "
            "them go), then move it to another team."
        ),
    }
    return str(known.get(error.code) or refusal_message(error))


def _back(request, workspace) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:inbox", args=[workspace.slug])


def _presence_said(change: PresenceChange) -> str:
    if not change.changed:
        return _("Your presence is unchanged.")
    if change.after == "online":
        taken = change.drained or []
        if taken:
            return ngettext(
                "You are online. %(count)d waiting case came to you: %(refs)s.",
                "You are online. %(count)d waiting cases came to you: %(refs)s.",
                len(taken),
            ) % {"count": len(taken), "refs": ", ".join(o.case.reference for o in taken)}
        return _("You are online: new cases can come to you.")
    if change.after == "away":
        return _("You are away: you keep your cases and get no new ones.")
    handover = change.handover
    if handover is None:
        return _("You are offline. Your active cases are being handed to colleagues.")
    said = ngettext(
        "You are offline. %(count)d case went to a colleague.",
        "You are offline. %(count)d cases went to colleagues.",
        len(handover.moved),
    ) % {"count": len(handover.moved)}
    if handover.kept:
        said += " " + ngettext(
            "%(count)d stays with you because nobody can take it now: %(refs)s.",
            "%(count)d stay with you because nobody can take them now: %(refs)s.",
            len(handover.kept),
        ) % {
            "count": len(handover.kept),
            "refs": ", ".join(case.reference for case, _why in handover.kept),
        }
    return said


@login_required
@require_POST
def presence_switch(request, slug: str):
    """The header's switch: online, away, offline."""
    workspace, membership = access_workspace(request, slug)
    form = PresenceForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("That is not a presence."), 422)
    try:
        change = set_presence(membership=membership, presence=form.cleaned_data["presence"])
    except ApplicationError as refused:
        return refuse(request, refusal(refused), refused.status)
    said = _presence_said(change)
    if request.htmx:
        return render(
            request,
            "web/desk/partials/presence_switch.html",
            {
                "show": True,
                "workspace": workspace,
                "presence": change.after,
                "flash": said,
                "oob_flash": True,
                "next": form.cleaned_data["next"],
            },
        )
    messages.success(request, said)
    return redirect(_back(request, workspace))


@login_required
@require_GET
def overview(request, slug: str):
    """Queues with their backlogs, who is online, and how full each person is."""
    workspace, membership = access_workspace(request, slug)
    board = routing_overview(workspace=workspace)
    return render(
        request,
        "web/desk/routing/overview.html",
        {
            "workspace": workspace,
            "board": board,
            "can_manage": may_manage_routing(membership),
            "inbox_path": reverse("web:inbox", args=[workspace.slug]),
            "max_backlog": max([row.backlog for row in board.queues] or [0]),
        },
    )


def managing(view):
    """A routing settings page: supervisors and admins only; others get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, slug: str, *args, **kwargs):
        workspace, membership = access_workspace(request, slug)
        if not may_manage_routing(membership):
            return refuse(request, _("Only supervisors and admins change routing settings."), 403)
        return view(request, workspace, membership, *args, **kwargs)

    return wrapper


@managing
@require_GET
def manage(request, workspace, membership):
    """Everyone's skills and capacity, and the queues in the order they are tried."""
    return render(
        request,
        "web/desk/routing/manage.html",
        {
            "workspace": workspace,
            "board": routing_overview(workspace=workspace, include_inactive=True),
        },
    )


@managing
@require_http_methods(["GET", "POST"])
def agent_settings(request, workspace, membership, user_id: int):
    person = membership_of(workspace=workspace, user_id=user_id)
    if person is None or not may_take_cases(person):
        raise Http404("No such agent")
    profile = getattr(person, "agent_profile", None)
    skills = sorted(skills_of([profile.pk])[profile.pk]) if profile else []
    status = 200
    if request.method == "POST":
        form = AgentRoutingForm(request.POST)
        if form.is_valid():
            try:
                configure_agent(
                    membership=person,
                    by=membership,
                    capacity=form.cleaned_data["capacity"],
                    skills=form.skills(),
                )
            except ApplicationError as refused:
                form.add_error(None, refusal(refused))
                status = refused.status
            else:
                messages.success(
                    request,
                    _("Saved routing settings of %(name)s.") % {"name": person.user.display_name},
                )
                return redirect("web:routing_manage", slug=workspace.slug)
        else:
            status = 422
    else:
        form = AgentRoutingForm(initial=AgentRoutingForm.initial_for(profile, skills))
    return render(
        request,
        "web/desk/routing/agent_form.html",
        {
            "workspace": workspace,
            "person": person,
            "presence": profile.presence if profile else "offline",
            "form": form,
        },
        status=status,
    )


def _queue_page(request, workspace, membership, queue=None):
    teams = teams_of(workspace)
    status = 200
    if request.method == "POST":
        form = QueueForm(request.POST, teams=teams)
        if form.is_valid():
            try:
                if queue is None:
                    create_queue(by=membership, spec=form.to_spec())
                    said = _("Queue created.")
                else:
                    done = update_queue(queue=queue, by=membership, spec=form.to_spec())
                    said = _("Queue saved.")
                    if done.released:
                        said += " " + ngettext(
                            "%(count)d waiting case was let go; it stays unassigned in the team.",
                            "%(count)d waiting cases were let go; they stay unassigned in the "
                            "team.",
                            done.released,
                        ) % {"count": done.released}
            except ApplicationError as refused:
                form.add_refusal(refused, refusal(refused))
                status = refused.status
            else:
                messages.success(request, said)
                return redirect("web:routing_manage", slug=workspace.slug)
        else:
            status = 422
    elif queue is None:
        form = QueueForm(teams=teams, initial={"strategy": "least_loaded", "vip": "any"})
    else:
        form = QueueForm(teams=teams, initial=QueueForm.initial_for(queue))
    return render(
        request,
        "web/desk/routing/queue_form.html",
        {
            "workspace": workspace,
            "queue": queue,
            "form": form,
            "no_teams": not teams,
            "backlog": backlog_of(queue=queue, limit=BACKLOG_PREVIEW) if queue else [],
        },
        status=status,
    )


@managing
@require_http_methods(["GET", "POST"])
def queue_new(request, workspace, membership):
    return _queue_page(request, workspace, membership)


@managing
@require_http_methods(["GET", "POST"])
def queue_edit(request, workspace, membership, queue_id: int):
    queue = queue_of(workspace=workspace, queue_id=queue_id)
    if queue is None:
        raise Http404("No such queue")
    return _queue_page(request, workspace, membership, queue)


@managing
@require_POST
def hand_over_now(request, workspace, membership, user_id: int):
    """Try again to hand over the cases an offline agent still holds."""
    person = membership_of(workspace=workspace, user_id=user_id)
    if person is None:
        raise Http404("No such agent")
    if presence_of(workspace=workspace, user=person.user) != "offline":
        messages.info(request, _("%(name)s is not offline.") % {"name": person.user.display_name})
        return redirect("web:routing", slug=workspace.slug)
    handover = hand_over_cases(workspace_id=workspace.pk, user_id=person.user_id)
    messages.success(
        request,
        _("%(moved)d cases handed over; %(kept)d stay with %(name)s.")
        % {
            "moved": len(handover.moved),
            "kept": len(handover.kept),
            "name": person.user.display_name,
        },
    )
    return redirect("web:routing", slug=workspace.slug)
