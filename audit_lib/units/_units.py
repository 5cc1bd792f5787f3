"""Administrative units as data: the hierarchy valid at a date, the 2025 crosswalk, roll-up.

Usage::

    from audit_lib.units import _units as units
    tree = units.Hierarchy(store.units(), store.crosswalk())
    tree.resolve("sin suoi ho")                  # a code, by name or alias, any case or accents
    tree.valid_at(date(2024, 12, 31), level="commune")   # the 17 old units
    m = tree.mapping(["OLD1", "OLD2"], level="commune", at=date(2025, 7, 1))
    # code -> unit_code (valid at the date, at that level), share, illustrative
    tree.roll_up(facts, ["numerator", "denominator"], level="district", at=date(2024, 12, 31))

Rules
    * A unit row is valid from ``valid_from`` (missing: always was) through
      ``valid_to`` inclusive (missing: still valid). A code may have several rows
      (a commune that changed parent keeps its code, with a new row).
    * Data recorded for a unit no longer valid at the date are carried across
      the crosswalk (``old_code -> new_code`` with ``effective_on <= at``),
      multiplying by ``share`` (the part of the old unit that went to the new
      one; 1.0 when whole), repeatedly until a valid unit is reached. Mappings
      flagged ``illustrative`` (not from a sourced decision) are flagged in the
      result, so reports can say so.
    * A valid unit is then mapped to its ancestor (or itself) at the requested
      level by following ``parent_code`` among the rows valid at the date.
      Data recorded at a coarser level than requested (a district total when
      communes are asked for) have no such ancestor and are left out of that
      level; they count again when a coarser level is asked for.
    * Data recorded for a unit created after the date (a new commune, when the
      old district is asked for) go back to the unit at the requested level
      that wholly contains the part of it from its *home* district (the
      district more than half of it came from, each old unit counted by its
      share): the one unit all those predecessors roll up to. A new unit formed
      from parts of several such units, or with no home district (half from
      each of two), cannot be split back and is left out of that level.
    * Units that crossed a district line (a commune of another district merged
      into one of ours, one of ours merged into a unit of another district)
      are named on the rows they change: :meth:`Hierarchy.crossings` gives a
      note per unit ("includes Thèn Sin from Tam Đường district", "from
      1 July 2025 excludes Lản Nhì Thàng, now in Đoàn Kết ward"), so no series
      silently gains or loses them.
    * Roll-up sums numerators and denominators; it never averages rates.
    * The shares of one old unit on one date add up to 1 (within
      :data:`SHARE_TOLERANCE`), or its records would be counted more than once
      (or partly lost); no unit is its own ancestor. :class:`Hierarchy` refuses
      frames that break either rule (:func:`unbalanced_shares`,
      :func:`parent_loops`), and so does the import of units and crosswalk.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd

from audit_lib.core.errors import InputError, Problem, Reason, raise_if_problems
from audit_lib.core.i18n import DEFAULT_LANG, both, tr
from audit_lib.core.resources import shipped
from audit_lib.core.text import fold
from audit_lib.core.vocabulary import UNIT_LEVELS as LEVELS

MESSAGES = {
    "unknown_unit": {
        "vi": "không có đơn vị hành chính nào tên hoặc mã là {text!r}",
        "en": "no administrative unit has the name or code {text!r}",
    },
    "ambiguous_unit": {
        "vi": "{text!r} có thể là nhiều đơn vị: {codes}; hãy dùng mã",
        "en": "{text!r} could be several units: {codes}; use the code",
    },
    "unknown_level": {
        "vi": "cấp phải là một trong {levels}, không phải {level!r}",
        "en": "level must be one of {levels}, not {level!r}",
    },
    "no_units": {
        "vi": "không có đơn vị cấp {level} nào còn hiệu lực ngày {at}",
        "en": "no {level} unit is valid on {at}",
    },
    "shares": {
        "vi": "tổng tỷ lệ của đơn vị cũ {code} ngày {on} là {total:g} ({parts}), phải bằng 1: "
        "mỗi bản ghi của đơn vị này sẽ được tính {total:g} lần",
        "en": "the shares of old unit {code} on {on} add up to {total:g} ({parts}), not 1: "
        "each of its records would count {total:g} times",
    },
    "loop": {
        "vi": "chuỗi đơn vị cấp trên lặp vòng: {chain}",
        "en": "the chain of parent units loops: {chain}",
    },
    "gains": {
        "vi": "kể cả {old} từ {district}",
        "en": "includes {old_en} from {district_en}",
    },
    "gains_from": {
        "vi": "từ {on}: kể cả {old} từ {district}",
        "en": "from {on_en}: includes {old_en} from {district_en}",
    },
    "loses_from": {
        "vi": "từ {on}: không gồm {old} (sang {new})",
        "en": "from {on_en}: excludes {old_en} (now in {new_en})",
    },
}

SHARE_TOLERANCE = 0.001
"""How far from 1 the shares of one old unit on one date may add up (rounding)."""

_PREFIXES = re.compile(
    r"^(tinh|huyen|thi tran|thi xa|thanh pho|xa|phuong|tt|province|district|commune)\s+"
)


class Hierarchy:
    """Units and crosswalk frames (columns as in ``docs/contracts.md``) with date-aware lookups.

    Frames that break the rules (shares of an old unit that do not add up to 1,
    parent units that loop) raise an :class:`InputError` naming each old unit
    or loop: a database holding such rows is refused, not counted twice.
    """

    def __init__(self, units: pd.DataFrame, crosswalk: pd.DataFrame | None = None):
        self.units = units.copy()
        self.units["valid_from"] = pd.to_datetime(self.units["valid_from"]).dt.date
        self.units["valid_to"] = pd.to_datetime(self.units["valid_to"]).dt.date
        cw = crosswalk if crosswalk is not None else pd.DataFrame()
        cw = cw.reindex(columns=["old_code", "new_code", "effective_on", "share", "illustrative"])
        cw["effective_on"] = pd.to_datetime(cw["effective_on"]).dt.date
        cw["share"] = pd.to_numeric(cw["share"]).fillna(1.0).astype(float)
        cw["illustrative"] = cw["illustrative"].astype("boolean").fillna(False).astype(bool)
        raise_if_problems(InputError, units_problems(self.units) + crosswalk_problems(cw))
        self.crosswalk = cw
        self._cache: dict[tuple[str, dt.date], pd.DataFrame] = {}

    def latest_change(self) -> dt.date:
        """The date the current hierarchy starts: the last ``valid_from`` or crosswalk date."""
        dates = [d for d in self.units["valid_from"] if not _isna(d)]
        dates += [d for d in self.crosswalk["effective_on"] if not _isna(d)]
        return max(dates) if dates else dt.date(1900, 1, 1)

    def valid_at(self, at: dt.date, level: str | None = None) -> pd.DataFrame:
        """The unit rows valid on ``at`` (optionally of one level), one per code."""
        u = self.units
        start = u["valid_from"].map(lambda d: _isna(d) or d <= at)
        end = u["valid_to"].map(lambda d: _isna(d) or d >= at)
        rows = u[start & end]
        if level is not None:
            rows = rows[rows["level"] == check_level(level)]
        return rows.drop_duplicates("unit_code", keep="last").reset_index(drop=True)

    def names(self, lang: str = DEFAULT_LANG) -> dict[str, str]:
        """Unit code -> name in ``lang`` (the latest row of each code)."""
        col = "name_en" if lang == "en" else "name_vi"
        rows = self.units.sort_values("valid_from", na_position="first")
        names = rows[col].where(rows[col].notna() & (rows[col] != ""), rows["name_vi"])
        return dict(zip(rows["unit_code"], names, strict=True))

    def resolve(self, text: str, at: dt.date | None = None, lang: str = DEFAULT_LANG) -> str:
        """A unit's code from its code, name or alias (case and accents ignored).

        When several units share a name (the old and the new Sin Suối Hồ), the one
        valid at ``at`` wins; still several: an :class:`InputError` lists their codes.
        """
        u = self.units
        if text in set(u["unit_code"].astype(str)):
            return text
        key = fold(text)
        bare = _PREFIXES.sub("", key)
        exact, loose = set(), set()
        for row in u.itertuples(index=False):
            aliases = [] if _isna(row.aliases) else str(row.aliases).split(";")
            for name in [row.name_vi, row.name_en, *aliases]:
                if _isna(name) or not str(name).strip():
                    continue
                folded = fold(name)
                if key == folded:
                    exact.add(row.unit_code)
                elif bare == _PREFIXES.sub("", folded):
                    loose.add(row.unit_code)
        hits = exact or loose
        if at is not None and len(hits) > 1:
            valid = hits & set(self.valid_at(at)["unit_code"])
            hits = valid or hits
        if len(hits) == 1:
            return hits.pop()
        key_msg = "unknown_unit" if not hits else "ambiguous_unit"
        msg = tr(MESSAGES, key_msg, lang, text=text, codes=", ".join(sorted(hits)))
        raise InputError([Problem("--unit", None, "unit", msg, Reason.UNKNOWN, text)])

    def carry(self, codes: Iterable[str], at: dt.date) -> pd.DataFrame:
        """Each code -> the unit(s) valid on ``at`` it became.

        Columns ``code, unit_code, share, illustrative``.

        A code valid on ``at`` maps to itself with share 1. Codes that reach no
        valid unit are left out.
        """
        valid = set(self.valid_at(at)["unit_code"])
        cw = self.crosswalk[self.crosswalk["effective_on"].map(lambda d: not _isna(d) and d <= at)]
        links = {}
        for row in cw.itertuples(index=False):
            links.setdefault(row.old_code, []).append((row.new_code, row.share, row.illustrative))
        rows = []
        for code in dict.fromkeys(codes):
            frontier = [(code, 1.0, False)]
            for _ in range(len(links) + 1):
                nxt = []
                for c, share, illus in frontier:
                    if c in valid:
                        rows.append((code, c, share, illus))
                    else:
                        nxt += [(n, share * s, illus or i) for n, s, i in links.get(c, [])]
                frontier = nxt
                if not frontier:
                    break
        out = pd.DataFrame(rows, columns=["code", "unit_code", "share", "illustrative"])
        return out.groupby(["code", "unit_code"], as_index=False).agg(
            share=("share", "sum"), illustrative=("illustrative", "max")
        )

    def ancestors(self, at: dt.date, level: str) -> dict[str, str]:
        """Every unit valid on ``at`` -> its ancestor (or itself) at ``level``, where one exists."""
        check_level(level)
        rows = self.valid_at(at)
        parent = dict(zip(rows["unit_code"], rows["parent_code"], strict=True))
        lev = dict(zip(rows["unit_code"], rows["level"], strict=True))
        out = {}
        for code in parent:
            c, seen = code, set()
            while c in lev and lev[c] != level and c not in seen:
                seen.add(c)
                c = parent.get(c)
            if c in lev and lev[c] == level:
                out[code] = c
        return out

    def mapping(self, codes: Iterable[str], level: str, at: dt.date) -> pd.DataFrame:
        """Recorded code -> its unit at ``level`` valid on ``at``, with share and illustrative."""
        full = self._mapping(level, at)
        return full[full["code"].isin(list(codes))].reset_index(drop=True)

    def _mapping(self, level: str, at: dt.date) -> pd.DataFrame:
        """The mapping of every known code, computed once per level and date."""
        if (level, at) not in self._cache:
            codes = list(self.units["unit_code"]) + list(self.crosswalk["old_code"].dropna())
            carried = self.carry(codes, at)
            carried["unit_code"] = carried["unit_code"].map(self.ancestors(at, level))
            carried = carried.dropna(subset=["unit_code"])
            contained = self._contained(carried, at)
            if len(contained):
                carried = pd.concat([carried, contained], ignore_index=True)
            self._cache[level, at] = carried.groupby(["code", "unit_code"], as_index=False).agg(
                share=("share", "sum"), illustrative=("illustrative", "max")
            )
        return self._cache[level, at]

    def _contained(self, carried: pd.DataFrame, at: dt.date) -> pd.DataFrame:
        """Units created after ``at`` -> the one mapped unit all their predecessors went to.

        ``carried`` maps the codes known on ``at`` (code, unit_code, share,
        illustrative); a later unit whose crosswalk predecessors all map to one
        unit there lies wholly inside it (share 1).
        """
        cw = self.crosswalk
        later = cw[cw["effective_on"].map(lambda d: not _isna(d) and d > at)]
        known = set(carried["code"])
        rows = []
        for (on, new_code), links in later.groupby(["effective_on", "new_code"]):
            if new_code in known:
                continue
            own = links["old_code"].isin(self._home_links(links, on))
            inside = carried[carried["code"].isin(links.loc[own, "old_code"])]
            whole = own.any() and links.loc[own, "old_code"].isin(known).all()
            if whole and inside["unit_code"].nunique() == 1:
                illustrative = bool(inside["illustrative"].any() or links["illustrative"].any())
                rows.append((new_code, inside["unit_code"].iloc[0], 1.0, illustrative))
        out = pd.DataFrame(rows, columns=["code", "unit_code", "share", "illustrative"])
        return out.astype({"share": float, "illustrative": bool})

    def _home_links(self, links: pd.DataFrame, on: dt.date) -> set[str]:
        """The old codes of ``links`` (one new unit's crosswalk rows) from its home district.

        The home district is the one more than half of the new unit came from
        the day before ``on`` (each old unit counted by its share); with none,
        no old code is at home.
        """
        district = self.ancestors(on - dt.timedelta(days=1), "district")
        placed = links["old_code"].map(district)
        held = links["share"].groupby(placed).sum()
        home = held[held > links["share"].sum() / 2]
        return set() if home.empty else set(links.loc[placed == home.index[0], "old_code"])

    def crossings(self, level: str, at: dt.date, lang: str = DEFAULT_LANG) -> dict[str, list[str]]:
        """Unit at ``level`` valid on ``at`` -> notes on the units that crossed a district line.

        A crosswalk row crosses a district line when the old unit's district
        (the day before the change) is not the district more than half of the
        new unit came from (its *home*; none on a tie). With the new units
        (``at`` on or after the change) the new unit's row says it includes the
        old unit; with the old units the unit that gains the new unit's later
        data says so from the change on, and the old unit's own unit says it
        loses it. Nothing is said where the old unit's unit at ``level`` does not
        change (a province holding both districts).
        """
        check_level(level, lang)
        names = self.names(lang)
        en = self.names("en")
        notes: dict[str, list[str]] = {}
        mapped = self._mapping(level, at)
        where = mapped.groupby("code")["unit_code"].agg(list).to_dict()
        cw = self.crosswalk.dropna(subset=["effective_on"])
        for (on, new_code), links in cw.groupby(["effective_on", "new_code"]):
            before = on - dt.timedelta(days=1)
            district = self.ancestors(before, "district")
            home = self._home_links(links, on)
            for old in links["old_code"]:
                came_from = district.get(old)
                if came_from is None or old in home:
                    continue
                fmt = {
                    "old": names.get(old, old),
                    "old_en": en.get(old, old),
                    "district": names.get(came_from, came_from),
                    "district_en": en.get(came_from, came_from),
                    "new": names.get(new_code, new_code),
                    "new_en": en.get(new_code, new_code),
                    "on": on.strftime("%d/%m/%Y"),
                    "on_en": on.isoformat(),
                }
                if at >= on:
                    was = self.ancestors(before, level).get(old)
                    for unit in where.get(old, []):
                        if unit != was:
                            _add(notes, unit, tr(MESSAGES, "gains", lang, **fmt))
                    continue
                src = where.get(old, [])
                dst = where.get(new_code, [])
                for unit in dst:
                    if unit not in src:
                        _add(notes, unit, tr(MESSAGES, "gains_from", lang, **fmt))
                for unit in src:
                    if unit not in dst:
                        _add(notes, unit, tr(MESSAGES, "loses_from", lang, **fmt))
        return notes

    def roll_up(
        self,
        facts: pd.DataFrame,
        sums: list[str],
        level: str,
        at: dt.date,
        by: list[str] | None = None,
        code: str = "unit_code",
    ) -> pd.DataFrame:
        """Sum ``sums`` of ``facts`` (recorded per ``code``) into ``level`` units valid at ``at``.

        Returns ``unit_code``, the ``by`` columns, the sums and ``illustrative``
        (some of it carried by an illustrative crosswalk entry). Codes unknown
        to the units table are left out.
        """
        keys = ["unit_code", *(by or [])]
        m = self._mapping(level, at)
        joined = facts.rename(columns={code: "code"}).merge(m, on="code", how="inner")
        joined[sums] = joined[sums].mul(joined["share"], axis=0)
        joined["illustrative"] = joined["illustrative"].astype(float)
        out = joined.groupby(keys, as_index=False, sort=False)[[*sums, "illustrative"]].sum()
        return out.assign(illustrative=out["illustrative"] > 0)


def crosswalk_sources(crosswalk: pd.DataFrame) -> list[str]:
    """The sources cited for the rows of ``crosswalk``, each once.

    A ``source`` column is read where the frame has one; the store keeps no
    source, so rows equal to a row of the shipped ``data/units/crosswalk.csv``
    (same old unit, new unit and date) take the source written there. Rows with
    neither give nothing.
    """
    if "source" in crosswalk:
        return list(dict.fromkeys(crosswalk["source"].dropna().astype(str)))
    shipped_rows = pd.read_csv(shipped("data", "units", "crosswalk.csv"), dtype=str)
    keys = ["old_code", "new_code", "effective_on"]
    ours = (
        crosswalk[keys]
        .astype(str)
        .assign(effective_on=pd.to_datetime(crosswalk["effective_on"]).dt.strftime("%Y-%m-%d"))
    )
    hit = ours.merge(shipped_rows, on=keys, how="inner")
    return list(dict.fromkeys(hit["source"].dropna()))


def _add(notes: dict[str, list[str]], unit: str, text: str) -> None:
    if text not in notes.setdefault(unit, []):
        notes[unit].append(text)


def unbalanced_shares(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """The old units whose shares on one date do not add up to 1.

    ``unbalanced_shares(cw)`` has columns ``old_code, effective_on, share`` (the
    sum found), one row per old unit and date off by more than
    :data:`SHARE_TOLERANCE`; a missing share counts as 1, as :class:`Hierarchy`
    reads it. Rows without an old code or a date are not grouped.
    """
    shares = pd.to_numeric(crosswalk["share"]).fillna(1.0).astype(float)
    keys = [crosswalk["old_code"], pd.to_datetime(crosswalk["effective_on"]).dt.date]
    totals = shares.groupby(keys).sum().rename("share").reset_index()
    totals.columns = ["old_code", "effective_on", "share"]
    off = (totals["share"] - 1).abs() > SHARE_TOLERANCE
    return totals[off].reset_index(drop=True)


def parent_loops(units: pd.DataFrame) -> list[list[str]]:
    """Every loop of ``parent_code`` among ``units``, each as its codes in order.

    ``[["A", "B"]]`` when A's parent is B and B's is A; ``[["C"]]`` when C is its
    own parent. A code with several rows (a commune that changed parent) has
    every parent it ever had. Each loop starts at its smallest code.
    """
    parents: dict[str, set[str]] = {}
    for code, parent in zip(units["unit_code"], units["parent_code"], strict=True):
        if not _isna(code) and not _isna(parent) and str(parent).strip():
            parents.setdefault(code, set()).add(parent)
    reach = {code: _reachable(code, parents) for code in parents}
    on_loop = sorted(code for code in parents if code in reach[code])
    loops, placed = [], set()
    for start in on_loop:
        if start in placed:
            continue
        component = {c for c in on_loop if c in reach[start] and start in reach[c]}
        path, code = [start], start
        while (code := min(component & parents[code])) not in path:
            path.append(code)
        loop = path[path.index(code) :]
        first = loop.index(min(loop))
        loops.append(loop[first:] + loop[:first])
        placed |= component
    return loops


def _reachable(code: str, parents: dict[str, set[str]]) -> set[str]:
    """Every code above ``code`` along ``parents`` (``code`` itself only on a loop)."""
    found, todo = set(), list(parents.get(code, ()))
    while todo:
        above = todo.pop()
        if above not in found:
            found.add(above)
            todo += parents.get(above, ())
    return found


def crosswalk_problems(
    crosswalk: pd.DataFrame,
    file: str = "crosswalk",
    rows: pd.Series | None = None,
    field: str = "share",
    lang: str | None = None,
) -> list[Problem]:
    """A problem for each old unit whose shares on one date do not add up to 1.

    ``rows`` says where each row of ``crosswalk`` is written ("row 3"; missing
    for rows already stored): then each such row of an unbalanced old unit gets
    its own problem there, and old units with no such row are left alone.
    Without ``rows``, one problem per old unit, located at its code. Messages
    are in ``lang``, or in both languages when it is None.
    """
    bad = unbalanced_shares(crosswalk)
    if bad.empty:
        return []
    on = pd.to_datetime(crosswalk["effective_on"]).dt.date
    problems = []
    for group in bad.itertuples(index=False):
        hit = (crosswalk["old_code"] == group.old_code) & (on == group.effective_on)
        split = crosswalk[hit].sort_values("new_code")
        parts = " + ".join(
            f"{new} {1.0 if pd.isna(share) else float(share):g}"
            for new, share in zip(split["new_code"], split["share"], strict=True)
        )
        message = _say(
            "shares",
            lang,
            code=group.old_code,
            on=group.effective_on.isoformat(),
            total=round(group.share, 6),
            parts=parts,
        )
        if rows is None:
            problems.append(
                Problem(file, group.old_code, field, message, Reason.CONSISTENCY, group.share)
            )
            continue
        for where, share in zip(rows[hit], crosswalk.loc[hit, "share"], strict=True):
            if not _isna(where):
                problems.append(Problem(file, where, field, message, Reason.CONSISTENCY, share))
    return problems


def units_problems(
    units: pd.DataFrame,
    file: str = "units",
    rows: pd.Series | None = None,
    field: str = "parent_code",
    lang: str | None = None,
) -> list[Problem]:
    """A problem for each loop of parent units (A → B → A, or a unit its own parent).

    ``rows`` as in :func:`crosswalk_problems`: with it, a problem at each located
    row of a unit on a loop; without, one per loop, located at its first code.
    """
    problems = []
    for loop in parent_loops(units):
        message = _say("loop", lang, chain=" → ".join([*loop, loop[0]]))
        if rows is None:
            problems.append(
                Problem(file, loop[0], field, message, Reason.CONSISTENCY, loop[1 % len(loop)])
            )
            continue
        hit = units["unit_code"].isin(loop)
        for where, parent in zip(rows[hit], units.loc[hit, "parent_code"], strict=True):
            if not _isna(where):
                problems.append(Problem(file, where, field, message, Reason.CONSISTENCY, parent))
    return problems


def _say(key: str, lang: str | None, **fmt) -> str:
    return both(MESSAGES, key, **fmt) if lang is None else tr(MESSAGES, key, lang, **fmt)


def check_level(level: str, lang: str = DEFAULT_LANG) -> str:
    """Return ``level`` if it is a known level, else raise an :class:`InputError`."""
    if level not in LEVELS:
        msg = tr(MESSAGES, "unknown_level", lang, levels=", ".join(LEVELS), level=level)
        raise InputError([Problem("--level", None, "level", msg, Reason.VALUE, level)])
    return level


def _isna(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def made_mostly_of(units: pd.DataFrame, crosswalk: pd.DataFrame, district: str) -> set[str]:
    """The new units more than half of whose predecessors are communes of ``district``.

    ``made_mostly_of(units, crosswalk, "PT")`` gives Phong Thổ's five new communes
    (Sin Suối Hồ took in Thèn Sin of Tam Đường too), not Đoàn Kết ward of Lai Châu city,
    which took in one of them: the district's area after 1 July 2025.
    """
    own = crosswalk["old_code"].isin(units.loc[units["parent_code"] == district, "unit_code"])
    share = own.groupby(crosswalk["new_code"]).mean()
    return set(share.index[share > 0.5])
