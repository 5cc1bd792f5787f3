"""Visits that have not happened yet: the store refuses an inspection dated in the future.

The attack: ``Store.create_inspection`` (and so the form) accepted any date, so
a visit dated next year was recorded, counted in this year's indicators and
reports, and could be finalized before it took place. The store now refuses a
date after today plus ``core.text.FUTURE_MARGIN`` (one day, for the time zones
between the server and the inspectors), in both languages, naming the field;
nothing is written. The one rule lives in the store, so the form, notebooks
and scripts all meet it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from audit_lib.core.errors import InputError, Reason
from audit_lib.core.text import FUTURE_MARGIN, latest_day
from tests.store.test_store import CHECKLIST, _dump, _establishment


def create(store, eid: int, day) -> str:
    return store.create_inspection(eid, CHECKLIST, day, "periodic", ["Lò Văn Minh"], by="minh")


@pytest.mark.parametrize(
    "ahead, spelling",
    [(2, "%Y-%m-%d"), (2, "%d/%m/%Y"), (365, "%Y-%m-%d"), (3650, "date")],
    ids=["day-after-tomorrow", "day-first", "next-year", "a-date-object"],
)
def test_an_inspection_dated_after_tomorrow_is_refused_and_nothing_is_written(
    store, ahead, spelling
):
    eid = _establishment(store)
    before = _dump(store)
    day = dt.date.today() + dt.timedelta(days=ahead)
    with pytest.raises(InputError) as caught:
        create(store, eid, day if spelling == "date" else day.strftime(spelling))
    (problem,) = caught.value.problems
    assert (problem.file, problem.field, problem.reason) == (
        f"establishment {eid}",
        "inspected_on",
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
    iid = create(store, _establishment(store), day.isoformat())
    assert store.inspections(status=None, ids=[iid])["inspected_on"].iloc[0].date() == day


def test_the_margin_is_one_day():
    assert dt.timedelta(days=1) == FUTURE_MARGIN
    assert latest_day() == dt.date.today() + dt.timedelta(days=1)


def test_a_future_date_is_refused_with_the_other_problems(store):
    eid = _establishment(store)
    day = (latest_day() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(InputError) as caught:
        store.create_inspection(eid, CHECKLIST, day, "surprise", ["A"], by="a")
    assert {p.field for p in caught.value.problems} == {"type", "inspected_on"}
    assert store.inspections(status=None).empty
