"""A volunteer team (志愿服务队): its members and the hours they serve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .actor import Actor
from .commands import FormTeam, JoinTeam, LogService
from .events import ServiceLogged, VolunteerJoined, VolunteerTeamFormed
from .permissions import LOG_SERVICE


@dataclass(frozen=True)
class Team:
    team_id: str = ""
    formed: bool = False
    members: dict[str, str | None] = field(default_factory=dict)  # person → party member id
    leaders: frozenset[str] = frozenset()


def evolve(state: Team, event: VolunteerTeamFormed | VolunteerJoined | ServiceLogged) -> Team:
    match event:
        case VolunteerTeamFormed():
            return Team(team_id=event.team_id, formed=True)
        case VolunteerJoined():
            leaders = state.leaders | {event.person_id} if event.leader else state.leaders
            members = {**state.members, event.person_id: event.party_member_id}
            return replace(state, members=members, leaders=leaders)
        case ServiceLogged():
            return state
    raise TypeError(f"not a team event: {event!r}")


def fold(events: Sequence[VolunteerTeamFormed | VolunteerJoined | ServiceLogged]) -> Team:
    return streams.fold(Team(), evolve, events)


def form(state: Team, team_id: str, cmd: FormTeam) -> list[VolunteerTeamFormed]:
    """``team_id``: the command's, or one chosen for it."""
    if state.formed:
        raise IllegalTransitionError(f"team {team_id} already exists", current_state="formed")
    return [VolunteerTeamFormed(team_id=team_id, name=cmd.name, kind=cmd.kind)]


def join(state: Team, cmd: JoinTeam) -> list[VolunteerJoined]:
    person_id = cmd.person_id
    if not state.formed:
        raise IllegalTransitionError("the team is not formed", current_state="new")
    if person_id in state.members:
        raise IllegalTransitionError(
            f"{person_id} is already in team {state.team_id}", current_state="member"
        )
    return [
        VolunteerJoined(
            team_id=state.team_id,
            person_id=person_id,
            name=cmd.name,
            background=cmd.background,
            party_member_id=cmd.party_member_id,
            leader=cmd.leader,
        )
    ]


def log_service(
    state: Team, cmd: LogService, *, now: datetime, actor: Actor
) -> list[ServiceLogged]:
    person_id, served_on = cmd.person_id, cmd.served_on
    if not state.formed:
        raise IllegalTransitionError("the team is not formed", current_state="new")
    if actor.rule == "team_leader" and actor.person_id not in state.leaders:
        raise LOG_SERVICE.refuse("team_leader", f"you do not lead team {state.team_id}")
    if person_id not in state.members:
        raise DomainError(f"{person_id} is not a member of team {state.team_id}", field="person_id")
    if served_on > now:
        raise DomainError("service cannot be logged before it is served", field="served_on")
    return [
        ServiceLogged(
            team_id=state.team_id,
            person_id=person_id,
            hours=cmd.hours,
            description=cmd.description,
            issue_id=cmd.issue_id,
            party_member_id=state.members[person_id],
            served_on=served_on,
        )
    ]
