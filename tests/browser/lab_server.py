"""Start and stop a throwaway JupyterLab server for the browser test (issue 5)."""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# A clean, quiet JupyterLab: every cell in the DOM (no virtual scrolling), no autosave
# into the copied notebooks, no news / update pop-ups over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none",
                                                                   "autoStartDefaultKernel": True},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class LabServer:
    """A running JupyterLab: where to reach it and where its files live."""

    process: subprocess.Popen
    port: int
    token: str
    root: Path
    log: Path

    def url(self, path: str = "lab") -> str:
        """An address on the server with the token attached."""
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET", timeout: float = 5) -> object:
        """Call the REST API; returns decoded JSON (None for an empty body)."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel so the next lesson gets the CPU to itself."""
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE", timeout=15)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Injected after a lesson's setup cell when DL_BROWSER_BREAK=1: every dashboard draws
# once, then its callback raises, as a broken lesson would.
BREAK_CELL = """import dropout_lab.ui.dashboard as _dl_widgets
_dl_draw = _dl_widgets.Dashboard.update
def _dl_broken_update(self):
    if self.figure is not None:
        raise RuntimeError("deliberately broken dashboard (DL_BROWSER_BREAK=1)")
    _dl_draw(self)
_dl_widgets.Dashboard.update = _dl_broken_update"""


def prepare_root(repo: Path, root: Path, notebooks: dict[str, dict], break_dashboards: bool = False) -> None:
    """Write the generated notebooks into `root`/notebooks (the repo's lessons are never opened or saved)."""
    (root / "notebooks").mkdir()
    if (repo / "data").is_dir():  # the course's data, where a lesson would find it
        (root / "data").symlink_to(repo / "data")
    for name, notebook in notebooks.items():
        path = root / "notebooks" / name
        path.write_text(json.dumps(notebook))
        if break_dashboards and name.startswith("zz_all"):
            _insert_after_first_code_cell(path, BREAK_CELL)


def _insert_after_first_code_cell(path: Path, source: str) -> None:
    notebook = json.loads(path.read_text())
    cells = notebook["cells"]
    first = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), -1)
    cells.insert(first + 1, {"cell_type": "code", "id": "dl-break", "metadata": {}, "source": source,
                             "outputs": [], "execution_count": None})
    path.write_text(json.dumps(notebook))


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Private Jupyter dirs: no user config, kernels, workspaces or settings leak in.
    for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")]:
        env[var] = str(home / sub)
        (home / sub).mkdir(parents=True, exist_ok=True)
    for name, settings in LAB_SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    env.pop("JUPYTER_TOKEN", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start(root: Path, home: Path, startup_timeout: float = 90) -> LabServer:
    """Start JupyterLab from this venv on a free loopback port; wait until it answers."""
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.open_browser=False",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.news_url=None", "--ServerApp.terminals_enabled=False"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = _environment(home)
    log = home / "server.log"
    with open(log, "wb") as out:
        # A new session makes the server the leader of its own process group, so stop()
        # can end it together with every kernel it started.
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=root,
                                   env=env, start_new_session=True,
                                   stdin=subprocess.DEVNULL)
    server = LabServer(process, port, token, root, log)
    try:
        _wait_until_up(server, startup_timeout)
    except BaseException:
        stop(server)
        raise
    return server


def _wait_until_up(server: LabServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            server.api("status", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"JupyterLab did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def stop(server: LabServer, grace: float = 10) -> None:
    """Stop the server and its kernels: SIGTERM to the process group, SIGKILL if it lingers."""
    pgid = server.process.pid  # leader of its own session (start_new_session=True)
    for sig, wait in [(signal.SIGTERM, grace), (signal.SIGKILL, 5)]:
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        try:
            server.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; make sure no kernel of its group outlives it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        return
