"""A clearing campaign (合同清理): its reviews name it; progress is read from the contracts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xiangzhi import streams
from xiangzhi.errors import IllegalTransitionError

from .commands import StartCampaign
from .events import CampaignStarted


@dataclass(frozen=True)
class Campaign:
    campaign_id: str = ""
    year: int = 0

    @property
    def started(self) -> bool:
        return bool(self.campaign_id)


def evolve(state: Campaign, event: CampaignStarted) -> Campaign:
    return Campaign(campaign_id=event.campaign_id, year=event.year)


def fold(events: Sequence[CampaignStarted]) -> Campaign:
    return streams.fold(Campaign(), evolve, events)


def start(state: Campaign, cmd: StartCampaign) -> list[CampaignStarted]:
    if state.started:
        raise IllegalTransitionError(
            f"campaign {cmd.campaign_id} is started", current_state="started"
        )
    return [
        CampaignStarted(
            campaign_id=cmd.campaign_id, name=cmd.name, year=cmd.year, starts_on=cmd.starts_on
        )
    ]
