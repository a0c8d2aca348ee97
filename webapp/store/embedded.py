"""An embedded PostGIS cluster that the application owns, in a local data folder.

The cluster is created with the machine's own PostgreSQL binaries (``initdb``, ``pg_ctl``), listens
only on 127.0.0.1 at a private port and on a socket inside the data folder, and requires a password
(SCRAM) that is generated at creation and kept in ``<data_dir>/pgpass`` (mode 0600). PostgreSQL refuses
to run as root, so when we are root the server runs as the ``postgres`` OS user on a folder it owns.

The same manager starts the throw-away cluster of the test suite.
"""
from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"
SUPERUSER = "safeground"


class EmbeddedClusterError(RuntimeError):
    """The embedded cluster could not be created, started or reached; the message says what to do."""


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", path)) or (0,)


def find_bindir() -> Path:
    """The bin folder of the newest installed PostgreSQL that has PostGIS available.

    ``SAFEGROUND_PG_BINDIR`` overrides the search.
    """
    override = os.environ.get("SAFEGROUND_PG_BINDIR")
    if override:
        bindir = Path(override)
        if not (bindir / "initdb").exists():
            raise EmbeddedClusterError(f"SAFEGROUND_PG_BINDIR={override} holds no initdb")
        return bindir
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for bindir in candidates:
        version = Path(bindir).parent.name
        if glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
            return Path(bindir)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and (Path(out.stdout.strip()) / "initdb").exists():
            return Path(out.stdout.strip())
    if candidates:
        return Path(candidates[0])
    raise EmbeddedClusterError(
        "No PostgreSQL server binaries found. Install them (Debian: apt-get install postgresql "
        "postgresql-15-postgis-3), or run `make run`, which installs them."
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class EmbeddedCluster:
    """A PostgreSQL cluster in ``data_dir``: ``pgdata/`` (the cluster), ``run/`` (socket),
    ``postgres.log`` and ``pgpass``."""

    data_dir: Path
    port: int = 54329

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()
        self.pgdata = self.data_dir / "pgdata"
        self.socket_dir = self.data_dir / "run"
        self.logfile = self.data_dir / "postgres.log"
        self.passfile = self.data_dir / "pgpass"
        self._bindir: Path | None = None

    # -- running commands as the right user -------------------------------------------------
    @property
    def bindir(self) -> Path:
        if self._bindir is None:
            self._bindir = find_bindir()
        return self._bindir

    @staticmethod
    def _as_root() -> bool:
        return os.geteuid() == 0

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root():
            cmd = ["runuser", "-u", SERVER_USER, "--", *cmd]
        # pg_ctl start keeps the server's stdout; send it to a file, not a pipe, or we would wait forever.
        result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                check=False, cwd="/")
        if check and result.returncode != 0:
            raise EmbeddedClusterError(
                f"{args[0]} failed (exit {result.returncode}): {result.stdout.strip()[-2000:]}"
            )
        return result

    def _give_to_server_user(self, path: Path) -> None:
        if self._as_root():
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _check_reachable_by_server_user(self) -> None:
        """As root, postgres must be able to walk down to the data folder."""
        if not self._as_root():
            return
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise EmbeddedClusterError(
                "Running as root needs the 'postgres' OS user (it comes with Debian's postgresql package)."
            ) from None
        probe = subprocess.run(["runuser", "-u", SERVER_USER, "--", "test", "-x", str(self.data_dir)],
                               check=False)
        if probe.returncode != 0:
            raise EmbeddedClusterError(
                f"The 'postgres' user cannot reach {self.data_dir} (a parent folder is private). "
                "Set SAFEGROUND_DATA_DIR to a folder under /srv, /var/lib or /tmp."
            )

    # -- life cycle ----------------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def password(self) -> str:
        try:
            return self.passfile.read_text().strip()
        except FileNotFoundError:
            raise EmbeddedClusterError(
                f"{self.passfile} is missing; the cluster in {self.pgdata} cannot be used without it."
            ) from None

    def init(self) -> None:
        """Create the cluster (once)."""
        if self.initialised:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._check_reachable_by_server_user()
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        self._give_to_server_user(self.pgdata)
        self._give_to_server_user(self.socket_dir)
        password = secrets.token_urlsafe(24)
        fd = os.open(self.passfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password)
        # initdb reads the password from a file the server user can read; remove it right after.
        pwfile = self.pgdata.parent / f".initpw-{secrets.token_hex(4)}"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password)
        self._give_to_server_user(pwfile)
        try:
            self._run([
                "initdb", "-D", str(self.pgdata), "-U", SUPERUSER, f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8",
                "--locale=C.UTF-8",
            ])
        finally:
            pwfile.unlink(missing_ok=True)

    def is_running(self) -> bool:
        if not self.initialised:
            return False
        return self._run(["pg_ctl", "-D", str(self.pgdata), "status"], check=False).returncode == 0

    def start(self, timeout: int = 60) -> None:
        """Start the server unless it runs already; wait until it accepts connections."""
        self.init()
        if self.is_running():
            return
        if not self.logfile.exists():
            self.logfile.touch()
        self._give_to_server_user(self.logfile)
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c max_connections=100"
        )
        result = self._run(["pg_ctl", "-D", str(self.pgdata), "-l", str(self.logfile), "-o", options,
                            "-w", "-t", str(timeout), "start"], check=False)
        if result.returncode != 0:
            tail = ""
            try:
                tail = self.logfile.read_text()[-1500:]
            except OSError:
                pass
            raise EmbeddedClusterError(
                f"The embedded PostgreSQL did not start (port {self.port} may be taken: set "
                f"SAFEGROUND_EMBEDDED_PORT). pg_ctl said: {result.stdout.strip()[-500:]} Log: {tail}"
            )

    def stop(self, mode: str = "fast") -> None:
        if self.is_running():
            self._run(["pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "stop"], check=False)

    def destroy(self) -> None:
        """Stop the server and delete the whole data folder (tests only)."""
        self.stop("immediate")
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- connecting ----------------------------------------------------------------------------
    def url(self, database: str) -> str:
        """SQLAlchemy URL of a database in this cluster (TCP on 127.0.0.1)."""
        from sqlalchemy.engine import URL

        return URL.create("postgresql+psycopg", username=SUPERUSER, password=self.password(),
                          host="127.0.0.1", port=self.port, database=database).render_as_string(
                              hide_password=False)

    def ensure_database(self, name: str, template: str | None = None) -> None:
        """Create ``name`` (with PostGIS) if it does not exist."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER,
                             password=self.password(), dbname="postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                if template:
                    stmt = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(template))
                conn.execute(stmt)
        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER,
                             password=self.password(), dbname=name, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    def drop_database(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER,
                             password=self.password(), dbname="postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def wait_for(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
