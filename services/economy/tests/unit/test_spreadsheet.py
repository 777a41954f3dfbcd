"""The contract register import and the statement export: files built in memory, no I/O."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from economy import spreadsheet
from economy.spreadsheet import (
    FORMULA_MESSAGE,
    MAX_BYTES,
    ClearedLine,
    FileTooLargeError,
    ImportRefusedError,
    RowError,
    Statement,
    StatementLine,
    read_register,
    statement_csv,
    statement_xlsx,
)

ZH = [
    "合同编号",
    "资产编号",
    "资产类别",
    "资产名称",
    "承包方编号",
    "承包方",
    "承包面积(亩)",
    "年承包费(元)",
    "起始日期",
    "终止日期",
    "付款方式",
    "书面合同",
]
EN = [
    "contract_id",
    "asset_id",
    "asset_kind",
    "asset_name",
    "contractor_id",
    "contractor_name",
    "area_mu",
    "annual_fee_yuan",
    "starts_on",
    "ends_on",
    "payment",
    "written",
]
ROW_A = ["HT-001", "ZC-01", "耕地", "东洼地", "P1001", "王建国", "12.5", "1234.56", "2020-01-01", "2029-12-31", "每年预付", "是"]  # fmt: skip
ROW_B = ["HT-002", "ZC-02", "坑塘", "", "P1002", "李秀英", "3", "800", "2022/03/01", "2025/02/28", "一次性", "否"]  # fmt: skip
ROW_C = ["HT-003", "ZC-03", "", "", "P1003", "张福", "8.25", "2,400.00", "2021年1月1日", "2030年12月31日", "", ""]  # fmt: skip
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with(row: list[Any], column: str, value: Any) -> list[Any]:
    changed = list(row)
    changed[EN.index(column)] = value
    return changed


def _refused(data: bytes, filename: str | None = "register.csv") -> ImportRefusedError:
    with pytest.raises(ImportRefusedError) as caught:
        read_register(data, filename, None)
    return caught.value


def _cells(error: ImportRefusedError) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in error.errors}


# --- a good register -----------------------------------------------------------------------


def test_a_good_csv_with_chinese_headers_is_read_into_commands() -> None:
    rows = read_register(_csv([ZH, ROW_A, ROW_B, ROW_C]), "台账.csv", "text/csv")

    assert [r.row for r in rows] == [2, 3, 4]
    a, b, c = rows
    assert a.contract.contract_id == "HT-001"
    assert a.contract.contractor_name == "王建国"
    assert a.contract.area_mu == Decimal("12.5")
    assert a.contract.annual_fee_yuan == Decimal("1234.56")
    assert (a.contract.starts_on, a.contract.ends_on) == (date(2020, 1, 1), date(2029, 12, 31))
    assert a.contract.payment == "annual_in_advance"
    assert a.contract.written is True
    assert a.contract.origin == "register"
    assert a.asset is not None
    assert (a.asset.asset_id, a.asset.kind, a.asset.name) == ("ZC-01", "farmland", "东洼地")

    assert b.contract.payment == "lump_sum"
    assert b.contract.written is False
    assert b.contract.starts_on == date(2022, 3, 1)
    # No asset name: the asset is named by its id.
    assert b.asset is not None
    assert (b.asset.kind, b.asset.name) == ("pond", "ZC-02")

    # Thousands separator, 年月日 dates, blank payment/written take the defaults, no kind no asset.
    assert c.contract.annual_fee_yuan == Decimal("2400.00")
    assert c.contract.ends_on == date(2030, 12, 31)
    assert (c.contract.payment, c.contract.written) == ("annual_in_advance", True)
    assert c.asset is None


def test_a_gbk_csv_from_chinese_excel_reads_the_same() -> None:
    gbk = _csv([ZH, ROW_A, ROW_B], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")  # the fallback is what is tested

    from_gbk = read_register(gbk, "台账.csv", None)
    from_utf8 = read_register(b"\xef\xbb\xbf" + _csv([ZH, ROW_A, ROW_B]), "台账.csv", None)

    assert [r.contract for r in from_gbk] == [r.contract for r in from_utf8]
    assert from_gbk[0].contract.contractor_name == "王建国"


def test_english_headers_any_case_full_width_brackets_and_optional_columns() -> None:
    header = ["Contract_ID", "ASSET_ID", "contractor_id", "承包方", "承包面积（亩）"]
    header += ["annual_fee_yuan", "starts_on", "ends_on"]
    row = ["HT-9", "ZC-9", "P9", "赵六", "1", "12,345.60", "2024-01-01", "2024-12-31"]

    (only,) = read_register(_csv([header, row]), None, None)

    assert only.contract.annual_fee_yuan == Decimal("12345.60")
    assert only.contract.area_mu == Decimal("1")
    assert only.contract.written is True
    assert only.asset is None


def test_blank_rows_are_skipped_and_row_numbers_stay_the_spreadsheets() -> None:
    data = _csv([ZH, ROW_A, ["", "", ""], [], ROW_B])
    rows = read_register(data, None, None)
    assert [r.row for r in rows] == [2, 5]


# --- one bad row refuses the file ----------------------------------------------------------


def test_one_bad_row_among_good_ones_refuses_the_whole_file_naming_row_and_column() -> None:
    bad = _with(ROW_C, "annual_fee_yuan", "abc")
    error = _refused(_csv([ZH, ROW_A, ROW_B, bad]))

    assert error.status == 422
    assert _cells(error) == {(4, "annual_fee_yuan")}
    assert error.detail == "1 error(s) in the file: nothing was imported"
    assert error.extensions["field"] == "file"
    assert error.extensions["errors"] == [
        {"row": 4, "column": "annual_fee_yuan", "message": error.errors[0].message}
    ]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("area_mu", "-5", "greater than 0"),
        ("area_mu", "0", "greater than 0"),
        ("annual_fee_yuan", "abc", "not a decimal number"),
        ("annual_fee_yuan", "12.345", "2 decimal places"),
        ("annual_fee_yuan", "1,2.5", "not a number"),
        ("starts_on", "2024-02-30", "no such date"),
        ("starts_on", "01/02/2024", "not a date"),
        ("ends_on", "2019-12-31", "before it starts"),
        ("asset_kind", "草地", "unknown asset kind"),
        ("payment", "月付", "unknown payment"),
        ("written", "maybe", "not yes or no"),
        ("contract_id", "HT 001", "pattern"),
        ("contractor_name", "", "required"),
    ],
)
def test_a_bad_value_is_named_by_row_and_column(column: str, value: str, expected: str) -> None:
    error = _refused(_csv([EN, ROW_B, _with(ROW_A, column, value)]))

    assert [(e.row, e.column) for e in error.errors] == [(3, column)]
    assert expected in error.errors[0].message


def test_every_error_of_every_row_is_listed() -> None:
    bad_1 = _with(_with(ROW_A, "area_mu", "-1"), "starts_on", "soon")
    bad_2 = _with(ROW_B, "annual_fee_yuan", "12.345")
    error = _refused(_csv([EN, bad_1, ROW_C, bad_2]))
    assert _cells(error) == {(2, "area_mu"), (2, "starts_on"), (4, "annual_fee_yuan")}
    assert error.detail.startswith("3 error(s)")


def test_the_error_list_is_capped() -> None:
    rows = [EN] + [
        _with(_with(_with(ROW_A, "contract_id", f"HT-{i}"), "asset_id", f"ZC-{i}"), "area_mu", "x")
        for i in range(250)
    ]
    error = _refused(_csv(rows))
    assert len(error.errors) == 200
    assert error.detail.startswith("250 error(s) in the file: nothing was imported")
    assert "50 more" in error.detail
    assert error.extensions["errors_not_listed"] == 50


# --- rules across rows ---------------------------------------------------------------------


def test_a_contract_id_twice_is_an_error_on_the_second_row() -> None:
    again = _with(_with(ROW_B, "contract_id", "HT-001"), "asset_id", "ZC-07")
    error = _refused(_csv([EN, ROW_A, again]))
    assert _cells(error) == {(3, "contract_id")}
    assert "row 2" in error.errors[0].message


def test_overlapping_terms_on_one_asset_are_an_error_on_the_later_row() -> None:
    # Row 4 starts before row 2's term ends; the check names the other contract.
    later = ["HT-005", "ZC-01", "耕地", "东洼地", "P9", "孙七", "12.5", "900", "2029-12-31", "2035-12-31", "", ""]  # fmt: skip
    error = _refused(_csv([EN, ROW_A, ROW_B, later]))
    assert _cells(error) == {(4, "starts_on")}
    assert "HT-001" in error.errors[0].message
    assert "row 2" in error.errors[0].message


def test_a_later_row_with_an_earlier_term_still_reports_the_later_row() -> None:
    earlier_term = ["HT-005", "ZC-01", "耕地", "", "P9", "孙七", "1", "900", "2015-01-01", "2020-01-01", "", ""]  # fmt: skip
    error = _refused(_csv([EN, ROW_A, earlier_term]))
    assert _cells(error) == {(3, "starts_on")}
    assert "HT-001" in error.errors[0].message


def test_terms_that_follow_each_other_on_one_asset_are_fine() -> None:
    follows = ["HT-005", "ZC-01", "耕地", "东洼地", "P9", "孙七", "12.5", "900", "2030-01-01", "2035-12-31", "", ""]  # fmt: skip
    rows = read_register(_csv([EN, ROW_A, follows]), None, None)
    assert [r.contract.contract_id for r in rows] == ["HT-001", "HT-005"]


def test_one_asset_given_two_kinds_is_an_error() -> None:
    other_kind = ["HT-005", "ZC-01", "林地", "东洼地", "P9", "孙七", "1", "900", "2035-01-01", "2036-12-31", "", ""]  # fmt: skip
    error = _refused(_csv([EN, ROW_A, other_kind]))
    assert _cells(error) == {(3, "asset_kind")}
    assert "row 2" in error.errors[0].message


def test_an_area_given_without_a_kind_is_still_checked() -> None:
    header = [*EN, "asset_area_mu"]
    error = _refused(_csv([header, [*_with(ROW_A, "asset_kind", ""), "lots"]]))
    assert _cells(error) == {(2, "asset_area_mu")}


def test_one_asset_given_two_names_is_an_error() -> None:
    renamed = ["HT-005", "ZC-01", "耕地", "西洼地", "P9", "孙七", "1", "900", "2035-01-01", "2036-12-31", "", ""]  # fmt: skip
    error = _refused(_csv([EN, ROW_A, renamed]))
    assert _cells(error) == {(3, "asset_name")}


# --- XLSX ----------------------------------------------------------------------------------


def test_xlsx_numbers_and_dates_come_back_exact() -> None:
    row = ["HT-001", "ZC-01", "建设用地", "老砖厂", 1001, "王建国", 12.5, 1234.56]
    row += [datetime(2020, 1, 1), date(2029, 12, 31), "annual_in_arrears", False]
    data = _xlsx([ZH, row])

    for filename, content_type in ((None, None), ("register.xlsx", XLSX_TYPE)):
        (only,) = read_register(data, filename, content_type)
        assert only.contract.annual_fee_yuan == Decimal("1234.56")
        assert str(only.contract.annual_fee_yuan) == "1234.56"
        assert only.contract.area_mu == Decimal("12.5")
        assert only.contract.contractor_id == "1001"
        assert only.contract.starts_on == date(2020, 1, 1)
        assert only.contract.ends_on == date(2029, 12, 31)
        assert only.contract.payment == "annual_in_arrears"
        assert only.contract.written is False
        assert only.asset is not None
        assert only.asset.kind == "construction_land"


def test_a_float_with_three_places_in_xlsx_is_refused_not_rounded() -> None:
    row = ["HT-001", "ZC-01", "耕地", "", "P1", "王建国", 1, 12.345]
    row += ["2020-01-01", "2029-12-31", "", ""]
    error = _refused(_xlsx([ZH, row]), "register.xlsx")
    assert _cells(error) == {(2, "annual_fee_yuan")}
    assert "2 decimal places" in error.errors[0].message


def test_a_formula_cell_in_xlsx_is_refused() -> None:
    row = ["HT-001", "ZC-01", "耕地", "", "P1", "王建国", 12.5, "=B2*2"]
    row += ["2020-01-01", "2029-12-31", "", ""]
    error = _refused(_xlsx([ZH, ROW_B, row]), "register.xlsx")
    assert error.errors == [RowError(3, "annual_fee_yuan", FORMULA_MESSAGE)]


@pytest.mark.parametrize("value", ["=SUM(A1)", "@cmd", "+1+cmd|' /C calc'!A0", "-A1", "=1"])
def test_csv_formula_injection_is_refused(value: str) -> None:
    error = _refused(_csv([EN, _with(ROW_A, "contractor_name", value)]))
    assert error.errors == [RowError(2, "contractor_name", FORMULA_MESSAGE)]


def test_a_negative_number_is_no_formula_but_is_refused_as_negative() -> None:
    error = _refused(_csv([EN, _with(ROW_A, "annual_fee_yuan", "-5")]))
    assert _cells(error) == {(2, "annual_fee_yuan")}
    assert error.errors[0].message != FORMULA_MESSAGE
    assert "greater than or equal to 0" in error.errors[0].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("-12,345.00", "greater than or equal to 0"), ("-", "not a decimal number")],
)
def test_a_dash_that_is_no_formula_reaches_the_amount_rules(value: str, expected: str) -> None:
    error = _refused(_csv([EN, _with(ROW_A, "annual_fee_yuan", value)]))
    assert [(e.row, e.column) for e in error.errors] == [(2, "annual_fee_yuan")]
    assert expected in error.errors[0].message


def test_a_sheet_wider_than_any_register_is_refused() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in ([*ZH], ROW_A):
        sheet.append(row)
    sheet.cell(row=2, column=spreadsheet.MAX_COLUMNS + 1, value="far away")
    buffer = io.BytesIO()
    workbook.save(buffer)
    error = _refused(buffer.getvalue(), "register.xlsx")
    assert "columns" in error.detail


def test_a_zip_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _xlsx([ZH, ROW_A])
    monkeypatch.setattr(spreadsheet, "MAX_UNCOMPRESSED", 1000)
    error = _refused(data, "register.xlsx")
    assert "unpacks to more than" in error.detail


def test_a_zip_that_is_no_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    error = _refused(buffer.getvalue(), "register.xlsx")
    assert "XLSX" in error.detail


def test_a_file_named_xlsx_that_is_no_zip_is_refused() -> None:
    error = _refused(_csv([EN, ROW_A]), "register.xlsx")
    assert "not a valid XLSX" in error.detail


# --- the file as a whole -------------------------------------------------------------------


def test_a_file_over_the_limit_is_413() -> None:
    with pytest.raises(FileTooLargeError) as caught:
        read_register(b"a" * (MAX_BYTES + 1), "register.csv", "text/csv")
    assert caught.value.status == 413
    assert caught.value.extensions["field"] == "file"


def test_a_file_at_the_limit_is_not_413() -> None:
    data = _csv([EN, ROW_A])
    data += b" " * (MAX_BYTES - len(data))
    with pytest.raises(ImportRefusedError):  # one long cell of spaces is no column
        read_register(data, None, None)


def test_an_empty_file_is_refused() -> None:
    assert "empty" in _refused(b"").detail
    assert "no header" in _refused(b"\r\n,,\r\n").detail


def test_a_legacy_xls_file_is_refused_with_advice() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    error = _refused(ole, "register.xls")
    assert error.status == 422
    assert ".xlsx" in error.detail
    assert "CSV" in error.detail


def test_a_missing_required_column_is_named() -> None:
    header = [h for h in EN if h != "annual_fee_yuan"]
    row = [v for h, v in zip(EN, ROW_A, strict=True) if h != "annual_fee_yuan"]
    error = _refused(_csv([header, row]))
    assert _cells(error) == {(1, "annual_fee_yuan")}


def test_an_unknown_column_is_named() -> None:
    error = _refused(_csv([[*ZH, "备注"], [*ROW_A, "老合同"]]))
    assert _cells(error) == {(1, "备注")}
    assert "unknown column" in error.errors[0].message


def test_a_column_given_twice_is_an_error() -> None:
    error = _refused(_csv([[*EN, "合同编号"], [*ROW_A, "HT-001"]]))
    assert _cells(error) == {(1, "contract_id")}


def test_a_value_under_no_header_is_an_error() -> None:
    error = _refused(_csv([[*EN, ""], [*ROW_A, "stray"]]))
    assert error.errors == [RowError(2, "", "a value in column M, which has no header")]


def test_more_rows_than_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 2)
    assert len(read_register(_csv([EN, ROW_A, ROW_B]), None, None)) == 2
    error = _refused(_csv([EN, ROW_A, ROW_B, ROW_C]))
    assert "more than 2 rows" in error.detail


# --- the statement -------------------------------------------------------------------------


def _statement() -> Statement:
    return Statement(
        village="东庄村",
        year=2026,
        quarter=3,
        income=[
            StatementLine("contract_fee", "承包费", Decimal("12345.6")),
            StatementLine("arrears", "清欠", Decimal("0.1")),
            StatementLine("other", "=HYPERLINK(1)", Decimal("1000")),
        ],
        total_yuan=Decimal("13345.70"),
        cleared=[
            ClearedLine(
                contract_id="HT-001",
                asset_id="ZC-01",
                asset_kind="farmland",
                area_mu=Decimal("12.5"),
                annual_fee_yuan=Decimal("1234.56"),
                recovered_income_yuan=Decimal("600.2"),
                cleared_on=date(2026, 8, 15),
            ),
            ClearedLine(
                contract_id="HT-002",
                asset_id="ZC-02",
                asset_kind="pond",
                area_mu=Decimal("3"),
                annual_fee_yuan=Decimal("0.07"),
                recovered_income_yuan=Decimal("99999999.99"),
                cleared_on=date(2026, 9, 1),
            ),
        ],
        cleared_area_mu=Decimal("15.5"),
        recovered_income_yuan=Decimal("100000600.19"),
    )


def test_the_statement_csv_has_a_bom_a_title_two_sections_and_exact_amounts() -> None:
    data = statement_csv(_statement())

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["东庄村 2026年第3季度 财务公开"]
    start = rows.index(["收入"])
    assert rows[start + 1] == ["来源", "金额(元)"]
    assert rows[start + 2 : start + 6] == [
        ["承包费", "12345.60"],
        ["清欠", "0.10"],
        ["'=HYPERLINK(1)", "1000.00"],  # a label is never a live formula
        ["合计", "13345.70"],
    ]
    start = rows.index(["已清理合同"])
    assert rows[start + 1] == ["合同编号", "资产编号", "资产类别", "面积(亩)", "年承包费(元)", "增收(元)", "清理日期"]  # fmt: skip
    assert rows[start + 2 :] == [
        ["HT-001", "ZC-01", "耕地", "12.50", "1234.56", "600.20", "2026-08-15"],
        ["HT-002", "ZC-02", "坑塘水面", "3.00", "0.07", "99999999.99", "2026-09-01"],
        ["合计", "", "", "15.50", "", "100000600.19", ""],
    ]


def test_the_statement_xlsx_has_two_sheets_with_exact_amounts() -> None:
    data = statement_xlsx(_statement())
    workbook = openpyxl.load_workbook(io.BytesIO(data))

    assert workbook.sheetnames == ["收入", "已清理合同"]
    income = workbook["收入"]
    assert income["A1"].value == "东庄村 2026年第3季度 财务公开"
    assert [c.value for c in income[2]] == ["来源", "金额(元)"]
    assert all(c.font.bold for c in income[2])
    lines = [(r[0].value, Decimal(repr(r[1].value))) for r in income.iter_rows(min_row=3)]
    assert lines == [
        ("承包费", Decimal("12345.6")),
        ("清欠", Decimal("0.1")),
        ("=HYPERLINK(1)", Decimal("1000")),
        ("合计", Decimal("13345.7")),
    ]
    assert income["A5"].data_type == "s"  # text, not a formula
    assert income["B3"].number_format == "0.00"

    cleared = workbook["已清理合同"]
    assert [c.value for c in cleared[2]] == ["合同编号", "资产编号", "资产类别", "面积(亩)", "年承包费(元)", "增收(元)", "清理日期"]  # fmt: skip
    assert all(c.font.bold for c in cleared[2])
    first = [c.value for c in cleared[3]]
    assert first[:3] == ["HT-001", "ZC-01", "耕地"]
    assert [Decimal(repr(v)) for v in first[3:6]] == [
        Decimal("12.5"),
        Decimal("1234.56"),
        Decimal("600.2"),
    ]
    assert first[6].date() == date(2026, 8, 15)
    assert Decimal(repr(cleared["F4"].value)) == Decimal("99999999.99")
    total = [c.value for c in cleared[5]]
    assert total[0] == "合计"
    assert Decimal(repr(total[3])) == Decimal("15.5")
    assert Decimal(repr(total[5])) == Decimal("100000600.19")
    assert cleared["F5"].number_format == "0.00"
    assert cleared["F5"].font.bold
