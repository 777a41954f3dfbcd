"""Money, areas and quantities as exact decimals (``xiangzhi.money``) — pure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from xiangzhi.money import ZERO, Mu, Quantity, Yuan, yuan


class Fee(BaseModel):
    v: Yuan


class Area(BaseModel):
    v: Mu


class Amount(BaseModel):
    v: Quantity


def _refusal(model: type[BaseModel], raw: str) -> str:
    with pytest.raises(ValidationError) as refused:
        model.model_validate_json(raw)
    [error] = refused.value.errors()
    assert error["loc"] == ("v",)
    return str(error["msg"])


# ------------------------------------------------------------------ what is taken


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"v": "1234.56"}', Decimal("1234.56")),
        ('{"v": "0.10"}', Decimal("0.10")),
        ('{"v": "0"}', Decimal("0")),
        ('{"v": 1234}', Decimal("1234")),
        ('{"v": 0}', Decimal("0")),
        ('{"v": "9999999999.99"}', Decimal("9999999999.99")),
    ],
)
def test_yuan_takes_a_decimal_string_or_a_whole_number_exactly(raw: str, expected: Decimal) -> None:
    value = Fee.model_validate_json(raw).v
    assert isinstance(value, Decimal)
    assert value == expected
    assert value.as_tuple() == expected.as_tuple()  # not just equal: the same digits


def test_an_amount_goes_back_out_as_the_same_string() -> None:
    fee = Fee.model_validate_json('{"v": "1234.50"}')
    assert fee.model_dump(mode="json") == {"v": "1234.50"}
    assert fee.model_dump_json() == '{"v":"1234.50"}'


def test_a_decimal_from_python_is_taken_as_it_is() -> None:
    assert Fee(v=Decimal("12.30")).v == Decimal("12.30")
    assert Area(v=Decimal("624.16")).v == Decimal("624.16")
    assert Amount(v="1.234").v == Decimal("1.234")


# ------------------------------------------------------------------ what is refused


@pytest.mark.parametrize("raw", ['{"v": 0.1}', '{"v": 1234.56}', '{"v": 12.5}'])
def test_a_json_number_with_a_fraction_is_refused_asking_for_a_string(raw: str) -> None:
    message = _refusal(Fee, raw)
    assert "as a string" in message
    assert '"1234.56"' in message


def test_the_float_refusal_is_the_same_for_areas_and_quantities() -> None:
    assert "as a string" in _refusal(Area, '{"v": 2.5}')
    assert "as a string" in _refusal(Amount, '{"v": 0.125}')


@pytest.mark.parametrize("text", ["abc", "1e5", "NaN", "Infinity", "", "12.", ".5", "1 000"])
def test_a_string_that_is_not_a_plain_decimal_is_refused(text: str) -> None:
    assert "not a decimal number" in _refusal(Fee, f'{{"v": "{text}"}}')


def test_three_places_are_refused_for_yuan_and_mu_but_taken_for_a_quantity() -> None:
    assert "2 decimal places" in _refusal(Fee, '{"v": "12.345"}')
    assert "2 decimal places" in _refusal(Area, '{"v": "1.005"}')
    assert Amount.model_validate_json('{"v": "12.345"}').v == Decimal("12.345")
    assert "3 decimal places" in _refusal(Amount, '{"v": "12.3456"}')


@pytest.mark.parametrize("raw", ['{"v": "-1"}', '{"v": "-0.01"}', '{"v": -5}'])
def test_a_negative_amount_of_yuan_is_refused(raw: str) -> None:
    assert "greater than or equal to 0" in _refusal(Fee, raw)


def test_yuan_above_ten_billion_is_refused() -> None:
    assert "less than or equal to" in _refusal(Fee, '{"v": "10000000000"}')


@pytest.mark.parametrize("raw", ['{"v": "0"}', '{"v": 0}', '{"v": "0.00"}', '{"v": "-1"}'])
def test_an_area_is_more_than_zero(raw: str) -> None:
    assert "greater than 0" in _refusal(Area, raw)


def test_an_area_is_at_most_100000_mu() -> None:
    assert Area.model_validate_json('{"v": "100000"}').v == Decimal("100000")
    assert Area.model_validate_json('{"v": "0.01"}').v == Decimal("0.01")
    assert "less than or equal to" in _refusal(Area, '{"v": "100000.01"}')


@pytest.mark.parametrize("model", [Fee, Area, Amount])
@pytest.mark.parametrize("raw", ['{"v": true}', '{"v": false}'])
def test_true_and_false_are_not_amounts(model: type[BaseModel], raw: str) -> None:
    assert "true/false" in _refusal(model, raw)


def test_a_bool_from_python_is_refused_too() -> None:
    with pytest.raises(ValidationError, match="true/false"):
        Fee(v=True)  # type: ignore[arg-type]


def test_neither_a_list_nor_null_is_an_amount() -> None:
    assert "1234.56" in _refusal(Fee, '{"v": [1]}')
    _refusal(Fee, '{"v": null}')


def test_yuan_writes_two_places() -> None:
    assert str(yuan("12.3")) == "12.30"
    assert str(yuan(7)) == "7.00"
    assert str(yuan(Decimal("0.1"))) == "0.10"
    assert str(ZERO) == "0.00"


# ------------------------------------------------------------------ properties

TWO_PLACES = st.decimals(
    min_value=Decimal("0"),
    max_value=Decimal("9999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@settings(database=None)
@given(TWO_PLACES)
def test_yuan_round_trips_exactly_through_a_string(amount: Decimal) -> None:
    text = str(amount)
    fee = Fee.model_validate_json(f'{{"v": "{text}"}}')
    assert fee.v == amount
    assert fee.model_dump(mode="json")["v"] == text
    assert Fee.model_validate_json(fee.model_dump_json()) == fee


@settings(database=None)
@given(
    st.decimals(
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_mu_round_trips_exactly_through_a_string(area: Decimal) -> None:
    text = str(area)
    assert Area.model_validate_json(f'{{"v": "{text}"}}').model_dump(mode="json")["v"] == text


@settings(database=None)
@given(st.lists(st.integers(min_value=0, max_value=99_999_999), min_size=1, max_size=300))
def test_sums_of_yuan_are_exact_with_no_float_drift(cents: list[int]) -> None:
    texts = [f"{c // 100}.{c % 100:02d}" for c in cents]
    fees = [Fee.model_validate_json(f'{{"v": "{t}"}}').v for t in texts]
    total = sum(fees, ZERO)
    assert total == sum((Decimal(t) for t in texts), ZERO)
    assert total == Decimal(sum(cents)) / 100  # the integer count of fen, exactly
    assert total.as_tuple().exponent == -2


def test_negative_zero_is_zero_and_commas_only_group_thousands() -> None:
    assert str(Fee(v="-0.00").v) == "0.00"
    assert Fee(v="12,345.60").v == Decimal("12345.60")
    assert "not a decimal number" in _refusal(Fee, '{"v": "1,2,3.5"}')
