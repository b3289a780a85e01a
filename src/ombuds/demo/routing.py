"""Routing in the demo: the staff's skills, presence and capacity, a queue per kind of
work, and the new cases routed through the real service, so each says why it went to
whom or why it waits. Daan ends his shift at the end: his cases are handed over.

Runs after the stories, on their outcome; every choice here is fixed or follows from
the seeded stories, so the demo stays the same from load to load. Routing stamps its
rows with the present; like the stories, they are moved back to when they would have
happened, just after each case's last step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Value
from django.db.models.functions import Greatest

from ombuds.accounts.models import Membership
from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent, Status
from ombuds.core.models import Workspace
from ombuds.routing.models import AgentProfile, Presence, QueueEntry, Strategy
from ombuds.routing.selectors import MANAGING_ROLES, active_loads
from ombuds.routing.services import (
    QueueSpec,
    configure_agent,
    create_queue,
    hand_over_cases,
    route_case,
    set_presence,
)
from ombuds.routing.skills import Skill

from .catalogue import GOODS_TEAM, STAFF_DOMAIN, TICKETS_TEAM
from .people import Desk

ALL_CHANNELS = ("email", "web", "chat", "whatsapp", "phone", "api")


@dataclass(frozen=True)
class Shift:
    """One person's routing: what they handle, how much room beyond what they already
    hold, and whether they are at the desk."""

    languages: tuple[str, ...]
    channels: tuple[str, ...] = ALL_CHANNELS
    topics: tuple[str, ...] = ()
    room: int = 2  # free places above the active cases the stories gave them
    presence: str = Presence.ONLINE


SHIFTS = {
    "supervisor": Shift(("nl", "en"), room=2, presence=Presence.AWAY),
    "emma": Shift(("en",), ("email", "web", "chat", "api"), room=4),
    "daan": Shift(("nl", "en"), ("email", "web", "whatsapp", "phone", "api"), room=2),
    "noor": Shift(("nl", "en"), ("chat", "whatsapp", "phone"), room=8),
    "priya": Shift(("en",), ("email", "web", "api", "phone"), ("delivery", "returns"), room=0),
    "lotte": Shift(("nl",), ("email", "web", "chat", "whatsapp"), ("delivery", "returns"), room=2),
    "james": Shift(("en",), topics=("delivery", "returns"), room=6),
}
# Daan ends his shift once the new cases are routed. Noor takes over his Dutch chats and
# calls while she has room; his Dutch email stays with him: nobody else online does both.
LEAVING = "daan"
GOODS_TOPICS = ["delivery", "returns"]


def _queues(teams) -> list[QueueSpec]:
    goods, tickets = teams.get(GOODS_TEAM), teams.get(TICKETS_TEAM)
    if goods is None or tickets is None:
        return []
    return [
        QueueSpec(
            name="Shipping & Goods: VIP",
            team=goods,
            position=10,
            strategy=Strategy.ROUND_ROBIN,
            topics=GOODS_TOPICS,
            vip="only",
        ),
        QueueSpec(
            name="Shipping & Goods",
            team=goods,
            position=20,
            topics=GOODS_TOPICS,
            match_channel=True,
            match_topic=True,
        ),
        QueueSpec(
            name="Tickets & Bookings: VIP and public posts",
            team=tickets,
            position=30,
            strategy=Strategy.ROUND_ROBIN,
            vip="only",
        ),
        QueueSpec(
            name="Tickets & Bookings: Dutch",
            team=tickets,
            position=40,
            languages=["nl"],
            match_channel=True,
        ),
        QueueSpec(name="Tickets & Bookings", team=tickets, position=50),
    ]


def _outlet_queues(teams) -> list[QueueSpec]:
    return [QueueSpec(name=f"{name}: everything", team=team) for name, team in teams.items()]


@dataclass
class RoutingStory:
    assigned: int = 0
    waiting: int = 0
    handed_over: int = 0
    kept: int = 0


def set_up_routing(workspace: Workspace, desk: Desk, *, now: datetime) -> RoutingStory:
    """Profiles, queues, routed new cases and one hand-over, in this workspace."""
    began = now
    manager = (
        Membership.objects.filter(workspace=workspace, role__in=MANAGING_ROLES)
        .order_by("pk")
        .first()
    )
    members = {
        m.user.email: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user", "workspace")
    }
    loads = active_loads(workspace_id=workspace.pk, user_ids=[m.user_id for m in members.values()])
    for email, member in sorted(members.items()):
        shift = SHIFTS.get(email.removesuffix(f"@{STAFF_DOMAIN}"))
        if shift is None or member.role not in ("agent", "supervisor"):
            continue
        configure_agent(
            membership=member,
            by=manager,
            capacity=loads[member.user_id] + shift.room,
            skills=[Skill("language", c) for c in shift.languages]
            + [Skill("channel", c) for c in shift.channels]
            + [Skill("topic", c) for c in shift.topics],
        )
        set_presence(membership=member, presence=shift.presence)
    specs = _queues(desk.teams) or _outlet_queues(desk.teams)
    for spec in specs:
        create_queue(by=manager, spec=spec)

    story = RoutingStory()
    fresh = Case.objects.filter(
        workspace=workspace, status=Status.NEW, assignee__isnull=True
    ).select_related("requester", "team")
    for case in fresh.order_by("created_at", "pk"):
        outcome = route_case(case=case)
        if outcome is not None:
            story.assigned += outcome.assigned
            story.waiting += not outcome.assigned
    _redate_after_last_step(workspace, began, now)

    leaving = members.get(f"{LEAVING}@{STAFF_DOMAIN}")
    if leaving is not None and leaving.role == "agent":
        story.handed_over, story.kept = _end_shift(workspace, leaving, now)
    return story


def _redate_after_last_step(workspace: Workspace, began: datetime, now: datetime) -> None:
    """Routing happened a minute after each case's last step, not during the load."""
    routed = (
        CaseEvent.objects.filter(workspace=workspace, created_at__gte=began)
        .values_list("case_id", flat=True)
        .distinct()
    )
    for case_id in sorted(set(routed)):
        before = CaseEvent.objects.filter(case_id=case_id, created_at__lt=began).aggregate(
            last=Max("created_at")
        )["last"]
        messages = Case.objects.filter(pk=case_id).aggregate(last=Max("messages__created_at"))
        last = max(d for d in (before, messages["last"]) if d is not None)
        # Never before the case's own last step: a load takes minutes, and steps written
        # late in it (automations' "now") are later than the `now` it started with.
        at = max(min(last + timedelta(minutes=1), now - timedelta(minutes=5)), last)
        CaseEvent.objects.filter(case_id=case_id, created_at__gte=began).update(created_at=at)
        Case.objects.filter(pk=case_id).update(updated_at=at)
        QueueEntry.objects.filter(case_id=case_id).update(waiting_since=at)


def _end_shift(workspace: Workspace, member: Membership, now: datetime) -> tuple[int, int]:
    """The leaving agent goes offline and their active cases are handed over now, as the
    desk would right after the switch (it does so again after commit, finding nothing)."""
    set_presence(membership=member, presence=Presence.OFFLINE)
    went_at = now - timedelta(minutes=4)
    AgentProfile.objects.filter(workspace=workspace, user_id=member.user_id).update(
        presence_changed_at=went_at
    )
    began = now
    held = list(
        Case.objects.filter(
            workspace=workspace, assignee_id=member.user_id, status__in=ACTIVE_STATUSES
        ).values_list("pk", flat=True)
    )
    handover = hand_over_cases(workspace_id=workspace.pk, user_id=member.user_id)
    at = went_at + timedelta(seconds=30)
    CaseEvent.objects.filter(case_id__in=held, created_at__gte=began).update(created_at=at)
    Case.objects.filter(pk__in=held).update(updated_at=Greatest("updated_at", Value(at)))
    return len(handover.moved), len(handover.kept)
