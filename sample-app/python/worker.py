#!/usr/bin/env python3
"""Statistics worker for the shared memory sample application.

A job is two shared memory blocks created by the Spring Boot application:

* a data block holding the readings as a float64 array in numpy's .npy format: a header that gives the dtype and
  shape (``{'descr': '<f8', 'fortran_order': False, 'shape': (1000,), }``), then the doubles, 64-byte aligned, and
* a ShareableList describing the job (the layout below), whose name is all the worker needs to be told.

The worker attaches to both by name, claims the job (status "running" and its pid), computes the statistics, writes
them into the list and sets the status to "done" last, so that a reader who sees "done" sees the results too. It never
unlinks a block: the application owns them.

How jobs arrive:

* ``worker.py`` reads list names from standard input, one per line, until end of input. This is how the application
  runs it: it starts the worker as a child process, writes each new job's name to it and closes the pipe to stop it.
  SIGINT and SIGTERM are ignored in this mode, so that a Ctrl-C or a kill meant for the application's whole process
  group does not kill a job half way: the application stops the worker by closing the pipe (which also happens when
  the application dies) and kills a stuck one with SIGKILL.
* ``worker.py --poll http://localhost:8080`` asks the application for pending jobs over HTTP instead, for people who
  run the worker themselves (start the application with ``--sample.worker.enabled=false``).

Statistics (the application's end-to-end test computes the same, independently):

* mean, min, max;
* stddev: the population standard deviation, sqrt(sum((x - mean)^2) / n);
* p95: the 95th percentile by linear interpolation between closest ranks, numpy's default method ("linear", also
  Hyndman & Fan's type 7 and spreadsheets' PERCENTILE.INC): with the values sorted, h = (n - 1) * 0.95, and the result
  is x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).

Reading the readings: with numpy, ``np.load("/dev/shm/" + name, mmap_mode="r")``, which parses the header and maps
the data, zero-copy; without it, a few lines of plain Python parse the header (``read_npy_header``) and
``memoryview.cast("d")`` views the data in place. Either way the readings are never copied, except by sorted() for the
percentile.

Standard library only; numpy is used if it happens to be installed (``--no-numpy`` turns it off). Python 3.9+.
"""

import argparse
import ast
import json
import math
import os
import signal
import struct
import sys
import time
import urllib.request
from multiprocessing import resource_tracker, shared_memory

try:
    import numpy
except ImportError:
    numpy = None

# The job's ShareableList, slot by slot. The application (JobSlots.java) creates it with this layout.
JOB_ID = 0  # int
STATUS = 1  # str: "pending", "running", "done" or "failed"
DATA_BLOCK = 2  # str: name of the block holding the readings
COUNT = 3  # int: number of readings in the data block
MEAN = 4  # float, the results: NaN until done
MIN = 5
MAX = 6
STDDEV = 7
P95 = 8
WORKER_PID = 9  # int: pid of the worker that claimed the job, 0 before
ERROR = 10  # str: why the job failed, empty otherwise
SLOTS = 11

# The application sizes the error slot for at least this many UTF-8 bytes.
ERROR_CAPACITY = 120

PERCENTILE = 95

# Where Linux keeps the blocks, as files: what np.load opens.
SHM_DIRECTORY = "/dev/shm"

NPY_MAGIC = b"\x93NUMPY"

# The readings' dtype as a .npy header gives it: float64 in this machine's byte order, what memoryview.cast("d") reads.
FLOAT64 = ("<" if sys.byteorder == "little" else ">") + "f8"


def log(message):
    print(f"worker {os.getpid()}: {message}", flush=True)


def untracked(block):
    """Keeps Python's resource tracker from unlinking, when this process exits, a block it merely attached to.

    CPython 3.8 to 3.13 register every block a process attaches to, and unlink it at exit. Unregistering right after
    attaching works on every version; it is the only way for a ShareableList, which has no track parameter (3.13
    included). For a SharedMemory on 3.13 and later, attach_untracked() does better: it never registers the block.
    """
    resource_tracker.unregister(block._name, "shared_memory")
    return block


def attach_untracked(name):
    """Attaches to a SharedMemory block without its ever being registered for unlinking at exit."""
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name, track=False)
    return untracked(shared_memory.SharedMemory(name))


def compute(readings, use_numpy):
    """Returns (mean, min, max, stddev, p95) of a non-empty sequence of floats."""
    if use_numpy:
        values = numpy.frombuffer(readings, dtype=numpy.float64)
        try:
            return (float(values.mean()), float(values.min()), float(values.max()), float(values.std()),
                    float(numpy.percentile(values, PERCENTILE)))
        finally:
            # The array holds an export of the shared buffer; drop it before the caller releases the buffer.
            del values
    n = len(readings)
    ordered = sorted(readings)
    mean = math.fsum(ordered) / n
    stddev = math.sqrt(math.fsum((x - mean) ** 2 for x in ordered) / n)
    h = (n - 1) * PERCENTILE / 100
    low = math.floor(h)
    high = min(low + 1, n - 1)
    p95 = ordered[low] + (h - low) * (ordered[high] - ordered[low])
    return mean, ordered[0], ordered[-1], stddev, p95


def read_npy_header(buf):
    """Reads the .npy header at the start of a buffer, as numpy's format defines it: returns (header dict, offset of
    the data). Plain Python, for when numpy is not installed: the magic, the version, the header's length (2 bytes
    in version 1, 4 in versions 2 and 3, little-endian), then a Python dict literal, read safely."""
    if bytes(buf[:len(NPY_MAGIC)]) != NPY_MAGIC or len(buf) < 10:
        raise ValueError("not in the .npy format")
    major = buf[6]
    if major == 1:
        (length,), start = struct.unpack_from("<H", buf, 8), 10
    elif major in (2, 3):
        (length,), start = struct.unpack_from("<I", buf, 8), 12
    else:
        raise ValueError(f".npy format version {major} is not known")
    if start + length > len(buf):
        raise ValueError(f".npy header of {length} bytes runs past the block's {len(buf)} bytes")
    header = ast.literal_eval(bytes(buf[start:start + length]).decode("utf-8" if major == 3 else "latin-1"))
    if not isinstance(header, dict) or not {"descr", "fortran_order", "shape"} <= header.keys():
        raise ValueError(".npy header is not a dict of descr, fortran_order and shape")
    return header, start + length


def check_readings(data_name, descr, shape, count):
    if descr != FLOAT64 or shape != (count,):
        raise ValueError(f"data block '{data_name}' holds a {descr} array of shape {shape}, not the job's {count} "
                         f"{FLOAT64} readings")


def statistics_of(data_name, count, use_numpy):
    if count < 1:
        raise ValueError(f"job has {count} readings, at least 1 needed")
    if use_numpy:
        # Opens the block's file read-only: nothing for the resource tracker to register, so nothing to unregister.
        values = numpy.load(os.path.join(SHM_DIRECTORY, data_name), mmap_mode="r")
        try:
            check_readings(data_name, values.dtype.str, values.shape, count)
            return compute(values, use_numpy)
        finally:
            # Unmaps the block once the last reference goes.
            del values
    data = attach_untracked(data_name)
    try:
        header, offset = read_npy_header(data.buf)
        check_readings(data_name, header["descr"], header["shape"], count)
        if offset + 8 * count > data.size:
            raise ValueError(f"data block '{data_name}' holds {data.size} bytes, {offset + 8 * count} needed for "
                             f"{count} readings")
        # Views straight into the shared block: the readings are never copied, except by sorted() for the percentile.
        with data.buf[offset:offset + 8 * count] as raw, raw.cast("d") as readings:
            return compute(readings, use_numpy)
    finally:
        data.close()


def truncated(text, capacity):
    return text.encode("utf-8")[:capacity].decode("utf-8", "ignore")


def process(list_name, use_numpy):
    """Runs one job; never raises, so that one bad job cannot stop the worker."""
    try:
        job = shared_memory.ShareableList(name=list_name)
    except FileNotFoundError:
        log(f"job list '{list_name}' is gone (deleted?), skipped")
        return
    except Exception as ex:
        log(f"cannot attach job list '{list_name}': {type(ex).__name__}: {ex}")
        return
    untracked(job.shm)
    try:
        if len(job) != SLOTS:
            log(f"'{list_name}' has {len(job)} items, not a job list ({SLOTS} items), skipped")
            return
        job_id = job[JOB_ID]
        if job[STATUS] != "pending":
            log(f"job {job_id} is {job[STATUS]} already, skipped")
            return
        job[WORKER_PID] = os.getpid()
        job[STATUS] = "running"
        started = time.perf_counter()
        try:
            mean, low, high, stddev, p95 = statistics_of(job[DATA_BLOCK], job[COUNT], use_numpy)
        except Exception as ex:
            job[ERROR] = truncated(f"{type(ex).__name__}: {ex}", ERROR_CAPACITY)
            job[STATUS] = "failed"
            log(f"job {job_id} failed: {type(ex).__name__}: {ex}")
            return
        job[MEAN] = mean
        job[MIN] = low
        job[MAX] = high
        job[STDDEV] = stddev
        job[P95] = p95
        job[STATUS] = "done"
        millis = (time.perf_counter() - started) * 1000
        log(f"job {job_id} done: {job[COUNT]} readings in {millis:.1f} ms, mean={mean:.6g} min={low:.6g} "
            f"max={high:.6g} stddev={stddev:.6g} p{PERCENTILE}={p95:.6g}")
    finally:
        job.shm.close()


def read_stdin(use_numpy):
    # The application decides when the worker stops (it closes the pipe): a signal sent to its whole process group,
    # such as Ctrl-C in a terminal, must not kill a job half way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    log("ready, reading job names from standard input")
    while True:
        line = sys.stdin.readline()
        if not line:
            log("end of input, stopping")
            return
        name = line.strip()
        if name:
            process(name, use_numpy)


def poll(base_url, interval, use_numpy):
    url = base_url.rstrip("/") + "/jobs?status=pending"
    log(f"ready, polling {url} every {interval}s")
    reachable = True
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                jobs = json.load(response)
        except (OSError, ValueError) as ex:
            if reachable:
                log(f"cannot fetch pending jobs from {url}: {ex}; retrying")
            reachable = False
            time.sleep(interval)
            continue
        if not reachable:
            log(f"{url} reachable again")
        reachable = True
        for job in jobs:
            process(job["statusBlock"], use_numpy)
        if not jobs:
            time.sleep(interval)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Computes statistics of jobs shared by the sample application.")
    parser.add_argument("--poll", metavar="URL", help="poll the application at URL for pending jobs instead of "
                        "reading job list names from standard input")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls (default 0.5)")
    parser.add_argument("--no-numpy", action="store_true", help="compute in pure Python even if numpy is installed")
    args = parser.parse_args(argv)
    use_numpy = numpy is not None and not args.no_numpy
    engine = f"numpy {numpy.__version__}" if use_numpy else "pure Python"
    log(f"Python {sys.version.split()[0]}, computing with {engine}")
    if args.poll:
        try:
            poll(args.poll, args.interval, use_numpy)
        except KeyboardInterrupt:
            log("interrupted, stopping")
    else:
        read_stdin(use_numpy)


if __name__ == "__main__":
    main()
