"""A visit dated in the future: the form shows the store's refusal beside the date.

The attack: the date picker took any day, and the form started inspections
dated next year. The store refuses such a date
(tests/store/test_future_dates.py); the form shows its message next to the
date field, in red, lists it in the message area, and starts nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.form import test_form
from tests.form.test_form import new_form

checklists, world = test_form.checklists, test_form.world  # its fixtures


def test_a_visit_after_tomorrow_is_refused_beside_the_date_and_nothing_starts(world, checklists):
    store, _, _ = world
    form = new_form(store, checklists, lang="en")
    form.search.value = "dat hiem"
    form.results.children[0].click()
    day = date.today() + timedelta(days=2)
    form.inspected_on.value = day
    form.start_button.click()

    assert f"inspection date {day:%Y-%m-%d} is in the future" in form.date_error.value
    assert "color:#b71c1c" in form.date_error.value
    assert "is in the future" in form.message.value
    assert store.inspections(status=None).empty
    assert not form.session.sheets

    form.inspected_on.value = date.today()
    form.start_button.click()
    assert len(store.inspections(status=None)) == len(form.session.sheets) > 0
    assert form.date_error.value == ""
