"""The bounded load client: a fixed list of requests, a fixed count and a time cap.

``concurrency`` threads each keep one connection (HTTP keep-alive when the server allows it; a
PostgreSQL connection for the raw query) and take the next item of the list in turn, cycling, until
``count`` requests have been sent or ``cap_s`` has passed; requests under way then finish. Latency is
measured from sending a request to having read the whole body; throughput is completed requests over
the wall time of the run. No ``Accept-Encoding`` is sent, so no server compresses its answers.
"""
from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence


@dataclass
class Run:
    requests: int = 0
    errors: int = 0
    elapsed_s: float = 0.0
    capped: bool = False
    latencies_ms: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    bodies: dict = field(default_factory=dict)
    """Item index → body, when kept (the first answer for each item)."""

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, values: Sequence[float], q: float) -> float | None:
        if not values:
            return None
        ordered = sorted(values)
        # nearest rank
        rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 1))))
        return ordered[rank - 1]

    def summary(self) -> dict:
        return {
            "requests": self.requests, "errors": self.errors, "capped": self.capped,
            "elapsed_s": round(self.elapsed_s, 3), "rps": round(self.throughput, 1),
            "p50_ms": _r(self.percentile(self.latencies_ms, 0.50)),
            "p95_ms": _r(self.percentile(self.latencies_ms, 0.95)),
            "max_ms": _r(max(self.latencies_ms) if self.latencies_ms else None),
            "size_p95": self.percentile(self.sizes, 0.95),
            "size_max": max(self.sizes) if self.sizes else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def _r(v):
    return None if v is None else round(v, 2)


def run(items: Sequence, call: Callable, connect: Callable, close: Callable, *, concurrency: int,
        count: int, cap_s: float, keep_bodies: bool = False) -> Run:
    """Send ``count`` requests (cycling over ``items``) from ``concurrency`` threads, stopping early
    after ``cap_s`` seconds. ``call(conn, item) -> (status, body)``; status 200 counts as success."""
    result = Run()
    lock = threading.Lock()
    next_index = [0]
    start = time.perf_counter()
    deadline = start + cap_s

    def worker() -> None:
        conn = connect()
        try:
            while True:
                with lock:
                    i = next_index[0]
                    if i >= count:
                        return
                    if time.perf_counter() >= deadline:
                        result.capped = True
                        return
                    next_index[0] += 1
                item_index = i % len(items)
                t0 = time.perf_counter()
                try:
                    status, body = call(conn, items[item_index])
                except Exception:  # noqa: BLE001 - a failed request is counted, then reconnect
                    status, body = -1, b""
                    close(conn)
                    conn = connect()
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status == 200:
                        result.requests += 1
                        result.latencies_ms.append(elapsed)
                        result.sizes.append(len(body))
                        if keep_bodies and item_index not in result.bodies:
                            result.bodies[item_index] = body
                    else:
                        result.errors += 1
        finally:
            close(conn)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed_s = time.perf_counter() - start
    return result


# -- HTTP --------------------------------------------------------------------------------------------
def http_client(host: str, port: int, headers: dict | None = None, timeout: float = 120):
    """(connect, call, close) for ``run``: GET of a path, with the given headers."""
    headers = dict(headers or {})

    def connect():
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def call(conn, path: str):
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                http.client.CannotSendRequest):
            # the server closed a kept-alive connection between two requests: open a new one
            conn.close()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
        body = response.read()
        if response.will_close:
            conn.close()
        return response.status, body

    def close(conn):
        conn.close()

    return connect, call, close


def fetch(host: str, port: int, path: str, headers: dict | None = None, timeout: float = 120):
    """One GET: (status, headers, body)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=dict(headers or {}))
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# -- PostgreSQL --------------------------------------------------------------------------------------
def sql_client(dsn: dict, query: str):
    """(connect, call, close) for ``run``: one statement per item (a dict of parameters), returning
    one bytea. psycopg prepares the statement after a few executions, as it does for the app."""
    import psycopg

    def connect():
        return psycopg.connect(**dsn, autocommit=True)

    def call(conn, params: dict):
        row = conn.execute(query, params).fetchone()
        return 200, bytes(row[0] or b"")

    def close(conn):
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass

    return connect, call, close
