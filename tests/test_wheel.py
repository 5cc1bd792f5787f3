"""An installed wheel works from any folder, and carries its shipped files but no local ones.

The wheel is built once from a copy of the sources (what git tracks or would track) in
which a working checkout's local files are planted; it is installed into a temporary
``site`` folder and run from an unrelated folder with the venv's Python, so the
dependencies come from the venv but ``audit_lib`` from the wheel (``PYTHONPATH``), and with
a user-data home (``AUDIT_HOME``) that does not exist yet, as on a fresh install.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import ROOT, require

SHIPPED = ["checklists", "notebooks", "data"]  # every source file in them, in audit_lib/shipped/
LOCAL_FILES = [  # what a working checkout holds beside the sources: never shipped
    "data/audit.db",
    "data/audit.db-wal",
    "data/sample.db",
    "data/evidence/3f2a/photo.jpg",
    "notebooks/.ipynb_checkpoints/inspection_form-checkpoint.ipynb",
    "checklists/.ipynb_checkpoints/general-checkpoint.yaml",
    "reports/demo/index.html",
]
WATCHED = ["checklists", "data", "notebooks", "reports"]  # in the checkout: nothing may change
TIMEOUT = 600


def _checkout_state() -> dict[str, tuple[int, int]]:
    state = {}
    for folder in WATCHED:
        for path in (ROOT / folder).rglob("*"):
            if "__pycache__" not in path.parts:
                stat = path.stat()
                state[str(path.relative_to(ROOT))] = (stat.st_size, stat.st_mtime_ns)
    return state


@contextmanager
def checkout_unchanged():
    """Fail when the block creates, changes or removes anything in the checkout's folders."""
    before = _checkout_state()
    yield
    after = _checkout_state()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"written into the checkout {ROOT}: {changed}"


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done


def _sources(destination: Path) -> list[str]:
    """Copy what git tracks or would track (not what it ignores) into ``destination``."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("building the wheel from the sources needs git and a git checkout")
    listed = _run(
        ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    )
    names = [n for n in listed.stdout.split("\0") if n and (ROOT / n).is_file()]
    for name in names:
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination / name)
    return names


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> SimpleNamespace:
    """The wheel built from the sources with a working checkout's local files planted."""
    tmp = tmp_path_factory.mktemp("wheel")
    src, dist = tmp / "src", tmp / "dist"
    with checkout_unchanged():
        sources = _sources(src)
        for name in LOCAL_FILES:
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_bytes(b"local")
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, src])
    (path,) = dist.glob("*.whl")
    return SimpleNamespace(path=path, sources=sources)


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> SimpleNamespace:
    """The wheel installed into ``site``; commands run in ``elsewhere`` with ``home`` as home."""
    tmp = tmp_path_factory.mktemp("installed")
    site, elsewhere, home = tmp / "site", tmp / "elsewhere", tmp / "home"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, wheel.path])
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIT_")}
    env.update(PYTHONPATH=str(site), AUDIT_HOME=str(home))

    def python(*args: str) -> subprocess.CompletedProcess:
        return _run([sys.executable, *args], cwd=elsewhere, env=env)

    def audit(*args: str) -> subprocess.CompletedProcess:
        return python(str(site / "bin" / "audit"), *args)

    return SimpleNamespace(site=site, home=home, tmp=tmp, python=python, audit=audit)


@pytest.fixture(scope="module")
def sample_url(installed) -> str:
    """The sample database, built by the installed ``audit sample``."""
    url = f"sqlite:///{installed.tmp / 's.db'}"
    with checkout_unchanged():
        installed.audit("sample", "--db", url)
    return url


def test_every_subpackage_and_shipped_folder_is_configured_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in ROOT.glob("audit_lib/**/__init__.py")
    }
    assert found - set(config["packages"]) == set(), "add it to [tool.setuptools] packages"
    mapped = {f"audit_lib.shipped.{folder}": folder for folder in SHIPPED}
    assert config["package-dir"] == mapped
    assert set(mapped) <= set(config["packages"]) and set(mapped) <= set(config["package-data"])


@pytest.mark.slow
def test_the_wheel_carries_the_library_and_the_shipped_files_and_nothing_local(wheel):
    names = set(zipfile.ZipFile(wheel.path).namelist())
    modules = {n for n in wheel.sources if n.startswith("audit_lib/") and n.endswith(".py")}
    assert modules - names == set(), "a subpackage is missing from [tool.setuptools] packages"
    expected = {f"audit_lib/shipped/{n}" for n in wheel.sources if n.split("/")[0] in SHIPPED}
    expected.add("audit_lib/shipped/__init__.py")
    shipped = {n for n in names if n.startswith("audit_lib/shipped/")}
    assert shipped - expected == set(), "shipped, but not a source file"
    assert expected - shipped == set(), "a source file that the package-data globs miss"
    assert "audit_lib/store/migrations/script.py.mako" in names
    assert "audit_lib/reports/templates/osh_report/index.html.j2" in names
    local = [n for n in names if any(Path(n).name == Path(f).name for f in LOCAL_FILES)]
    assert not local, f"local files in the wheel: {local}"


@pytest.mark.slow
def test_an_installed_wheel_finds_its_files_and_keeps_user_data_in_its_home(installed):
    script = (
        "import json, os, audit_lib\n"
        "from audit_lib.core import resources as r\n"
        "found = [audit_lib.__file__, r.checkout_root(), r.shipped('checklists'), r.home()]\n"
        "os.environ.pop('AUDIT_HOME'); os.environ['XDG_DATA_HOME'] = '/xdg'\n"
        "print(json.dumps([str(x) for x in [*found, r.home()]]))\n"
    )
    module, checkout, checklists, home, default_home = json.loads(
        installed.python("-c", script).stdout
    )
    assert Path(module).is_relative_to(installed.site)
    assert checkout == "None"
    assert Path(checklists) == installed.site / "audit_lib" / "shipped" / "checklists"
    assert Path(home) == installed.home
    assert default_home == "/xdg/osh-audit"


@pytest.mark.slow
def test_an_installed_wheel_validates_checklists_and_computes_indicators_anywhere(
    installed, sample_url
):
    with checkout_unchanged():
        checked = installed.audit("checklists", "validate", "--lang", "en")
        table = installed.audit("indicators", "--db", sample_url, "--year", "2025", "--lang", "en")
    shipped = installed.site / "audit_lib" / "shipped" / "checklists"
    assert checked.stdout.count(f"OK {shipped}") == len(list((ROOT / "checklists").glob("*.yaml")))
    assert "453-KH-HU · 2025" in table.stdout and "T1 " in table.stdout


def _kernel_or_skip():
    from jupyter_client.kernelspec import KernelSpecManager

    from audit_lib.reports import _runner as reports

    if reports.KERNEL not in KernelSpecManager().find_kernel_specs():
        require("AUDIT_REQUIRE_KERNEL", "needs the 'osh-audit' Jupyter kernel (make install)")


WHERE = """
import json, os, nbformat
from audit_lib.reports import Job, run
notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    "import os, audit_lib; print(audit_lib.__file__); print(os.getcwd())")])
source, out = os.path.abspath("where.ipynb"), os.path.abspath("where")
nbformat.write(notebook, source)
run([Job("where", source, {})], out, "where", workers=1, progress=False)
executed = nbformat.read(os.path.join(out, "where.ipynb"), as_version=4)
print(json.dumps(executed.cells[0].outputs[0]["text"].splitlines()))
"""


@pytest.mark.slow
@pytest.mark.kernel
def test_an_installed_wheel_runs_a_report_in_a_kernel_that_imports_the_wheel(installed, sample_url):
    _kernel_or_skip()
    from audit_lib.store import open_store

    with open_store(sample_url) as store:
        visit = store.visits(year=2025).iloc[0]
    out = installed.tmp / "reports"
    with checkout_unchanged():
        installed.audit("report", "inspections", "--db", sample_url, "--ids", visit["visit_id"],
                        "--out", str(out), "--jobs", "1", "--lang", "en")  # fmt: skip
        module, cwd = json.loads(installed.python("-c", WHERE).stdout.splitlines()[-1])
    assert (out / "index.html").is_file()
    (record,) = [p for p in out.glob("*.html") if p.name != "index.html"]
    number = visit["record_number"].replace("/", "-").replace("Đ", "D")
    assert record.name.endswith(f"_{number}.html")
    assert Path(module).is_relative_to(installed.site)
    assert Path(cwd) == installed.home
