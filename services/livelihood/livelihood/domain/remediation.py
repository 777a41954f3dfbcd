"""Environment remediation (人居环境整治, 六乱治理): a campaign and the actions done in it, each
measured as its kind is (garbage in m³, demolished buildings by count and m², walls in m²), and
the partner that did it (村企联建: an enterprise working with the village)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .commands import RecordRemediation, StartRemediation
from .events import REMEDIATION_UNITS, RemediationCampaignStarted, RemediationRecorded


@dataclass(frozen=True)
class Campaign:
    campaign_id: str = ""
    starts_on: date | None = None
    actions: frozenset[str] = frozenset()


Event = RemediationCampaignStarted | RemediationRecorded


def evolve(state: Campaign, event: Event) -> Campaign:
    if isinstance(event, RemediationCampaignStarted):
        return Campaign(campaign_id=event.campaign_id, starts_on=event.starts_on)
    return replace(state, actions=state.actions | {event.action_id})


def fold(events: Sequence[Event]) -> Campaign:
    return streams.fold(Campaign(), evolve, events)


def start(state: Campaign, cmd: StartRemediation) -> list[RemediationCampaignStarted]:
    if state.campaign_id:
        raise IllegalTransitionError(
            f"campaign {cmd.campaign_id} is started", current_state="started"
        )
    return [
        RemediationCampaignStarted(
            campaign_id=cmd.campaign_id,
            name=cmd.name,
            starts_on=cmd.starts_on,
            partners=tuple(dict.fromkeys(cmd.partners)),
        )
    ]


def record(state: Campaign, cmd: RecordRemediation, *, today: date) -> list[RemediationRecorded]:
    if not state.campaign_id:
        raise IllegalTransitionError("no such campaign", current_state="new")
    if cmd.action_id in state.actions:
        raise IllegalTransitionError(
            f"action {cmd.action_id} is recorded", current_state="recorded"
        )
    unit = REMEDIATION_UNITS[cmd.kind]
    if unit is None and cmd.quantity is not None:
        raise DomainError(f"{cmd.kind} is counted, without a quantity", field="quantity")
    if unit is not None and (cmd.quantity is None or cmd.quantity <= 0):
        raise DomainError(f"{cmd.kind} is measured in {unit}", field="quantity")
    if cmd.done_on > today:
        raise DomainError("recorded once it is done", field="done_on")
    if state.starts_on is not None and cmd.done_on < state.starts_on:
        raise DomainError(f"done before the campaign started ({state.starts_on})", field="done_on")
    return [
        RemediationRecorded(
            action_id=cmd.action_id,
            campaign_id=state.campaign_id,
            kind=cmd.kind,
            count=cmd.count,
            quantity=cmd.quantity,
            unit=unit,
            partner=cmd.partner,
            done_on=cmd.done_on,
        )
    ]
