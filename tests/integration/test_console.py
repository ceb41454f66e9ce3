"""The review console's pages (without a browser; the browser test is tests/e2e/test_console_browser):
who may see them, the queue's filters and counts, decisions with reasons, unmasked views logged,
a household's whole aid picture, the overview's charts."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.matching.adapters.orm import LinkDecision, ViewLog
from services.matching.service.identity import rerun
from services.matching.service.intake_events import HANDLERS
from shared.events.consumer import FeedConsumer
from tests.intake_data import make_id
from tests.integration.test_matching_review import REVIEW, run_rules
from tests.integration.test_workflow import act, approved_long_ago
from tests.matching_data import person, persons_of, resolve, send
from tests.support import auth

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ID_TWICE = make_id("19560101")


def county(matching: TestClient) -> None:
    """A grey pair (刘芳 / 刘方: homophones, same birth date, no IDs, two counties), and a person
    in 低保 and 特困 at once (finding D1) whose household has a second member."""
    home = {"division_code": "110105001", "household_ref": "h1", "address": "北京市朝阳区幸福街道8号"}
    send(
        matching,
        "mca.dibao",
        [
            person("x3", "刘芳", None, "1975-07-07", sex="女", programme="dibao", division_code="110105001"),
            person("d1", "周国强", ID_TWICE, programme="dibao", attributes={"phone": "13812345678"}, **home),
            person("d2", "周小梅", make_id("20100101", male=False), programme="dibao", **home),
        ],
    )
    send(
        matching,
        "nhsa.medical",
        [person("y3", "刘方", None, "1975-07-07", sex="女", division_code="110108001")],
    )
    send(
        matching,
        "mca.tekun",
        [person("t1", "周国强", ID_TWICE, programme="tekun", division_code="110105002")],
    )
    resolve(matching)
    run_rules(matching)


def page(matching: TestClient, path: str, **params: str) -> str:
    response = matching.get(path, params=params or None, headers=REVIEW)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.text


def count(html: str, what: str) -> int:
    found = re.search(rf'id="count-{what}">(\d+)<', html)
    assert found, html
    return int(found.group(1))


def test_without_the_review_scope_there_is_no_page_and_no_data(matching: TestClient) -> None:
    county(matching)
    pair_id = re.findall(r"/console/pairs/(\d+)", page(matching, "/console"))[0]
    other = auth("matching", "matching:check", subject="county:clerk")
    for path in ("/console", f"/console/pairs/{pair_id}", "/console/history", "/console/overview"):
        response = matching.get(path, headers=other)
        assert response.status_code == 403, path
        assert not [w for w in ("刘", "周", "data-href", "mark-", "110105") if w in response.text], path
    decided = matching.post(
        f"/console/pairs/{pair_id}/decision",
        content="decision=same_person&reason=nope",
        headers={**other, **FORM},
    )
    assert decided.status_code == 403
    with matching.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        assert uow.session.scalar(select(func.count()).select_from(LinkDecision)) == 0
    anonymous = matching.get("/console", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/console/login"
    other_token = other["Authorization"].removeprefix("Bearer ")
    signed = matching.post(
        "/console/login", content=f"token={other_token}", headers=FORM, follow_redirects=False
    )
    assert signed.status_code == 403 and "set-cookie" not in signed.headers
    forged = matching.post(
        "/console/login", content="token=abc.def.ghi", headers=FORM, follow_redirects=False
    )
    assert forged.status_code == 401


def test_signing_in_keeps_the_token_in_a_strict_http_only_cookie(matching: TestClient) -> None:
    token = REVIEW["Authorization"].removeprefix("Bearer ")
    signed = matching.post("/console/login", content=f"token={token}", headers=FORM, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/console"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert matching.get("/console").status_code == 200  # the client keeps the cookie
    matching.post("/console/logout")
    assert matching.get("/console", follow_redirects=False).status_code == 303


def test_the_queue_filters_and_counts(matching: TestClient) -> None:
    county(matching)
    everything = page(matching, "/console")
    assert (count(everything, "pairs"), count(everything, "findings")) == (1, 1)
    assert "刘*" in everything and "刘芳" not in everything  # masked in the queue
    assert count(page(matching, "/console", division="110105"), "pairs") == 1  # either record's
    assert count(page(matching, "/console", division="110106"), "pairs") == 0
    assert count(page(matching, "/console", programme="dibao"), "findings") == 1
    assert count(page(matching, "/console", programme="linshi"), "findings") == 0
    assert count(page(matching, "/console", rule="D1"), "findings") == 1
    by_rule = page(matching, "/console", rule="G1")
    assert (count(by_rule, "findings"), count(by_rule, "pairs")) == (0, 0)  # pairs have no rule
    assert count(page(matching, "/console", severity="low"), "findings") == 0
    refused = matching.get("/console", params={"division": "x"}, headers=REVIEW)
    assert refused.status_code == 400 and "division" in refused.text
    english = page(matching, "/console", lang="en")
    assert "Uncertain pairs" in english and "待定记录对" not in english


def test_a_pair_is_compared_field_by_field_and_decided_with_a_reason(matching: TestClient) -> None:
    county(matching)
    pair_id = re.findall(r"/console/pairs/(\d+)", page(matching, "/console"))[0]
    html = page(matching, f"/console/pairs/{pair_id}")
    assert re.search(r'data-field="name" class="mark-homophone"', html)
    assert re.search(r'data-field="birth_date" class="mark-agree"', html)
    assert "name_homophone" in html and "刘芳" in html and "刘方" in html  # names: what is judged

    no_reason = matching.post(
        f"/console/pairs/{pair_id}/decision",
        content="decision=different_people&reason=",
        headers={**REVIEW, **FORM},
    )
    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.text
    before = persons_of(matching)
    decided = matching.post(
        f"/console/pairs/{pair_id}/decision",
        content="decision=different_people&reason=" + "两人户籍地不同",
        headers={**REVIEW, **FORM},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    after = page(matching, "/console")
    assert count(after, "pairs") == 0 and f"/console/pairs/{pair_id}" not in after
    assert "两人户籍地不同" in page(matching, "/console/history")
    with matching.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        [stored] = uow.session.scalars(select(LinkDecision))
        assert (stored.same_person, stored.reviewer) == (False, "county:reviewer-1")
    assert persons_of(matching)[("mca.dibao", "x3")] == before[("mca.dibao", "x3")]
    app = matching.app
    rerun(app.state.db, app.state.index)  # a later full run: still apart, the pair stays decided
    again = persons_of(matching)
    assert again[("mca.dibao", "x3")] != again[("nhsa.medical", "y3")]
    assert count(page(matching, "/console"), "pairs") == 0


def test_a_wrong_merge_is_undone_from_the_console_and_stays_undone(matching: TestClient) -> None:
    """The engine links two records (same name and birth date, no ID on one side); a reviewer,
    comparing the person's records, decides they are two people."""
    born = make_id("19650303", male=False)
    send(
        matching,
        "mca.dibao",
        [person("a1", "李秀英", born, "1965-03-03", sex="女", division_code="110105001")],
    )
    send(
        matching,
        "nhsa.medical",
        [person("m1", "李秀英", None, "1965-03-03", sex="女", division_code="110105001")],
    )
    resolve(matching)
    assert len(set(persons_of(matching).values())) == 1
    both = page(matching, "/console/compare", record=["mca.dibao/a1", "nhsa.medical/m1"])  # type: ignore[arg-type]
    assert "李秀英" in both and "birth_exact" in both
    assert matching.get("/console/compare?record=mca.dibao/a1", headers=REVIEW).status_code == 400
    body = "a=mca.dibao/a1&b=nhsa.medical/m1&decision=different_people&reason=" + "入户核实为两人"
    decided = matching.post(
        "/console/decisions", content=body, headers={**REVIEW, **FORM}, follow_redirects=False
    )
    assert decided.status_code == 303
    app = matching.app
    rerun(app.state.db, app.state.index)
    persons = persons_of(matching)
    assert persons[("mca.dibao", "a1")] != persons[("nhsa.medical", "m1")]
    assert "入户核实为两人" in page(matching, "/console/history")


def test_every_view_of_unmasked_data_is_logged_with_its_fields(matching: TestClient) -> None:
    county(matching)
    pair_id = re.findall(r"/console/pairs/(\d+)", page(matching, "/console"))[0]
    assert "110105********" not in page(matching, f"/console/pairs/{pair_id}")  # no IDs here
    for _ in range(2):
        shown = matching.post(f"/console/pairs/{pair_id}/reveal", headers=REVIEW)
        assert shown.status_code == 200 and "刘芳" in shown.text and "刘方" in shown.text
    finding_id = re.findall(r"/console/findings/([0-9a-f-]{36})", page(matching, "/console"))[0]
    compare = re.search(
        r'id="compare-records" href="([^"]+)"', page(matching, f"/console/findings/{finding_id}")
    )
    assert compare
    both = page(matching, compare.group(1).replace("&amp;", "&"))
    assert "周国强" in both and ID_TWICE not in both and "id_exact" in both  # the ID masked, the evidence
    with matching.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        views = list(uow.session.scalars(select(ViewLog).order_by(ViewLog.id)))
    assert [(v.reviewer, v.view, v.fields) for v in views] == [
        ("county:reviewer-1", f"pair/{pair_id}", ["name"]),
        ("county:reviewer-1", f"pair/{pair_id}", ["name", "id_number", "address", "phone"]),
        ("county:reviewer-1", f"pair/{pair_id}", ["name", "id_number", "address", "phone"]),
        ("county:reviewer-1", "compare", ["name"]),
    ]
    assert sorted(map(tuple, views[0].records)) == [("mca.dibao", "x3"), ("nhsa.medical", "y3")]
    assert f"pair/{pair_id}" in page(matching, "/console/history")


def test_a_finding_is_confirmed_and_its_household_shows_every_aid(matching: TestClient) -> None:
    county(matching)
    finding_id = re.findall(r"/console/findings/([0-9a-f-]{36})", page(matching, "/console"))[0]
    html = page(matching, f"/console/findings/{finding_id}")
    assert "D1" in html and "110105********" in html  # the ID masked
    person_id = re.findall(r"/console/persons/(P[0-9A-F]+)", html)[0]
    home = page(matching, f"/console/persons/{person_id}")
    assert "mca.dibao" in home and "mca.tekun" in home  # every source's aid
    assert "周*梅" in home  # the other member of the household
    assert "138****5678" in home and "13812345678" not in home
    shown = matching.post(f"/console/persons/{person_id}/reveal", headers=REVIEW).text
    assert "13812345678" in shown and "周小梅" in shown

    confirmed = matching.post(
        f"/console/findings/{finding_id}/decision",
        content="decision=confirm&reason=" + "已核实重复享受",
        headers={**REVIEW, **FORM},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert count(page(matching, "/console"), "findings") == 0
    assert "已核实重复享受" in page(matching, "/console/history")
    assert "confirmed" in page(matching, f"/console/findings/{finding_id}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_draws_findings_by_week_and_coverage_by_township(
    matching: TestClient, lang: str
) -> None:
    county(matching)
    html = page(matching, "/console/overview", lang=lang)
    weekly = re.search(r'id="chart-weekly"><svg.*?</svg>', html, re.S)
    coverage = re.search(r'id="chart-coverage"><svg.*?</svg>', html, re.S)
    assert weekly and "D1" in weekly.group(0)
    assert coverage and "110105001" in coverage.group(0) and "110105002" in coverage.group(0)
    assert ("在保人数" if lang == "zh" else "Persons receiving") in coverage.group(0)


def test_the_household_shows_when_intake_reviews_the_aid_next(
    matching: TestClient, intake: TestClient
) -> None:
    """动态复核: the next review date travels from intake's workflow to the household view."""
    approved = approved_long_ago(intake)
    intake.headers.update(auth("intake", "events:read"))
    consumer = FeedConsumer("intake", matching.app.state.db, intake, HANDLERS)  # type: ignore[attr-defined]
    consumer.drain()
    resolve(matching)
    person_id = next(p for (source, _), p in persons_of(matching).items() if source == "intake")
    assert approved["next_review_on"] in page(matching, f"/console/persons/{person_id}")
    reviewed = act(intake, approved["id"], "review", outcome="unchanged")
    assert reviewed["next_review_on"] != approved["next_review_on"]
    consumer.drain()
    html = page(matching, f"/console/persons/{person_id}")
    assert reviewed["next_review_on"] in html and approved["next_review_on"] not in html
