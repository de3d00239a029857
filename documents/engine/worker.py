"""The render worker: a separate process that renders templates and makes PDFs.

Started by documents/engine/pool.py as ``python -m documents.engine.worker``. It reads
one JSON request per line on stdin and writes one JSON answer per line on a private
copy of stdout (stdout itself is pointed at stderr, so a library's stray print cannot
corrupt the protocol). It has a hard memory limit (RLIMIT_AS) and, per request, a CPU
limit a little above the web side's wall-clock limit; the web process kills it on
timeout anyway. It exits when stdin closes, so it never outlives its web process.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _limit_cpu(seconds: float) -> None:
    """Allow `seconds` more CPU time from now (SIGXCPU ends the process past it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    soft = int(used + seconds) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def main() -> None:
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    logging.getLogger("fontTools").setLevel(logging.CRITICAL)

    config = json.loads(sys.stdin.readline() or "{}")
    from documents.engine import api  # imports Jinja and nh3 before the limits apply

    if config.get("warm_pdf"):
        import weasyprint  # noqa: F401  -- the first PDF would otherwise pay for this

    sys.setrecursionlimit(int(config.get("recursion_limit", 600)))
    _limit_memory(int(config.get("memory_mb", 0)))
    channel.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")

    for line in sys.stdin:
        try:
            request = json.loads(line)
            _limit_cpu(float(request.get("cpu_seconds", 10)))
            operation = api.OPERATIONS[request["op"]]
            answer = operation(request, config)
        except MemoryError:
            answer = {"ok": False, "problems": [{"code": "memory"}], "restart": True}
        except Exception as exc:  # report, never die silently
            answer = {
                "ok": False,
                "problems": [{"code": "render_error", "params": {"detail": repr(exc)[:300]}}],
            }
        if any(p.get("code") == "memory" for p in answer.get("problems", ())):
            answer["restart"] = True  # start afresh rather than run on a fragmented heap
        try:
            channel.write(json.dumps(answer) + "\n")
        except MemoryError:
            channel.write('{"ok": false, "problems": [{"code": "memory"}], "restart": true}\n')
        if answer.get("restart"):
            break


if __name__ == "__main__":
    main()
