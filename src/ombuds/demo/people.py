"""The people of a demo workspace: desk staff in teams, buyers, sellers and third parties.
Everyone is made through the account and marketplace services."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from faker import Faker

from ombuds.accounts.models import Team, User
from ombuds.accounts.services import add_member, create_team
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Party, PartyKind
from ombuds.marketplace.services import find_or_create_party_by_email, upsert_party

from .catalogue import (
    AIRLINES,
    COURIERS,
    DEMO_PASSWORD,
    HOTELS,
    SELLER_SHOPS,
    VENUES,
    StaffMember,
)

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass
class Desk:
    """The staff of one workspace, as the stories need them."""

    workspace: Workspace
    users: dict[str, User]  # by email
    teams: dict[str, Team]  # by name
    agents: dict[str, list[User]]  # team name -> agents in it
    supervisor: User | None

    def agent_for(self, team: str, language: str, rng: random.Random) -> User:
        """Someone in the team who speaks the case's language, if there is one."""
        crew = self.agents[team]
        speakers = [a for a in crew if a.language == language]
        return rng.choice(speakers or crew)


@dataclass
class Crowd:
    """The marketplace's parties in one workspace."""

    buyers: list[Party] = field(default_factory=list)
    sellers: list[Party] = field(default_factory=list)
    third_parties: dict[str, Party] = field(default_factory=dict)  # by catalogue key


Roster = list[tuple[StaffMember, str, tuple[str, ...]]]  # who, role, teams


def hire_staff(workspace: Workspace, roster: Roster) -> Desk:
    """Give everyone on the roster a login in the workspace and put them in their teams."""
    users: dict[str, User] = {}
    for member, role, _ in roster:
        # Hashing a password is the slow part of hiring; someone already hired keeps theirs.
        known = User.objects.filter(email=member.email).exists()
        membership = add_member(
            workspace=workspace,
            email=member.email,
            role=role,
            name=member.name,
            password=None if known else DEMO_PASSWORD,
            language=member.language,
        )
        users[member.email] = membership.user
    team_names = sorted({name for _, _, names in roster for name in names})
    teams, agents = {}, {}
    for name in team_names:
        crew = [users[m.email] for m, _, names in roster if name in names]
        teams[name] = create_team(workspace=workspace, name=name, members=crew)
        agents[name] = [
            users[m.email] for m, role, names in roster if name in names and role == "agent"
        ]
    supervisor = next((users[m.email] for m, role, _ in roster if role == "supervisor"), None)
    return Desk(workspace, users, teams, agents, supervisor)


class PeopleMaker:
    """Invents buyers, sellers and prospects: Faker names in English and Dutch, email
    addresses on reserved example domains, unique phone numbers."""

    def __init__(self, workspace: Workspace, rng: random.Random, seed: int):
        self.workspace = workspace
        self.rng = rng
        self.fakers = {"en": Faker("en_GB"), "nl": Faker("nl_NL")}
        for offset, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed + offset)
        self._emails: set[str] = set()
        self._phones: set[str] = set()

    def language(self, dutch_share: float = 0.45) -> str:
        return "nl" if self.rng.random() < dutch_share else "en"

    def person(self, language: str) -> tuple[str, str]:
        faker = self.fakers[language]
        first, last = faker.first_name(), faker.last_name()
        return f"{first} {last}", self.email_for(first, last)

    def email_for(self, first: str, last: str) -> str:
        local = f"{_ascii(first)}.{_ascii(last)}"
        email = f"{local}@{self.rng.choice(EMAIL_DOMAINS)}"
        n = 2
        while email in self._emails:
            email = f"{local}{n}@{self.rng.choice(EMAIL_DOMAINS)}"
            n += 1
        self._emails.add(email)
        return email

    def phone(self, language: str) -> str:
        while True:
            if language == "nl":
                number = f"+316{self.rng.randrange(10_000_000, 99_999_999)}"
            else:
                number = f"+447{self.rng.randrange(100_000_000, 999_999_999)}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def buyers(self, count: int, *, vip_share: float = 0.1) -> list[Party]:
        made = []
        for i in range(1, count + 1):
            language = self.language()
            name, email = self.person(language)
            party, _ = upsert_party(
                workspace=self.workspace,
                external_id=f"B{10000 + i}",
                kind=PartyKind.BUYER,
                name=name,
                email=email,
                phone=self.phone(language) if self.rng.random() < 0.5 else "",
                language=language,
                is_vip=self.rng.random() < vip_share,
            )
            made.append(party)
        return made

    def sellers(self, count: int, *, shops: tuple[str, ...] = SELLER_SHOPS) -> list[Party]:
        made = []
        for i in range(1, count + 1):
            language = self.language(0.6)
            if i <= len(shops):
                name = shops[i - 1]
                email = self.email_for("sales", _ascii(name).replace(".", ""))
            else:
                name, email = self.person(language)
            party, _ = upsert_party(
                workspace=self.workspace,
                external_id=f"S{20000 + i}",
                kind=PartyKind.SELLER,
                name=name,
                email=email,
                language=language,
            )
            made.append(party)
        return made

    def prospect(self, language: str) -> Party:
        """Someone who writes in before ever buying: known only by an email address."""
        name, email = self.person(language)
        return find_or_create_party_by_email(
            workspace=self.workspace, email=email, name=name, language=language
        )

    def third_parties(self, *, bookings: bool) -> dict[str, Party]:
        places = [*COURIERS]
        if bookings:
            places += [*VENUES, *HOTELS, *AIRLINES]
        made = {}
        for place in places:
            party, _ = upsert_party(
                workspace=self.workspace,
                external_id=place.key,
                kind=PartyKind.THIRD_PARTY,
                name=place.name,
                email=place.email,
                phone=getattr(place, "phone", ""),
                language="nl" if getattr(place, "city", "") in _DUTCH_CITIES else "en",
            )
            made[place.key] = party
        return made


_DUTCH_CITIES = {"Amsterdam", "Rotterdam", "Utrecht", "Biddinghuizen", ""}


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())
