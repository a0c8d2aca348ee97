"""How busy the machine is with work that is not the benchmark's.

Every run records the CPU used meanwhile by processes outside the benchmark (its own process, the
servers it started and the PostgreSQL cluster it owns), in cores; figures measured while something
else used a good share of the two cores are marked, so that nobody mistakes them for the software's.
Before each measurement the benchmark waits a little for such work to end.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
QUIET_CORES = 0.3
"""Other work above this many cores marks a run as disturbed."""


def _read_all() -> dict[int, tuple[int, int, float]]:
    """pid → (ppid, process group, CPU seconds) of every process now."""
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_bytes().decode("ascii", "replace")
        except OSError:
            continue
        rest = raw[raw.rfind(")") + 2:].split()
        # fields after the command: state ppid pgrp session … utime(14) stime(15), 1-based in proc(5)
        try:
            out[int(entry.name)] = (int(rest[1]), int(rest[2]), (int(rest[11]) + int(rest[12])) / TICK)
        except (IndexError, ValueError):
            continue
    return out


class Meter:
    """CPU used by other processes between :meth:`start` and :meth:`stop`, in cores. The benchmark's
    own processes are this process, the processes it owns (:meth:`own`: the cluster's postmaster,
    which is not our child) and all their descendants."""

    def __init__(self, wait_budget_s: float = 60.0) -> None:
        self.roots: set[int] = {os.getpid()}
        self.wait_budget_s = wait_budget_s
        """Total time :meth:`wait_quiet` may spend waiting (a machine that stays busy stays busy)."""

    def own(self, pid: int | None) -> None:
        if pid:
            self.roots.add(pid)

    def forget(self, pid: int | None) -> None:
        if pid and pid != os.getpid():
            self.roots.discard(pid)

    def _others(self) -> dict[int, float]:
        procs = _read_all()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in procs.items():
            children.setdefault(ppid, []).append(pid)
        ours: set[int] = set()
        stack = [p for p in self.roots if p in procs]
        while stack:
            p = stack.pop()
            if p not in ours:
                ours.add(p)
                stack.extend(children.get(p, []))
        return {pid: cpu for pid, (_, _, cpu) in procs.items() if pid not in ours}

    def start(self) -> None:
        self._t0 = time.perf_counter()
        self._before = self._others()

    def stop(self) -> float:
        after = self._others()
        spent = sum(cpu - self._before.get(pid, 0.0) for pid, cpu in after.items())
        return max(0.0, spent / max(1e-6, time.perf_counter() - self._t0))

    def wait_quiet(self, max_wait_s: float, probe_s: float = 1.0) -> tuple[float, float]:
        """Wait until other work uses less than :data:`QUIET_CORES` (at most ``max_wait_s``).
        Returns (seconds waited, cores other work used in the last probe)."""
        waited = 0.0
        while True:
            self.start()
            time.sleep(probe_s)
            load = self.stop()
            if load < QUIET_CORES or waited >= min(max_wait_s, self.wait_budget_s):
                self.wait_budget_s -= waited
                return waited, load
            waited += probe_s


def postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((Path(pgdata) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
