"""Visits that have not happened yet: the store refuses a visit dated in the future.

The attack: ``Store.create_inspection`` (and so the form) accepted any date, so
a visit dated next year was recorded, counted in this year's indicators and
reports, and could be finalized before it took place. The store now refuses a
visit (``Store.create_visit``), or the closing of a corrective action, dated
after today plus ``core.text.FUTURE_MARGIN`` (one day, for the time zones
between the server and the inspectors), in both languages, naming the field;
nothing is written. The one rule lives in the store, so the form, notebooks
and scripts all meet it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from audit_lib.core.errors import InputError, Reason
from audit_lib.core.text import FUTURE_MARGIN, latest_day
from tests.factories import SHEET, establishment, visit
from tests.store.test_store import _dump


def create(store, eid: int, day) -> str:
    return visit(store, establishment_id=eid, visited_on=day, team=["Lò Văn Minh"])


@pytest.mark.parametrize(
    "ahead, spelling",
    [(2, "%Y-%m-%d"), (2, "%d/%m/%Y"), (365, "%Y-%m-%d"), (3650, "date")],
    ids=["day-after-tomorrow", "day-first", "next-year", "a-date-object"],
)
def test_an_inspection_dated_after_tomorrow_is_refused_and_nothing_is_written(
    store, ahead, spelling
):
    eid = establishment(store)
    before = _dump(store)
    day = dt.date.today() + dt.timedelta(days=ahead)
    with pytest.raises(InputError) as caught:
        create(store, eid, day if spelling == "date" else day.strftime(spelling))
    (problem,) = caught.value.problems
    assert (problem.file, problem.field, problem.reason) == (
        f"establishment {eid}",
        "visited_on",
        Reason.VALUE,
    )
    latest = latest_day()
    assert problem.message == (
        f"inspection date {day:%Y-%m-%d} is in the future (at the latest {latest:%Y-%m-%d}): "
        "record only a visit that has taken place "
        f"(ngày kiểm tra {day:%d/%m/%Y} ở tương lai (muộn nhất là {latest:%d/%m/%Y}): "
        "chỉ ghi cuộc kiểm tra đã diễn ra)"
    )
    assert _dump(store) == before


@pytest.mark.parametrize("ago", [-1, 0, 1, 400])
def test_today_tomorrow_and_the_past_are_accepted(store, ago):
    day = dt.date.today() - dt.timedelta(days=ago)
    vid = create(store, establishment(store), day.isoformat())
    assert store.visit(vid)["visited_on"].date() == day
    assert store.visit_sheets(vid)["inspected_on"].iloc[0].date() == day


def test_the_margin_is_one_day():
    assert dt.timedelta(days=1) == FUTURE_MARGIN
    assert latest_day() == dt.date.today() + dt.timedelta(days=1)


def test_a_future_date_is_refused_with_the_other_problems(store):
    eid = establishment(store)
    day = (latest_day() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(InputError) as caught:
        store.create_visit(eid, day, "surprise", ["A"], [SHEET], by="a")
    assert {p.field for p in caught.value.problems} == {"type", "visited_on"}
    assert store.visits(status=None).empty and store.inspections(status=None).empty


def test_a_corrective_action_closed_in_the_future_is_refused(store):
    vid = visit(store)
    iid = store.visit_sheets(vid)["inspection_id"].iloc[0]
    store.save_answer(iid, "A.2", "noncompliant", by="a")
    store.finalize_visit(vid, by="a")
    action = int(store.actions()["action_id"].iloc[0])
    before = _dump(store)
    with pytest.raises(InputError) as caught:
        store.close_action(action, latest_day() + dt.timedelta(days=1), by="a")
    assert [p.field for p in caught.value.problems] == ["closed_on"]
    assert _dump(store) == before
