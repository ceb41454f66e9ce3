"""The review console in a real headless Chromium (Debian's package, installed by ``make browser``)
driven by Playwright, against matching served by a real uvicorn: open the queue, compare a pair,
decide "different people" with a reason, reload, and see the decision kept and the pair gone.
Screenshots go to ``test-artifacts/console/``."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_app
from tests.integration.test_console import county
from tests.integration.test_matching_review import REVIEW
from tests.matching_data import Served, persons_of

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("no Chromium here: `make browser` installs it", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser() -> Iterator[object]:
    assert CHROMIUM, "Chromium is missing: `make browser` installs it"
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def test_a_reviewer_decides_a_pair_in_the_browser(
    db_url: Callable[[str], str], browser: object, backend: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    app = make_app("matching", db_url("matching"), workers_enabled=False)
    with TestClient(app) as matching, Served(app) as url:
        county(matching)
        before = persons_of(matching)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")  # type: ignore[attr-defined]
        page.goto(f"{url}/console")
        assert page.url.endswith("/console/login")  # not signed in: the sign-in page, no data
        page.fill("#token", REVIEW["Authorization"].removeprefix("Bearer "))
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/console")
        assert page.inner_text("#count-pairs") == "1" and page.inner_text("#count-findings") == "1"
        page.screenshot(path=str(ARTIFACTS / f"1-queue-{backend}.png"), full_page=True)

        page.keyboard.press("j")  # the keyboard: move to the first row, open it
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/console/findings/.*"))
        page.go_back()
        page.click("#pairs a.compare")
        page.wait_for_url(re.compile(r".*/console/pairs/\d+$"))
        assert page.get_attribute('tr[data-field="name"]', "class") == "mark-homophone"
        assert page.get_attribute('tr[data-field="birth_date"]', "class") == "mark-agree"
        page.screenshot(path=str(ARTIFACTS / f"2-compare-{backend}.png"), full_page=True)

        page.keyboard.press("d")  # "different people", and the cursor goes to the reason
        assert page.is_checked('input[value="different_people"]')
        page.keyboard.type("入户核实：两人户籍地不同")
        page.click("#decide button[type=submit]")
        page.wait_for_url(re.compile(r".*/console\?decided=pair$"))
        page.reload()
        assert page.inner_text("#count-pairs") == "0"
        assert "/console/pairs/" not in page.inner_html("#pairs")
        page.screenshot(path=str(ARTIFACTS / f"3-decided-{backend}.png"), full_page=True)

        page.click("text=处理记录")
        assert "入户核实：两人户籍地不同" in page.inner_text("#pair-decisions")
        page.click("a.lang")  # English
        assert "Different people" in page.inner_text("#pair-decisions")
        page.screenshot(path=str(ARTIFACTS / f"4-history-{backend}.png"), full_page=True)
        page.click("nav >> text=Overview")
        assert (
            page.locator("#chart-weekly svg").count() == 1
            and page.locator("#chart-coverage svg").count() == 1
        )
        page.screenshot(path=str(ARTIFACTS / f"5-overview-{backend}.png"), full_page=True)
        page.goto(f"{url}/console/persons/{before[('mca.dibao', 'd1')]}")
        assert page.locator("section.member").count() == 2  # 周国强 and 周小梅
        page.screenshot(path=str(ARTIFACTS / f"6-household-{backend}.png"), full_page=True)
        after = persons_of(matching)
        assert after[("mca.dibao", "x3")] != after[("nhsa.medical", "y3")]
        assert after == before  # they were apart already; the decision keeps them so
