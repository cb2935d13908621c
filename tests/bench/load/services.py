"""The processes the load benchmark runs, each its own and on the loopback: a throwaway
PostgreSQL cluster (``initdb`` in a temporary folder, a free port), a Redis without persistence,
Gunicorn (cores + 1 workers) and ``jalon worker``. The machine's shared PostgreSQL (5432) and
Redis (6379) are never touched: other people's tests run on them.

Every process is started in its own process group, so ``stop`` ends it with its children, and
``Stack.close`` stops everything it started and removes the folder whatever happened."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

VENV_BIN = Path(".venv/bin").resolve()
# The bench stack's Gunicorn configuration: hooks writing each request's CPU (see it).
GUNICORN_HOOKS = Path(__file__).with_name("gunicorn_hooks.py")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin(name: str) -> str:
    """PostgreSQL's server programs (Debian keeps them out of PATH)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else (shutil.which(name) or name)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process from /proc (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Gunicorn's workers, the queue worker's work-horse)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.split("/")[2]))
    return sorted(found)


def wait_until(check, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return True
        time.sleep(step)
    return False


def http_status(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Process:
    """One started program, in its own process group, its output in a log file."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict[str, str]) -> None:
        self.name, self.log = name, log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(5)


class Postgres:
    """A cluster of our own: ``initdb`` as the ``postgres`` OS user when we are root (the
    server refuses to run as root), trust authentication on 127.0.0.1 only."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.data = root / "pgdata"
        self.socket_dir = root / "pgsocket"
        self.log = root / "postgres.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.socket_dir.mkdir()
        self.data.mkdir(mode=0o700)
        if self.as_user:
            os.chmod(root, 0o755)  # noqa: S103 (the postgres user must reach its folders)
            shutil.chown(self.socket_dir, "postgres")
            shutil.chown(self.data, "postgres")
            self.log.touch()
            shutil.chown(self.log, "postgres")
        self._run(
            postgres_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )

    def _run(self, *argv: str, timeout: float = 90) -> None:
        done = subprocess.run(
            [*self.as_user, *argv], capture_output=True, timeout=timeout, check=False
        )
        if done.returncode:
            raise RuntimeError(f"{' '.join(argv[:2])}: {done.stderr.decode(errors='replace')}")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/jalon"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.socket_dir} "
            "-c max_connections=200"
        )
        self._run(
            postgres_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"
            )

    def create_database(self) -> None:
        self._run(
            postgres_bin("createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "jalon",
        )

    def pids(self) -> list[int]:
        """The postmaster and its backends (for their CPU)."""
        try:
            master = int((self.data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return []
        return [master, *children(master)]


class Redis:
    def __init__(self, root: Path) -> None:
        self.port, self.root, self.process = free_port(), root, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        argv = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.root),
        ]
        self.process = Process("redis", argv, self.root / "redis.log", dict(os.environ))
        if not wait_until(lambda: socket.create_connection(("127.0.0.1", self.port), 1), 15):
            raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


class Stack:
    """PostgreSQL, Redis, Gunicorn and the queue worker of one benchmark run."""

    def __init__(self, workers: int) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="jalon-bench-load-"))
        self.workers = workers
        self.postgres: Postgres | None = None
        self.redis = Redis(self.root)
        self.web_port = free_port()
        self.gunicorn: Process | None = None
        self.worker: Process | None = None

    @property
    def cpu_dir(self) -> Path:
        """Where each Gunicorn worker writes its requests' CPU (``gunicorn_hooks``)."""
        return self.root / "requests-cpu"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JALON_", "DATABASE_"))}
        env.update(
            DATABASE_URL=self.postgres.url,
            SECRET_KEY="bench-load-secret-" + self.root.name,
            JALON_KEY_ENCRYPTION_KEY="bench-load-kek-" + self.root.name,
            JALON_BASE_URL=self.base_url,
            JALON_INSTANCE_PATH=str(self.root / "instance"),
            JALON_JOBS="rq",
            JALON_REDIS_URL=f"{self.redis.url}/0",
            JALON_JOBS_QUEUE="bench-load",
            RATELIMIT_STORAGE_URI=f"{self.redis.url}/1",
            # Employers all come from 127.0.0.1 here: the verifier's per-address limit would
            # measure itself. Learners come "through the proxy" with addresses of their own.
            JALON_VERIFIER_RATE_LIMIT="100000 per minute",
            JALON_TRUSTED_PROXIES="1",
            MAIL_OUTBOX=str(self.root / "outbox"),
        )
        return env

    def start_services(self) -> None:
        self.postgres = Postgres(self.root)
        self.postgres.start()
        self.postgres.create_database()
        self.redis.start()

    def run_app_command(self, *argv: str, timeout: float = 300) -> None:
        done = subprocess.run(
            list(argv), env=self.env(), timeout=timeout, capture_output=True, check=False
        )
        if done.returncode:
            raise RuntimeError(f"{argv[-1]}: {done.stderr.decode(errors='replace')[-3000:]}")

    def start_app(self) -> None:
        argv = [
            str(VENV_BIN / "gunicorn"),
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.web_port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "-c",
            str(GUNICORN_HOOKS),
            "web:create_app()",
        ]
        self.cpu_dir.mkdir(exist_ok=True)
        env = {**self.env(), "BENCH_LOAD_CPU_DIR": str(self.cpu_dir)}
        self.gunicorn = Process("gunicorn", argv, self.root / "gunicorn.log", env)
        up = wait_until(lambda: http_status(f"{self.base_url}/healthz") == 200, 60)
        if not up:
            raise RuntimeError(f"Gunicorn did not answer; see {self.root / 'gunicorn.log'}")
        wait_until(lambda: len(self.web_workers()) == self.workers, 30)
        argv = [str(VENV_BIN / "jalon"), "worker"]
        self.worker = Process("worker", argv, self.root / "worker.log", self.env())

    def web_workers(self) -> list[int]:
        return children(self.gunicorn.pid) if self.gunicorn else []

    def web_processes(self) -> list[int]:
        """The workers and their children: the public verifier's sandboxes, whose CPU is the
        verification's (a worker's own CPU leaves it out)."""
        workers = self.web_workers()
        return workers + [child for worker in workers for child in children(worker)]

    def close(self) -> None:
        for process in (self.worker, self.gunicorn):
            if process is not None:
                process.stop()
        self.redis.stop()
        if self.postgres is not None:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self.postgres.stop("immediate")
        if os.environ.get("BENCH_LOAD_KEEP") == "1":  # to read the logs after a failure
            print(f"kept {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)
