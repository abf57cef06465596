"""Serves the Java interop tests: reads one JSON request per line on stdin and answers each with one JSON line.

A request is a list of operations, {"op": ..., ...}; the answer is the list of their results, in order. An operation
that raises answers {"error": <exception type>, "message": ...} and the next one runs. Values cross as tagged JSON:
{"t": "none"}, {"t": "bool", "v": true}, {"t": "int", "v": "<decimal>"}, {"t": "float", "bits": "<signed 64-bit>"},
{"t": "str", "v": "..."}, {"t": "bytes", "b64": "..."}.

Blocks this process attaches to are unregistered from its resource tracker, which would otherwise unlink them when
the process exits (gh-82300). Blocks it creates are either unlinked here ("unlink") or handed over to Java
("hand_over": unregistered and closed, so that Java unlinks them). At the end the resource tracker is stopped, so that
any warning it has is in stderr before the process exits. Standard library only.
"""
import base64
import hashlib
import json
import struct
import sys
import traceback
from multiprocessing import resource_tracker, shared_memory

lists = {}
blocks = {}


def encode(value):
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": str(value)}
    if isinstance(value, float):
        return {"t": "float", "bits": str(struct.unpack("<q", struct.pack("<d", value))[0])}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, bytes):
        return {"t": "bytes", "b64": base64.b64encode(value).decode("ascii")}
    raise TypeError("cannot encode %r" % type(value))


def decode(tagged):
    kind = tagged["t"]
    if kind == "none":
        return None
    if kind == "bool":
        return tagged["v"]
    if kind == "int":
        return int(tagged["v"])
    if kind == "float":
        return struct.unpack("<d", struct.pack("<q", int(tagged["bits"])))[0]
    if kind == "str":
        return tagged["v"]
    if kind == "bytes":
        return base64.b64decode(tagged["b64"])
    raise ValueError("unknown tag %r" % kind)


def untrack(shm):
    resource_tracker.unregister(shm._name, "shared_memory")


def describe(sl, with_repr=True):
    result = {"name": sl.shm.name, "format": sl.format, "len": len(sl), "size": sl.shm.size}
    if with_repr:
        result["repr"] = repr(sl)
    return result


def read_values(sl):
    values = []
    for i in range(len(sl)):
        try:
            values.append(encode(sl[i]))
        except Exception as ex:
            values.append({"error": type(ex).__name__, "message": str(ex)})
    return values


def sl_create(op):
    sl = shared_memory.ShareableList([decode(v) for v in op["items"]], name=op["name"])
    lists[sl.shm.name] = sl
    return describe(sl, op.get("repr", True))


def sl_attach(op):
    sl = shared_memory.ShareableList(name=op["name"])
    untrack(sl.shm)
    lists[sl.shm.name] = sl
    return describe(sl, op.get("repr", True))


def sl_read(op):
    sl = lists[op["name"]]
    result = describe(sl, False)
    result["values"] = read_values(sl)
    if op.get("repr", True):
        try:
            result["repr"] = repr(sl)
        except Exception as ex:
            result["repr_error"] = type(ex).__name__
    return result


def sl_set(op):
    lists[op["name"]][op["index"]] = decode(op["value"])
    return {"ok": True}


def sl_count(op):
    sl = lists[op["name"]]
    results = []
    for probe in op["probes"]:
        value = decode(probe)
        try:
            index = sl.index(value)
        except ValueError:
            index = -1
        results.append({"count": sl.count(value), "index": index})
    return {"results": results}


def shm_create(op):
    shm = shared_memory.SharedMemory(name=op["name"], create=True, size=op["size"])
    blocks[shm.name] = shm
    fill(shm.buf, op["seed"])
    return {"name": shm.name, "size": shm.size, "repr": repr(shm)}


def shm_attach(op):
    shm = shared_memory.SharedMemory(name=op["name"])
    untrack(shm)
    blocks[shm.name] = shm
    return {"name": shm.name, "size": shm.size, "repr": repr(shm), "sha256": hashlib.sha256(shm.buf).hexdigest()}


def shm_digest(op):
    return {"sha256": hashlib.sha256(blocks[op["name"]].buf).hexdigest()}


def shm_read(op):
    offset = op["offset"]
    data = bytes(blocks[op["name"]].buf[offset:offset + op["length"]])
    return {"b64": base64.b64encode(data).decode("ascii")}


def shm_write(op):
    data = base64.b64decode(op["b64"])
    offset = op["offset"]
    blocks[op["name"]].buf[offset:offset + len(data)] = data
    return {"ok": True}


def fill(buf, seed):
    # The Java tests' pattern: byte i is (i * 31 + seed) mod 256, which repeats every 256 bytes.
    pattern = bytes((i * 31 + seed) & 0xFF for i in range(256))
    size = len(buf)
    buf[:size] = (pattern * (size // 256 + 1))[:size]


def handle(name):
    if name in lists:
        return lists.pop(name).shm
    return blocks.pop(name)


def close(op):
    handle(op["name"]).close()
    return {"ok": True}


def unlink(op):
    shm = handle(op["name"])
    shm.close()
    shm.unlink()
    return {"ok": True}


def hand_over(op):
    shm = handle(op["name"])
    untrack(shm)
    shm.close()
    return {"ok": True}


def float_reprs(op):
    return {"reprs": [repr(struct.unpack("<d", struct.pack("<q", int(bits)))[0]) for bits in op["bits"]]}


def str_reprs(op):
    return {"reprs": [repr(decode(value)) for value in op["values"]]}


def version(op):
    return {"version": "%d.%d.%d" % sys.version_info[:3]}


OPERATIONS = {f.__name__: f for f in (sl_create, sl_attach, sl_read, sl_set, sl_count, shm_create, shm_attach,
                                       shm_digest, shm_read, shm_write, close, unlink, hand_over, float_reprs,
                                       str_reprs, version)}


def run(op):
    try:
        return OPERATIONS[op["op"]](op)
    except Exception as ex:
        return {"error": type(ex).__name__, "message": str(ex), "traceback": traceback.format_exc()}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        answer = [run(op) for op in json.loads(line)]
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    for name in list(lists) + list(blocks):
        handle(name).close()
    # Stop the resource tracker now, so that whatever it reports (a leak warning) is in stderr before the exit.
    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        stop()


if __name__ == "__main__":
    main()
