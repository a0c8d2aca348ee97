"""What `make run` does: the first `safeground serve --demo-if-empty` creates the embedded cluster,
loads the demo and serves; Ctrl-C stops the app and the cluster; the second run reuses everything
and answers within seconds."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from webapp.store.embedded import EmbeddedCluster, free_port

BIN = Path(sys.executable).parent


def _wait_for_health(url: str, proc: subprocess.Popen, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited early with {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as res:
                if res.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no healthy answer within {timeout} s")


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as res:
        return res.read().decode()


def _serve(env, port):
    return subprocess.Popen([str(BIN / "safeground"), "serve", "--demo-if-empty", "--port", str(port),
                             "--workers", "1"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _ctrl_c(proc: subprocess.Popen) -> str:
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole foreground group
    out, _ = proc.communicate(timeout=60)
    return out


def test_first_run_loads_demo_and_second_run_reuses_it():
    folder = Path(tempfile.mkdtemp(prefix="safeground-run-"))
    os.chmod(folder, 0o755)
    data_dir = folder / "var"
    db_port, http_port = free_port(), free_port()
    env = {**os.environ, "SAFEGROUND_DATA_DIR": str(data_dir), "SAFEGROUND_EMBEDDED_PORT": str(db_port)}
    env.pop("SAFEGROUND_DATABASE_URL", None)
    url = f"http://127.0.0.1:{http_port}"
    cluster = EmbeddedCluster(data_dir, port=db_port)
    try:
        proc = _serve(env, http_port)
        _wait_for_health(url, proc, timeout=120)
        first_page = _get(url + "/overview")
        assert "Izium raion" in first_page
        _get(url + "/api/v1/public/check?lat=49.21&lon=37.26")
        out = _ctrl_c(proc)
        assert "loading demo data" in out
        assert "/api/v1/public/check" in out and "49.21" not in out  # no coordinates in the access log
        assert "Stopping the embedded database" in out
        assert not cluster.is_running()
        assert oct((data_dir / "pgpass").stat().st_mode & 0o777) == "0o600"

        proc = _serve(env, http_port)
        seconds = _wait_for_health(url, proc, timeout=60)
        assert seconds < 15
        assert _get(url + "/overview") == first_page  # same data, not loaded again
        out = _ctrl_c(proc)
        assert "loading demo data" not in out
        assert not cluster.is_running()
    finally:
        cluster.destroy()
