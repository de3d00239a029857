"""The render worker process: reused between renders, killed past its limits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from documents.engine.pool import WorkerDied, WorkerPool, WorkerTimeout

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NESTED = (
    "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
    "{% for l in lines %}{% if l.name %}{% endif %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
)
CONTEXT = {"client": {"name": "Иван"}, "lines": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}


@pytest.fixture
def pool():
    pool = WorkerPool(static_roots=[str(ROOT / "static")], warm_pdf=False)
    yield pool
    pool.close()


def render(pool, source, timeout=2.0):
    return pool.run({"op": "render", "source": source, "context": CONTEXT}, timeout)


def test_worker_is_reused_between_renders(pool):
    for _ in range(20):
        assert render(pool, "<p>{client.name}</p>") == {"ok": True, "html": "<p>Иван</p>"}
    assert pool.started == 1


def test_worker_nested_loops_are_stopped_within_the_limit(pool):
    render(pool, "warm")
    started = time.monotonic()
    with pytest.raises(WorkerTimeout):
        render(pool, NESTED, timeout=1.0)
    assert time.monotonic() - started < 1.5
    # The next render gets a fresh worker and is fast again.
    assert render(pool, "<p>{client.name}</p>")["ok"]
    assert pool.started == 2


def test_worker_hang_does_not_block_other_renders(pool):
    render(pool, "warm")
    outcome = {}

    def hostile():
        started = time.monotonic()
        try:
            render(pool, NESTED, timeout=2.0)
        except WorkerTimeout:
            outcome["stopped_after"] = time.monotonic() - started

    thread = threading.Thread(target=hostile)
    thread.start()
    time.sleep(0.2)
    timings = []
    for _ in range(10):
        started = time.monotonic()
        assert render(pool, "<p>{client.name}</p>")["ok"]
        timings.append(time.monotonic() - started)
    thread.join(5)
    assert outcome["stopped_after"] < 2.5
    assert max(timings) < 1.5  # each one a round trip (the first starts a second worker)


def test_worker_memory_limit_ends_a_greedy_render():
    pool = WorkerPool(static_roots=[], warm_pdf=False, memory_mb=200)
    greedy = (
        "{% set a = range(1000)|list %}{% set b = a * 200 %}"
        + "".join(f"{{% set c{i} = b|batch(1)|list %}}" for i in range(40))
        + "{{ c0|length }}"
    )
    try:
        answer = render(pool, greedy, timeout=10)
        assert answer["ok"] is False
        assert [p["code"] for p in answer["problems"]] == ["memory"]
    except WorkerDied:
        pass  # killed by the limit before it could answer: also stopped
    assert render(pool, "<p>{client.name}</p>")["ok"]
    pool.close()


def test_worker_stdout_noise_does_not_break_the_protocol(pool):
    # The worker points stdout at stderr; a library print would otherwise corrupt answers.
    answer = pool.run({"op": "ping"}, 2)
    assert answer == {"ok": True}


def test_worker_unknown_operation_is_an_answer_not_a_crash(pool):
    answer = pool.run({"op": "format_disk"}, 2)
    assert answer["ok"] is False
    assert pool.run({"op": "ping"}, 2) == {"ok": True}
    assert pool.started == 1
