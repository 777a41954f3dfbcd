"""The collective's assets and their contracts (三资), and the clearing of them (合同清理).

- An asset is let for terms that never overlap: a second contract on a parcel for a term that
  meets another's is refused (409 naming the other contract). Terms are whole days, both ends
  included.
- Awarding a contract, renegotiating or re-tendering one cites a deliberation that passed
  四议两公开 on a land or collective-asset matter (economy's copy of party's events says so).
- A review in a campaign records findings; each rectification puts some of them right
  (``REMEDIES``); a contract is cleared only when none is left open. Clearing records what it
  brought the collective: the arrears recovered and the year's fee increase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from xiangzhi import governance, streams
from xiangzhi.errors import DomainError, IllegalTransitionError
from xiangzhi.governance import Citation
from xiangzhi.money import ZERO

from .commands import Clear, Rectify, RegisterAsset, RegisterContract, Review
from .events import (
    Action,
    AssetContracted,
    AssetKind,
    AssetRegistered,
    AssetReleased,
    ContractCleared,
    Contractor,
    ContractRectified,
    ContractRegistered,
    ContractReviewed,
    Finding,
)

# A term longer than this is a typing error (collective contracts run 30 years at most; the
# law allows up to 70 for "four wastes" land).
MAX_TERM_YEARS = 70
FOUR_AND_TWO_MATTERS = frozenset({"land_contracting", "collective_assets"})

# Which findings each action puts right (when its own condition holds, see ``_remedies``).
REMEDIES: dict[Action, frozenset[Finding]] = {
    "renegotiated": frozenset(
        {"below_market_price", "expired", "no_written_contract", "no_four_two_procedure",
         "unauthorised_use"}
    ),
    "re_tendered": frozenset(
        {"below_market_price", "expired", "no_written_contract", "no_four_two_procedure",
         "unauthorised_use"}
    ),
    "terminated": frozenset(
        {"below_market_price", "expired", "no_written_contract", "no_four_two_procedure",
         "unauthorised_use"}
    ),
    "arrears_recovered": frozenset({"fee_arrears"}),
    "written_contract_signed": frozenset({"no_written_contract"}),
}  # fmt: skip
CITING: frozenset[Action] = frozenset({"renegotiated", "re_tendered"})
# Actions after which the contract is in writing (a renegotiation or re-tender is signed).
WRITES: frozenset[Action] = frozenset({"renegotiated", "re_tendered", "written_contract_signed"})


class OverlapError(DomainError):
    status = 409
    title = "The asset is already contracted for that term"


# ------------------------------------------------------------------ citations (四议两公开)


def check_citation(deliberation_id: str | None, known: Citation | None, *, why: str) -> str:
    """The cited deliberation's id, if it passed 四议两公开 on a land or asset matter."""
    return governance.check_citation(deliberation_id, known, matters=FOUR_AND_TWO_MATTERS, why=why)


# ------------------------------------------------------------------ assets


@dataclass(frozen=True)
class Term:
    contract_id: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Asset:
    asset_id: str = ""
    kind: AssetKind | None = None
    area_mu: Decimal | None = None
    terms: tuple[Term, ...] = ()

    @property
    def registered(self) -> bool:
        return self.kind is not None


AssetEvent = AssetRegistered | AssetContracted | AssetReleased


def evolve_asset(state: Asset, event: AssetEvent) -> Asset:
    match event:
        case AssetRegistered():
            return Asset(asset_id=event.asset_id, kind=event.kind, area_mu=event.area_mu)
        case AssetContracted():
            others = tuple(t for t in state.terms if t.contract_id != event.contract_id)
            term = Term(event.contract_id, event.starts_on, event.ends_on)
            return replace(state, terms=(*others, term))
        case AssetReleased():
            terms = tuple(
                replace(t, ends_on=min(t.ends_on, event.released_on))
                if t.contract_id == event.contract_id
                else t
                for t in state.terms
            )
            return replace(state, terms=terms)
    raise TypeError(f"not an asset event: {event!r}")


def fold_asset(events: Sequence[AssetEvent]) -> Asset:
    return streams.fold(Asset(), evolve_asset, events)


def register_asset(state: Asset, cmd: RegisterAsset) -> list[AssetRegistered]:
    if state.registered:
        raise IllegalTransitionError(
            f"asset {cmd.asset_id} is registered", current_state="registered"
        )
    return [
        AssetRegistered(
            asset_id=cmd.asset_id,
            kind=cmd.kind,
            name=cmd.name,
            area_mu=cmd.area_mu,
            location=cmd.location,
        )
    ]


def let(
    state: Asset, contract_id: str, area_mu: Decimal, starts_on: date, ends_on: date
) -> list[AssetContracted]:
    """Let the asset (or set a contract's term again) if no other term meets this one."""
    if not state.registered:
        raise DomainError("no such asset in this village", field="asset_id")
    check_term(starts_on, ends_on, "ends_on")
    if state.area_mu is not None and area_mu > state.area_mu:
        raise DomainError(
            f"{area_mu} mu is more than the asset's {state.area_mu} mu", field="area_mu"
        )
    for term in state.terms:
        if (
            term.contract_id != contract_id
            and term.starts_on <= ends_on
            and starts_on <= term.ends_on
        ):
            raise OverlapError(
                f"asset {state.asset_id} is contracted under {term.contract_id} from "
                f"{term.starts_on} to {term.ends_on}",
                field="starts_on",
                other_contract_id=term.contract_id,
                other_starts_on=term.starts_on.isoformat(),
                other_ends_on=term.ends_on.isoformat(),
            )
    return [
        AssetContracted(
            asset_id=state.asset_id,
            contract_id=contract_id,
            area_mu=area_mu,
            starts_on=starts_on,
            ends_on=ends_on,
        )
    ]


def release(state: Asset, contract_id: str, on: date) -> list[AssetReleased]:
    return [AssetReleased(asset_id=state.asset_id, contract_id=contract_id, released_on=on)]


def check_term(starts_on: date, ends_on: date, field: str) -> None:
    if ends_on < starts_on:
        raise DomainError(f"the term ends ({ends_on}) before it starts ({starts_on})", field=field)
    # Both ends are included: 70 years from 1 January end on 31 December, 69 years on.
    if ends_on >= _years_after(starts_on, MAX_TERM_YEARS):
        raise DomainError(f"a term of more than {MAX_TERM_YEARS} years", field=field)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


# ------------------------------------------------------------------ contracts


@dataclass(frozen=True)
class Contract:
    contract_id: str = ""
    asset_id: str = ""
    area_mu: Decimal = ZERO
    annual_fee: Decimal = ZERO
    starts_on: date | None = None
    ends_on: date | None = None
    written: bool = False
    campaign_id: str | None = None
    findings: tuple[Finding, ...] = ()
    open: frozenset[Finding] = frozenset()
    fee_at_review: Decimal = ZERO
    market_fee: Decimal | None = None
    arrears: Decimal = ZERO
    recovered: Decimal = ZERO
    terminated_on: date | None = None
    cleared_in: str | None = None

    @property
    def registered(self) -> bool:
        return bool(self.contract_id)

    @property
    def status(self) -> str:
        if not self.registered:
            return "new"
        if self.campaign_id is None:
            return "registered"
        if self.cleared_in == self.campaign_id:
            return "cleared"
        return "rectifying" if self.open else "reviewed"


ContractEvent = ContractRegistered | ContractReviewed | ContractRectified | ContractCleared


def evolve(state: Contract, event: ContractEvent) -> Contract:
    match event:
        case ContractRegistered():
            return Contract(
                contract_id=event.contract_id,
                asset_id=event.asset_id,
                area_mu=event.area_mu,
                annual_fee=event.annual_fee_yuan,
                starts_on=event.starts_on,
                ends_on=event.ends_on,
                written=event.written,
            )
        case ContractReviewed():
            return replace(
                state,
                campaign_id=event.campaign_id,
                findings=event.findings,
                open=frozenset(event.findings),
                fee_at_review=state.annual_fee,
                market_fee=event.market_fee_yuan,
                arrears=event.arrears_yuan,
                recovered=ZERO,
            )
        case ContractRectified():
            return replace(
                state,
                open=state.open - set(event.remedies),
                annual_fee=event.new_annual_fee_yuan
                if event.new_annual_fee_yuan is not None
                else state.annual_fee,
                ends_on=event.new_ends_on or state.ends_on,
                written=state.written or event.action in WRITES,
                recovered=state.recovered + (event.recovered_yuan or ZERO),
                terminated_on=event.terminated_on or state.terminated_on,
            )
        case ContractCleared():
            return replace(state, cleared_in=event.campaign_id)
    raise TypeError(f"not a contract event: {event!r}")


def fold(events: Sequence[ContractEvent]) -> Contract:
    return streams.fold(Contract(), evolve, events)


def register(
    state: Contract,
    cmd: RegisterContract,
    *,
    asset: Asset,
    citation: Citation | None,
    imported: bool = False,
) -> list[ContractRegistered]:
    if state.registered:
        raise IllegalTransitionError(
            f"contract {cmd.contract_id} is registered", current_state=state.status
        )
    check_term(cmd.starts_on, cmd.ends_on, "ends_on")
    deliberation_id = cmd.deliberation_id
    if cmd.origin == "award":
        deliberation_id = check_citation(
            cmd.deliberation_id, citation, why="awarding a contract on a collective asset"
        )
    elif cmd.deliberation_id is not None:
        # A contract from the books may name the deliberation it came from: it must be real.
        check_citation(cmd.deliberation_id, citation, why="a contract")
    if asset.kind is None:
        raise DomainError(f"no asset {cmd.asset_id} in this village", field="asset_id")
    return [
        ContractRegistered(
            contract_id=cmd.contract_id,
            asset_id=cmd.asset_id,
            asset_kind=asset.kind,
            contractor=Contractor(contractor_id=cmd.contractor_id, name=cmd.contractor_name),
            area_mu=cmd.area_mu,
            annual_fee_yuan=cmd.annual_fee_yuan,
            starts_on=cmd.starts_on,
            ends_on=cmd.ends_on,
            payment=cmd.payment,
            written=cmd.written,
            origin="import" if imported else cmd.origin,
            deliberation_id=deliberation_id,
        )
    ]


def _existing(state: Contract) -> None:
    if not state.registered:
        raise IllegalTransitionError("no such contract", current_state="new")


def review(
    state: Contract, cmd: Review, *, campaign_open: bool, today: date
) -> list[ContractReviewed]:
    _existing(state)
    if not campaign_open:
        raise DomainError(f"no campaign {cmd.campaign_id} in this village", field="campaign_id")
    if state.campaign_id == cmd.campaign_id:
        raise IllegalTransitionError(
            f"contract {state.contract_id} is already reviewed in {cmd.campaign_id}",
            current_state=state.status,
        )
    if state.campaign_id is not None and state.cleared_in != state.campaign_id:
        raise IllegalTransitionError(
            f"contract {state.contract_id} is still being put right in {state.campaign_id}",
            current_state=state.status,
        )
    findings = tuple(dict.fromkeys(cmd.findings))  # each once, in the order given
    if state.terminated_on is not None and set(findings) - {"fee_arrears"}:
        # Nothing but unpaid fees can still be wrong with a contract that has ended, and
        # nothing but recovering them could put it right.
        raise DomainError(
            f"contract {state.contract_id} ended on {state.terminated_on}: only fee arrears "
            "can be found on it",
            field="findings",
        )
    arrears = cmd.arrears_yuan
    if ("fee_arrears" in findings) != (arrears > 0):
        raise DomainError(
            "fee_arrears is found exactly when arrears_yuan is more than 0", field="arrears_yuan"
        )
    if "below_market_price" in findings:
        if cmd.market_fee_yuan is None:
            raise DomainError(
                "below_market_price needs the market's annual fee", field="market_fee_yuan"
            )
        if cmd.market_fee_yuan <= state.annual_fee:
            raise DomainError(
                f"the market fee {cmd.market_fee_yuan} is not above the fee {state.annual_fee}",
                field="market_fee_yuan",
            )
    if "expired" in findings and state.ends_on is not None and state.ends_on >= today:
        raise DomainError(f"the contract runs until {state.ends_on}: not expired", field="findings")
    if "no_written_contract" in findings and state.written:
        raise DomainError("the contract is recorded as written", field="findings")
    return [
        ContractReviewed(
            contract_id=state.contract_id,
            campaign_id=cmd.campaign_id,
            findings=findings,
            arrears_yuan=arrears,
            market_fee_yuan=cmd.market_fee_yuan,
            note=cmd.note,
        )
    ]


def rectify(
    state: Contract, cmd: Rectify, *, citation: Citation | None, today: date
) -> list[ContractRectified]:
    _existing(state)
    if state.campaign_id is None or state.cleared_in == state.campaign_id:
        raise IllegalTransitionError(
            f"contract {state.contract_id} has no review to put right", current_state=state.status
        )
    if not state.open:
        raise IllegalTransitionError(
            "every finding is put right: clear the contract", current_state=state.status
        )
    if state.terminated_on is not None and cmd.action != "arrears_recovered":
        raise IllegalTransitionError(
            f"contract {state.contract_id} was terminated on {state.terminated_on}",
            current_state="terminated",
        )
    deliberation_id = None
    if cmd.action in CITING:
        deliberation_id = check_citation(
            cmd.deliberation_id, citation, why=f"a contract {cmd.action.replace('_', '-')}"
        )
    remedies = _remedies(state, cmd, today)
    if not remedies and cmd.action != "arrears_recovered":
        raise DomainError(
            f"{cmd.action} puts right none of the open findings ({', '.join(sorted(state.open))})",
            field="action",
        )
    new_contractor = None
    if cmd.action == "re_tendered" and cmd.new_contractor_id:
        if not cmd.new_contractor_name:
            raise DomainError("the new contractor's name", field="new_contractor_name")
        new_contractor = Contractor(
            contractor_id=cmd.new_contractor_id, name=cmd.new_contractor_name
        )
    return [
        ContractRectified(
            contract_id=state.contract_id,
            action=cmd.action,
            remedies=tuple(f for f in state.findings if f in remedies),
            new_annual_fee_yuan=cmd.new_annual_fee_yuan
            if cmd.action in ("renegotiated", "re_tendered")
            else None,
            new_ends_on=cmd.new_ends_on if cmd.action in ("renegotiated", "re_tendered") else None,
            new_contractor=new_contractor,
            recovered_yuan=cmd.recovered_yuan if cmd.action == "arrears_recovered" else None,
            terminated_on=cmd.terminated_on if cmd.action == "terminated" else None,
            deliberation_id=deliberation_id,
            note=cmd.note,
        )
    ]


def _remedies(state: Contract, cmd: Rectify, today: date) -> frozenset[Finding]:
    """The open findings this action puts right, checking what each needs."""
    action = cmd.action
    open_ = state.open & REMEDIES[action]
    if action == "arrears_recovered":
        recovered = cmd.recovered_yuan
        if recovered is None or recovered <= 0:
            raise DomainError("the amount recovered", field="recovered_yuan")
        if "fee_arrears" not in state.open:
            raise DomainError("no arrears are open on this contract", field="action")
        owed = state.arrears - state.recovered
        if recovered > owed:
            raise DomainError(f"only {owed} yuan of arrears is owed", field="recovered_yuan")
        return open_ if recovered == owed else frozenset()
    if action == "terminated":
        on = cmd.terminated_on
        if on is None:
            raise DomainError("the day the contract ends", field="terminated_on")
        if state.starts_on is not None and on < state.starts_on:
            raise DomainError("terminated before the contract started", field="terminated_on")
        if on > today:
            raise DomainError(
                "a termination is recorded once it has happened", field="terminated_on"
            )
        return open_
    if action in ("renegotiated", "re_tendered"):
        fee = cmd.new_annual_fee_yuan
        if action == "re_tendered" and (fee is None or cmd.new_ends_on is None):
            field = "new_annual_fee_yuan" if fee is None else "new_ends_on"
            raise DomainError("a re-tender sets the new fee and term", field=field)
        if cmd.new_ends_on is not None and state.starts_on is not None:
            check_term(state.starts_on, cmd.new_ends_on, "new_ends_on")
        done = set(open_)
        if "below_market_price" in done:
            floor = state.market_fee if state.market_fee is not None else state.annual_fee
            if fee is None or fee < floor:
                done.discard("below_market_price")
        if "expired" in done and (cmd.new_ends_on is None or cmd.new_ends_on < today):
            done.discard("expired")
        if fee is not None and fee <= 0:
            raise DomainError("a contract's fee is more than 0", field="new_annual_fee_yuan")
        return frozenset(done)
    return open_


def clear(state: Contract, cmd: Clear, *, today: date) -> list[ContractCleared]:
    _existing(state)
    campaign_id = state.campaign_id
    if campaign_id is None:
        raise IllegalTransitionError(
            "a contract is reviewed before it is cleared", current_state=state.status
        )
    if state.cleared_in == campaign_id:
        raise IllegalTransitionError(
            f"contract {state.contract_id} is cleared in {campaign_id}", current_state="cleared"
        )
    if state.open:
        raise IllegalTransitionError(
            f"{len(state.open)} finding(s) are not put right: {', '.join(sorted(state.open))}",
            current_state=state.status,
            open_findings=sorted(state.open),
        )
    cleared_on = cmd.cleared_on or today
    if cleared_on > today:
        raise DomainError("a contract is cleared on a day that has come", field="cleared_on")
    terminated = state.terminated_on is not None
    increase = max(ZERO, state.annual_fee - state.fee_at_review) if not terminated else ZERO
    return [
        ContractCleared(
            contract_id=state.contract_id,
            campaign_id=campaign_id,
            area_mu=state.area_mu,
            annual_fee_yuan=ZERO if terminated else state.annual_fee,
            previous_annual_fee_yuan=state.fee_at_review,
            arrears_recovered_yuan=state.recovered,
            fee_increase_yuan=increase,
            recovered_income_yuan=state.recovered + increase,
            cleared_on=cleared_on,
            terminated=terminated,
        )
    ]
