#!/usr/bin/env python3
"""CPython's side of the benchmark table: the same workloads as the JMH suite, with the standard library only.

Every workload is timed in rounds: a round runs the operation many times in a loop compiled by timeit (garbage
collection off, as timeit does) and yields the mean time per operation; the report takes the minimum and the median
of the rounds. Prints one JSON object on stdout:
{"python": "3.13.0", "workloads": {"create_close_unlink": {"unit": "ns/op", "rounds": [...]}, ...}}

Usage: python3 python_bench.py [--quick] [--only PREFIX[,PREFIX...]]
Works on any CPython 3.9 or later; track=False figures are added on 3.13 and later.
"""

import argparse
import gc
import json
import os
import platform
import sys
import time
import timeit
from multiprocessing import resource_tracker, shared_memory
from multiprocessing.managers import SharedMemoryManager, dispatch

BLOCK_SIZE = 4096
BULK_SIZE = 256 << 20
LIST_INDEX = 500
HAS_TRACK = sys.version_info >= (3, 13)


class Runner:
    """Runs workloads and keeps their rounds."""

    def __init__(self, quick, only):
        self.quick = quick
        self.only = only
        self.results = {}
        self.rounds = 5 if quick else 15

    def wanted(self, workload):
        return not self.only or any(workload.startswith(prefix) for prefix in self.only)

    def loop(self, workload, stmt, setup="pass", namespace=None, ops=1000):
        """Times stmt, compiled inline in timeit's loop, and records ns per operation for each round."""
        if not self.wanted(workload):
            return
        timer = timeit.Timer(stmt, setup, globals=namespace or {})
        timer.timeit(number=max(1, ops // 5))  # warm-up
        rounds = [timer.timeit(number=ops) * 1e9 / ops for _ in range(self.rounds)]
        self.record(workload, rounds)

    def each(self, workload, prepare, operation, finish, rounds=None):
        """Times single operations that need untimed work around them (making a block, unlinking one)."""
        if not self.wanted(workload):
            return
        times = []
        for i in range((rounds or self.rounds) + 1):
            state = prepare()
            gc.disable()
            try:
                start = time.perf_counter_ns()
                result = operation(state)
                elapsed = time.perf_counter_ns() - start
            finally:
                gc.enable()
            finish(state, result)
            if i > 0:  # the first round is the warm-up
                times.append(float(elapsed))
        self.record(workload, times)

    def record(self, workload, rounds):
        self.results[workload] = {"unit": "ns/op", "rounds": [round(r, 1) for r in rounds]}
        print(f"  {workload}: min {min(rounds):,.0f} ns/op", file=sys.stderr)


def lifecycle(run):
    ops = 2000 if run.quick else 5000
    run.loop("create_close_unlink",
             "s = SharedMemory(create=True, size=BLOCK_SIZE); s.close(); s.unlink()",
             namespace={"SharedMemory": shared_memory.SharedMemory, "BLOCK_SIZE": BLOCK_SIZE}, ops=ops)
    if HAS_TRACK:
        run.loop("create_close_unlink_notrack",
                 "s = SharedMemory(create=True, size=BLOCK_SIZE, track=False); s.close(); s.unlink()",
                 namespace={"SharedMemory": shared_memory.SharedMemory, "BLOCK_SIZE": BLOCK_SIZE}, ops=ops)
    target = shared_memory.SharedMemory(create=True, size=BLOCK_SIZE)
    try:
        namespace = {"SharedMemory": shared_memory.SharedMemory, "name": target.name}
        run.loop("attach_close", "SharedMemory(name).close()", namespace=namespace, ops=ops)
        if HAS_TRACK:
            run.loop("attach_close_notrack", "SharedMemory(name, track=False).close()", namespace=namespace,
                     ops=ops)
    finally:
        target.close()
        target.unlink()


def shareable_lists(run):
    ops = 100_000 if run.quick else 300_000
    kinds = {
        "int": ([i * 7 for i in range(1000)], 123456789),
        "float": ([i * 0.5 for i in range(1000)], 2.718281828),
        "str": ([f"{i:016d}" for i in range(1000)], "abcdefghijklmnop"),
    }
    for kind, (items, value) in kinds.items():
        if not (run.wanted(f"list_{kind}_read") or run.wanted(f"list_{kind}_write")):
            continue
        sl = shared_memory.ShareableList(items)
        try:
            namespace = {"sl": sl, "i": LIST_INDEX, "v": value}
            run.loop(f"list_{kind}_read", "sl[i]", namespace=namespace, ops=ops)
            run.loop(f"list_{kind}_write", "sl[i] = v", namespace=namespace, ops=ops)
        finally:
            sl.shm.close()
            sl.shm.unlink()


def mixed_items():
    """1000 items cycling through int, float, str, bytes, bool and None, as the JMH suite builds them."""
    cycle = [lambda i: i * 7, lambda i: i * 0.5, lambda i: f"item-{i}", lambda i: b"bytes-%d" % i,
             lambda i: i % 2 == 0, lambda i: None]
    return [cycle[i % len(cycle)](i) for i in range(1000)]


def list_creation(run):
    items = mixed_items()
    ops = 100 if run.quick else 300

    def make(_):
        return shared_memory.ShareableList(items)

    def drop(_, sl):
        sl.shm.close()
        sl.shm.unlink()

    if run.wanted("list_create_mixed"):
        # Timed one by one, so that unlinking stays outside the time; many rounds make up for the clock's grain.
        run.each("list_create_mixed", lambda: None, make, drop, rounds=ops)
    run.loop("list_create_close_unlink_mixed",
             "sl = ShareableList(items); sl.shm.close(); sl.shm.unlink()",
             namespace={"ShareableList": shared_memory.ShareableList, "items": items}, ops=ops)


def bulk(run):
    if not any(run.wanted(w) for w in ("bulk_warm_in", "bulk_warm_out", "bulk_first_touch_in",
                                       "bulk_first_touch_out")):
        return
    rounds = 5 if run.quick else 10
    source = bytes((i * 31 + 7) & 0xFF for i in range(256)) * (BULK_SIZE // 256)
    target = bytearray(b"\x01") * BULK_SIZE
    target_view = memoryview(target)

    def fresh():
        return shared_memory.SharedMemory(create=True, size=BULK_SIZE)

    def copy_in(shm):
        shm.buf[:] = source

    def copy_out(shm):
        target_view[:] = shm.buf

    def drop(shm, _):
        shm.close()
        shm.unlink()

    def fresh_copy_in(_):
        shm = fresh()
        copy_in(shm)
        return shm

    def fresh_copy_out(_):
        shm = fresh()
        copy_out(shm)
        return shm

    run.each("bulk_first_touch_in", lambda: None, fresh_copy_in, lambda _, shm: drop(shm, None), rounds=rounds)
    run.each("bulk_first_touch_out", lambda: None, fresh_copy_out, lambda _, shm: drop(shm, None), rounds=rounds)
    warm = fresh()
    try:
        copy_in(warm)
        run.each("bulk_warm_in", lambda: warm, copy_in, lambda *_: None, rounds=rounds)
        run.each("bulk_warm_out", lambda: warm, copy_out, lambda *_: None, rounds=rounds)
    finally:
        drop(warm, None)


def manager(run, counts):
    """Python's SharedMemoryManager with many blocks tracked: create + unlink one more, and list them all.

    The manager has no public per-block unlink nor listing: its server's own 'release_segment' (unlink one tracked
    block) and 'list_segments' requests are sent the way the manager itself sends 'track_segment'.
    """
    for count in counts:
        if not (run.wanted(f"manager_create_unlink_{count}") or run.wanted(f"manager_list_{count}")):
            continue
        with SharedMemoryManager() as smm:
            for _ in range(count):
                # What smm.SharedMemory(1) does, without keeping 10,000 descriptors open here.
                block = shared_memory.SharedMemory(create=True, size=1)
                block.close()
                try:
                    with smm._Client(smm._address, authkey=smm._authkey) as conn:
                        dispatch(conn, None, "track_segment", (block.name,))
                finally:
                    # The manager's server unlinks it at shutdown; this process's tracker must not as well.
                    resource_tracker.unregister(block._name, "shared_memory")

            def create_unlink():
                block = smm.SharedMemory(1)
                block.close()
                with smm._Client(smm._address, authkey=smm._authkey) as conn:
                    dispatch(conn, None, "release_segment", (block.name,))

            def list_segments():
                with smm._Client(smm._address, authkey=smm._authkey) as conn:
                    return dispatch(conn, None, "list_segments", ())

            ops = 100 if run.quick else 300
            run.loop(f"manager_create_unlink_{count}", "f()", namespace={"f": create_unlink}, ops=ops)
            run.loop(f"manager_list_{count}", "f()", namespace={"f": list_segments}, ops=ops // 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and operations")
    parser.add_argument("--only", default="", help="comma-separated workload name prefixes")
    args = parser.parse_args()
    run = Runner(args.quick, [p for p in args.only.split(",") if p])
    print(f"python {platform.python_version()} ({sys.executable})", file=sys.stderr)
    lifecycle(run)
    shareable_lists(run)
    list_creation(run)
    bulk(run)
    # Python's manager takes about 1 ms per block to set up: 10,000 only in the full run.
    manager(run, (1000,) if args.quick else (1000, 10000))
    json.dump({"python": platform.python_version(), "executable": sys.executable, "quick": args.quick,
               "workloads": run.results}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
