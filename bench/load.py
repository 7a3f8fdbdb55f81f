"""Load over loopback: a small HTTP/1.1 client, the gunicorn servers it measures, a private Redis.

The client is deliberately cheap, because it shares the machine's cores with the
servers it measures: every request is encoded once before the clock starts, and
each of ``concurrency`` threads sends its bytes on a plain socket and reads the
answer (``Content-Length`` or read-to-close; gunicorn's sync workers close after
each response, so most requests pay a loopback connect, as real clients of such
a deployment do). A thread spends nearly all its time in ``send``/``recv``, with
the GIL released.

Latency is measured per request, from just before the connect/send to the last
byte of the body. Nothing here knows about the product: callers pass bytes and
read statuses.
"""
from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
READY_TIMEOUT = 60.0  # seconds for gunicorn to import the app and answer
STOP_TIMEOUT = 10.0
FAILURES_KEPT = 5


class LoadError(RuntimeError):
    """A server would not start, or answered something other than what was expected."""


def post(path: str, body: bytes, headers: Mapping[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 ``POST`` of a JSON ``body``, ready to send."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode("ascii")


class _Connection:
    """One keep-alive connection to ``port``, reopened when the server closes it."""

    def __init__(self, port: int, timeout: float = 60.0) -> None:
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.reused = False

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer, self.reused = None, b"", False

    def roundtrip(self, data: bytes) -> tuple[int, bytes]:
        """Send ``data`` and return (status, body)."""
        if self.sock is not None:
            self.reused = True
        else:
            self.sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock.sendall(data)
            status, body, keep = self._read()
        except (ConnectionError, _EmptyReply):
            if not self.reused:
                raise
            # The server closed an idle keep-alive connection before reading us: nothing
            # was processed, so the request is sent once more on a new connection.
            self.close()
            return self.roundtrip(data)
        if not keep:
            self.close()
        return status, body

    def _recv(self) -> bytes:
        assert self.sock is not None
        return self.sock.recv(65536)

    def _read(self) -> tuple[int, bytes, bool]:
        while b"\r\n\r\n" not in self.buffer:
            chunk = self._recv()
            if not chunk:
                if not self.buffer:
                    raise _EmptyReply
                raise LoadError(f"connection closed inside the headers: {self.buffer[:200]!r}")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        keep = headers.get("connection", "").lower() != "close"
        if headers.get("transfer-encoding", "").lower() == "chunked":
            raise LoadError("chunked responses are not supported by the bench client")
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(rest) < length:
                chunk = self._recv()
                if not chunk:
                    raise LoadError("connection closed inside the body")
                rest += chunk
            body, self.buffer = rest[:length], rest[length:]
            return status, body, keep
        while chunk := self._recv():  # no length: the body runs to the end of the connection
            rest += chunk
        return status, rest, False


class _EmptyReply(Exception):
    pass


@dataclass
class LoadReport:
    """What one load run measured."""

    requests: int
    seconds: float
    latencies: list[float]  # seconds, sorted
    statuses: Counter[int]
    failures: list[str] = field(default_factory=list)  # the first few unexpected answers

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile (0..100) of latency, nearest-rank."""
        rank = max(1, min(len(self.latencies), round(q / 100 * len(self.latencies) + 0.5)))
        return self.latencies[rank - 1]

    def __add__(self, other: LoadReport) -> LoadReport:
        return LoadReport(self.requests + other.requests, self.seconds + other.seconds,
                          sorted(self.latencies + other.latencies), self.statuses + other.statuses,
                          (self.failures + other.failures)[:FAILURES_KEPT])


def run_load(port: int, requests: Sequence[bytes], concurrency: int, expect: int) -> LoadReport:
    """Send every request of ``requests`` once, ``concurrency`` at a time; time the whole and each.

    Statuses other than ``expect`` are counted and their first bodies kept (the
    caller decides to fail); a transport error stops the run with :class:`LoadError`.
    """
    next_index = itertools.count().__next__  # atomic under the GIL
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start_line = threading.Barrier(concurrency + 1)

    def worker(mine: list[float]) -> None:
        conn = _Connection(port)
        seen: Counter[int] = Counter()
        start_line.wait()
        try:
            while (i := next_index()) < len(requests) and not errors:
                began = time.perf_counter()
                status, body = conn.roundtrip(requests[i])
                mine.append(time.perf_counter() - began)
                seen[status] += 1
                if status != expect and len(failures) < FAILURES_KEPT:
                    with lock:
                        failures.append(f"{status}: {body[:300].decode('utf-8', 'replace')}")
        except BaseException as exc:  # noqa: BLE001 - reported by the caller's thread
            errors.append(exc)
        finally:
            conn.close()
            with lock:
                statuses.update(seen)

    threads = [threading.Thread(target=worker, args=(mine,), daemon=True) for mine in latencies]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if errors:
        raise LoadError(f"a request to port {port} failed: {errors[0]!r}") from errors[0]
    flat = sorted(itertools.chain.from_iterable(latencies))
    return LoadReport(len(flat), seconds, flat, statuses, failures)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """TERM the process (gunicorn stops its workers gracefully), KILL its group if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only what we started
        process.wait()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def gunicorn(app: str, env: Mapping[str, str], log: Path, workers: int = 2) -> Iterator[int]:
    """``gunicorn -w workers`` serving ``app`` (``module:variable``) from the project root; yields its port.

    Waits until the app answers a request, and stops the server (and its workers)
    on the way out, whatever happened. The server's output goes to ``log``.
    """
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}",
               "--log-level", "warning", "--graceful-timeout", "5", app]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_answering(process, port, log)
        yield port
    finally:
        _stop(process)


def _wait_until_answering(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadError(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        conn = _Connection(port, timeout=READY_TIMEOUT)
        try:
            status, _ = conn.roundtrip(get("/__bench_ready__"))  # any answer means a worker has the app
            if status < 500:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise LoadError(f"gunicorn did not answer within {READY_TIMEOUT:.0f} s:\n{tail(log)}")


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A private ``redis-server`` on a Unix socket in ``folder``, no persistence; yields its ``REDIS_URL``."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise LoadError("redis-server is not installed (apt-get install redis-server)")
    sock = folder / "redis.sock"
    log = folder / "redis.log"
    command = [executable, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no",
               "--dir", str(folder)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not sock.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise LoadError(f"redis-server did not start:\n{tail(log)}")
            time.sleep(0.05)
        yield f"unix://{sock}"
    finally:
        _stop(process)
