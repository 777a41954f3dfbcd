"""Co-operatives (专业合作社) with their crops, harvests and sales, and the enterprises that
employ the village's people (就地就近就业)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .commands import (
    RecordEmployment,
    RecordHarvest,
    RecordSale,
    RegisterCooperative,
    RegisterEnterprise,
)
from .events import (
    CooperativeRegistered,
    EmploymentRecorded,
    EnterpriseRegistered,
    HarvestRecorded,
    SaleRecorded,
)


@dataclass(frozen=True)
class Cooperative:
    coop_id: str = ""
    crops: tuple[str, ...] = ()
    registered_on: date | None = None
    harvests: frozenset[str] = frozenset()
    sales: frozenset[str] = frozenset()


CoopEvent = CooperativeRegistered | HarvestRecorded | SaleRecorded


def evolve_coop(state: Cooperative, event: CoopEvent) -> Cooperative:
    match event:
        case CooperativeRegistered():
            return Cooperative(
                coop_id=event.coop_id, crops=event.crops, registered_on=event.registered_on
            )
        case HarvestRecorded():
            return replace(state, harvests=state.harvests | {event.harvest_id})
        case SaleRecorded():
            return replace(state, sales=state.sales | {event.sale_id})
    raise TypeError(f"not a co-operative event: {event!r}")


def fold_coop(events: Sequence[CoopEvent]) -> Cooperative:
    return streams.fold(Cooperative(), evolve_coop, events)


def register_coop(
    state: Cooperative, cmd: RegisterCooperative, *, today: date
) -> list[CooperativeRegistered]:
    if state.coop_id:
        raise IllegalTransitionError(
            f"co-operative {cmd.coop_id} is registered", current_state="registered"
        )
    if cmd.registered_on > today:
        raise DomainError("registered on a day that has not come", field="registered_on")
    crops = tuple(dict.fromkeys(c.strip() for c in cmd.crops))
    return [
        CooperativeRegistered(
            coop_id=cmd.coop_id,
            name=cmd.name,
            crops=crops,
            members=cmd.members,
            pooled_land_mu=cmd.pooled_land_mu,
            brand=cmd.brand,
            registered_on=cmd.registered_on,
        )
    ]


def _coop_crop(state: Cooperative, crop: str, on: date, today: date, field: str) -> None:
    if not state.coop_id:
        raise IllegalTransitionError("no such co-operative", current_state="new")
    if crop not in state.crops:
        raise DomainError(
            f"{crop} is not one of the co-operative's crops ({', '.join(state.crops)})",
            field="crop",
        )
    if on > today:
        raise DomainError("recorded once it has happened", field=field)
    if state.registered_on is not None and on < state.registered_on:
        raise DomainError(
            f"before the co-operative was registered ({state.registered_on})", field=field
        )


def record_harvest(state: Cooperative, cmd: RecordHarvest, *, today: date) -> list[HarvestRecorded]:
    _coop_crop(state, cmd.crop, cmd.harvested_on, today, "harvested_on")
    if cmd.harvest_id in state.harvests:
        raise IllegalTransitionError(
            f"harvest {cmd.harvest_id} is recorded", current_state="recorded"
        )
    if int(cmd.season[:4]) != cmd.harvested_on.year:
        raise DomainError(f"harvested on {cmd.harvested_on}, not in {cmd.season}", field="season")
    return [
        HarvestRecorded(
            coop_id=state.coop_id,
            harvest_id=cmd.harvest_id,
            crop=cmd.crop,
            area_mu=cmd.area_mu,
            output_kg=cmd.output_kg,
            season=cmd.season,
            harvested_on=cmd.harvested_on,
        )
    ]


def record_sale(state: Cooperative, cmd: RecordSale, *, today: date) -> list[SaleRecorded]:
    _coop_crop(state, cmd.crop, cmd.sold_on, today, "sold_on")
    if cmd.sale_id in state.sales:
        raise IllegalTransitionError(f"sale {cmd.sale_id} is recorded", current_state="recorded")
    if cmd.quantity_kg <= 0:
        raise DomainError("a sale sells more than 0 kg", field="quantity_kg")
    return [
        SaleRecorded(
            coop_id=state.coop_id,
            sale_id=cmd.sale_id,
            crop=cmd.crop,
            quantity_kg=cmd.quantity_kg,
            amount_yuan=cmd.amount_yuan,
            buyer=cmd.buyer,
            sold_on=cmd.sold_on,
        )
    ]


@dataclass(frozen=True)
class Enterprise:
    enterprise_id: str = ""


EnterpriseEvent = EnterpriseRegistered | EmploymentRecorded


def evolve_enterprise(state: Enterprise, event: EnterpriseEvent) -> Enterprise:
    if isinstance(event, EnterpriseRegistered):
        return Enterprise(enterprise_id=event.enterprise_id)
    return state


def fold_enterprise(events: Sequence[EnterpriseEvent]) -> Enterprise:
    return streams.fold(Enterprise(), evolve_enterprise, events)


def register_enterprise(state: Enterprise, cmd: RegisterEnterprise) -> list[EnterpriseRegistered]:
    if state.enterprise_id:
        raise IllegalTransitionError(
            f"enterprise {cmd.enterprise_id} is registered", current_state="registered"
        )
    return [
        EnterpriseRegistered(
            enterprise_id=cmd.enterprise_id,
            name=cmd.name,
            sector=cmd.sector,
            park=cmd.park,
            state_owned=cmd.state_owned,
        )
    ]


def record_employment(
    state: Enterprise, cmd: RecordEmployment, *, today: date
) -> list[EmploymentRecorded]:
    if not state.enterprise_id:
        raise IllegalTransitionError("no such enterprise", current_state="new")
    if cmd.as_of > today:
        raise DomainError("employment is recorded as of a day that has come", field="as_of")
    return [
        EmploymentRecorded(
            enterprise_id=state.enterprise_id,
            villagers_employed=cmd.villagers_employed,
            as_of=cmd.as_of,
        )
    ]
