"""Batch runner: parameterized notebooks executed by papermill into reports.

Usage::

    from audit_lib.reports._runner import run_inspection_reports, run_monitoring_report
    index = run_inspection_reports("sqlite:///data/audit.db", "reports/2025", year=2025, jobs=2)
    index = run_monitoring_report(
        "sqlite:///data/audit.db", "data/plans/453-KH-HU.yaml", unit="PT",
        period="2021-2025", out_dir="reports/monitoring", lang="en", pdf=True)

A run is a recipe of named steps, each a function that can be called alone:

1. **plan**: :func:`plan_inspection_jobs` / :func:`plan_monitoring_jobs` turn the
   request into :class:`Job` objects (a notebook, its parameters, an output name):
   one record per final visit, named by day, establishment, visit type and record
   number (:func:`record_name`);
2. **check**: :func:`check_parameters` refuses, before any kernel starts, a job that
   passes a parameter its notebook does not declare: the notebooks' ``parameters``
   cells are the only list (:func:`declared_parameters`, ``papermill --help-notebook``);
3. **start**: :func:`clear_outputs` removes what an earlier run left under the
   same names, and :func:`write_index` writes ``index.html`` *in progress*, every
   report "not yet made": a run that is killed never leaves an index claiming
   old pages as its own;
4. **execute**: :func:`execute_job` runs one notebook with papermill in-process
   (one kernel per report, retried on kernel start races) and writes the
   executed ``.ipynb`` without time-dependent metadata;
5. **render**: :func:`render_job` writes the standalone HTML (:mod:`audit_lib.reports._render`);
   :func:`execute_all` runs steps 4-5 in a pool of worker processes with a
   progress bar, updating the index as each report is made; :func:`print_pdfs`
   optionally prints every page with one Chromium; with a Dask scheduler, steps 4-5 run
   on its workers instead, which send the files back (:mod:`audit_lib.reports._cluster`);
6. **index**: :func:`write_index` writes the complete ``index.html`` linking every
   report with its status; then :func:`run` raises :class:`~audit_lib.core.errors.ReportError`
   if any notebook failed. A failed notebook is kept, with its failing cell marked.

Every file is written whole or not at all (written aside, then renamed into
place). Workers are *spawned* (a clean interpreter each, nothing inherited from
the caller's threads): a script that calls the runner needs the usual
``if __name__ == "__main__":`` guard; the ``audit`` command and notebooks need
nothing. Workers and kernels end with the run, even when it is killed, and
kernel sockets live in a private scratch folder (:mod:`audit_lib.reports._processes`).

A database password never reaches a notebook: the kernel gets the URL without
it and the password in its environment (:mod:`audit_lib.core.db_urls`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import functools
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from audit_lib.core import db_urls, html
from audit_lib.core.errors import InputError, Problem, Reason, ReportError
from audit_lib.core.i18n import DEFAULT_LANG, check_lang, label, tr
from audit_lib.core.resources import home, locate, shipped
from audit_lib.core.vocabulary import INSPECTION_VERDICT_LABELS, VISIT_TYPE_LABELS
from audit_lib.reports import _processes as processes
from audit_lib.reports import _render as render

NOTEBOOKS = shipped("notebooks")
KERNEL = "osh-audit"
FALLBACK_KERNEL = "python3"
ATTEMPTS = 3
INJECTED_CELL_ID = "injected-parameters"
OUTPUTS = ("ipynb", "html", "pdf")
PARTIAL = ".partial"

MESSAGES = {
    "kernel_fallback": {
        "vi": "Không có kernel '{wanted}': dùng kernel của trình thông dịch hiện tại ({used}). "
        "Cài đặt: python -m ipykernel install --sys-prefix --name {wanted}",
        "en": "Kernel '{wanted}' is not installed: using the current interpreter's kernel "
        "({used}). Install it with: python -m ipykernel install --sys-prefix --name {wanted}",
    },
    "progress": {"vi": "Báo cáo", "en": "Reports"},
    "no_notebook": {"vi": "không có sổ tay này", "en": "no such notebook"},
    "unknown_parameter": {
        "vi": "sổ tay không khai báo tham số này (tham số khai báo: {declared})",
        "en": "the notebook declares no such parameter (it declares: {declared})",
    },
    "inspections_title": {
        "vi": "Biên bản kiểm tra ATVSLĐ",
        "en": "OSH inspection records",
    },
    "monitoring_title": {
        "vi": "Báo cáo sơ kết, tổng kết Kế hoạch {plan}",
        "en": "Periodic monitoring report on plan {plan}",
    },
}


@dataclass(frozen=True)
class Job:
    """One report: ``notebook`` (a stem in ``notebooks/``, or a path) run with ``parameters``.

    ``env``: what the kernel gets in its environment beyond this process's, never written
    anywhere (the database password: ``parameters`` are written into the notebook)."""

    name: str
    notebook: str
    parameters: dict
    label: str = ""
    env: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def lang(self) -> str:
        return self.parameters.get("lang", DEFAULT_LANG)


@dataclass(frozen=True)
class Outcome:
    """What became of a job: ``status`` is ``ok``, ``failed`` (with ``error``) or
    ``pending`` (not made yet: the index of a run in progress)."""

    job: Job
    status: str
    error: str = ""
    ipynb: str | None = None
    html: str | None = None
    pdf: str | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def kernel_for(wanted: str = KERNEL, lang: str = DEFAULT_LANG) -> tuple[str, str | None]:
    """The kernel to use, and a message when falling back to the current interpreter's."""
    from jupyter_client.kernelspec import KernelSpecManager

    if wanted in KernelSpecManager().find_kernel_specs():
        return wanted, None
    return FALLBACK_KERNEL, tr(
        MESSAGES, "kernel_fallback", lang, wanted=wanted, used=FALLBACK_KERNEL
    )


def database(db_url: str | None) -> tuple[str, str, dict[str, str]]:
    """The URL to open the store with here (a relative SQLite path made absolute: kernels
    run elsewhere), the URL a notebook is given (without password) and the kernel's
    environment that carries the password."""
    from audit_lib.store import default_db_url

    url = db_urls.absolute(db_url or default_db_url())
    return url, *db_urls.without_secret(url)


def notebook_path(notebook: str) -> Path:
    """``notebooks/<stem>.ipynb`` for a stem, or the path itself when it names a file."""
    return Path(notebook) if notebook.endswith(".ipynb") else NOTEBOOKS / f"{notebook}.ipynb"


def _safe(text: object) -> str:
    """``text`` as a file name part: Vietnamese letters without their marks (Đ → D), any
    other run of characters but letters, digits, ``.``, ``_`` and ``-`` as one ``_``."""
    plain = unicodedata.normalize("NFKD", str(text).replace("Đ", "D").replace("đ", "d"))
    plain = plain.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("_") or "report"


# -- step 1: plan -----------------------------------------------------------


def record_name(visit) -> str:
    """The file name (without extension) of a visit's record, what a person looks for:
    ``2025-05-12_6200000101_follow_up_0012-2025-BB-ATVSLD`` (day, establishment code as at
    the visit, visit type, record number)."""
    snapshot = json.loads(visit["establishment_snapshot"] or "{}")
    number = str(visit["record_number"] or visit["visit_id"]).replace("/", "-")
    parts = (
        pd.Timestamp(visit["visited_on"]).date().isoformat(),
        snapshot.get("code") or visit["establishment_id"],
        visit["type"],
        number,
    )
    return "_".join(_safe(part) for part in parts)


def record_label(visit, lang: str = DEFAULT_LANG) -> str:
    """The line of the index for a visit's record: day, establishment name (as at the
    visit), visit type, record number and verdict."""
    snapshot = json.loads(visit["establishment_snapshot"] or "{}")
    parts = (
        html.day(visit["visited_on"], lang),
        snapshot.get("name") or visit["establishment_id"],
        label(VISIT_TYPE_LABELS, visit["type"], lang),
        visit["record_number"] or visit["visit_id"],
        label(INSPECTION_VERDICT_LABELS, visit["verdict"], lang) if visit["verdict"] else "",
    )
    return " · ".join(str(p) for p in parts if p)


def plan_inspection_jobs(
    db_url: str | None,
    ids: Sequence[str] | None = None,
    year: int | None = None,
    since: dt.date | str | None = None,
    lang: str = DEFAULT_LANG,
) -> list[Job]:
    """One record per current final visit selected (by ``year``, visited ``since`` a day,
    or all), ordered by day and record number; or one per visit of ``ids`` (visit ids or
    record numbers, in the order given). An id that names no visit is kept, so that its
    report fails visibly in the index; so is a draft's (it has no record yet)."""
    from audit_lib.store import open_store

    check_lang(lang)
    url, kernel_url, env = database(db_url)
    if isinstance(since, str):
        since = dt.date.fromisoformat(since)
    with open_store(url) as store:
        if ids:
            every = store.visits(status=None, current_only=False)
        else:
            found = store.visits(year=year)
    if ids:
        every = every.set_index("visit_id", drop=False)
        numbers = dict(zip(every["record_number"], every["visit_id"], strict=True))
        wanted = dict.fromkeys(numbers.get(key, key) for key in ids)
        rows = [every.loc[key] if key in every.index else key for key in wanted]
    else:
        if since is not None:
            found = found[found["visited_on"] >= pd.Timestamp(since)]
        ordered = found.sort_values(["visited_on", "record_number"], kind="stable")
        rows = [row for _, row in ordered.iterrows()]
    return [_record_job(row, kernel_url, env, lang) for row in rows]


def _record_job(visit, kernel_url: str, env: dict[str, str], lang: str) -> Job:
    """The job of one visit's record (a visit row), or of an id that names no visit (str)."""
    if isinstance(visit, str):
        name, label_, visit_id = f"visit-{_safe(visit)}", visit, visit
    else:
        name, label_, visit_id = record_name(visit), record_label(visit, lang), visit["visit_id"]
    return Job(
        name=name,
        notebook="inspection_report",
        parameters={"visit_id": visit_id, "db_url": kernel_url, "lang": lang},
        label=label_,
        env=env,
    )


def plan_monitoring_jobs(
    db_url: str | None,
    plan: str | os.PathLike,
    units: str | Iterable[str],
    period: str,
    lang: str = DEFAULT_LANG,
) -> list[Job]:
    """One job per unit, each the periodic report on ``plan`` for ``period``.

    The plan is read (and refused with its problems located) before any kernel starts."""
    from audit_lib.indicators import load_plan
    from audit_lib.store import open_store
    from audit_lib.units import Hierarchy

    check_lang(lang)
    url, kernel_url, env = database(db_url)
    plan_path = locate(plan).resolve()
    load_plan(plan_path, lang)
    codes = [units] if isinstance(units, str) else list(units)
    with open_store(url) as store:  # an outdated database is refused before any kernel starts
        names = Hierarchy(store.units(), store.crosswalk()).names(lang)
    return [
        Job(
            name=f"monitoring-{_safe(plan_path.stem)}-{_safe(unit)}-{_safe(period)}",
            notebook="monitoring_report",
            parameters={
                "plan": str(plan_path),
                "unit": unit,
                "period": str(period),
                "db_url": kernel_url,
                "lang": lang,
            },
            label=f"{plan_path.stem} · {names.get(unit, unit)} · {period}",
            env=env,
        )
        for unit in codes
    ]


# -- step 2: check ---------------------------------------------------------


def declared_parameters(notebook: str) -> dict[str, dict]:
    """The parameters ``notebook`` declares, in order, as ``papermill --help-notebook``
    shows them: ``{name: {"name", "inferred_type_name", "default", "help"}}``."""
    import papermill

    return papermill.inspect_notebook(notebook_path(notebook))


def _vi_en(key: str, **fmt) -> str:
    return f"{tr(MESSAGES, key, 'vi', **fmt)} / {tr(MESSAGES, key, 'en', **fmt)}"


def check_parameters(jobs: Sequence[Job]) -> None:
    """Raise :class:`~audit_lib.core.errors.InputError` naming every parameter a job passes
    that its notebook does not declare, and every notebook that does not exist; once per
    notebook and name, at the first job concerned."""
    declared: dict[Path, dict | None] = {}
    problems: dict[tuple[Path, str | None], Problem] = {}
    for job in jobs:
        path = notebook_path(job.notebook)
        if path not in declared:
            declared[path] = declared_parameters(job.notebook) if path.is_file() else None
        known = declared[path]
        if known is None:
            problems.setdefault(
                (path, None),
                Problem(str(path), f"job {job.name}", None, _vi_en("no_notebook"), Reason.MISSING),
            )
            continue
        for name, value in job.parameters.items():
            if name not in known:
                message = _vi_en("unknown_parameter", declared=", ".join(known) or "-")
                problems.setdefault(
                    (path, name),
                    Problem(str(path), f"job {job.name}", name, message, Reason.UNKNOWN, value),
                )
    if problems:
        raise InputError(problems.values())


# -- step 3: start ----------------------------------------------------------


def written_whole(target: Path, write: Callable[[Path], object]) -> Path:
    """``write(path)`` to a file beside ``target``, then renamed over it: ``target`` is
    whole or absent, never half-written, however the writer is stopped."""
    partial = target.with_name(f".{target.name}{PARTIAL}")
    write(partial)
    os.replace(partial, target)
    return target


def clear_outputs(jobs: Sequence[Job], out_dir: str | os.PathLike) -> None:
    """Remove the files an earlier run left under these jobs' names (finished or partial),
    so that none of them is taken for this run's."""
    out = Path(out_dir)
    for job in jobs:
        for ext in OUTPUTS:
            (out / f"{job.name}.{ext}").unlink(missing_ok=True)
            (out / f".{job.name}.{ext}{PARTIAL}").unlink(missing_ok=True)


# -- step 4: execute --------------------------------------------------------


def normalize(nb) -> None:
    """Strip what differs between identical runs: papermill timings and the random
    id of the injected-parameters cell; paths are reduced to file names."""
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "exception"):
        meta.pop(key, None)
    for key in ("input_path", "output_path"):
        if meta.get(key):
            meta[key] = Path(meta[key]).name
    for cell in nb.cells:
        cell_meta = cell.metadata.get("papermill", {})
        for key in ("start_time", "end_time", "duration"):
            cell_meta.pop(key, None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = INJECTED_CELL_ID


def _start_error(exc: BaseException) -> bool:
    """A kernel that failed to start (port race, died at start-up): worth another try."""
    from papermill.exceptions import PapermillException

    if isinstance(exc, PapermillException):
        return False
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ZMQError", "DeadKernelError", "TimeoutError"}) or (
        isinstance(exc, RuntimeError) and "kernel" in str(exc).lower()
    )


def describe(exc: BaseException) -> str:
    """One line for the index and the error: any connection string in it masked."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        text = f"{exc.ename}: {exc.evalue} (cell {exc.cell_index})"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return db_urls.masked_text(text)


def execute_job(
    job: Job, out_dir: str | os.PathLike, kernel: str = KERNEL, scratch: Path | None = None
) -> Outcome:
    """Run ``job``'s notebook into ``out_dir/<name>.ipynb``; never raises for a notebook error.

    The kernel's sockets and the notebook being executed stay in ``scratch`` (a private
    folder made for this call when None) until the notebook is done."""
    import nbformat
    import papermill

    if scratch is None:
        with processes.scratch_folder() as folder:
            return execute_job(job, out_dir, kernel, folder)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    executed = scratch / f"{job.name}.ipynb"
    source = notebook_path(job.notebook)
    cwd = home()  # the kernel's working folder: the user-data home, made on first use
    cwd.mkdir(parents=True, exist_ok=True)
    error, attempts = "", 0
    for attempts in range(1, ATTEMPTS + 1):  # noqa: B007 (attempts is reported)
        try:
            with processes.environment(job.env):
                papermill.execute_notebook(
                    str(source),
                    str(executed),
                    parameters=job.parameters,
                    kernel_name=kernel,
                    cwd=str(cwd),
                    progress_bar=False,
                    record_timing=False,
                    log_output=False,
                    request_save_on_cell_execute=False,
                    shutdown_kernel="immediate",  # a report needs no atexit hooks: ~1.5 s saved
                    config=processes.kernel_config(scratch),
                    start_timeout=120,
                )
            error = ""
            break
        except Exception as exc:  # noqa: BLE001 (every failure is reported in the index)
            error = describe(exc)
            if not _start_error(exc):
                break
    ipynb = None
    if executed.exists():  # papermill writes it even when a cell fails, the failing cell marked
        nb = nbformat.read(executed, as_version=4)
        normalize(nb)
        ipynb = written_whole(out / executed.name, lambda path: nbformat.write(nb, path)).name
        executed.unlink()
    return Outcome(
        job=job, status="failed" if error else "ok", error=error, ipynb=ipynb, attempts=attempts
    )


# -- step 5: render ---------------------------------------------------------


def render_job(outcome: Outcome, out_dir: str | os.PathLike) -> Outcome:
    """Write the standalone HTML of an executed (or failed) notebook beside it."""
    import nbformat

    if not outcome.ipynb:
        return outcome
    out = Path(out_dir)
    nb = nbformat.read(out / outcome.ipynb, as_version=4)
    page = render.notebook_html(
        nb, title=outcome.job.label or outcome.job.name, lang=outcome.job.lang
    )
    target = written_whole(
        out / f"{outcome.job.name}.html", lambda path: path.write_text(page, encoding="utf-8")
    )
    return replace(outcome, html=target.name)


def work(job: Job, out_dir: str, kernel: str, scratch: str) -> Outcome:
    """Steps 4-5 for one job, in a worker: execute, then render; never raises for a report."""
    outcome = execute_job(job, out_dir, kernel, Path(scratch))
    try:
        return render_job(outcome, out_dir)
    except Exception as exc:  # noqa: BLE001 (a page that cannot be rendered is a failed report)
        return replace(outcome, status="failed", error=f"HTML: {describe(exc)}")


def execute_all(
    jobs: Sequence[Job],
    out_dir: str | os.PathLike,
    workers: int | None = None,
    kernel: str = KERNEL,
    progress: bool = True,
    made: Callable[[int, Outcome], None] | None = None,
) -> list[Outcome]:
    """Execute and render every job in ``workers`` processes; outcomes in job order.

    ``made(i, outcome)`` is called as each job ends, in the order they end."""
    from tqdm import tqdm

    if not jobs:
        return []
    count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    lang = jobs[0].lang
    results: dict[int, Outcome] = {}
    with (
        processes.scratch_folder() as scratch,
        processes.pool(count, scratch) as pool,
        tqdm(
            total=len(jobs),
            desc=tr(MESSAGES, "progress", lang),
            disable=not progress,
            file=sys.stderr,
        ) as bar,
    ):
        futures = {
            pool.submit(work, job, str(out_dir), kernel, str(scratch)): i
            for i, job in enumerate(jobs)
        }
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:  # noqa: BLE001 (a worker that died fails its report)
                results[i] = Outcome(job=jobs[i], status="failed", error=describe(exc))
            if made:
                made(i, results[i])
            bar.update(1)
    return [results[i] for i in range(len(jobs))]


def print_pdfs(
    outcomes: Sequence[Outcome], out_dir: str | os.PathLike, lang: str = DEFAULT_LANG
) -> tuple[list[Outcome], str | None]:
    """An A4 PDF of every rendered report, one Chromium for all; a message if none could be
    (Chromium missing or failing): the HTML reports stand either way."""
    out = Path(out_dir)
    done = []
    try:
        with render.pdf_printer() as printer:
            if printer is None:
                return list(outcomes), render.no_chromium_message(lang)
            for outcome in outcomes:
                if outcome.ok and outcome.html:
                    print_page = functools.partial(printer.print, out / outcome.html)
                    pdf = written_whole(out / f"{outcome.job.name}.pdf", print_page)
                    outcome = replace(outcome, pdf=pdf.name)
                done.append(outcome)
    except Exception as exc:  # noqa: BLE001 (a browser that fails must not lose the HTML)
        return [*done, *outcomes[len(done) :]], f"PDF: {describe(exc)}"
    return done, None


# -- step 6: index ----------------------------------------------------------


def index_html(
    outcomes: Sequence[Outcome], title: str, note: str | None = None, complete: bool = True
) -> str:
    """The bilingual, self-contained index page (no time stamp: same run, same page);
    ``complete=False`` while the run is in progress."""
    entries = [
        render.IndexEntry(
            label=o.job.label or o.job.name,
            name=o.job.name,
            status=o.status,
            links=[(k, f) for k, f in (("HTML", o.html), ("ipynb", o.ipynb), ("PDF", o.pdf)) if f],
            error=o.error,
        )
        for o in outcomes
    ]
    return render.index_page(title, entries, note, complete)


def write_index(
    outcomes: Sequence[Outcome],
    out_dir: str | os.PathLike,
    title: str,
    note: str | None = None,
    complete: bool = True,
) -> Path:
    """``index.html`` in ``out_dir``, replaced whole (see :func:`index_html`)."""
    page = index_html(outcomes, title, note, complete)
    return written_whole(
        Path(out_dir) / "index.html", lambda path: path.write_text(page, encoding="utf-8")
    )


# -- the recipe -------------------------------------------------------------


def run(
    jobs: Sequence[Job],
    out_dir: str | os.PathLike,
    title: str,
    workers: int | None = None,
    pdf: bool = False,
    lang: str = DEFAULT_LANG,
    progress: bool = True,
    kernel: str = KERNEL,
    say: Callable[[str], None] | None = None,
    scheduler: str | None = None,
) -> Path:
    """Check, start, execute, render, (print,) index; raise ReportError after the index if
    any failed, or InputError before any kernel starts if a job passes an undeclared
    parameter. Until the run ends, the index says it is in progress.

    With ``scheduler`` (``tcp://HOST:8786``) steps 4-5 run on that Dask cluster
    (:mod:`audit_lib.reports._cluster`; ``workers`` is then ignored), else in ``workers``
    local processes; a cluster that cannot run them raises
    :class:`~audit_lib.core.errors.ClusterError` before any report is started."""
    check_parameters(jobs)
    say = say or (lambda text: print(text, file=sys.stderr))
    with contextlib.ExitStack() as stack:
        client = None
        if scheduler and jobs:  # refused before anything is written when it cannot run them
            from audit_lib.reports import _cluster as cluster

            client = stack.enter_context(cluster.connected(scheduler, say))
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        clear_outputs(jobs, out)
        current = [Outcome(job, "pending") for job in jobs]
        write_index(current, out, title, complete=not jobs)
        kernel, message = kernel_for(kernel, lang)
        if message:
            say(message)

        def made(i: int, outcome: Outcome) -> None:
            current[i] = outcome
            write_index(current, out, title, complete=False)

        if client is not None:
            outcomes = cluster.execute_all(jobs, out, client, kernel, progress, made)
        else:
            outcomes = execute_all(jobs, out, workers, kernel, progress, made)
    note = None
    if pdf:
        outcomes, note = print_pdfs(outcomes, out, lang)
        if note:
            say(note)
    index = write_index(outcomes, out, title, note)
    failures = {o.job.name: o.error for o in outcomes if not o.ok}
    if failures:
        raise ReportError(failures, str(index))
    return index


def run_inspection_reports(
    db_url: str | None,
    out_dir: str | os.PathLike,
    ids: Sequence[str] | None = None,
    year: int | None = None,
    since: dt.date | str | None = None,
    lang: str = DEFAULT_LANG,
    jobs: int | None = None,
    pdf: bool = False,
    progress: bool = True,
    say: Callable[[str], None] | None = None,
    scheduler: str | None = None,
) -> Path:
    """One record per selected visit (see :func:`plan_inspection_jobs`), each named by
    :func:`record_name`; returns the path of ``index.html``.
    ``scheduler``: run them on that Dask cluster (see :func:`run`)."""
    planned = plan_inspection_jobs(db_url, ids=ids, year=year, since=since, lang=lang)
    title = tr(MESSAGES, "inspections_title", lang)
    return run(planned, out_dir, title, jobs, pdf, lang, progress, say=say, scheduler=scheduler)


def run_monitoring_report(
    db_url: str | None,
    plan: str | os.PathLike,
    unit: str | Iterable[str],
    period: str,
    out_dir: str | os.PathLike,
    lang: str = DEFAULT_LANG,
    jobs: int | None = None,
    pdf: bool = False,
    progress: bool = True,
    say: Callable[[str], None] | None = None,
    scheduler: str | None = None,
) -> Path:
    """The periodic report on ``plan`` for each unit given; returns the path of ``index.html``.
    ``scheduler``: run them on that Dask cluster (see :func:`run`)."""
    planned = plan_monitoring_jobs(db_url, plan, unit, period, lang)
    title = tr(MESSAGES, "monitoring_title", lang, plan=Path(plan).stem)
    return run(planned, out_dir, title, jobs, pdf, lang, progress, say=say, scheduler=scheduler)
