"""Reads for routing. Every function takes the workspace (or a row that belongs to one);
each uses a fixed number of queries, whatever the number of cases."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Count, Min, Q

from ombuds.accounts.models import Membership, Role, Team, User
from ombuds.accounts.roles import WRITE_CASES, role_allows
from ombuds.conversations.models import ACTIVE_STATUSES, Case
from ombuds.core.batch import forget_on_change, remembered
from ombuds.core.models import Workspace

from .decisions import Candidate
from .models import AgentProfile, AgentSkill, Presence, Queue, QueueEntry
from .rules import RULE_FIELDS, Rule
from .skills import Skill

forget_on_change(Queue)

# Only people who may change cases can be given one.
ROUTABLE_ROLES = tuple(r for r in Role.values if role_allows(r, WRITE_CASES))
MANAGING_ROLES = (Role.ADMIN, Role.SUPERVISOR)
# The case index that covers (workspace, status, assignee): counting loads reads only it.
LOAD_INDEX = "case_view_counts"
# The drain reads a backlog in this order: VIP and public posts, then priority, then oldest.
BACKLOG_ORDER = ("-pressing", "-priority_rank", "waiting_since", "pk")


def may_manage_routing(membership: Membership | None) -> bool:
    """Supervisors and admins set skills, capacities and queues."""
    return membership is not None and membership.role in MANAGING_ROLES


def may_take_cases(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ROUTABLE_ROLES


def active_rules(*, workspace_id: int) -> list[Rule]:
    """The routing rules of a workspace (its active queues' conditions), in the order
    they are tried."""
    # Read once per filing batch (core.batch), not once per case.
    return remembered(
        ("routing.rules", workspace_id),
        lambda: [
            Rule(*row)
            for row in Queue.objects.filter(workspace_id=workspace_id, is_active=True)
            .order_by("position", "pk")
            .values_list(*RULE_FIELDS)
        ],
    )


def active_loads(*, workspace_id: int, user_ids: list[int]) -> dict[int, int]:
    """How many active cases each of these people holds: one aggregate over the case
    index (workspace, status, assignee), never the cases themselves."""
    if not user_ids:
        return {}
    loads = dict.fromkeys(user_ids, 0)
    if connection.vendor == "sqlite":
        loads.update(_sqlite_loads(workspace_id, user_ids))
        return loads
    rows = (
        Case.objects.filter(
            workspace_id=workspace_id, status__in=ACTIVE_STATUSES, assignee_id__in=user_ids
        )
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    loads.update({row["assignee_id"]: row["n"] for row in rows})
    return loads


def _sqlite_loads(workspace_id: int, user_ids: list[int]) -> dict[int, int]:
    # SQLite's statistics average the status column over every status, so its planner
    # takes the assignee index and reads every case each person ever held (most of them
    # closed), 20 times slower at 20,000 cases and growing. The covering index reads
    # only the active ones. PostgreSQL knows how rare active statuses are and needs no
    # hint.
    statuses = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    people = ", ".join(["%s"] * len(user_ids))
    sql = (
        f"SELECT assignee_id, COUNT(*) FROM {Case._meta.db_table} "
        f"INDEXED BY {LOAD_INDEX} WHERE workspace_id = %s AND status IN ({statuses}) "
        f"AND assignee_id IN ({people}) GROUP BY assignee_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace_id, *ACTIVE_STATUSES, *user_ids])
        return dict(cursor.fetchall())


def skills_of(profile_ids: list[int]) -> dict[int, frozenset[Skill]]:
    found: dict[int, set[Skill]] = defaultdict(set)
    if profile_ids:
        for profile_id, kind, code in AgentSkill.objects.filter(
            profile_id__in=profile_ids
        ).values_list("profile_id", "kind", "code"):
            found[profile_id].add(Skill(kind, code))
    return {pk: frozenset(found.get(pk, ())) for pk in profile_ids}


@dataclass
class Pool:
    """The online agents of a queue's team as candidates, and their user rows."""

    candidates: list[Candidate]
    users: dict[int, User]

    def with_room(self) -> bool:
        return any(c.has_room and c.capacity > 0 for c in self.candidates)


def online_pool(
    *, queue: Queue, exclude_user_ids: tuple[int, ...] = (), lock: bool = False
) -> Pool:
    """Everyone who could take a case of `queue` right now, with their loads: online
    members of its team in its workspace whose role lets them work cases. Three
    queries (profiles, skills, loads), bounded by the team's size.

    With `lock`, their profile rows are locked (in id order, like every routing lock of
    profiles) before the loads are counted, so the loads stay true until commit."""
    query = AgentProfile.objects.filter(
        workspace_id=queue.workspace_id,
        membership__workspace_id=queue.workspace_id,
        membership__role__in=ROUTABLE_ROLES,
        presence=Presence.ONLINE,
        capacity__gt=0,
        user__is_active=True,
        user__teams=queue.team_id,
    ).exclude(user_id__in=exclude_user_ids)
    if lock:
        query = query.select_for_update(of=("self",))
    profiles = list(query.select_related("user").order_by("pk"))
    skills = skills_of([p.pk for p in profiles])
    loads = active_loads(workspace_id=queue.workspace_id, user_ids=[p.user_id for p in profiles])
    return Pool(
        candidates=[
            Candidate(
                user_id=p.user_id,
                name=p.user.display_name,
                capacity=p.capacity,
                load=loads[p.user_id],
                skills=skills[p.pk],
                profile_id=p.pk,
                last_assigned_at=p.last_assigned_at,
            )
            for p in profiles
        ],
        users={p.user_id: p.user for p in profiles},
    )


def profile_of(*, workspace: Workspace, user: User) -> AgentProfile | None:
    return AgentProfile.objects.filter(workspace=workspace, user=user).first()


def presence_of(*, workspace: Workspace, user: User) -> str:
    """A member's presence; someone routing has never seen is offline."""
    found = (
        AgentProfile.objects.filter(workspace=workspace, user=user)
        .values_list("presence", flat=True)
        .first()
    )
    return found or Presence.OFFLINE


@dataclass
class QueueRow:
    queue: Queue
    backlog: int = 0
    pressing: int = 0
    oldest: datetime | None = None
    team_size: int = 0
    online: int = 0
    free_slots: int = 0


@dataclass
class AgentRow:
    membership: Membership
    profile: AgentProfile | None
    load: int = 0
    skills: list[Skill] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def presence(self) -> str:
        return self.profile.presence if self.profile else Presence.OFFLINE

    @property
    def capacity(self) -> int:
        return self.profile.capacity if self.profile else 0

    @property
    def share(self) -> float:
        """How full this person is, 0..1 (over capacity counts as full), for charts."""
        if not self.capacity:
            return 1.0 if self.load else 0.0
        return min(1.0, self.load / self.capacity)


@dataclass
class Overview:
    queues: list[QueueRow]
    agents: list[AgentRow]

    @property
    def backlog(self) -> int:
        return sum(row.backlog for row in self.queues)

    @property
    def online(self) -> int:
        return sum(1 for a in self.agents if a.presence == Presence.ONLINE)

    @property
    def held_offline(self) -> list[AgentRow]:
        """Offline people who still hold active cases nobody could take over."""
        return [a for a in self.agents if a.presence == Presence.OFFLINE and a.load]


def routing_overview(*, workspace: Workspace, include_inactive: bool = False) -> Overview:
    """Queues with their backlogs and the people who work them, with loads. Seven
    queries, however many queues, people and cases there are."""
    queue_query = Queue.objects.filter(workspace=workspace).select_related("team")
    if not include_inactive:
        queue_query = queue_query.filter(is_active=True)
    queues = list(queue_query.order_by("position", "pk"))
    stats = {
        row["queue_id"]: row
        for row in QueueEntry.objects.filter(queue__in=[q.pk for q in queues])
        .values("queue_id")
        .annotate(n=Count("pk"), pressing=Count("pk", filter=Q(pressing=True)))
        .annotate(oldest=Min("waiting_since"))
        .order_by()
    }
    memberships = list(
        Membership.objects.filter(
            workspace=workspace, role__in=ROUTABLE_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    profiles = {p.user_id: p for p in AgentProfile.objects.filter(workspace=workspace)}
    skills = skills_of([p.pk for p in profiles.values()])
    user_ids = [m.user_id for m in memberships]
    loads = active_loads(workspace_id=workspace.pk, user_ids=user_ids)
    teams_by_user: dict[int, list[Team]] = defaultdict(list)
    for link in Team.members.through.objects.filter(
        team__workspace=workspace, user_id__in=user_ids
    ).select_related("team"):
        teams_by_user[link.user_id].append(link.team)
    agents = [
        AgentRow(
            membership=m,
            profile=profiles.get(m.user_id),
            load=loads.get(m.user_id, 0),
            skills=sorted(skills.get(profiles[m.user_id].pk, ())) if m.user_id in profiles else [],
            teams=sorted(teams_by_user.get(m.user_id, []), key=lambda t: t.name),
        )
        for m in memberships
    ]
    rows = []
    for queue in queues:
        crew = [a for a in agents if any(t.pk == queue.team_id for t in a.teams)]
        online = [a for a in crew if a.presence == Presence.ONLINE and a.capacity > 0]
        stat = stats.get(queue.pk, {})
        rows.append(
            QueueRow(
                queue=queue,
                backlog=stat.get("n", 0),
                pressing=stat.get("pressing", 0),
                oldest=stat.get("oldest"),
                team_size=len(crew),
                online=len(online),
                free_slots=sum(max(0, a.capacity - a.load) for a in online),
            )
        )
    return Overview(queues=rows, agents=agents)


def backlog_of(*, queue: Queue, limit: int = 50) -> list[QueueEntry]:
    """The cases waiting in a queue, in the order they will be given out."""
    return list(
        QueueEntry.objects.filter(queue=queue)
        .select_related("case__requester")
        .order_by(*BACKLOG_ORDER)[:limit]
    )


def queue_of(*, workspace: Workspace, queue_id: int) -> Queue | None:
    return Queue.objects.filter(workspace=workspace, pk=queue_id).select_related("team").first()


def membership_of(*, workspace: Workspace, user_id: int) -> Membership | None:
    return (
        Membership.objects.filter(workspace=workspace, user_id=user_id)
        .select_related("user", "workspace")
        .first()
    )


@dataclass(frozen=True)
class Standing:
    """Where one person stands in routing: presence, room, and what they still hold."""

    presence: str
    changed_at: datetime | None
    capacity: int
    active: int
    hand_over_pending: bool


def standing_of(*, workspace: Workspace, user: User) -> Standing:
    profile = profile_of(workspace=workspace, user=user)
    active = active_loads(workspace_id=workspace.pk, user_ids=[user.pk])[user.pk]
    if profile is None:
        return Standing(Presence.OFFLINE, None, 0, active, False)
    return Standing(
        profile.presence, profile.presence_changed_at, profile.capacity, active, profile.hand_over
    )
