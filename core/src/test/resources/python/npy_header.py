"""Reads and writes Java's .npy arrays in shared memory with the standard library only, as a worker without numpy
does: the header parsed with ast.literal_eval, native data through memoryview.cast, other byte orders through
struct. One JSON request (a list of operations) per line on stdin, one JSON line of results on stdout.
"""
import ast
import json
import struct
import sys
import traceback
from multiprocessing import resource_tracker, shared_memory

FORMATS = {"b1": "?", "i1": "b", "u1": "B", "i2": "h", "u2": "H", "i4": "i", "u4": "I", "i8": "q", "u8": "Q",
           "f4": "f", "f8": "d", "c8": "f", "c16": "d"}


def attach(name):
    shm = shared_memory.SharedMemory(name)
    resource_tracker.unregister(shm._name, "shared_memory")
    return shm


def header(buf):
    if bytes(buf[:6]) != b"\x93NUMPY":
        raise ValueError("not a .npy block")
    major = buf[6]
    length_format, start = ("<H", 10) if major == 1 else ("<I", 12)
    (length,) = struct.unpack_from(length_format, buf, 8)
    text = bytes(buf[start:start + length]).decode("utf-8" if major == 3 else "latin1")
    d = ast.literal_eval(text)
    return d, start + length


def layout(d):
    descr = d["descr"]
    fmt = FORMATS[descr[1:]]
    count = 1
    for n in d["shape"]:
        count *= n
    if descr[1] == "c":
        count *= 2
    return descr, fmt, count


def encode(value):
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, bool):
        return value
    return str(value)


def read(op):
    shm = attach(op["name"])
    try:
        d, offset = header(shm.buf)
        descr, fmt, count = layout(d)
        if descr[0] in "|" + ("<" if sys.byteorder == "little" else ">"):
            view = shm.buf[offset:offset + count * struct.calcsize(fmt)].cast(fmt)
            values = view.tolist()
            view.release()
        else:
            values = list(struct.unpack_from(descr[0] + str(count) + fmt, shm.buf, offset))
        return {"descr": descr, "fortran_order": d["fortran_order"], "shape": list(d["shape"]),
                "offset": offset, "values": [encode(v) for v in values]}
    finally:
        shm.close()


def write(op):
    shm = attach(op["name"])
    try:
        d, offset = header(shm.buf)
        descr, fmt, count = layout(d)
        order = "<" if descr[0] == "|" else descr[0]
        value = op["value"]
        value = float.fromhex(value) if fmt in "fd" else (value if fmt == "?" else int(value))
        struct.pack_into(order + fmt, shm.buf, offset + op["index"] * struct.calcsize(fmt), value)
        return {}
    finally:
        shm.close()


OPERATIONS = {"read": read, "write": write}


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
    # Stop the resource tracker now, so that whatever it reports (a leak warning) is in stderr before the exit.
    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        stop()


if __name__ == "__main__":
    main()
