"""Serving the inspection form as a local web app with Voilà (what ``audit form`` runs).

Usage::

    from audit_lib.form._server import FormServer
    with FormServer("sqlite:///data/audit.db", lang="vi") as server:
        print(server.url)            # http://127.0.0.1:43817/ once it answers
        server.wait()                # until Ctrl+C or the server stops

The database URL, language and checklist folder reach the notebook's kernel
through ``AUDIT_DB_URL``, ``AUDIT_LANG`` and ``AUDIT_CHECKLISTS``, which its
parameters default to. A relative SQLite path is made absolute first, because
the kernel runs in ``notebooks/``. Voilà listens on 127.0.0.1 only; a kernel
whose page was closed is shut down after :data:`CULL_IDLE_SECONDS` idle (its
answers are already saved). The server runs in its own process group, so
stopping it stops its kernels too.

No traceback reaches the page: Voilà runs with ``--show_tracebacks=False`` (a
failing cell shows :data:`CELL_ERROR`, its traceback goes to the server's
output), and the form itself shows an unexpected error as a short message with
an error id, logged with its traceback in ``<home>/logs/form.log``.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from audit_lib.core import db_urls
from audit_lib.core.errors import AuditError
from audit_lib.core.resources import shipped

NOTEBOOK = shipped("notebooks", "inspection_form.ipynb")
CULL_IDLE_SECONDS = 1800
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
HOST = "127.0.0.1"
CELL_ERROR = (
    "Trang không mở được; chi tiết lỗi được ghi ở cửa sổ chạy `audit form`. "
    "/ The page could not be opened; the details are in the window running `audit form`."
)
"""What Voilà says in place of a failing cell's traceback."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def voila_command(port: int, notebook: Path = NOTEBOOK, open_browser: bool = False) -> list[str]:
    """The ``voila`` command line that serves ``notebook`` on 127.0.0.1:``port``."""
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",  # the URL we print is the port we asked for
        "--show_tracebacks=False",  # tracebacks go to the server's output, not to the page
        f"--VoilaExecutor.cell_error_instruction={CELL_ERROR}",
        # evidence uploads travel over the kernel's websocket: several photos at once
        f'--Voila.tornado_settings={{"websocket_max_message_size": {MAX_MESSAGE_BYTES}}}',
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        "--MappingKernelManager.cull_interval=300",
    ]
    if not open_browser:
        command.append("--no-browser")
    return command


class FormServer:
    """A Voilà process serving the form; a context manager that always stops it.

    ``log``: a file for Voilà's output (default: this process's own output).
    """

    def __init__(
        self,
        db_url: str,
        lang: str = "vi",
        port: int | None = None,
        checklists: str | os.PathLike | None = None,
        open_browser: bool = False,
        log: Path | None = None,
    ):
        self.db_url = db_urls.absolute(db_url)
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}/"
        self.env = {**os.environ, "AUDIT_DB_URL": self.db_url, "AUDIT_LANG": lang}
        if checklists is not None:
            self.env["AUDIT_CHECKLISTS"] = str(Path(checklists).resolve())
        self.command = voila_command(self.port, open_browser=open_browser)
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> str:
        """Start Voilà and return the URL once it listens (:class:`AuditError` otherwise)."""
        out = open(self.log, "ab") if self.log else None  # noqa: SIM115 (None: our own output)
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=NOTEBOOK.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if self.log:
            out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AuditError(
                    f"voila exited with code {self.process.returncode}; see its output above "
                    "(Voilà không khởi động được, xem thông báo ở trên)"
                )
            if self._answers():
                return self.url
            time.sleep(0.3)
        self.stop()
        raise AuditError(
            f"voila did not answer on {self.url} within {timeout:.0f} s "
            "(Voilà không phản hồi, hãy thử lại)"
        )

    def _answers(self) -> bool:
        """Whether an HTTP server answers on the port (a static path: no kernel is started)."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            connection.request("HEAD", "/voila/static/")
            connection.getresponse()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def wait(self) -> int:
        """Block until the server stops; returns its exit code."""
        return self.process.wait()

    def stop(self) -> None:
        """Stop the server's whole process group (Voilà and its kernels)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass

    def __enter__(self) -> FormServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
