"""The collective's income ledger: one stream per entry, so an entry id is recorded once.

A clerk recording an id again is a conflict (409), never a second entry; the clearing policy
derives its entries' ids from the contract and finds them already recorded when an event comes
again (redelivery, rebuild).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .commands import RecordIncome
from .events import ContractCleared, IncomeRecorded, Source


@dataclass(frozen=True)
class Entry:
    entry_id: str = ""
    amount: Decimal = Decimal(0)

    @property
    def recorded(self) -> bool:
        return bool(self.entry_id)


def evolve(state: Entry, event: IncomeRecorded) -> Entry:
    return Entry(entry_id=event.entry_id, amount=event.amount_yuan)


def fold(events: Sequence[IncomeRecorded]) -> Entry:
    return streams.fold(Entry(), evolve, events)


def record(state: Entry, cmd: RecordIncome, *, today: date) -> list[IncomeRecorded]:
    if state.recorded:
        raise IllegalTransitionError(
            f"income entry {cmd.entry_id} is recorded ({state.amount} yuan)",
            current_state="recorded",
        )
    if cmd.amount_yuan <= 0:
        raise DomainError("an income entry is more than 0 yuan", field="amount_yuan")
    if cmd.received_on > today:
        raise DomainError("income is recorded once received", field="received_on")
    if cmd.received_on.year != cmd.year:
        raise DomainError(f"received on {cmd.received_on}, not in {cmd.year}", field="received_on")
    if cmd.source in ("contract_fee", "arrears") and not cmd.contract_id:
        raise DomainError(f"{cmd.source} names its contract", field="contract_id")
    return [
        IncomeRecorded(
            entry_id=cmd.entry_id,
            source=cmd.source,
            amount_yuan=cmd.amount_yuan,
            year=cmd.year,
            received_on=cmd.received_on,
            reference=cmd.reference,
            contract_id=cmd.contract_id,
        )
    ]


def from_clearing(cleared: ContractCleared) -> list[RecordIncome]:
    """The entries a clearing brings: the arrears recovered and the year's fee increase, each
    with an id derived from the contract and campaign (so recorded once)."""
    on = cleared.cleared_on
    brought: tuple[tuple[Source, str, Decimal, str], ...] = (
        ("arrears", "arrears", cleared.arrears_recovered_yuan, "追缴欠款"),
        ("contract_fee", "fee", cleared.fee_increase_yuan, "承包费增收"),
    )
    return [
        RecordIncome(
            entry_id=f"clear-{_of(cleared)}-{suffix}",
            source=source,
            amount_yuan=amount,
            year=on.year,
            received_on=on,
            reference=f"合同清理 {cleared.campaign_id}: {what} {cleared.contract_id}",
            contract_id=cleared.contract_id,
        )
        for source, suffix, amount, what in brought
        if amount > 0
    ]


def _of(cleared: ContractCleared) -> str:
    """The clearing's own name in an entry id: ids may hold '-' and run to 64 characters, so
    joining them would let two clearings share an id (and the second's income be taken for a
    redelivery of the first)."""
    both = f"{cleared.campaign_id}\x00{cleared.contract_id}".encode()
    return hashlib.sha256(both).hexdigest()[:24]
