"""The deterministic Phong Thổ sample: reproducible, and consistent as real registers must be."""

from __future__ import annotations

import datetime as dt
import math
import os

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import PG_REASON, SAMPLE, copy_db, fresh_pg_database, require

from audit_lib.checklists import load_checklists
from audit_lib.cli import main
from audit_lib.core.errors import StoreError
from audit_lib.core.vocabulary import high_risk_of
from audit_lib.registers._import import REGISTERS, check_rows
from audit_lib.sample import generate
from audit_lib.scoring import score_many
from audit_lib.store import open_store, schema

REORGANISED = pd.Timestamp(2025, 7, 1)


def dump(store) -> dict[str, list[tuple]]:
    with store.engine.connect() as conn:
        return {
            name: sorted(map(tuple, conn.execute(sa.select(table)).all()), key=repr)
            for name, table in schema.metadata.tables.items()
        }


def assert_same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal values, whatever datetime resolution or integer width each backend returned."""

    def plain(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.astype(
            {c: "datetime64[us]" for c in frame if pd.api.types.is_datetime64_any_dtype(frame[c])}
        )

    pd.testing.assert_frame_equal(plain(left), plain(right), check_dtype=False)


def test_the_same_seed_gives_identical_databases_and_another_seed_does_not(tmp_path, empty_db_file):
    dumps = []
    for name, seed in (("a", 453), ("b", 453), ("c", 7)):
        store = open_store(copy_db(empty_db_file, tmp_path / f"{name}.db"))
        generate(store, seed=seed, scale=0.1, years=(2024, 2025))
        dumps.append(dump(store))
        store.close()
    assert dumps[0] == dumps[1]
    assert dumps[0]["establishments"] != dumps[2]["establishments"]


@pytest.mark.postgres
def test_postgresql_holds_the_same_sample_as_sqlite(tmp_path):
    server = os.environ.get("AUDIT_TEST_PG_URL")
    if not server:
        require("AUDIT_TEST_PG_URL", PG_REASON)
    url, drop = fresh_pg_database(server)
    stores = [open_store(u, upgrade=True) for u in (url, f"sqlite:///{tmp_path / 'lite.db'}")]
    try:
        for store in stores:
            generate(store, scale=0.1, years=(2024, 2025))
        pg, lite = stores
        assert pg.counts() == lite.counts()
        for frame in ("establishments", "units", "crosswalk", "findings", "actions"):
            assert_same(getattr(pg, frame)(), getattr(lite, frame)())
        assert_same(pg.inspections(status=None), lite.inspections(status=None))
        for kind in schema.REGISTER_KEYS:
            assert_same(pg.register(kind), lite.register(kind))
    finally:
        for store in stores:
            store.close()
        drop()


def test_a_database_with_establishments_is_refused(sample_store):
    before = sample_store.counts()
    with pytest.raises(StoreError, match="empty database"):
        generate(sample_store, scale=SAMPLE["scale"])
    assert sample_store.counts() == before


def test_units_are_the_17_old_and_5_new_communes_and_the_crosswalk_covers_every_old_one(
    sample_store,
):
    units = sample_store.units()
    communes = units[units["level"] == "commune"]
    old = communes[communes["valid_to"] == pd.Timestamp(2025, 6, 30)]
    new = communes[communes["valid_from"] == REORGANISED]["unit_code"]
    assert (old["parent_code"] == "PT").sum() == 17
    # Phong Thổ's 5 communes, and Đoàn Kết ward of Lai Châu, which took Lản Nhì Thàng
    assert sorted(new) == ["LC-DK", "LC-DS", "LC-KL", "LC-PT", "LC-SLL", "LC-SSH"]
    crosswalk = sample_store.crosswalk()
    assert sorted(crosswalk["old_code"]) == sorted(old["unit_code"])
    assert set(crosswalk["new_code"]) == set(new)
    assert crosswalk["illustrative"].all()
    est = sample_store.establishments()
    before = est["active_from"] < REORGANISED
    placed = est.loc[before, "unit_code"].map(units.set_index("unit_code")["parent_code"])
    assert (placed == "PT").all()  # the sample is Phong Thổ's: none in Thèn Sin or Đoàn Kết


def test_establishments_have_realistic_sizes_and_new_ones_use_new_communes(sample_store):
    est = sample_store.establishments()
    assert len(est) == round(300 * SAMPLE["scale"])
    assert est["code"].is_unique
    size = est.groupby("kind")["workforce"].agg(["min", "max"])
    assert size.loc["household", "min"] >= 2 and size.loc["household", "max"] <= 9
    assert size.loc["enterprise", "max"] <= 800
    assert (est["strict_workers"] <= est["workforce"]).all()
    late = est["active_from"] >= REORGANISED
    assert est.loc[late, "unit_code"].str.startswith("LC-").all()
    assert est.loc[~late, "unit_code"].str.startswith("PT-").all()
    assert est.loc[est["sector"].isin(["mining", "hydropower"]), "high_risk"].all()


def test_high_risk_is_the_laws_and_hazardous_jobs_follow_the_sector(sample_store):
    est = sample_store.establishments()
    law = [bool(high_risk_of(s, v)) for s, v in zip(est["sector"], est["vsic"], strict=True)]
    assert est["high_risk"].astype(bool).tolist() == law
    assert not est.loc[est["sector"].isin(["wood", "agriculture", "trade"]), "high_risk"].any()
    bricks = (est["sector"] == "manufacturing") & est["vsic"].str.startswith("23")
    assert bricks.any() and est.loc[bricks, "high_risk"].all()
    hazardous = est["hazardous_workers"]
    known = hazardous.notna()
    assert 0 < (~known).sum() < 0.2 * len(est)  # some registers do not say
    assert (hazardous[known] <= est.loc[known, "workforce"]).all()
    share = (hazardous / est["workforce"])[known].groupby(est["sector"][known]).mean()
    assert share["mining"] > share["construction"] > share["agriculture"] > share["trade"] == 0


def test_every_register_passes_the_import_checks(sample_store):
    for kind in ("workforce", "accidents", "compensation", "training", "od_exams",
                 "env_monitoring", "outreach"):  # fmt: skip
        frame = sample_store.register(kind)
        frame["_row"] = np.arange(2, len(frame) + 2)
        for name in ("occurred_on", "declared_on", "investigation_completed_on", "paid_on",
                     "monitored_on", "reached_on"):  # fmt: skip
            if name in frame:
                frame[name] = [None if pd.isna(v) else v.date() for v in frame[name]]
        problems = check_rows(sample_store, REGISTERS[kind], frame, kind)
        assert problems == [], problems[:3]
        assert set(frame["source"]) == {"sample (illustrative)"}


def test_accidents_are_few_and_declared_and_investigated_after_they_happen(sample_store):
    acc = sample_store.register("accidents")
    assert (acc["deaths"] <= acc["victims"]).all()
    assert (acc["deaths"] + acc["serious_injuries"] <= acc["victims"]).all()
    assert (acc["declared_on"].dropna() >= acc.loc[acc["declared_on"].notna(), "occurred_on"]).all()
    done = acc["investigation_completed_on"].notna()
    assert (acc.loc[done, "investigation_completed_on"] >= acc.loc[done, "occurred_on"]).all()
    deaths = acc.groupby(acc["occurred_on"].dt.year)["deaths"].sum()
    assert (deaths <= math.ceil(5 * SAMPLE["scale"])).all()
    fatal = acc[acc["deaths"] > 0]
    assert fatal["declared_on"].notna().all()
    after = acc["occurred_on"] >= REORGANISED
    assert acc.loc[after, "unit_code"].str.startswith("LC-").all()


def test_compensation_is_per_victim_of_labour_relations_accidents(sample_store):
    acc = sample_store.register("accidents").set_index("accident_id")
    comp = sample_store.register("compensation")
    assert len(comp) > 0
    assert acc.loc[comp["accident_id"], "labour_relations"].all()
    assert (
        comp["victim_no"].to_numpy() <= acc.loc[comp["accident_id"], "victims"].to_numpy()
    ).all()
    paid = comp[comp["compensated"]]
    assert paid["amount_vnd"].gt(0).all() and paid["paid_on"].notna().all()


def test_training_never_exceeds_headcount_and_covers_managers_and_health_workers(sample_store):
    training = sample_store.register("training")
    assert (training["trained"] <= training["headcount"]).all()
    assert training["group"].between(1, 6).all()
    unit_level = training[training["establishment_code"].isna()]
    assert set(unit_level["category"]) == {"unit_manager", "health_worker"}
    # the district's five new communes; not Đoàn Kết ward, which took Lản Nhì Thàng into
    # Lai Châu city (mostly made of the city's own ward: data/units/crosswalk.csv)
    assert set(unit_level.loc[unit_level["year"] == 2025, "unit_code"]) == {
        "LC-PT", "LC-SSH", "LC-DS", "LC-SLL", "LC-KL",
    }  # fmt: skip


def test_workforce_is_at_least_the_establishments_workforce(sample_store):
    workforce = sample_store.register("workforce")
    assert (workforce["workers_labour_relations"] <= workforce["workers"]).all()
    est = sample_store.establishments()
    active_2024 = est[(est["active_from"].dt.year <= 2024) & ~(est["active_to"].dt.year < 2024)]
    assert (
        workforce.loc[workforce["year"] == 2024, "workers"].sum() > active_2024["workforce"].sum()
    )


def test_every_inspection_names_the_fingerprint_of_the_shipped_checklist(sample_store):
    checklists = load_checklists()
    insp = sample_store.inspections(status=None, current_only=False)
    assert len(insp) > 0
    shipped = insp["checklist_id"].map(lambda c: checklists[c].fingerprint)
    assert (insp["checklist_fingerprint"] == shipped).all()
    assert set(insp["type"]) <= {"periodic", "unannounced", "follow_up", "accident"}


def test_stored_findings_are_what_scoring_finds_in_the_stored_answers(sample_store):
    insp = sample_store.inspections(status="final", current_only=False)
    scored = score_many(
        load_checklists(), sample_store.responses(), insp, sample_store.establishments()
    )
    stored = sample_store.findings()
    assert set(zip(stored["inspection_id"], stored["item_id"], strict=True)) == set(
        zip(scored.findings["inspection_id"], scored.findings["item_id"], strict=True)
    )


@pytest.mark.slow  # the full-size sample: the 0.4 one is too small to show a trend
def test_riskier_sectors_violate_more_and_everyone_improves(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'full.db'}", upgrade=True) as store:
        generate(store, seed=453)
        est = store.establishments()[["establishment_id", "sector"]]
        scores = store.inspections().merge(est, on="establishment_id")  # stored results
    scores = scores[scores["checklist_id"] == "general"]  # one yardstick for every sector
    risky = scores["sector"].isin(["mining", "hydropower", "construction"])
    assert scores.loc[risky, "score"].mean() < scores.loc[~risky, "score"].mean()
    year = scores["inspected_on"].dt.year
    assert scores.loc[year == 2021, "score"].mean() < scores.loc[year == 2025, "score"].mean()


def test_revisions_carry_a_reason_and_supersede_a_final_inspection(sample_store):
    every = sample_store.inspections(status=None, current_only=False).set_index("inspection_id")
    revised = every[every["revision"] > 1]
    assert revised["reason"].str.len().gt(0).all()
    assert (every.loc[revised["supersedes"], "status"] == "final").all()
    current = sample_store.inspections()
    assert not current["inspection_id"].isin(revised["supersedes"]).any()


def test_corrective_actions_close_after_the_inspection_and_not_after_the_period(sample_store):
    actions = sample_store.actions()
    insp = sample_store.inspections(status=None, current_only=False).set_index("inspection_id")
    closed = actions[actions["status"] == "closed"]
    assert 0 < len(closed) < len(actions)
    inspected = insp.loc[closed["inspection_id"], "inspected_on"].to_numpy()
    assert (closed["closed_on"].to_numpy() > inspected).all()
    assert (closed["closed_on"] <= pd.Timestamp(2025, 12, 31)).all()
    late = closed["closed_on"] > closed["due_on"]
    assert 0 < late.sum() < len(closed)
    verified = closed.dropna(subset=["verified_in"])
    visits = sample_store.visits(status=None, current_only=False).set_index("visit_id")
    assert len(verified) and (visits.loc[verified["verified_in"], "type"] == "follow_up").all()
    seen_on = pd.to_datetime(visits.loc[verified["verified_in"], "visited_on"]).to_numpy()
    assert (verified["closed_on"].to_numpy() == seen_on).all()  # closed by the follow-up
    assert actions.loc[actions["status"] == "open", "closed_on"].isna().all()


def test_cli_sample_writes_and_says_where(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        main, ["sample", "--db", url, "--scale", "0.05", "--years", "2025", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert url in result.output and "establishments: 15 rows" in result.output
    again = CliRunner().invoke(main, ["sample", "--db", url, "--scale", "0.05"])
    assert again.exit_code == 2 and "empty database" in again.output
    bad = CliRunner().invoke(main, ["sample", "--db", url, "--years", "2025-2021"])
    assert bad.exit_code == 2 and "2021-2025" in bad.output


def test_sample_dates_stay_inside_the_years_asked_for(tmp_path, empty_db_file):
    store = open_store(copy_db(empty_db_file, tmp_path / "s.db"))
    generate(store, scale=0.1, years=(2023, 2024))
    insp = store.inspections(status=None, current_only=False)
    assert insp["inspected_on"].between(pd.Timestamp(2023, 1, 1), pd.Timestamp(2024, 12, 31)).all()
    assert set(store.register("workforce")["year"]) == {2023, 2024}
    assert insp["created_at"].min() >= pd.Timestamp(dt.date(2023, 1, 1))
    store.close()


def test_every_final_visit_is_one_record_numbered_without_gaps_per_year(sample_store):
    visits = sample_store.visits(status=None, current_only=False)
    final, drafts = visits[visits["status"] == "final"], visits[visits["status"] == "draft"]
    assert len(drafts) and drafts["record_number"].isna().all()
    assert final["record_number"].notna().all() and final["record_number"].is_unique
    first = final[final["revision"] == 1].sort_values(["visited_on", "record_number"])
    for year, group in first.groupby(pd.to_datetime(first["visited_on"]).dt.year):
        numbers = group["record_number"].str.extract(r"^(\d+)/(\d+)/")
        assert (numbers[1].astype(int) == year).all()
        assert sorted(numbers[0].astype(int)) == list(range(1, len(group) + 1))
    sheets = sample_store.inspections(status=None, current_only=False)
    assert sheets["visit_id"].isin(visits["visit_id"]).all()
    per_visit = sheets.groupby("visit_id")["checklist_id"]
    assert (per_visit.nunique() == per_visit.size()).all()  # one sheet per checklist


def test_a_revision_revises_the_whole_visit_and_keeps_every_sheet(sample_store):
    visits = sample_store.visits(status=None, current_only=False).set_index("visit_id")
    revised = visits[visits["revision"] > 1]
    assert len(revised) and revised["reason"].str.len().gt(0).all()
    sheets = sample_store.inspections(status=None, current_only=False)
    count = sheets.groupby("visit_id").size()
    assert (count[revised.index].to_numpy() == count[revised["supersedes"]].to_numpy()).all()
    assert revised["record_number"].str.endswith("-SĐ2").all()
    originals = visits.loc[revised["supersedes"], "record_number"].to_numpy()
    assert [n.removesuffix("-SĐ2") for n in revised["record_number"]] == list(originals)
