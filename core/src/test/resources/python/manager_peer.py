"""Serves the Java manager protocol tests: reads one JSON request per line on stdin and answers each with one JSON line.

A request is a list of operations, {"op": ..., ...}; the answer is the list of their results, in order. An operation
that raises answers {"error": <exception type>, "message": ..., "traceback": ...} and the next one runs. Addresses are
{"host": ..., "port": ...} (TCP) or {"path": ...} (a Unix socket); authkeys are hex.

Blocks created through a manager are handed over to it: unregistered from this process's resource tracker (as the
README tells Python users to do), so that only the manager unlinks them. Standard library only.
"""
import json
import multiprocessing
import pickle
import sys
import traceback
from multiprocessing import resource_tracker
from multiprocessing.managers import SharedMemoryManager, dispatch

servers = {}
held = []


def address_of(spec):
    return spec["path"] if "path" in spec else (spec["host"], spec["port"])


def manager(op):
    smm = SharedMemoryManager(address=address_of(op["address"]), authkey=bytes.fromhex(op["authkey"]))
    smm.connect()
    return smm


def hand_over(shm):
    resource_tracker.unregister(shm._name, "shared_memory")


def create_blocks(op):
    smm = manager(op)
    names = []
    for _ in range(op.get("count", 1)):
        shm = smm.SharedMemory(op.get("size", 64))
        shm.buf[0] = 42
        hand_over(shm)
        names.append(shm.name)
        held.append(shm)
    return names


def child(op, queue):
    try:
        names = []
        for _ in range(op["blocks"]):
            shm = SharedMemoryManager(address=address_of(op["address"]),
                                      authkey=bytes.fromhex(op["authkey"])).SharedMemory(64)
            hand_over(shm)
            names.append(shm.name)
            shm.close()
        queue.put(names)
    except BaseException as e:
        queue.put(repr(e))


def many(op):
    # Forked children share this process's resource tracker; each makes its own connections, as a worker would.
    resource_tracker.ensure_running()
    manager(op)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=child, args=(op, queue)) for _ in range(op["processes"])]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)
    errors = [r for r in results if isinstance(r, str)]
    if errors:
        raise RuntimeError("children failed: %s" % errors[:3])
    return [name for names in results for name in names]


def serve(op):
    address = address_of(op["address"]) if "address" in op else ("127.0.0.1", 0)
    smm = SharedMemoryManager(address=address, authkey=bytes.fromhex(op["authkey"]))
    smm.start()
    servers[op["id"]] = smm
    if isinstance(smm.address, str):
        return {"path": smm.address}
    return {"host": smm.address[0], "port": smm.address[1]}


def served_segments(op):
    smm = servers[op["id"]]
    conn = smm._Client(smm._address, authkey=smm._authkey)
    try:
        return dispatch(conn, None, "list_segments")
    finally:
        conn.close()


def run(op):
    kind = op["op"]
    try:
        if kind == "connect":
            manager(op)
            return {"ok": True}
        if kind == "blocks":
            return {"names": create_blocks(op)}
        if kind == "list":
            smm = manager(op)
            sl = smm.ShareableList(op["items"])
            hand_over(sl.shm)
            held.append(sl.shm)
            return {"name": sl.shm.name, "items": list(sl)}
        if kind == "call":
            smm = manager(op)
            conn = smm._Client(smm._address, authkey=smm._authkey)
            try:
                return {"value": repr(dispatch(conn, None, op["method"], tuple(op.get("args", []))))}
            finally:
                conn.close()
        if kind == "many":
            return {"names": many(op)}
        if kind == "serve":
            return {"address": serve(op)}
        if kind == "served_segments":
            return {"names": served_segments(op)}
        if kind == "stop_server":
            servers.pop(op["id"]).shutdown()
            return {"ok": True}
        if kind == "pickle":
            return {"hex": pickle.dumps(eval(op["expr"]), protocol=op["protocol"]).hex()}
        if kind == "unpickle":
            return {"repr": repr(pickle.loads(bytes.fromhex(op["hex"])))}
        raise ValueError("unknown op " + kind)
    except BaseException as e:
        return {"error": type(e).__name__, "message": str(e), "traceback": traceback.format_exc()}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        answer = [run(op) for op in json.loads(line)]
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    for shm in held:
        shm.close()
    for smm in servers.values():
        smm.shutdown()


if __name__ == "__main__":
    main()
