"""Overdue corrective actions per establishment and per commune on a day, and ``audit actions``.

The store is ``closings_store`` of ``tests/indicators/test_from_store.py``:
E1 "Công ty Xây dựng Ánh Dương" (commune A) has two actions due 2025-04-02,
one closed on time by a follow-up visit (2025-03-25), one closed late on
documents (2025-04-20); E2 "Hợp tác xã Cò Ma" (commune C, 60 % of it in Y
from July 2025) has one action due 2025-04-09, still open, from a record
since revised.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from audit_lib.analysis import Actions
from audit_lib.cli import main
from audit_lib.core.errors import InputError
from tests.indicators.test_from_store import closings_store

E1, E2 = "Công ty Xây dựng Ánh Dương", "Hợp tác xã Cò Ma"


@pytest.fixture
def actions(store) -> Actions:
    closings_store(store)
    return Actions.load(store)


def test_only_the_actions_of_current_final_records_are_read(actions):
    # three actions of visits 1 and 2's revision; the revised record's own is left out
    assert len(actions.actions) == 3


def test_overdue_per_establishment_on_a_day_by_hand(actions):
    # 2025-04-15: E1's late one (closed 04-20) and E2's open one are overdue
    table = actions.overdue(on=dt.date(2025, 4, 15))
    assert list(table.columns) == ["establishment", "commune", "overdue", "oldest_due_on"]
    assert table.values.tolist() == [
        [E1, "Xã Ánh Dương", 1, dt.date(2025, 4, 2)],
        [E2, "Xã Cò Ma", 1, dt.date(2025, 4, 9)],
    ]
    # 2025-04-02: due that day is not yet overdue; 2025-04-03: both of E1's were due,
    # one already closed
    assert actions.overdue(on="2025-04-02").empty
    assert actions.overdue(on="03/04/2025").values.tolist() == [
        [E1, "Xã Ánh Dương", 1, dt.date(2025, 4, 2)]
    ]
    # 2025-06-30: E1's was closed on 04-20, E2's is still open
    assert actions.overdue(on="2025-06-30")["establishment"].tolist() == [E2]


def test_overdue_per_commune_names_the_commune_valid_on_the_day(actions):
    april = actions.overdue(on="2025-04-15", by="commune", lang="en")
    assert list(april.columns) == ["commune", "establishments", "overdue", "oldest_due_on"]
    assert april.values.tolist() == [
        ["Anh Duong", 1, 1, dt.date(2025, 4, 2)],
        ["Co Ma", 1, 1, dt.date(2025, 4, 9)],
    ]
    # after the July 2025 merger E2's commune C lies mostly (60 %) in Y
    july = actions.overdue(on="2025-07-15", by="commune")
    assert july.values.tolist() == [["Xã Yên", 1, 1, dt.date(2025, 4, 9)]]


def test_bad_grouping_and_bad_day_are_clear_errors(actions):
    with pytest.raises(InputError, match="--by.*district"):
        actions.overdue(on="2025-04-15", by="district", lang="en")
    with pytest.raises(InputError, match="--on.*2025-13-01"):
        actions.overdue(on="2025-13-01", lang="en")


def audit(*args):
    return CliRunner().invoke(main, ["actions", *args], catch_exceptions=False)


def test_cli_table_csv_json_and_xlsx_with_headers_in_either_language(store, tmp_path):
    closings_store(store)
    url = store.engine.url.render_as_string(hide_password=False)
    table = audit("--db", url, "--on", "15/04/2025")
    assert table.exit_code == 0, table.output
    assert "quá hạn ngày 15/04/2025, theo cơ sở" in table.output
    assert "Số biện pháp quá hạn" in table.output and "02/04/2025" in table.output
    assert "Tổng: 2 biện pháp quá hạn tại 2 cơ sở" in table.output
    csv = audit("--db", url, "--on", "2025-04-15", "--by", "commune", "--format", "csv",
                "--lang", "en")  # fmt: skip
    frame = pd.read_csv(io.StringIO(csv.output))
    assert list(frame.columns) == ["Commune", "Establishments", "Overdue actions",
                                   "Oldest due date"]  # fmt: skip
    assert frame["Commune"].tolist() == ["Anh Duong", "Co Ma"]
    records = json.loads(audit("--db", url, "--on", "2025-06-30", "--format", "json").output)
    assert records == [
        {"establishment": E2, "commune": "Xã Cò Ma", "overdue": 1, "oldest_due_on": "2025-04-09"}
    ]
    out = tmp_path / "qua-han.xlsx"
    written = audit("--db", url, "--on", "2025-04-15", "--format", "xlsx", "--out", str(out))
    assert written.exit_code == 0 and str(out) in written.output
    sheet = pd.read_excel(out, sheet_name=None)["cơ sở"]
    assert sheet["Cơ sở"].tolist() == [E1, E2]
    none = audit("--db", url, "--on", "2025-01-01", "--lang", "en")
    assert "No overdue action." in none.output


def test_cli_refuses_bad_input_and_writes_nothing(store, tmp_path):
    closings_store(store)
    url = store.engine.url.render_as_string(hide_password=False)
    refused = audit("--db", url, "--format", "xlsx", "--lang", "en")
    assert refused.exit_code == 2 and "--out" in refused.output
    out = tmp_path / "never.csv"
    late = audit("--db", url, "--on", "31/02/2025", "--format", "csv", "--out", str(out))
    assert late.exit_code == 2 and "--on" in late.output and not out.exists()
