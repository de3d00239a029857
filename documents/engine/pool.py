"""Render worker processes, as the web process sees them: started once, reused, killed
when a request runs past its wall-clock limit.

A request takes an idle worker (or starts one), sends one JSON line and waits for the
answer with select() until the deadline. Past it the worker is killed with SIGKILL and
forgotten, and the caller gets WorkerTimeout; the next request gets a fresh worker.
A normal render therefore costs one round trip to a warm process, not a Python start.
Several threads may render at once, each with its own worker.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class WorkerError(Exception):
    code = "worker_failed"


class WorkerTimeout(WorkerError):
    code = "timeout"


class WorkerDied(WorkerError):
    code = "worker_died"


class _Worker:
    def __init__(self, config: dict, startup_timeout: float) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "documents.engine.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
            close_fds=True,
        )
        self.jobs = 0
        self._buffer = b""
        self._send(config)
        ready = self._receive(time.monotonic() + startup_timeout)
        if not ready.get("ready"):
            self.kill()
            raise WorkerDied("the render worker did not start")
        self.pid = ready.get("pid")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def _send(self, message: dict) -> None:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            self.kill()
            raise WorkerDied(str(exc)) from exc

    def _receive(self, deadline: float) -> dict:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise WorkerTimeout("the render worker ran out of time")
            readable, _, _ = select.select([fd], [], [], left)
            if not readable:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                self.kill()
                raise WorkerDied("the render worker stopped")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def call(self, request: dict, timeout: float) -> dict:
        self.jobs += 1
        self._send({**request, "cpu_seconds": timeout + 1})
        answer = self._receive(time.monotonic() + timeout)
        if answer.get("restart"):
            self.kill()
        return answer

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()


class WorkerPool:
    def __init__(
        self,
        *,
        static_roots: list[str],
        memory_mb: int = 1024,
        warm_pdf: bool = True,
        max_idle: int = 2,
        max_jobs: int = 1000,
        startup_timeout: float = 30.0,
    ) -> None:
        self.config = {
            "static_roots": [str(r) for r in static_roots],
            "memory_mb": memory_mb,
            "warm_pdf": warm_pdf,
        }
        self.max_idle = max_idle
        self.max_jobs = max_jobs
        self.startup_timeout = startup_timeout
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self.started = 0  # workers started over the pool's life (tests and benchmarks)

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
        self.started += 1
        return _Worker(self.config, self.startup_timeout)

    def _give_back(self, worker: _Worker) -> None:
        if not worker.alive:
            return
        if worker.jobs >= self.max_jobs:
            worker.kill()
            return
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(worker)
                return
        worker.kill()

    def run(self, request: dict, timeout: float) -> dict:
        """Send one request to a worker and return its answer; WorkerError past the limit."""
        worker = self._take()
        try:
            answer = worker.call(request, timeout)
        except BaseException:  # a timeout, a dead worker, or this thread interrupted
            worker.kill()
            raise
        self._give_back(worker)
        return answer

    def warm(self) -> None:
        """Start one worker ahead of the first request."""
        self._give_back(self._take())

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


_POOLS: list[WorkerPool] = []


def register(pool: WorkerPool) -> WorkerPool:
    _POOLS.append(pool)
    return pool


@atexit.register
def _close_all() -> None:
    for pool in _POOLS:
        pool.close()
