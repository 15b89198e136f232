"""How `make test` shares the suite between its workers: replays one run's test durations under
pytest-xdist's `load` scheduling and under the `loadgroup --no-loadscope-reorder` one the suite
uses (each test a unit, handed to the next free worker in pytest-django's order), side by side.

    .venv/bin/python -m pytest -n 2 -p no:randomly --durations=0 -q > durations.txt
    .venv/bin/python -m pytest -p no:randomly --collect-only -q > order.txt
    .venv/bin/python scripts/xdist_balance.py durations.txt order.txt [workers]

Durations measured on a busy machine still compare the two schedules fairly (both replay the
same numbers); the sum of durations over the number of workers is the floor either could reach.
The replay follows xdist 3.8 (xdist/scheduler/load.py and loadscope.py); it leaves out the
workers' start (collection, test database), which both pay alike."""

import re
import sys
from collections import Counter

LINE = re.compile(r"^([\d.]+)s (?:setup|call|teardown)\s+(\S.*)$", re.M)


def durations(text):
    out = Counter()
    for seconds, nodeid in LINE.findall(text):
        out[nodeid] += float(seconds)
    return out


def replay_load(dur, workers):
    """xdist `load`: consecutive chunks; a worker is refilled up to pending/workers/2 tests when
    it falls below pending/workers/4, unless its last test took ≥ 0.1 s (then it waits)."""
    pending = list(range(len(dur)))
    queue = {w: [] for w in range(workers)}
    clock = dict.fromkeys(queue, 0.0)

    def send(w, count):
        queue[w].extend(pending[:count])
        del pending[:count]

    for w in queue:
        send(w, max(len(dur) // workers // 4, 2))
    while any(queue.values()):
        w = min((w for w in queue if queue[w]), key=clock.get)
        i = queue[w].pop(0)
        clock[w] += dur[i]
        if pending:
            low = max(2, len(pending) // workers // 4)
            high = max(2, len(pending) // workers // 2)
            if len(queue[w]) < low and not (dur[i] >= 0.1 and len(queue[w]) >= 2):
                send(w, high - len(queue[w]))
    return clock


def replay_loadgroup(dur, workers):
    """xdist `loadgroup` without groups or reordering: each test is a unit; a worker holding two
    or fewer is given the next one."""
    queue = {w: [] for w in range(workers)}
    clock = dict.fromkeys(queue, 0.0)
    nxt = 0
    for w in queue:
        while len(queue[w]) < 3 and nxt < len(dur):
            queue[w].append(nxt)
            nxt += 1
    while any(queue.values()):
        w = min((w for w in queue if queue[w]), key=clock.get)
        clock[w] += dur[queue[w].pop(0)]
        if len(queue[w]) <= 2 and nxt < len(dur):
            queue[w].append(nxt)
            nxt += 1
    return clock


def main(durations_file, order_file, workers=2):
    measured = durations(open(durations_file, encoding="utf-8").read())
    order = [line.strip() for line in open(order_file, encoding="utf-8") if "::" in line]
    dur = [measured.get(nodeid, 0.0) for nodeid in order]
    total = sum(dur)
    print(f"{len(order)} tests, sum of durations {total:.1f} s, {workers} workers")
    print(f"  floor (sum / workers)          {total / workers:7.1f} s")
    for name, replay in (("load", replay_load), ("loadgroup (make test)", replay_loadgroup)):
        clock = replay(dur, workers)
        finish = ", ".join(f"{c:.1f}" for c in clock.values())
        print(f"  {name:30} {max(clock.values()):7.1f} s  (workers finish at {finish})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:4]))
