"""Money, areas and quantities as exact decimals, from the request to the read model.

A JSON number reaches Python as a binary float before any validator sees it (``0.1 + 0.2``), so
an amount with a fraction is written as a string — ``"1234.56"`` — or as a whole number; a JSON
number with a fraction is refused, naming the field, rather than silently rounded. Events keep
the same strings, PostgreSQL ``numeric``, and answers write them back as strings.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

_NUMBER = re.compile(r"^-?\d{1,15}(\.\d{1,15})?$")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def exact(value: Any) -> Any:
    """A decimal from a string, an integer or a Decimal; never from a float."""
    if isinstance(value, bool):
        raise ValueError("an amount, not true/false")
    if isinstance(value, float):
        if value.is_integer():
            return Decimal(int(value))
        raise ValueError(
            'write amounts with a fraction as a string, such as "1234.56": a JSON number '
            "passes through binary floating point and may not be exact"
        )
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _GROUPED.match(text):  # 12,345.60 as a spreadsheet writes it
            text = text.replace(",", "")
        if not _NUMBER.match(text):
            raise ValueError(f"not a decimal number: {value!r}")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
            raise ValueError(f"not a decimal number: {value!r}") from exc
        return abs(number) if number == 0 else number  # "-0.00" is 0.00
    raise ValueError('an amount is a string such as "1234.56" or a whole number')


def _schema(description: str, pattern: str = r"^\d+(\.\d{1,2})?$") -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "pattern": pattern, "description": description, "examples": ["1234.56"]}
    )


# Yuan, two places: fees, arrears, income (a village's year stays far below ten billion).
Yuan = Annotated[
    Decimal,
    BeforeValidator(exact),
    Field(ge=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2),
    _schema("yuan, exact, at most two decimal places (a string)"),
]
# Mu (亩, 1/15 ha), two places: a village's land is a few thousand mu; a contract not 100,000.
Mu = Annotated[
    Decimal,
    BeforeValidator(exact),
    Field(gt=0, le=Decimal("100000"), max_digits=8, decimal_places=2),
    _schema("mu (亩), exact, more than 0, at most two decimal places (a string)"),
]
# A measured quantity (kg, m, m², m³), three places.
Quantity = Annotated[
    Decimal,
    BeforeValidator(exact),
    Field(ge=0, le=Decimal("1000000000"), max_digits=13, decimal_places=3),
    _schema("an exact quantity, at most three decimal places (a string)", r"^\d+(\.\d{1,3})?$"),
]
ZERO = Decimal("0.00")


def yuan(value: Decimal | int | str) -> Decimal:
    """Rounded to the fen as the ledger keeps it (the domain's sums never need more)."""
    return Decimal(value).quantize(Decimal("0.01"))
