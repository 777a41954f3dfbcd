"""Settings of the grid service (env prefix GRID_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from xiangzhi.settings import ServiceSettings


class GridSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GRID_", extra="ignore")

    service_name: str = "grid"
    # Read for the works-completed policy.
    livelihood_topic: str = "livelihood.events"
    # Read for grid's copy of the party member register (who may be named a resolver).
    party_topic: str = "party.events"
    # How often the SLA watcher looks for overdue issues.
    sla_interval_seconds: float = 60.0
