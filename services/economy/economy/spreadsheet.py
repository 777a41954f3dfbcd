"""Spreadsheets in and out of the economy service: pure, bytes in memory only.

In: a village clerk's contract register (合同台账), CSV or XLSX, read into validated commands.
The import is all or nothing: every row is checked and every error listed, so the clerk fixes
the file once and imports it again instead of chasing a half-imported register.

Out: the quarterly public finance statement (财务公开) as CSV (UTF-8 with a BOM, which Excel in
China needs to open UTF-8) and as XLSX. Amounts never pass through a float on the way out.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import openpyxl  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from pydantic import ValidationError
from xiangzhi.errors import DomainError

from .domain.commands import RegisterAsset, RegisterContract
from .domain.events import ASSET_KINDS, AssetKind, Payment

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_UNCOMPRESSED = 60 * 1024 * 1024
# openpyxl pads every row to its widest cell: one cell in column XFD would make every row
# 16,384 cells long. A register has 13 columns; a sheet declaring more than this is refused.
MAX_COLUMNS = 64
MAX_ERRORS = 200

COLUMNS: dict[str, tuple[str, ...]] = {
    "contract_id": ("contract_id", "合同编号"),
    "asset_id": ("asset_id", "资产编号"),
    "asset_kind": ("asset_kind", "资产类别"),
    "asset_name": ("asset_name", "资产名称"),
    "asset_area_mu": ("asset_area_mu", "资产面积(亩)"),
    "contractor_id": ("contractor_id", "承包方编号"),
    "contractor_name": ("contractor_name", "承包方"),
    "area_mu": ("area_mu", "承包面积(亩)"),
    "annual_fee_yuan": ("annual_fee_yuan", "年承包费(元)"),
    "starts_on": ("starts_on", "起始日期"),
    "ends_on": ("ends_on", "终止日期"),
    "payment": ("payment", "付款方式"),
    "written": ("written", "书面合同"),
}
REQUIRED: tuple[str, ...] = (
    "contract_id",
    "asset_id",
    "contractor_id",
    "contractor_name",
    "area_mu",
    "annual_fee_yuan",
    "starts_on",
    "ends_on",
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and .doc): a format openpyxl cannot read

FORMULA_MESSAGE = "formulas are not imported: enter the value"

PAYMENTS: dict[str, Payment] = {
    "annual_in_advance": "annual_in_advance",
    "annual_in_arrears": "annual_in_arrears",
    "semiannual": "semiannual",
    "lump_sum": "lump_sum",
    "每年预付": "annual_in_advance",
    "每年后付": "annual_in_arrears",
    "半年付": "semiannual",
    "一次性": "lump_sum",
}
KINDS: dict[str, AssetKind] = {
    **{kind: kind for kind in ASSET_KINDS},
    "耕地": "farmland",
    "建设用地": "construction_land",
    "坑塘": "pond",
    "水面": "pond",
    "坑塘水面": "pond",
    "房屋": "building",
    "厂房": "building",
    "林地": "forest",
    "其他": "other",
}
# The statement is read by villagers: asset kinds in Chinese.
KIND_LABELS: dict[str, str] = {
    "farmland": "耕地",
    "construction_land": "建设用地",
    "pond": "坑塘水面",
    "building": "房屋",
    "forest": "林地",
    "other": "其他",
}
_WRITTEN = {
    "是": True,
    "否": False,
    "有": True,
    "无": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "y": True,
    "n": False,
    "1": True,
    "0": False,
}


@dataclass(frozen=True)
class RowError:
    """``row`` is the spreadsheet's row number (the header is row 1); ``column`` the canonical
    column name, or "" for a problem with the whole row or file."""

    row: int
    column: str
    message: str


class ImportRefusedError(DomainError):
    status = 422
    title = "The file was not imported"

    def __init__(self, detail: str, errors: list[RowError], **extensions: Any) -> None:
        extensions.setdefault("field", "file")
        super().__init__(detail, errors=[asdict(error) for error in errors], **extensions)
        self.errors = errors


class FileTooLargeError(DomainError):
    status = 413
    title = "The file is too large"

    def __init__(self, detail: str, **extensions: Any) -> None:
        extensions.setdefault("field", "file")
        super().__init__(detail, **extensions)


@dataclass(frozen=True)
class ImportRow:
    row: int
    contract: RegisterContract
    asset: RegisterAsset | None


def _refused(message: str, row: int = 0, column: str = "") -> ImportRefusedError:
    return ImportRefusedError(message, [RowError(row, column, message)])


# --- reading the table -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Bad:
    """A cell refused before its column's rules see it (a formula, an error value)."""

    message: str


# A cell as the file gives it: CSV only text; XLSX also numbers, dates and booleans.
Raw = Any
Table = Generator[tuple[int, tuple[Raw, ...]], None, None]


def _is_xlsx(data: bytes, filename: str | None, content_type: str | None) -> bool:
    if data.startswith(_ZIP_MAGIC):
        return True
    named = bool(filename) and str(filename).lower().endswith(".xlsx")
    typed = bool(content_type) and str(content_type).split(";")[0].strip() == XLSX_CONTENT_TYPE
    if named or typed:
        # It says XLSX but is no zip archive: reading it as CSV would only list noise.
        raise _refused("the file is not a valid XLSX file: save it again as .xlsx or as CSV")
    return False


def _xlsx_table(data: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # zipfile stops each entry at its declared size, so the declared sizes bound what
            # openpyxl can inflate: a few kilobytes must not unpack into gigabytes.
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise _refused("the file is not a valid XLSX file: save it again as .xlsx") from exc
    if unpacked > MAX_UNCOMPRESSED:
        raise _refused(
            f"the XLSX file unpacks to more than {MAX_UNCOMPRESSED // (1024 * 1024)} MB: "
            "it is not a contract register"
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl fails in many ways on a zip that is no workbook
        raise _refused(
            "the file could not be read as XLSX: save it again from Excel or WPS as .xlsx"
        ) from exc
    try:
        if not workbook.worksheets:
            raise _refused("the XLSX file has no worksheet")
        sheet = workbook.worksheets[0]
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise _refused(f"the first worksheet has more than {MAX_COLUMNS} columns")
        # The stored dimension may understate the sheet (some writers never update it): read
        # every row there is, not just the ones it declares.
        sheet.reset_dimensions()
        try:
            for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
                yield number, tuple(_xlsx_value(cell) for cell in cells)
        except ImportRefusedError:
            raise
        except Exception as exc:  # malformed sheet XML surfaces only while iterating
            raise _refused("the XLSX file is damaged: save it again from Excel or WPS") from exc
    finally:
        workbook.close()


def _xlsx_value(cell: Any) -> Raw:
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        return _Bad(FORMULA_MESSAGE)
    if cell.data_type == "e":
        return _Bad(f"the cell holds the error {value}: enter the value")
    return value


def _csv_table(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in China saves "CSV" in the ANSI code page, GBK; gb18030 is its superset.
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise _refused(
                "the file is neither UTF-8 nor GBK text: save it as CSV (UTF-8) or XLSX"
            ) from exc
    if "\x00" in text:
        raise _refused("the file is not CSV text: save it as CSV (UTF-8) or XLSX")
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, tuple(record)
    except csv.Error as exc:
        raise _refused(f"the CSV file cannot be read: {exc}", row=number + 1) from exc


def _table(data: bytes, filename: str | None, content_type: str | None) -> Table:
    if data.startswith(_OLE_MAGIC):
        raise _refused(
            "legacy Excel .xls files are not read: save the register as .xlsx "
            "(Excel workbook) or as CSV"
        )
    if _is_xlsx(data, filename, content_type):
        return _xlsx_table(data)
    return _csv_table(data)


# --- headers -------------------------------------------------------------------------------

# Clerks type full-width brackets on a Chinese keyboard: 资产面积（亩） is 资产面积(亩).
_FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "\u3000": " "})


def _header_key(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_FULL_WIDTH)).lower()


_HEADERS: dict[str, str] = {
    _header_key(spelling): column for column, spellings in COLUMNS.items() for spelling in spellings
}


def _columns(row: int, cells: tuple[Raw, ...]) -> list[str | None]:
    """The canonical column under each position (None under a blank header)."""
    errors: list[RowError] = []
    columns: list[str | None] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(cells):
        if isinstance(cell, _Bad):
            errors.append(
                RowError(row, "", f"column {get_column_letter(position + 1)}: {cell.message}")
            )
            columns.append(None)
            continue
        text = "" if _blank(cell) else _text(cell)
        if not text:
            columns.append(None)
            continue
        column = _HEADERS.get(_header_key(text))
        if column is None:
            errors.append(RowError(row, text, f"unknown column {text!r}"))
        elif column in seen:
            errors.append(
                RowError(
                    row,
                    column,
                    f"the column appears twice (columns {get_column_letter(seen[column] + 1)} "
                    f"and {get_column_letter(position + 1)})",
                )
            )
        else:
            seen[column] = position
        columns.append(column)
    for column in REQUIRED:
        if column not in seen:
            label = COLUMNS[column][1]
            errors.append(RowError(row, column, f"the required column {label} is missing"))
    if errors:
        # A wrong header would make every row wrong: the clerk fixes the header first.
        raise _fail(errors)
    return columns


# --- cells -----------------------------------------------------------------------------------


class _CellError(ValueError):
    pass


_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN_NUMBER = re.compile(r"^-(\d[\d,]*(\.\d*)?|\.\d+)$")
_DATE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


def _blank(cell: Raw) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _injection(text: str) -> bool:
    """Text that a spreadsheet would run as a formula (CSV injection): =, +, @, or - that does
    not start a plain number ("-5" is a negative number, refused later as negative; a lone "-"
    is a clerk's "none", refused later as not a value)."""
    if text[:1] in ("=", "+", "@"):
        return True
    return text.startswith("-") and len(text) > 1 and not _PLAIN_NUMBER.match(text)


def _text(cell: Raw) -> str:
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return str(cell).lower()
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _amount(cell: Raw) -> int | Decimal | str:
    if isinstance(cell, bool):
        raise _CellError("a number, not true/false")
    if isinstance(cell, int | Decimal):
        return cell
    if isinstance(cell, float):
        if not math.isfinite(cell):
            raise _CellError(f"not a number: {cell!r}")
        # The file stores the binary float nearest to what the clerk typed; its shortest repr
        # is that text again (1234.56, not 1234.5599999999999).
        return Decimal(repr(cell))
    if isinstance(cell, str):
        text = cell.strip()
        if _THOUSANDS.match(text):
            return text.replace(",", "")
        if "," in text:
            raise _CellError(f"not a number: {text!r}")
        return text  # the model's validator (xiangzhi.money.exact) names anything else
    raise _CellError(f"not a number: {_text(cell)!r}")


def _date(cell: Raw) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, str):
        text = cell.strip()
        match = _DATE.match(text)
        parts = (match.group(1), match.group(3), match.group(4)) if match else None
        if parts is None and (match := _CHINESE_DATE.match(text)):
            parts = (match.group(1), match.group(2), match.group(3))
        if parts is not None:
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError as exc:
                raise _CellError(f"no such date: {text!r}") from exc
    raise _CellError(f"not a date: {_text(cell)!r} (write 2024-03-01, 2024/03/01 or 2024年3月1日)")


def _written(cell: Raw) -> bool:
    if isinstance(cell, bool):
        return cell
    value = _WRITTEN.get(_text(cell).lower())
    if value is None:
        raise _CellError(f"not yes or no: {_text(cell)!r} (write 是 or 否)")
    return value


def _payment(cell: Raw) -> Payment:
    value = PAYMENTS.get(_text(cell).lower())
    if value is None:
        raise _CellError(
            f"unknown payment {_text(cell)!r}: write 每年预付, 每年后付, 半年付 or 一次性"
        )
    return value


def _kind(cell: Raw) -> AssetKind:
    value = KINDS.get(_text(cell).lower())
    if value is None:
        raise _CellError(
            f"unknown asset kind {_text(cell)!r}: write 耕地, 建设用地, 坑塘, 房屋, 林地 or 其他"
        )
    return value


_CONVERT: dict[str, Callable[[Raw], Any]] = {
    "contract_id": _text,
    "asset_id": _text,
    "asset_kind": _kind,
    "asset_name": _text,
    "asset_area_mu": _amount,
    "contractor_id": _text,
    "contractor_name": _text,
    "area_mu": _amount,
    "annual_fee_yuan": _amount,
    "starts_on": _date,
    "ends_on": _date,
    "payment": _payment,
    "written": _written,
}
# The contract's fields are named as their columns; the asset's are not.
_CONTRACT_FIELDS = {name: name for name in RegisterContract.model_fields if name in COLUMNS}
_ASSET_FIELDS = {
    "asset_id": "asset_id",
    "kind": "asset_kind",
    "name": "asset_name",
    "area_mu": "asset_area_mu",
}
# What one row says of an asset that every other row must say alike.
_ASSET_COLUMNS = {"asset_kind": "kind", "asset_name": "name", "asset_area_mu": "area_mu"}


# --- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    row: int
    contract_id: str
    starts_on: date
    ends_on: date


class _Row:
    """One data row's converted values and its errors (at most one per cell)."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.values: dict[str, Any] = {}
        self.errors: dict[str, RowError] = {}
        self.row_errors: list[RowError] = []

    def fail(self, column: str, message: str) -> None:
        if not column:
            self.row_errors.append(RowError(self.number, "", message))
        elif column not in self.errors:
            self.errors[column] = RowError(self.number, column, message)

    def good(self, column: str) -> Any:
        """The value if the cell was given and passed every check, else None."""
        return None if column in self.errors else self.values.get(column)

    def model_errors(self, exc: ValidationError, fields: dict[str, str]) -> None:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            message = "a value is required" if error["type"] == "missing" else error["msg"]
            self.fail(fields.get(field, ""), message)

    def all_errors(self) -> list[RowError]:
        return [*self.row_errors, *self.errors.values()]


def _read_row(number: int, cells: tuple[Raw, ...], columns: list[str | None]) -> _Row:
    row = _Row(number)
    for position, cell in enumerate(cells):
        if _blank(cell):
            continue
        column = columns[position] if position < len(columns) else None
        if column is None:
            row.fail(
                "", f"a value in column {get_column_letter(position + 1)}, which has no header"
            )
            continue
        if isinstance(cell, _Bad):
            row.fail(column, cell.message)
            continue
        if isinstance(cell, str) and _injection(cell.strip()):
            row.fail(column, FORMULA_MESSAGE)
            continue
        try:
            row.values[column] = _CONVERT[column](cell)
        except _CellError as exc:
            row.fail(column, str(exc))
    return row


def _build(row: _Row) -> tuple[RegisterContract | None, RegisterAsset | None]:
    """The row's contract and asset, each None if invalid (the asset also if not given)."""
    values = row.values
    contract_data: dict[str, Any] = {
        field: values[column] for field, column in _CONTRACT_FIELDS.items() if column in values
    }
    contract_data["origin"] = "register"
    contract: RegisterContract | None = None
    try:
        contract = RegisterContract.model_validate(contract_data)
    except ValidationError as exc:
        row.model_errors(exc, _CONTRACT_FIELDS)

    asset: RegisterAsset | None = None
    if any(column in values for column in ("asset_kind", "asset_name", "asset_area_mu")):
        asset_data: dict[str, Any] = {
            field: values[column] for field, column in _ASSET_FIELDS.items() if column in values
        }
        if "name" not in asset_data and "asset_id" in values:
            asset_data["name"] = values["asset_id"]
        # Without a kind the row registers no asset, but a name or an area it gives is still
        # checked (with a stand-in kind) rather than passed over in silence.
        asset_data.setdefault("kind", "other")
        try:
            asset = RegisterAsset.model_validate(asset_data)
        except ValidationError as exc:
            row.model_errors(exc, _ASSET_FIELDS)
    return contract, asset


def _fail(errors: list[RowError]) -> ImportRefusedError:
    errors = sorted(errors, key=lambda error: error.row)
    more = max(0, len(errors) - MAX_ERRORS)
    detail = f"{len(errors)} error(s) in the file: nothing was imported"
    if more:
        detail += f" (the first {MAX_ERRORS} are listed, {more} more are not)"
    return ImportRefusedError(detail, errors[:MAX_ERRORS], errors_not_listed=more)


class _Register:
    """The rules across rows: what the rows read so far said."""

    def __init__(self) -> None:
        self.contract_rows: dict[str, int] = {}
        # asset id -> column -> (value, row): what the first row to give it said of the asset.
        self.assets: dict[str, dict[str, tuple[Any, int]]] = {}
        self.terms: dict[str, list[_Term]] = {}

    def check(self, row: _Row, asset: RegisterAsset | None) -> None:
        contract_id = row.good("contract_id")
        if contract_id is not None:
            first = self.contract_rows.setdefault(contract_id, row.number)
            if first != row.number:
                row.fail("contract_id", f"contract {contract_id} is already on row {first}")

        asset_id = row.good("asset_id")
        starts_on, ends_on = row.good("starts_on"), row.good("ends_on")
        if starts_on is not None and ends_on is not None:
            if ends_on < starts_on:
                row.fail("ends_on", f"the term ends ({ends_on}) before it starts ({starts_on})")
            elif asset_id is not None:
                term = _Term(row.number, contract_id or "?", starts_on, ends_on)
                self.terms.setdefault(asset_id, []).append(term)

        if asset is not None:
            known = self.assets.setdefault(asset.asset_id, {})
            for column, field in _ASSET_COLUMNS.items():
                if column not in row.values:
                    continue  # a name defaulted to the id says nothing about the asset
                value = getattr(asset, field)
                first_value, first_row = known.setdefault(column, (value, row.number))
                if first_value != value:
                    row.fail(
                        column,
                        f"asset {asset.asset_id} is given as {_text(first_value)!r} "
                        f"on row {first_row}",
                    )

    def overlaps(self) -> list[RowError]:
        """Terms on one asset that overlap (both days inclusive), reported on the later row.

        Swept in order of start: a term overlaps an earlier-starting one exactly when it
        starts on or before the furthest end so far. Linear after sorting, so a thousand rows
        on one asset cost no more than a thousand on a thousand assets."""
        errors: dict[int, RowError] = {}
        for asset_id, terms in self.terms.items():
            reach: _Term | None = None
            for term in sorted(terms, key=lambda t: (t.starts_on, t.row)):
                if reach is not None and term.starts_on <= reach.ends_on:
                    later, other = (term, reach) if term.row > reach.row else (reach, term)
                    errors.setdefault(
                        later.row,
                        RowError(
                            later.row,
                            "starts_on",
                            f"the term overlaps contract {other.contract_id} "
                            f"(row {other.row}) on asset {asset_id}",
                        ),
                    )
                if reach is None or term.ends_on > reach.ends_on:
                    reach = term
        return list(errors.values())


def read_register(data: bytes, filename: str | None, content_type: str | None) -> list[ImportRow]:
    """The register's rows as commands, or ImportRefusedError listing every error."""
    if len(data) > MAX_BYTES:
        raise FileTooLargeError(
            f"the file is {len(data)} bytes: at most {MAX_BYTES} ({MAX_BYTES // (1024 * 1024)} MB)"
            " are imported",
            max_bytes=MAX_BYTES,
        )
    if not data:
        raise _refused("the file is empty")

    errors: list[RowError] = []
    imported: list[ImportRow] = []
    register = _Register()
    columns: list[str | None] | None = None
    data_rows = 0
    with closing(_table(data, filename, content_type)) as table:
        for number, cells in table:
            if all(_blank(cell) for cell in cells):
                continue
            if columns is None:
                columns = _columns(number, cells)
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise _refused(f"the file has more than {MAX_ROWS} rows: split it", row=number)
            row = _read_row(number, cells, columns)
            contract, asset = _build(row)
            register.check(row, asset)
            errors.extend(row.all_errors())
            if contract is not None and not row.all_errors():
                given = asset if "asset_kind" in row.values else None
                imported.append(ImportRow(number, contract, given))

    if columns is None:
        raise _refused("the file has no header row")
    errors.extend(register.overlaps())
    if errors:
        raise _fail(errors)
    return imported


# --- the statement -------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    source: str
    label: str
    amount_yuan: Decimal


@dataclass(frozen=True)
class ClearedLine:
    contract_id: str
    asset_id: str
    asset_kind: str
    area_mu: Decimal
    annual_fee_yuan: Decimal
    recovered_income_yuan: Decimal
    cleared_on: date


@dataclass(frozen=True)
class Statement:
    village: str
    year: int
    quarter: int
    income: list[StatementLine]
    total_yuan: Decimal
    cleared: list[ClearedLine]
    cleared_area_mu: Decimal
    recovered_income_yuan: Decimal


INCOME_SHEET = "收入"
CLEARED_SHEET = "已清理合同"
INCOME_HEADER = ("来源", "金额(元)")
CLEARED_HEADER = (
    "合同编号",
    "资产编号",
    "资产类别",
    "面积(亩)",
    "年承包费(元)",
    "增收(元)",
    "清理日期",
)
TOTAL = "合计"
_CENT = Decimal("0.01")


def _two_places(value: Decimal) -> Decimal:
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _fixed(value: Decimal) -> str:
    return format(_two_places(value), "f")


def _title(s: Statement) -> str:
    return f"{s.village} {s.year}年第{s.quarter}季度 财务公开"


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def _safe_csv_text(text: str) -> str:
    """A label from the data must not run as a formula when the statement opens in Excel."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def statement_csv(s: Statement) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    t = _safe_csv_text
    writer.writerow([t(_title(s))])
    writer.writerow([])
    writer.writerow([INCOME_SHEET])
    writer.writerow(INCOME_HEADER)
    for line in s.income:
        writer.writerow([t(line.label), _fixed(line.amount_yuan)])
    writer.writerow([TOTAL, _fixed(s.total_yuan)])
    writer.writerow([])
    writer.writerow([CLEARED_SHEET])
    writer.writerow(CLEARED_HEADER)
    for c in s.cleared:
        writer.writerow(
            [
                t(c.contract_id),
                t(c.asset_id),
                t(_kind_label(c.asset_kind)),
                _fixed(c.area_mu),
                _fixed(c.annual_fee_yuan),
                _fixed(c.recovered_income_yuan),
                c.cleared_on.isoformat(),
            ]
        )
    writer.writerow(
        [TOTAL, "", "", _fixed(s.cleared_area_mu), "", _fixed(s.recovered_income_yuan), ""]
    )
    return buffer.getvalue().encode("utf-8-sig")


def _put(sheet: Any, row: int, column: int, value: Any, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Decimal):
        cell.value = _two_places(value)
        cell.number_format = "0.00"
    elif isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        # openpyxl takes any text starting with "=" for a formula; a label is only text.
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = Font(bold=True)


def _put_row(sheet: Any, row: int, values: tuple[Any, ...] | list[Any], bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        if value is not None:
            _put(sheet, row, column, value, bold)


def statement_xlsx(s: Statement) -> bytes:
    """Row 1 the title, row 2 the bold header, then the lines and a bold 合计 row."""
    workbook = openpyxl.Workbook()
    income = workbook.active
    income.title = INCOME_SHEET
    _put(income, 1, 1, _title(s), bold=True)
    _put_row(income, 2, INCOME_HEADER, bold=True)
    row = 3
    for line in s.income:
        _put_row(income, row, (line.label, line.amount_yuan))
        row += 1
    _put_row(income, row, (TOTAL, s.total_yuan), bold=True)
    income.column_dimensions["A"].width = 24
    income.column_dimensions["B"].width = 16

    cleared = workbook.create_sheet(CLEARED_SHEET)
    _put(cleared, 1, 1, _title(s), bold=True)
    _put_row(cleared, 2, CLEARED_HEADER, bold=True)
    row = 3
    for c in s.cleared:
        _put_row(
            cleared,
            row,
            (
                c.contract_id,
                c.asset_id,
                _kind_label(c.asset_kind),
                c.area_mu,
                c.annual_fee_yuan,
                c.recovered_income_yuan,
                c.cleared_on,
            ),
        )
        row += 1
    _put_row(
        cleared,
        row,
        (TOTAL, None, None, s.cleared_area_mu, None, s.recovered_income_yuan, None),
        bold=True,
    )
    for letter in "ABCDEFG":
        cleared.column_dimensions[letter].width = 16

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
