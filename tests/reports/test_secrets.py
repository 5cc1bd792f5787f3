"""A database password never reaches a report: not the executed notebooks, the HTML, the PDF,
the index, the command's output nor an error message (issue 12, attack 1).

papermill writes a notebook's parameters, in clear, into the executed ``.ipynb``; the
runner therefore gives the kernel the URL without its password and the password in the
kernel's environment (``PGPASSWORD``, read by libpq). The local PostgreSQL trusts local
connections, so the server does not check the password here: what is proved is that it
never lands in an output, and (with a small notebook) that the kernel does receive it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from urllib.parse import quote

import nbformat
import pytest
import sqlalchemy as sa
from nbformat.v4 import new_code_cell, new_notebook

from audit_lib.reports import _runner as reports
from tests.conftest import pg_server_or_skip
from tests.reports.test_reports import kernel_or_skip

TOKEN = uuid.uuid4().hex[:12]
PASSWORD = f"S3cr3t-{TOKEN}@/:"  # characters a URL must encode, and a token to grep for
AUDIT = [sys.executable, "-c", "from audit_lib.cli import main; main()"]


def leaks(text: str) -> bool:
    return TOKEN in text or quote(PASSWORD, safe="") in text or PASSWORD in text


@pytest.fixture
def secret_db_url():
    """A PostgreSQL role with a password, owning a fresh database with a small sample in it;
    its URL carries the password. Both are dropped afterwards."""
    from audit_lib.sample import generate
    from audit_lib.store import open_store

    server = sa.make_url(pg_server_or_skip())
    name = f"audit_secret_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'")
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" OWNER {name}')
    url = (
        f"postgresql+psycopg://{name}:{quote(PASSWORD, safe='')}@{server.host}:{server.port}/{name}"
    )
    try:
        with open_store(url, upgrade=True) as store:
            generate(store, scale=0.05)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {name}")
        admin.dispose()


def audit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*AUDIT, *args], capture_output=True, text=True, timeout=600)


@pytest.mark.postgres
@pytest.mark.kernel
@pytest.mark.slow
def test_no_report_file_output_or_message_holds_the_database_password(secret_db_url, tmp_path):
    kernel_or_skip()
    from audit_lib.store import open_store

    with open_store(secret_db_url) as store:
        ids = store.visits()["visit_id"].head(2).tolist()
    first = reports.plan_inspection_jobs(secret_db_url, ids=ids[:1])[0].name
    inspections = audit(
        "report", "inspections", "--ids", ",".join(ids), "--out", str(tmp_path / "records"),
        "--jobs", "2", "--db", secret_db_url,
    )  # fmt: skip
    monitoring = audit(
        "report", "monitoring", "--plan", "data/plans/453-KH-HU.yaml", "--unit", "PT",
        "--period", "2025", "--out", str(tmp_path / "monitoring"), "--pdf", "--db", secret_db_url,
    )  # fmt: skip
    assert inspections.returncode == 0, inspections.stderr
    assert monitoring.returncode == 0, monitoring.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".ipynb", ".html"} <= kinds and len(files) >= 7
    leaked = [str(p) for p in files if leaks(p.read_bytes().decode("utf-8", "replace"))]
    assert leaked == []
    for run in (inspections, monitoring):
        assert not leaks(run.stdout) and not leaks(run.stderr)
    # the notebooks still say which database they read, without the password
    executed = nbformat.read(tmp_path / "records" / f"{first}.ipynb", as_version=4)
    given = sa.make_url(secret_db_url)
    assert executed.metadata["papermill"]["parameters"]["db_url"] == (
        f"postgresql+psycopg://{given.username}@{given.host}:{given.port}/{given.database}"
    )


@pytest.mark.postgres
def test_a_wrong_database_is_a_clear_message_with_the_url_masked(secret_db_url, tmp_path):
    wrong = sa.make_url(secret_db_url).set(database="no_such_database_453")
    shown = wrong.render_as_string(hide_password=True)
    result = audit(
        "report", "inspections", "--ids", "x", "--out", str(tmp_path / "out"),
        "--db", wrong.render_as_string(hide_password=False),
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"cannot open database {shown}" in result.stderr
    assert f"không mở được cơ sở dữ liệu {shown}" in result.stderr
    assert 'database "no_such_database_453" does not exist' in result.stderr
    assert ":***@" in shown and not leaks(result.stderr + result.stdout)
    assert not (tmp_path / "out").exists()


@pytest.mark.kernel
def test_the_kernel_gets_the_password_in_its_environment_and_no_file_holds_it(tmp_path):
    kernel_or_skip()
    nb = new_notebook(
        cells=[
            new_code_cell('db_url = ""', metadata={"tags": ["parameters"]}),
            new_code_cell(
                "import hashlib, os\n"
                "print(db_url, hashlib.sha256(os.environ['PGPASSWORD'].encode()).hexdigest())"
            ),
        ],
        metadata={"kernelspec": {"name": "osh-audit", "display_name": "OSH", "language": "python"}},
    )
    nbformat.write(nb, tmp_path / "env.ipynb")
    _, url, env = reports.database(f"postgresql+psycopg://audit:{quote(PASSWORD, safe='')}@db/osh")
    job = reports.Job("r0", str(tmp_path / "env.ipynb"), {"db_url": url}, env=env)
    before = os.environ.get("PGPASSWORD")
    reports.run([job], tmp_path / "out", "Thử", workers=1, progress=False)
    assert os.environ.get("PGPASSWORD") == before  # this process's environment is untouched
    executed = nbformat.read(tmp_path / "out" / "r0.ipynb", as_version=4)
    printed = executed.cells[-1].outputs[0]["text"]
    assert printed.split() == ["postgresql+psycopg://audit@db/osh", hashlib.sha256(
        PASSWORD.encode()).hexdigest()]  # fmt: skip
    assert "PGPASSWORD" not in repr(job)
    assert [p.name for p in (tmp_path / "out").iterdir() if leaks(p.read_text("utf-8"))] == []
