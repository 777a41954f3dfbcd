"""Public works (民生工程): proposed → approved → (funded) → started → progress → completed →
accepted, or failed at inspection and back to in progress.

- The unit fits the category (a road in m or m², a centre in m², leaks in spots); counted units
  are whole numbers; nothing done is ever more than planned.
- Approval cites a deliberation that passed 四议两公开 on public works (the service's copy of
  party's events says so); a township officer approves only works the county funds.
- Spending more than the budget needs an approved change first.
- Nobody accepts works they built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from xiangzhi import governance, streams
from xiangzhi.errors import DomainError, ForbiddenError, IllegalTransitionError
from xiangzhi.governance import Citation

from . import permissions as perm
from .commands import (
    AcceptWorks,
    ApproveChange,
    ApproveWorks,
    CompleteWorks,
    FundWorks,
    ProposeWorks,
    ReportProgress,
    StartWorks,
)
from .events import (
    COUNTED,
    UNITS,
    Category,
    Source,
    Unit,
    WorksAccepted,
    WorksApproved,
    WorksChangeApproved,
    WorksCompleted,
    WorksFunded,
    WorksProgressReported,
    WorksProposed,
    WorksStarted,
)

PUBLIC_WORKS = frozenset({"public_works"})
ZERO = Decimal(0)


@dataclass(frozen=True)
class Works:
    works_id: str = ""
    stage: str = "new"  # proposed, approved, in_progress, completed, accepted
    category: Category = "other"
    unit: Unit = "item"
    planned: Decimal = ZERO
    budget: Decimal = ZERO
    issue_ids: tuple[str, ...] = ()
    deliberation_id: str | None = None
    funding: tuple[str, ...] = ()
    started_on: date | None = None
    contractor_id: str | None = None
    done: Decimal = ZERO


Event = (
    WorksProposed | WorksApproved | WorksFunded | WorksStarted | WorksProgressReported
    | WorksChangeApproved | WorksCompleted | WorksAccepted
)  # fmt: skip


def evolve(state: Works, event: Event) -> Works:
    match event:
        case WorksProposed():
            return Works(
                works_id=event.works_id,
                stage="proposed",
                category=event.category,
                unit=event.unit,
                planned=event.planned_quantity,
                budget=event.budget_yuan,
                issue_ids=event.issue_ids,
                deliberation_id=event.deliberation_id,
            )
        case WorksApproved():
            return replace(
                state, stage="approved", deliberation_id=event.deliberation_id,
                funding=event.funding,
            )  # fmt: skip
        case WorksFunded():
            return state
        case WorksStarted():
            return replace(
                state, stage="in_progress", started_on=event.started_on,
                contractor_id=event.contractor_id,
            )  # fmt: skip
        case WorksProgressReported():
            return replace(state, done=event.quantity_done)
        case WorksChangeApproved():
            return replace(state, budget=event.budget_yuan, planned=event.planned_quantity)
        case WorksCompleted():
            return replace(state, stage="completed", done=event.quantity)
        case WorksAccepted():
            return replace(state, stage="accepted" if event.passed else "in_progress")
    raise TypeError(f"not a works event: {event!r}")


def fold(events: Sequence[Event]) -> Works:
    return streams.fold(Works(), evolve, events)


def _quantity(unit: str, quantity: Decimal, field: str) -> None:
    if unit in COUNTED and quantity != quantity.to_integral_value():
        raise DomainError(f"{unit}s are counted in whole numbers, not {quantity}", field=field)


def _stage(state: Works, *stages: str, doing: str) -> None:
    if state.stage not in stages:
        raise IllegalTransitionError(
            f"works {state.works_id or ''} cannot be {doing} when {state.stage}".replace("  ", " "),
            current_state=state.stage,
        )


def propose(state: Works, cmd: ProposeWorks, *, source: Source = "staff") -> list[WorksProposed]:
    if state.stage != "new":
        raise IllegalTransitionError(f"works {cmd.works_id} is proposed", current_state=state.stage)
    if cmd.unit not in UNITS[cmd.category]:
        fits = ", ".join(sorted(UNITS[cmd.category]))
        raise DomainError(
            f"{cmd.category} works are measured in {fits}, not {cmd.unit}", field="unit"
        )
    if cmd.planned_quantity <= 0:
        raise DomainError("works plan more than nothing", field="planned_quantity")
    _quantity(cmd.unit, cmd.planned_quantity, "planned_quantity")
    return [
        WorksProposed(
            works_id=cmd.works_id,
            category=cmd.category,
            title=cmd.title,
            planned_quantity=cmd.planned_quantity,
            unit=cmd.unit,
            budget_yuan=cmd.budget_yuan,
            issue_ids=tuple(dict.fromkeys(cmd.issue_ids)),
            deliberation_id=cmd.deliberation_id,
            source=source,
        )
    ]


def approve(
    state: Works, cmd: ApproveWorks, *, citation: Citation | None, approver: str, rule: str | None
) -> list[WorksApproved]:
    _stage(state, "proposed", doing="approved")
    funding = tuple(dict.fromkeys(cmd.funding))
    if rule == "county_funded" and "county" not in funding:
        raise perm.APPROVE_WORKS.refuse("county_funded", "a township approves county-funded works")
    cited = cmd.deliberation_id or state.deliberation_id
    deliberation_id = governance.check_citation(
        cited, citation, matters=PUBLIC_WORKS, why="approving public works"
    )
    return [
        WorksApproved(
            works_id=state.works_id,
            deliberation_id=deliberation_id,
            approved_by=approver,
            funding=funding,
        )
    ]


def fund(state: Works, cmd: FundWorks) -> list[WorksFunded]:
    _stage(state, "approved", "in_progress", "completed", doing="funded")
    if cmd.source not in state.funding:
        raise DomainError(
            f"{cmd.source} is not among the approved sources ({', '.join(state.funding)})",
            field="source",
        )
    if cmd.amount_yuan <= 0:
        raise DomainError("funding is more than 0 yuan", field="amount_yuan")
    return [
        WorksFunded(
            works_id=state.works_id,
            source=cmd.source,
            amount_yuan=cmd.amount_yuan,
            partner=cmd.partner,
        )
    ]


def start(state: Works, cmd: StartWorks, *, today: date) -> list[WorksStarted]:
    _stage(state, "approved", doing="started")
    if cmd.started_on > today:
        raise DomainError("works are started on a day that has come", field="started_on")
    return [
        WorksStarted(
            works_id=state.works_id,
            started_on=cmd.started_on,
            contractor_id=cmd.contractor_id,
            contractor=cmd.contractor,
        )
    ]


def report_progress(state: Works, cmd: ReportProgress) -> list[WorksProgressReported]:
    _stage(state, "in_progress", doing="reported on")
    _quantity(state.unit, cmd.quantity_done, "quantity_done")
    if cmd.quantity_done < state.done:
        raise DomainError(
            f"{state.done} {state.unit} was reported done already: progress does not go back",
            field="quantity_done",
        )
    if cmd.quantity_done > state.planned:
        raise DomainError(
            f"{cmd.quantity_done} {state.unit} is more than the {state.planned} planned "
            "(an approved change raises the plan)",
            field="quantity_done",
        )
    return [
        WorksProgressReported(
            works_id=state.works_id,
            quantity_done=cmd.quantity_done,
            note=cmd.note,
            photos=tuple(cmd.photos),
        )
    ]


def approve_change(state: Works, cmd: ApproveChange, *, approver: str) -> list[WorksChangeApproved]:
    _stage(state, "proposed", "approved", "in_progress", doing="changed")
    planned = cmd.planned_quantity if cmd.planned_quantity is not None else state.planned
    _quantity(state.unit, planned, "planned_quantity")
    if planned < state.done:
        raise DomainError(f"{state.done} {state.unit} is done already", field="planned_quantity")
    if not (cmd.budget_yuan > state.budget or planned > state.planned):
        raise DomainError("a change raises the budget or the plan", field="budget_yuan")
    return [
        WorksChangeApproved(
            works_id=state.works_id,
            budget_yuan=cmd.budget_yuan,
            planned_quantity=planned,
            reason=cmd.reason,
            approved_by=approver,
        )
    ]


def complete(state: Works, cmd: CompleteWorks, *, today: date) -> list[WorksCompleted]:
    _stage(state, "in_progress", doing="completed")
    if state.started_on is not None and cmd.completed_on < state.started_on:
        raise DomainError(
            f"completed on {cmd.completed_on}, before the works started ({state.started_on})",
            field="completed_on",
        )
    if cmd.completed_on > today:
        raise DomainError("works are completed on a day that has come", field="completed_on")
    _quantity(state.unit, cmd.quantity, "quantity")
    if cmd.quantity <= 0 or cmd.quantity < state.done:
        raise DomainError(
            f"completed works did something, and at least the {state.done} reported",
            field="quantity",
        )
    if cmd.quantity > state.planned:
        raise DomainError(
            f"{cmd.quantity} {state.unit} is more than the {state.planned} planned "
            "(an approved change raises the plan)",
            field="quantity",
        )
    if cmd.cost_yuan > state.budget:
        raise DomainError(
            f"{cmd.cost_yuan} yuan is over the budget of {state.budget}: overspending needs "
            "an approved change first",
            field="cost_yuan",
        )
    return [
        WorksCompleted(
            works_id=state.works_id,
            category=state.category,
            quantity=cmd.quantity,
            unit=state.unit,
            cost_yuan=cmd.cost_yuan,
            completed_on=cmd.completed_on,
            issue_ids=state.issue_ids,
            deliberation_id=state.deliberation_id,
            lead_party_member_id=cmd.lead_party_member_id,
        )
    ]


def accept(state: Works, cmd: AcceptWorks, *, accepter: str) -> list[WorksAccepted]:
    _stage(state, "completed", doing="inspected")
    if accepter == state.contractor_id:
        raise ForbiddenError("the contractor does not accept their own works", field="accepted_by")
    return [
        WorksAccepted(
            works_id=state.works_id, accepted_by=accepter, passed=cmd.passed, note=cmd.note
        )
    ]
