"""Serves the Java ndarray interop tests with numpy: one JSON request (a list of operations) per line on stdin, one
JSON line of results on stdout. Arrays travel as raw bytes in memory order (base64), so that every dtype and byte
order crosses exactly. Files are opened by path; only the Java side unlinks them.
"""
import base64
import io
import json
import os
import sys
import tempfile
import traceback

import numpy as np


def raw(op):
    return base64.b64decode(op["data"])


def build(op):
    order = "F" if op["fortran"] else "C"
    return np.frombuffer(raw(op), dtype=np.dtype(op["dtype"])).reshape(op["shape"], order=order)


def memory_bytes(a):
    return base64.b64encode(a.tobytes(order="A")).decode("ascii")


def load(op):
    a = np.load(op["path"], mmap_mode="r+")
    result = {"descr": a.dtype.str, "shape": list(a.shape), "strides": list(a.strides),
              "f_contiguous": bool(a.flags.f_contiguous), "c_contiguous": bool(a.flags.c_contiguous),
              "offset": int(a.offset), "data": memory_bytes(a)}
    if "write_index" in op:
        a[tuple(op["write_index"])] = np.frombuffer(base64.b64decode(op["write_value"]), dtype=a.dtype)[0]
        a.flush()
    del a
    return result


def save(op):
    with open(op["path"], "wb") as f:
        np.save(f, build(op))
    return {}


def open_memmap(op):
    m = np.lib.format.open_memmap(op["path"], mode="w+", dtype=np.dtype(op["dtype"]), shape=tuple(op["shape"]),
                                  fortran_order=op["fortran"])
    m[...] = build(op)
    m.flush()
    del m
    return {}


def save_bytes(op):
    out = io.BytesIO()
    np.save(out, build(op))
    return {"bytes": base64.b64encode(out.getvalue()).decode("ascii")}


def open_memmap_bytes(op):
    fd, path = tempfile.mkstemp(dir="/dev/shm", prefix=op["prefix"])
    os.close(fd)
    try:
        open_memmap(dict(op, path=path))
        with open(path, "rb") as f:
            return {"bytes": base64.b64encode(f.read()).decode("ascii")}
    finally:
        os.unlink(path)


OPERATIONS = {"load": load, "save": save, "open_memmap": open_memmap, "save_bytes": save_bytes,
              "open_memmap_bytes": open_memmap_bytes}


def main():
    for line in sys.stdin:
        results = []
        for op in json.loads(line):
            try:
                results.append(OPERATIONS[op["op"]](op))
            except Exception as ex:
                traceback.print_exc()
                results.append({"error": type(ex).__name__, "message": str(ex)})
        sys.stdout.write(json.dumps(results) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
