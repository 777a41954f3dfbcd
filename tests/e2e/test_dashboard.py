"""The web dashboard in a real browser (Debian's chromium, Playwright), served by the gateway at
``/`` of the platform as `make run` starts it, with `make demo`'s data (the ``demo`` fixture):
each role logs in through the login page and sees what it may and nothing else; the county
table sorts and filters; a resident raises an issue on a phone and the village board shows it;
the notice board reads without a login. axe-core checks every page; screenshots and the county
page's time to first chart are kept under ``.artifacts/browser/``."""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect, sync_playwright

from tests.e2e import browser as b
from tests.e2e.people import DONGZHUANG, eventually
from tests.e2e.running import RunningPlatform

pytestmark = pytest.mark.integration

COUNTY = "141121"
OTHER_TOWNSHIP = "141121101"  # a township of the demo without Dongzhuang
ROLE_NAMES = {
    "county_admin": "县级管理员",
    "township_officer": "乡镇干部",
    "village_secretary": "村党支部书记",
    "village_staff": "村两委成员",
    "grid_worker": "网格员",
    "resident": "村民",
}
LANDING = {
    "county_admin": "/county",
    "township_officer": "/county",
    "village_secretary": f"/village/{DONGZHUANG}",
    "village_staff": f"/village/{DONGZHUANG}",
    "grid_worker": f"/village/{DONGZHUANG}",
    "resident": "/resident",
}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = b.launch(playwright)
        yield browser
        browser.close()


def _user(demo: dict[str, Any], username: str) -> tuple[str, str]:
    user = next(u for u in demo["users"] if u["username"] == username)
    return user["username"], user["password"]


def _page(ctx: Any) -> Page:
    page: Page = ctx.new_page()
    return page


def _summary(platform: RunningPlatform, demo: dict[str, Any], username: str) -> dict[str, Any]:
    token = platform.login(*_user(demo, username))
    with httpx.Client(base_url=platform.gateway_url, timeout=60) as http:
        answer = http.get(
            f"/api/v1/counties/{COUNTY}/summary", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 200, answer.text
    summary: dict[str, Any] = answer.json()
    return summary


def _rows(page: Page) -> list[str]:
    """The village codes of the county table's rows, top to bottom."""
    cells = page.locator("[data-testid^='county-row-']")
    return [
        (cells.nth(i).get_attribute("data-testid") or "").removeprefix("county-row-")
        for i in range(cells.count())
    ]


@pytest.mark.parametrize("role", list(LANDING))
def test_each_role_logs_in_and_lands_on_its_own_page(
    platform: RunningPlatform, demo: dict[str, Any], chromium: Browser, role: str
) -> None:
    username = {
        "county_admin": "demo-admin",
        "township_officer": f"demo-township-{DONGZHUANG[:9]}",
        "village_secretary": f"demo-{DONGZHUANG}-secretary",
        "village_staff": f"demo-{DONGZHUANG}-staff",
        "grid_worker": f"demo-{DONGZHUANG}-grid-worker",
        "resident": f"demo-{DONGZHUANG}-resident-1",
    }[role]
    with b.context(chromium) as ctx:
        page = _page(ctx)
        page.goto(platform.gateway_url)
        expect(page).to_have_url(re.compile(r"/login"))
        b.assert_accessible(page, "login")
        b.screenshot(page, "login")
        b.log_in(page, platform.gateway_url, *_user(demo, username))
        expect(page).to_have_url(re.compile(re.escape(LANDING[role]) + "$"))
        expect(page.get_by_test_id("user-role")).to_have_text(ROLE_NAMES[role])
        if role != "county_admin" and role != "township_officer":
            # The county's overview is not theirs: no village of the county is listed.
            page.goto(f"{platform.gateway_url}/county")
            expect(page.get_by_text("无权查看").first).to_be_visible()
            assert page.locator("[data-testid^='county-row-']").count() == 0
        page.get_by_test_id("logout").click()
        expect(page).to_have_url(re.compile(r"/login"))


def test_the_county_sees_every_village_sorted_and_filtered(
    platform: RunningPlatform, demo: dict[str, Any], chromium: Browser
) -> None:
    summary = _summary(platform, demo, "demo-admin")
    villages = {v["code"]: v for v in summary["villages"]}
    assert set(demo["villages"]) <= set(villages)
    with b.context(chromium) as ctx:
        page = _page(ctx)
        b.log_in(page, platform.gateway_url, *_user(demo, "demo-admin"))
        # A fresh load of the county page, timed from navigation to the first chart drawn.
        page.goto(f"{platform.gateway_url}/county")
        page.wait_for_function(
            "() => performance.getEntriesByName('xz-first-chart').length > 0", timeout=120_000
        )
        first_chart_ms = page.evaluate(
            "() => performance.getEntriesByName('xz-first-chart')[0].startTime"
        )
        b.record(
            "county-first-chart",
            {"villages": len(villages), "first_chart_ms": round(first_chart_ms)},
        )
        print(f"\ncounty page, {len(villages)} villages: first chart at {first_chart_ms:.0f} ms")
        for chart in ("issues", "income", "works", "stars"):
            expect(page.get_by_test_id(f"county-chart-{chart}").locator("canvas")).to_be_visible()
        expect(page.get_by_test_id("county-table")).to_be_visible()
        expect(page.get_by_test_id("partial-warning")).to_have_count(0)
        # Every village is listed once over the pages, the table says how many.
        expect(page.get_by_test_id("county-table-total")).to_contain_text(str(len(villages)))
        b.assert_accessible(page, "county")
        b.screenshot(page, "county")

        # Sorted by collective income, highest first: the first page is the richest villages.
        def income(code: str) -> Decimal:
            years = villages[code]["services"].get("economy", {}).get("income_by_year", [])
            return sum((Decimal(y["total_yuan"]) for y in years), Decimal(0))

        header = page.locator("th", has_text="集体收入")
        header.click()
        header.click()  # ascending, then descending
        expect(header).to_have_class(re.compile("descending"))
        shown = _rows(page)
        assert shown, "no rows after sorting"
        assert [income(c) for c in shown] == sorted((income(c) for c in shown), reverse=True)
        assert income(shown[0]) == max(income(c) for c in villages)

        # Filtered by name: Dongzhuang alone, with its figures.
        page.get_by_test_id("county-filter").fill("东庄")
        expect(page.locator("[data-testid^='county-row-']")).to_have_count(1)
        row = page.get_by_test_id(f"county-row-{DONGZHUANG}")
        expect(row).to_be_visible()
        dongzhuang = page.locator("tr", has=row)
        expect(dongzhuang).to_contain_text("东庄村")
        expect(dongzhuang).to_contain_text("98")  # contracts cleared
        b.screenshot(page, "county-filtered")

        # A village's trend over the months, from the table.
        row.click()
        expect(page).to_have_url(re.compile(f"/village/{DONGZHUANG}$"))
        expect(page.get_by_test_id("village-trend-chart").locator("canvas")).to_be_visible()


def test_a_township_officer_sees_only_the_townships_villages(
    platform: RunningPlatform, demo: dict[str, Any], chromium: Browser
) -> None:
    username = f"demo-township-{OTHER_TOWNSHIP}"
    theirs = {v["code"] for v in _summary(platform, demo, username)["villages"]}
    assert theirs and all(code.startswith(OTHER_TOWNSHIP) for code in theirs), theirs
    with b.context(chromium) as ctx:
        page = _page(ctx)
        b.log_in(page, platform.gateway_url, *_user(demo, username))
        expect(page.get_by_test_id("county-table")).to_be_visible()
        expect(page.locator("[data-testid^='county-row-']").first).to_be_visible()
        page.get_by_test_id("county-filter").fill("")
        shown = set(_rows(page))
        assert shown and shown <= theirs, shown - theirs
        assert DONGZHUANG not in shown
        # Dongzhuang's own page: refused by the services, said so, no figure shown.
        page.goto(f"{platform.gateway_url}/village/{DONGZHUANG}")
        expect(page.get_by_text("无权查看").first).to_be_visible()
        expect(page.get_by_test_id("points-ranking")).to_have_count(0)
        b.screenshot(page, "township-refused")


def test_the_village_secretary_sees_the_village_at_work(
    platform: RunningPlatform, demo: dict[str, Any], chromium: Browser
) -> None:
    with b.context(chromium) as ctx:
        page = _page(ctx)
        b.log_in(page, platform.gateway_url, *_user(demo, f"demo-{DONGZHUANG}-secretary"))
        expect(page.get_by_test_id("village-name")).to_have_text("东庄村")
        tree = page.get_by_test_id("grid-tree")
        expect(tree).to_be_visible()
        expect(tree).to_contain_text("网格")
        b.assert_accessible(page, "village-grid")
        b.screenshot(page, "village-grid")
        for tab, shown in (
            ("issues", "issue-board"),
            ("points", "points-ranking"),
            ("economy", "contracts-progress"),
            ("works", "works-table"),
        ):
            b.open_tab(page, tab)
            expect(page.get_by_test_id(shown)).to_be_visible()
            b.assert_accessible(page, f"village-{tab}")
            b.screenshot(page, f"village-{tab}")
        b.open_tab(page, "economy")
        expect(page.get_by_test_id("contracts-progress")).to_contain_text("98")
        expect(page.get_by_test_id("income-by-source")).to_contain_text("承包费")
        for tab in ("remediation", "practical"):
            b.open_tab(page, tab)
            b.screenshot(page, f"village-{tab}")
        # Another village: the secretary's token does not reach it.
        page.goto(f"{platform.gateway_url}/village/141121101201")
        expect(page.get_by_text("无权查看").first).to_be_visible()
        expect(page.get_by_test_id("issue-board")).to_have_count(0)


def test_a_resident_raises_an_issue_on_a_phone_and_the_village_sees_it(
    platform: RunningPlatform, demo: dict[str, Any], chromium: Browser
) -> None:
    title = f"路灯不亮 {uuid.uuid4().hex[:6]}"
    resident = _user(demo, f"demo-{DONGZHUANG}-resident-1")
    with b.context(
        chromium,
        viewport=b.PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 37.4312, "longitude": 112.0301},
        permissions=["geolocation"],
    ) as ctx:
        page = _page(ctx)
        b.log_in(page, platform.gateway_url, *resident)
        expect(page).to_have_url(re.compile("/resident$"))
        page.get_by_test_id("raise-category").click()
        page.get_by_role("option").first.click()
        page.get_by_test_id("raise-title").fill(title)
        page.get_by_test_id("raise-description").fill("村东头第三根路灯晚上不亮，已经一周了。")
        page.get_by_test_id("raise-grid").click()
        page.get_by_role("option").first.click()
        page.get_by_test_id("raise-use-location").click()
        page.get_by_test_id("raise-submit").click()
        mine = page.get_by_test_id("my-issues")
        expect(mine).to_contain_text(title, timeout=60_000)
        item = page.locator("[data-testid^='my-issue-']", has_text=title)
        issue_id = (item.get_attribute("data-testid") or "").removeprefix("my-issue-")
        assert issue_id
        # Phone-first: nothing wider than the phone.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= b.PHONE["width"]
        b.assert_accessible(page, "resident")
        b.screenshot(page, "resident-raised")

        # The village's board shows it to the secretary.
        with b.context(chromium) as office:
            board = _page(office)
            b.log_in(board, platform.gateway_url, *_user(demo, f"demo-{DONGZHUANG}-secretary"))
            b.open_tab(board, "issues")
            expect(board.get_by_test_id(f"issue-{issue_id}")).to_contain_text(title)
            b.screenshot(board, "village-board-with-new-issue")

        # The village staff resolve it (over the API); the resident confirms it and rates it.
        staff = platform.login(*_user(demo, f"demo-{DONGZHUANG}-staff"))
        issue = f"{platform.gateway_url}/api/v1/villages/{DONGZHUANG}/grid/issues/{issue_id}"
        with httpx.Client(headers={"Authorization": f"Bearer {staff}"}, timeout=30) as http:
            for step, body in (
                ("assign", {"assignee_kind": "chief", "assignee_id": "demo-chief"}),
                ("resolve", {"resolution": "已更换灯泡，路灯恢复照明。"}),
            ):
                answer = http.post(f"{issue}/{step}", json=body)
                assert answer.status_code < 300, (step, answer.text)
                wanted = {"assign": "assigned", "resolve": "resolved"}[step]
                eventually(lambda w=wanted: _status_is(http, issue, w), timeout=30)
        page.reload()
        page.get_by_test_id(f"confirm-{issue_id}").click()
        page.locator(".el-rate__item").nth(4).click()
        page.get_by_role("button", name=re.compile("提交|确认")).last.click()
        expect(item).to_contain_text("已确认", timeout=60_000)
        b.screenshot(page, "resident-confirmed")


def _status_is(http: httpx.Client, issue: str, wanted: str) -> bool | None:
    return True if http.get(issue).json()["status"] == wanted else None


def test_the_notice_board_reads_without_logging_in(
    platform: RunningPlatform, demo: dict[str, Any], chromium: Browser
) -> None:
    with b.context(chromium) as ctx:
        page = _page(ctx)
        sent: list[Request] = []
        page.on("request", lambda request: sent.append(request))
        page.goto(f"{platform.gateway_url}/public")
        page.get_by_test_id("public-village-select").click()
        page.get_by_role("option", name=re.compile("东庄村")).click()
        expect(page).to_have_url(re.compile(f"/public/{DONGZHUANG}$"))
        expect(page.get_by_test_id("public-announcements")).to_contain_text(
            "东庄村集体土地承包合同清理方案公告"
        )
        expect(page.get_by_test_id("public-finance")).to_contain_text("承包费")
        expect(page.get_by_test_id("public-notices")).to_contain_text("★")
        b.assert_accessible(page, "public")
        b.screenshot(page, "public")
        csv = page.get_by_test_id("public-finance-csv").get_attribute("href") or ""
        assert "format=csv" in csv
        download = httpx.get(f"{platform.gateway_url}{csv}" if csv.startswith("/") else csv)
        assert download.status_code == 200 and "text/csv" in download.headers["content-type"]
        time.sleep(0.5)  # the last reads of the page
        api_calls = [r for r in sent if "/api/" in r.url]
        assert api_calls, "the board made no API call"
        assert not [r.url for r in api_calls if "authorization" in r.headers], "a token was sent"
        assert all("/api/v1/public/" in r.url for r in api_calls), [r.url for r in api_calls]


def test_a_service_that_does_not_answer_leaves_the_rest_of_the_county_page(
    platform: RunningPlatform, demo: dict[str, Any], chromium: Browser
) -> None:
    """livelihood paused (SIGSTOP): the county's summary comes back partial after the gateway's
    upstream timeout, and the page says so and shows the other services' figures."""
    pid = platform.pid("livelihood")
    assert pid is not None
    with b.context(chromium) as ctx:
        page = _page(ctx)
        b.log_in(page, platform.gateway_url, *_user(demo, "demo-admin"))
        os.kill(pid, signal.SIGSTOP)
        try:
            page.goto(f"{platform.gateway_url}/county")
            warning = page.get_by_test_id("partial-warning")
            expect(warning).to_be_visible(timeout=90_000)
            expect(warning).to_contain_text("民生")
            page.get_by_test_id("county-filter").fill("东庄")
            row = page.locator("tr", has=page.get_by_test_id(f"county-row-{DONGZHUANG}"))
            expect(row).to_contain_text("98")  # economy's figures still there
            b.screenshot(page, "county-partial")
        finally:
            os.kill(pid, signal.SIGCONT)


def test_the_gateway_serves_the_built_page_and_leaves_the_api_alone(
    platform: RunningPlatform,
) -> None:
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as http:
        page = http.get(f"/village/{DONGZHUANG}")  # a route of the app: the page
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert '<html lang="zh-CN">' in page.text
        assert page.headers["cache-control"] == "no-cache"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        script = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
        assert script, page.text
        asset = http.get(script.group(1))  # httpx asks for gzip, and decodes it
        assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]
        assert "immutable" in asset.headers["cache-control"]
        assert asset.headers["content-encoding"] == "gzip"  # compressed once, by the build
        plain = http.get(script.group(1), headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.content == asset.content and len(plain.content) > 1000
        for path in ("/api/v1/no-such-thing", "/docs/nothing", "/assets/no-such.js"):
            missing = http.get(path)
            assert missing.status_code == 404, path
            assert not missing.headers["content-type"].startswith("text/html"), path
        assert http.get("/openapi.json").json()["info"]["title"].startswith("Xiangzhi")
