#!/usr/bin/env python3
"""Merges one run's raw results (JMH on each JDK, CPython, C) into the performance table.

Reads RAW/meta.json, RAW/c.json, RAW/python.json, RAW/manager.json (manager_protocol_bench.py) and
RAW/jvm-*/{env.json,jmh.json}, as benchmarks/run.sh leaves them, and writes OUT/latest.json, OUT/latest.md and OUT/latest.svg. Standard library only.

Usage: python3 report.py RAW OUT
"""

import html
import json
import math
import statistics
import sys
from pathlib import Path

BULK_BYTES = 256 << 20
FLAT_LIMIT = 1.5
# Why a JMH class may have no figures in a run (its code had not landed on main when the run was made).
NOT_LANDED = {
    "ShareableListAccessBenchmark": "ShareableList not merged yet",
    "ShareableListCreateBenchmark": "ShareableList not merged yet",
    "EndpointBenchmark": "starter endpoint not merged yet",
}  # "flat": the cost per block may grow at most this much from 1,000 to 10,000 blocks


class Workload:
    """One row of the table: where its figures come from and what it must achieve."""

    def __init__(self, id, group, title, unit, java=None, python=None, c=None, target=None, note=None, short=None,
                 baseline=None):
        self.id = id
        self.short = short or title  # the chart's label
        self.group = group
        self.title = title
        self.unit = unit  # "us", "ns" (time per operation) or "gbps" (throughput from ns per 256 MiB copy)
        self.java = java  # (JMH benchmark "Class.method", {param: value}) or None
        self.python = python  # workload id in python.json
        self.c = c  # workload id in c.json
        # ("python", factor) | ("limit", factor) | ("flat", id of the 1,000-block row, blocks) | ("baseline", factor)
        # | ("most", figure in the row's unit)
        self.target = target
        self.note = note
        # (JMH "Class.method", {param: value}, label): the same work done by plain Java in the same run, which the
        # row is measured against as a ratio of times (NDArray against a ByteBuffer or a raw block)
        self.baseline = baseline


def _list_rows():
    rows = []
    prefix = {"int": "int", "float": "float", "str": "str"}
    typed = {"int": "getLong", "float": "getDouble", "str": "getString"}
    typed_set = {"int": "setLong", "float": "setDouble", "str": "setString"}
    labels = {"int": "1000 ints", "float": "1000 floats", "str": "1000 16-char strings"}
    for kind in ("int", "float", "str"):
        bench = "ShareableListAccessBenchmark." + prefix[kind]
        rows += [
            Workload(f"list_{kind}_read_get", "ShareableList access", f"{labels[kind]}: read one item, get(i)", "ns",
                     java=(bench + "Get", {}), python=f"list_{kind}_read", target=("python", 50),
                     short=f"{kind} list: get(i)"),
            Workload(f"list_{kind}_read_typed", "ShareableList access",
                     f"{labels[kind]}: read one item, {typed[kind]}(i)", "ns",
                     java=(bench + typed[kind][0].upper() + typed[kind][1:], {}), python=f"list_{kind}_read",
                     target=("python", 50), short=f"{kind} list: {typed[kind]}(i)"),
            Workload(f"list_{kind}_write_set", "ShareableList access", f"{labels[kind]}: write one item, set(i, v)",
                     "ns", java=(bench + "Set", {}), python=f"list_{kind}_write", target=("python", 50),
                     short=f"{kind} list: set(i, v)"),
            Workload(f"list_{kind}_write_typed", "ShareableList access",
                     f"{labels[kind]}: write one item, {typed_set[kind]}(i, v)", "ns",
                     java=(bench + typed_set[kind][0].upper() + typed_set[kind][1:], {}),
                     python=f"list_{kind}_write", target=("python", 50), short=f"{kind} list: {typed_set[kind]}(i, v)"),
        ]
    return rows


def _ndarray_rows():
    group = "Typed arrays (NDArray, numpy's .npy layout)"
    access = "NDArrayAccessBenchmark."
    return [
        Workload("ndarray_get_bytebuffer", group, "1000 × 1000 float64: read one element through a plain ByteBuffer "
                 "(baseline)", "ns", java=(access + "byteBufferGetDouble", {}), short="ByteBuffer.getDouble (baseline)"),
        Workload("ndarray_get", group, "1000 × 1000 float64: read one element by index, getDouble(i, j)", "ns",
                 java=(access + "getDouble", {}), target=("baseline", 2),
                 baseline=(access + "byteBufferGetDouble", {}, "ByteBuffer"), short="NDArray getDouble(i, j)"),
        Workload("ndarray_put_bytebuffer", group, "1000 × 1000 float64: write one element through a plain "
                 "ByteBuffer (baseline)", "ns", java=(access + "byteBufferPutDouble", {}),
                 short="ByteBuffer.putDouble (baseline)"),
        Workload("ndarray_set", group, "1000 × 1000 float64: write one element by index, "
                 "setDouble(v, i, j)", "ns",
                 java=(access + "setDouble", {}), target=("baseline", 2),
                 baseline=(access + "byteBufferPutDouble", {}, "ByteBuffer"), short="NDArray setDouble(v, i, j)"),
        Workload("ndarray_attach_raw", group, "attach + close a raw block of 8,128 bytes (baseline)", "us",
                 java=("NDArrayAttachBenchmark.attachRaw", {}), short="attach+close raw block (baseline)"),
        Workload("ndarray_attach", group, "attach + close a 1000-element float64 array in such a block, .npy "
                 "header parsed", "us", java=("NDArrayAttachBenchmark.attachArray", {}), target=("baseline", 1.2),
                 baseline=("NDArrayAttachBenchmark.attachRaw", {}, "raw attach"), short="NDArray attach+close"),
        Workload("ndarray_bulk_in", group, "256 MiB float64: copy a double[] in, copyFrom", "gbps",
                 java=("NDArrayBulkCopyBenchmark.copyIn", {}), python="bulk_warm_in", c="bulk_warm_in",
                 target=("limit", 0.9), short="256 MiB NDArray copyFrom(double[])"),
        Workload("ndarray_bulk_out", group, "256 MiB float64: copy out into a double[], copyTo", "gbps",
                 java=("NDArrayBulkCopyBenchmark.copyOut", {}), python="bulk_warm_out", c="bulk_warm_out",
                 target=("limit", 0.9), short="256 MiB NDArray copyTo(double[])"),
    ]


CATALOG = [
    Workload("create_on", "Create and attach (4 KiB)", "create + close + unlink; Java reserving pages (default), "
             "Python tracking (default)", "us", java=("CreateBenchmark.createCloseUnlink", {"reservePages": "true", "idleThreads": "0"}),
             python="create_close_unlink", c="create_close_unlink",
             note="Reservation writes the block once at create, so that a full /dev/shm fails there; C does not.",
             short="create+close+unlink (reserving / Python tracking)"),
    Workload("create_off", "Create and attach (4 KiB)", "create + close + unlink; Java without page reservation, "
             "Python track=False", "us", java=("CreateBenchmark.createCloseUnlink", {"reservePages": "false", "idleThreads": "0"}),
             python="create_close_unlink_notrack", c="create_close_unlink", target=("limit", 1.3),
             short="create+close+unlink (no reservation / track=False)"),
    Workload("create_off_threads", "Create and attach (4 KiB)", "create + close + unlink; Java without page "
             "reservation and with 200 idle platform threads, Python track=False", "us",
             java=("CreateBenchmark.createCloseUnlink", {"reservePages": "false", "idleThreads": "200"}),
             python="create_close_unlink_notrack", c="create_close_unlink", target=("limit", 1.3),
             short="create+close+unlink (no reservation, 200 idle threads)"),
    Workload("attach", "Create and attach (4 KiB)", "attach + close; Python tracking (default)", "us",
             java=("AttachBenchmark.attachClose", {"idleThreads": "0"}), python="attach_close", c="attach_close",
             short="attach+close (Python tracking)"),
    Workload("attach_notrack", "Create and attach (4 KiB)", "attach + close; Python track=False", "us",
             java=("AttachBenchmark.attachClose", {"idleThreads": "0"}), python="attach_close_notrack",
             c="attach_close", target=("limit", 1.3),
             short="attach+close (Python track=False)"),
    Workload("attach_threads", "Create and attach (4 KiB)", "attach + close with 200 idle platform threads; "
             "Python track=False", "us", java=("AttachBenchmark.attachClose", {"idleThreads": "200"}),
             python="attach_close_notrack", c="attach_close", target=("limit", 1.3),
             short="attach+close (200 idle threads)"),
    Workload("create_jdk_floor", "Create and attach (4 KiB)", "create + close + unlink with the JDK's own calls "
             "and no library code (FileChannel.open, map, close, File.delete): the floor under the Java rows", "us",
             java=("JdkFloorBenchmark.createCloseUnlink", {}), c="create_close_unlink",
             short="create+close+unlink, JDK calls alone"),
    Workload("attach_jdk_floor", "Create and attach (4 KiB)", "attach + close with the JDK's own calls and no "
             "library code (FileChannel.open, size, map, close): the floor under the Java rows", "us",
             java=("JdkFloorBenchmark.attachClose", {}), c="attach_close", short="attach+close, JDK calls alone"),
    *_list_rows(),
    Workload("list_create_mixed", "ShareableList creation", "create a 1000-item mixed list "
             "(int, float, str, bytes, bool, None)", "us", java=("ShareableListCreateBenchmark.create", {}),
             python="list_create_mixed", target=("python", 10),
             short="create 1000-item mixed list"),
    Workload("list_create_close_unlink_mixed", "ShareableList creation", "create + close + unlink the same list",
             "us", java=("ShareableListCreateBenchmark.createCloseUnlink", {}),
             python="list_create_close_unlink_mixed", target=("python", 10),
             short="create+close+unlink 1000-item list"),
    Workload("bulk_warm_in", "Bulk copy (256 MiB)", "warm: heap array into buf()", "gbps",
             java=("BulkCopyBenchmark.copyIn", {}), python="bulk_warm_in", c="bulk_warm_in", target=("limit", 0.9),
             short="256 MiB warm copy into buf()"),
    Workload("bulk_warm_out", "Bulk copy (256 MiB)", "warm: buf() into heap array", "gbps",
             java=("BulkCopyBenchmark.copyOut", {}), python="bulk_warm_out", c="bulk_warm_out",
             target=("limit", 0.9),
             short="256 MiB warm copy out of buf()"),
    Workload("bulk_first_in_on", "Bulk copy (256 MiB)", "first touch: create a fresh block + copy in; "
             "Java reserving pages", "gbps", java=("FirstTouchBenchmark.createAndCopyIn", {"reservePages": "true"}),
             python="bulk_first_touch_in", c="bulk_first_touch_in",
             short="first touch, copy in (reserving)"),
    Workload("bulk_first_in_off", "Bulk copy (256 MiB)", "first touch: create a fresh block + copy in; "
             "Java without reservation", "gbps",
             java=("FirstTouchBenchmark.createAndCopyIn", {"reservePages": "false"}), python="bulk_first_touch_in",
             c="bulk_first_touch_in", target=("limit", 0.9),
             short="first touch, copy in (no reservation)"),
    Workload("bulk_first_out_on", "Bulk copy (256 MiB)", "first touch: create a fresh block + copy out; "
             "Java reserving pages", "gbps",
             java=("FirstTouchBenchmark.createAndCopyOut", {"reservePages": "true"}), python="bulk_first_touch_out",
             c="bulk_first_touch_out",
             short="first touch, copy out (reserving)"),
    Workload("bulk_first_out_off", "Bulk copy (256 MiB)", "first touch: create a fresh block + copy out; "
             "Java without reservation", "gbps",
             java=("FirstTouchBenchmark.createAndCopyOut", {"reservePages": "false"}),
             python="bulk_first_touch_out", c="bulk_first_touch_out", target=("limit", 0.9),
             short="first touch, copy out (no reservation)"),
    *_ndarray_rows(),
    Workload("manager_create_unlink_1000", "Manager and endpoint at scale", "manager: create + unlink one block, "
             "1,000 tracked", "us", java=("ManagerBenchmark.createUnlink", {"blocks": "1000"}),
             python="manager_create_unlink_1000",
             short="manager create+unlink, 1,000 tracked"),
    Workload("manager_create_unlink_10000", "Manager and endpoint at scale", "manager: create + unlink one block, "
             "10,000 tracked", "us", java=("ManagerBenchmark.createUnlink", {"blocks": "10000"}),
             python="manager_create_unlink_10000", target=("flat", "manager_create_unlink_1000", None),
             short="manager create+unlink"),
    Workload("manager_list_1000", "Manager and endpoint at scale", "manager: list all blocks, 1,000 tracked", "us",
             java=("ManagerBenchmark.blocks", {"blocks": "1000"}), python="manager_list_1000",
             short="manager list, 1,000 blocks"),
    Workload("manager_list_10000", "Manager and endpoint at scale", "manager: list all blocks, 10,000 tracked",
             "us", java=("ManagerBenchmark.blocks", {"blocks": "10000"}), python="manager_list_10000",
             target=("flat", "manager_list_1000", (1000, 10000)),
             short="manager list"),
    Workload("endpoint_1000", "Manager and endpoint at scale", "GET /actuator/sharedmemory (read operation), "
             "1,000 blocks", "us", java=("EndpointBenchmark.read", {"blocks": "1000"}),
             short="endpoint read, 1,000 blocks"),
    Workload("endpoint_10000", "Manager and endpoint at scale", "GET /actuator/sharedmemory (read operation), "
             "10,000 blocks", "us", java=("EndpointBenchmark.read", {"blocks": "10000"}),
             target=("flat", "endpoint_1000", (1000, 10000)),
             short="endpoint read"),
    Workload("census_1000", "Manager and endpoint at scale", "GET /actuator/sharedmemory?scope=directory (census), "
             "1,000 entries", "us", java=("EndpointBenchmark.census", {"blocks": "1000"}),
             short="census, 1,000 entries"),
    Workload("census_10000", "Manager and endpoint at scale", "GET /actuator/sharedmemory?scope=directory (census), "
             "10,000 entries", "us", java=("EndpointBenchmark.census", {"blocks": "10000"}),
             target=("most", 50_000), short="census, 10,000 entries"),
]


TRACK_TARGET = 5000  # track_segment requests per second from 8 Python clients


def manager_protocol(manager):
    """The rows of the manager wire protocol: CPython clients against the Java server and against CPython's own."""
    if not manager:
        return None
    java, cpython = manager.get("java") or {}, manager.get("cpython") or {}
    rows = []
    for key, title in (("connect_us", "connect(): a new connection, the mutual handshake, dummy"),
                       ("shared_memory_4096_us", "smm.SharedMemory(4096): create the block, then track_segment")):
        j, c = stats(java.get(key)), stats(cpython.get(key))
        j = j and {"best": j["min"], "median": j["median"]}
        c = c and {"best": c["min"], "median": c["median"]}
        ratio = ratios(j, c, "us", "speedup")
        status = None
        if ratio:
            met = [ratio[k] >= 1 for k in ("best", "median")]
            status = "met" if all(met) else ("met on best only" if met[0] else
                                             "met on median only" if met[1] else "MISSED")
        rows.append({"id": key, "title": title, "unit": "us", "java": j, "cpython": c, "vs_cpython": ratio,
                     "target": "no slower than CPython's server", "status": status})
    rate = {name: side.get("track_segment_per_second") for name, side in (("java", java), ("cpython", cpython))}
    rows.append({"id": "track_segment_per_second",
                 "title": f"track_segment, {java.get('clients', 8)} client processes at once", "unit": "req/s",
                 "java": rate["java"], "cpython": rate["cpython"],
                 "vs_cpython": (rate["java"] / rate["cpython"]) if rate["java"] and rate["cpython"] else None,
                 "target": f"≥ {TRACK_TARGET:,} req/s",
                 "status": None if rate["java"] is None else ("met" if rate["java"] >= TRACK_TARGET else "MISSED")})
    for key, title in (("server_cpu_us_per_request", "CPU per track_segment: the server process"),
                       ("clients_cpu_us_per_request", "CPU per track_segment: the client processes")):
        rows.append({"id": key, "title": title, "unit": "cpu_us", "java": java.get(key), "cpython": cpython.get(key),
                     "vs_cpython": None, "target": "", "status": None})
    cores = manager.get("cores")
    clients_cpu = java.get("clients_cpu_us_per_request")
    return {"python": manager.get("python"), "cores": cores, "load_before": manager.get("load_before"),
            "load_after": manager.get("load_after"), "ops_per_round": manager.get("ops_per_round"),
            "rounds": manager.get("rounds"), "requests": java.get("requests"),
            # What the clients alone allow: every core busy with nothing but the clients' side of the requests.
            "clients_bound_per_second": round(cores * 1e6 / clients_cpu) if cores and clients_cpu else None,
            "rows": rows}


def manager_markdown(section, java_label):
    if not section:
        return ""
    lines = [f"**Manager wire protocol**: CPython {section['python']} clients (`multiprocessing.managers`, unchanged) "
             f"against the Java manager server ({java_label}) and against CPython's own `SharedMemoryManager` "
             "server, one after the other in this run.", "",
             "| Workload | Unit | Java server | CPython server | Java vs CPython | Target | Status |",
             "|---|---|---|---|---|---|---|"]
    for row in section["rows"]:
        if row["unit"] == "us":
            cells = [fmt_pair(row["java"]), fmt_pair(row["cpython"]),
                     "–" if not row["vs_cpython"] else
                     f"{fmt(row['vs_cpython']['best'])}× / {fmt(row['vs_cpython']['median'])}×"]
            unit = "µs/op"
        else:
            cells = [fmt(row["java"]), fmt(row["cpython"]),
                     f"{fmt(row['vs_cpython'])}×" if row["vs_cpython"] else "–"]
            unit = "req/s" if row["unit"] == "req/s" else "CPU µs/req"
        lines.append(f"| {row['title']} | {unit} | " + " | ".join(cells)
                     + f" | {row['target']} | {row['status'] or ''} |")
    lines += ["", f"Latencies: best / median of {section['rounds']} rounds of {section['ops_per_round']} calls; "
              f"throughput: {section['requests']} requests, each a new connection with the mutual HMAC handshake and "
              "one pickled request, the blocks created before the clock starts. CPU per request: the server "
              "process's user + system time over the throughput run; the clients' over their timed loops. "
              f"On {section['cores']} cores the clients' side alone allows at most about "
              f"{fmt(section['clients_bound_per_second'])} req/s against the Java server. Load average "
              f"{section['load_before']:.2f} before, {section['load_after']:.2f} after."]
    return "\n".join(lines)


def stats(rounds):
    """min and median of per-round times (ns)."""
    if not rounds:
        return None
    return {"min": min(rounds), "median": statistics.median(rounds), "rounds": len(rounds)}


def load_json(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def load_jmh(path):
    """{(benchmark "Class.method", frozenset(params)): [iteration scores in ns]}"""
    results = {}
    for entry in load_json(path) or []:
        name = ".".join(entry["benchmark"].split(".")[-2:])
        params = frozenset((entry.get("params") or {}).items())
        metric = entry["primaryMetric"]
        factor = {"ns/op": 1.0, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}[metric["scoreUnit"]]
        rounds = [value * factor for fork in metric["rawData"] for value in fork]
        results[(name, params)] = rounds
    return results


def find_jmh(results, benchmark, params):
    wanted = set(params.items())
    for (name, entry_params), rounds in results.items():
        if name == benchmark and wanted <= set(entry_params):
            return rounds
    return None


def to_display(unit, ns):
    """A figure in the row's display unit; for throughput a shorter time is a higher figure."""
    if unit == "gbps":
        return BULK_BYTES / ns
    return ns / 1e3 if unit == "us" else ns


def display(unit, figure):
    """Both statistics as the table shows them: best (min time, max GB/s) / median."""
    if figure is None:
        return None
    best, median = to_display(unit, figure["min"]), to_display(unit, figure["median"])
    return {"best": best, "median": median}


def fmt(value):
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_pair(pair):
    return "–" if pair is None else f"{fmt(pair['best'])} / {fmt(pair['median'])}"


def ratios(java, other, unit, how):
    """The comparison, as the target counts it, on best figures and on medians."""
    if java is None or other is None:
        return None
    result = {}
    for key in ("best", "median"):
        if how == "speedup":  # how many times faster than CPython
            result[key] = (java[key] / other[key]) if unit == "gbps" else (other[key] / java[key])
        elif how == "limit":  # throughput as a share of the limit; time as a multiple of it
            result[key] = java[key] / other[key]
    return result


def evaluate(workload, row, rows_by_id, jvm):
    """Tells whether one JVM's figure meets the row's target: (met?, text)."""
    target = workload.target
    if target is None:
        return None
    kind = target[0]
    if kind == "python":
        r = row["vs_python"].get(jvm)
        if r is None:
            return None
        met_best, met_median = r["best"] >= target[1], r["median"] >= target[1]
    elif kind == "baseline":
        r = row["vs_baseline"].get(jvm)
        if r is None:
            return None
        met_best, met_median = r["best"] <= target[1], r["median"] <= target[1]
    elif kind == "limit":
        r = row["vs_limit"].get(jvm)
        if r is None:
            return None
        if workload.unit == "gbps":
            met_best, met_median = r["best"] >= target[1], r["median"] >= target[1]
        else:
            met_best, met_median = r["best"] <= target[1], r["median"] <= target[1]
    elif kind == "most":
        r = row["java"].get(jvm)
        if r is None:
            return None
        met_best, met_median = r["best"] <= target[1], r["median"] <= target[1]
    else:
        base = rows_by_id.get(target[1])
        r = row["growth"].get(jvm) if row.get("growth") else None
        if base is None or r is None:
            return None
        met_best, met_median = r["best"] <= FLAT_LIMIT, r["median"] <= FLAT_LIMIT
    if met_best and met_median:
        return "met"
    if met_best or met_median:
        return "met on best only" if met_best else "met on median only"
    return "MISSED"


def target_text(workload):
    target = workload.target
    if target is None:
        return ""
    if target[0] == "python":
        return f"≥ {target[1]}× CPython"
    if target[0] == "limit":
        return f"≥ {target[1]:.0%} of C" if workload.unit == "gbps" else f"≤ {target[1]}× C"
    if target[0] == "baseline":
        return f"≤ {target[1]}× {workload.baseline[2]}"
    if target[0] == "most":
        return f"≤ {target[1] / 1000:g} ms" if workload.unit == "us" else f"≤ {target[1]:g} {workload.unit}"
    return f"flat per block (≤ {FLAT_LIMIT}× growth 1k→10k)"


def build(raw):
    meta = load_json(raw / "meta.json") or {}
    c = (load_json(raw / "c.json") or {})
    python = load_json(raw / "python.json") or {}
    jvms = []
    for directory in sorted(raw.glob("jvm-*")):
        env = load_json(directory / "env.json") or {}
        results = load_jmh(directory / "jmh.json")
        label = f"Java {env.get('javaVersion', '?').split('.')[0]} · {env.get('mapping', '?')}"
        jvms.append({"id": directory.name[4:], "label": label, "env": env, "results": results,
                     "note": (load_json(directory / "note.json") or {}).get("note")})
    rows = []
    rows_by_id = {}
    for workload in CATALOG:
        row = {"id": workload.id, "group": workload.group, "title": workload.title, "short": workload.short,
               "unit": workload.unit,
               "target": target_text(workload), "java": {}, "vs_python": {}, "vs_limit": {}, "status": {},
               "note": workload.note}
        if workload.baseline:
            row["baseline"] = workload.baseline[2]
            row["vs_baseline"] = {}
        py_rounds = (python.get("workloads") or {}).get(workload.python, {}).get("rounds") if workload.python else None
        c_rounds = c.get(workload.c, {}).get("rounds") if workload.c else None
        row["python_ns"] = stats(py_rounds)
        row["c_ns"] = stats(c_rounds)
        row["python"] = display(workload.unit, row["python_ns"])
        row["c"] = display(workload.unit, row["c_ns"])
        for jvm in jvms:
            rounds = find_jmh(jvm["results"], *workload.java) if workload.java else None
            figure = stats(rounds)
            row["java"][jvm["id"]] = display(workload.unit, figure)
            row.setdefault("java_ns", {})[jvm["id"]] = figure
            row["vs_python"][jvm["id"]] = ratios(row["java"][jvm["id"]], row["python"], workload.unit, "speedup")
            row["vs_limit"][jvm["id"]] = ratios(row["java"][jvm["id"]], row["c"], workload.unit, "limit")
            if workload.baseline:
                base = display(workload.unit, stats(find_jmh(jvm["results"], *workload.baseline[:2])))
                # a multiple of the baseline's time, as "limit" gives one of C's
                row["vs_baseline"][jvm["id"]] = ratios(row["java"][jvm["id"]], base, workload.unit, "limit")
        if workload.target and workload.target[0] == "flat":
            base = rows_by_id[workload.target[1]]
            blocks = workload.target[2]
            row["growth"] = {}
            for jvm in jvms:
                now, before = row["java"].get(jvm["id"]), base["java"].get(jvm["id"])
                if now and before:
                    scale = (blocks[1] / blocks[0]) if blocks else 1.0  # listing: per block, so divide by 10
                    row["growth"][jvm["id"]] = {k: now[k] / before[k] / scale for k in ("best", "median")}
            if row["python"] and base["python"]:
                scale = (blocks[1] / blocks[0]) if blocks else 1.0
                row["python_growth"] = {k: row["python"][k] / base["python"][k] / scale for k in ("best", "median")}
        for jvm in jvms:
            if row["java"].get(jvm["id"]) is None and workload.java and jvm.get("note"):
                row["status"][jvm["id"]] = None  # a run of only some workloads, as its note says
            elif row["java"].get(jvm["id"]) is None and workload.java:
                reason = NOT_LANDED.get(workload.java[0].split(".")[0], "no result in this run")
                row["status"][jvm["id"]] = f"not measured ({reason})"
            else:
                row["status"][jvm["id"]] = evaluate(workload, row, rows_by_id, jvm["id"])
        rows.append(row)
        rows_by_id[workload.id] = row
    for row in rows:
        row.pop("java_ns", None)
    return {"meta": meta, "python": {k: python.get(k) for k in ("python", "executable")},
            "jvms": [{k: j[k] for k in ("id", "label", "env", "note")} for j in jvms], "rows": rows,
            "manager_protocol": manager_protocol(load_json(raw / "manager.json"))}


UNIT_LABEL = {"us": "µs/op", "ns": "ns/op", "gbps": "GB/s"}


def comparison_cell(row, jvms, key, fmt_ratio):
    parts = []
    for jvm in jvms:
        r = row[key].get(jvm["id"])
        if r is not None:
            parts.append(fmt_ratio(r))
    return " · ".join(parts) if parts else "–"


def markdown(report):
    jvms = report["jvms"]
    meta = report["meta"]
    lines = []
    lines.append("| Workload | Unit | " + " | ".join(j["label"] for j in jvms)
                 + f" | CPython {report['python'].get('python') or '?'} | C limit | Java vs CPython | "
                 "Java vs C or baseline | Target | Status |")
    lines.append("|" + "---|" * (6 + len(jvms) + 3))
    group = None
    for row in report["rows"]:
        if row["group"] != group:
            group = row["group"]
            lines.append(f"| **{group}** |" + " |" * (8 + len(jvms)))
        unit = row["unit"]

        def speedup(r):
            return f"{fmt(r['best'])}× / {fmt(r['median'])}×"

        def limit(r):
            if unit == "gbps":
                return f"{r['best']:.0%} / {r['median']:.0%}"
            return f"{fmt(r['best'])}× / {fmt(r['median'])}×"

        vs_limit = comparison_cell(row, jvms, "vs_limit", limit)
        if row.get("vs_baseline") is not None:
            vs_limit = f"vs {row['baseline']}: " + comparison_cell(row, jvms, "vs_baseline", limit)
        if row.get("growth"):
            vs_limit = "growth per block: " + comparison_cell(row, jvms, "growth",
                                                                lambda r: f"{r['best']:.2f}× / {r['median']:.2f}×")
            if row.get("python_growth"):
                g = row["python_growth"]
                vs_limit += f" (CPython {g['best']:.2f}× / {g['median']:.2f}×)"
        statuses = [row["status"].get(j["id"]) for j in jvms]
        if not any(statuses):
            status = ""
        elif len(set(statuses)) == 1:
            status = statuses[0]
        else:
            status = " · ".join(s or "–" for s in statuses)
        java_cells = []
        for jvm in jvms:
            pair = row["java"].get(jvm["id"])
            missing = (row["status"].get(jvm["id"]) or "").startswith("not measured")
            java_cells.append(fmt_pair(pair) if pair else ("not measured" if missing else "–"))
        lines.append(f"| {row['title']} | {UNIT_LABEL[unit]} | " + " | ".join(java_cells)
                     + f" | {fmt_pair(row['python'])} | {fmt_pair(row['c'])} | "
                     f"{comparison_cell(row, jvms, 'vs_python', speedup)} | {vs_limit} | {row['target']} | "
                     f"{status} |")
    body = "\n".join(lines)
    notes = [f"- {j['label']}: {j['note']}" for j in jvms if j.get("note")]
    head = (f"Run of {meta.get('date', '?')} on {meta.get('cpu', '?')} ({meta.get('cores', '?')} cores), "
            f"{meta.get('kernel', '?')}; mode: {meta.get('mode', '?')}.\n\n"
            "Each cell is **best / median**: the fastest round and the median round (time: lowest and median; "
            "GB/s: highest and median). Ratios are computed best-to-best and median-to-median. Where two JVMs are "
            "shown, ratio and status cells list them in column order.\n\n")
    java_label = jvms[0]["label"].split(" · ")[0] if jvms else "Java"
    manager = manager_markdown(report.get("manager_protocol"), java_label)
    return (head + body + ("\n\n" + "\n".join(notes) if notes else "") + ("\n\n" + manager if manager else "")
            + "\n\n" + summary(report) + "\n\n" + methodology(report) + "\n")


def summary(report):
    """One line per target row: met everywhere, or where it was missed."""
    lines = ["**Targets** (status per JVM, best / median figure):", ""]
    for row in report["rows"]:
        if not row["target"]:
            continue
        parts = []
        for jvm in report["jvms"]:
            status = row["status"].get(jvm["id"])
            if status:
                parts.append(f"{jvm['label']}: {status}")
        if parts:
            lines.append(f"- {row['title']} — target {row['target']}: " + "; ".join(parts))
    for row in (report.get("manager_protocol") or {}).get("rows", []):
        if row["target"] and row["status"]:
            lines.append(f"- Manager server, {row['title']} — target {row['target']}: {row['status']}")
    return "\n".join(lines)


def methodology(report):
    meta = report["meta"]
    jvms = ", ".join(f"{j['label']} ({j['env'].get('vm', '?')})" for j in report["jvms"])
    return "\n".join([
        "**Methodology.** Everything ran in one run of `benchmarks/run.sh"
        + (" --quick" if meta.get("mode") == "quick" else "") + "` on one machine, one after the other: "
        "the C limit, then CPython, then the manager wire protocol (CPython clients against the Java server and "
        "CPython's, `benchmarks/manager_protocol_bench.py`), then JMH on each JDK.",
        f"- JMH 1.37, options `{meta.get('jmh_options', '?')}` (forks, warm-up iterations × time, measured "
        "iterations × time); average time per operation, except first touch (single shot: every iteration one "
        "fresh block). Min and median are over all measured iterations of all forks.",
        f"- CPython {report['python'].get('python')} ({report['python'].get('executable')}), standard library only: "
        "timeit loops (garbage collector off, as timeit does), one warm-up then rounds; min and median over "
        f"rounds. Arguments: `{meta.get('python_args') or '(full)'}`.",
        f"- C: gcc -O2, arguments `{meta.get('c_args', '?')}` (rounds, operations per round, bulk rounds); bare "
        "shm_open/ftruncate/mmap/close/munmap/shm_unlink (attach: shm_open/fstat/mmap/close/munmap), memcpy.",
        f"- JVMs: {jvms}.",
        f"- CPU: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores; {meta.get('kernel', '?')}. Load average "
        f"(1, 5, 15 min) {meta.get('load_start', '?')} at the start, {meta.get('load_end', '?')} at the end; the "
        f"run took {meta.get('seconds', '?')} s.",
        "- GB/s: 2^28 bytes (256 MiB) per copy, 10^9 bytes per GB.",
    ])


def svg(report):
    """A chart of the ratios that carry the targets: speed-up over CPython, share of C's limit, flatness."""
    jvms = report["jvms"]
    colors = ["#1f6feb", "#d2691e", "#2e8b57", "#8a2be2"]
    rows = report["rows"]
    panels = []
    speed = [(r["short"], {j["id"]: (r["vs_python"].get(j["id"]) or {}).get("median") for j in jvms},
              (float(r["target"].split("×")[0].split()[-1]) if r["target"].endswith("CPython") else None))
             for r in rows if any((r["vs_python"].get(j["id"]) or {}).get("median") for j in jvms)]
    panels.append(("Times faster than CPython (median, log scale; tick = target)", speed, "log"))
    limit = []
    for r in rows:
        values = {}
        for j in jvms:
            v = (r["vs_limit"].get(j["id"]) or {}).get("median")
            if v:
                values[j["id"]] = v if r["unit"] == "gbps" else 1 / v
        if values:
            tgt = None
            if r["target"].startswith("≥") and "of C" in r["target"]:
                tgt = 0.9
            elif r["target"].startswith("≤") and "× C" in r["target"]:
                tgt = 1 / 1.3
            limit.append((r["short"], values, tgt))
    panels.append(("Share of the machine's limit, C = 100% (median; tick = target)", limit, "share"))
    baseline = [(r["short"], {j: 1 / v["median"] for j, v in r["vs_baseline"].items() if v},
                 1 / float(r["target"].split("×")[0].split()[-1]))
                for r in rows if r.get("vs_baseline") and any(r["vs_baseline"].values())]
    panels.append(("Speed as a share of the same work in plain Java, baseline = 100% (median; tick = target)",
                   baseline, "share"))
    flat = [(r["short"], {j: g["median"] for j, g in r["growth"].items()}, FLAT_LIMIT)
            for r in rows if r.get("growth")]
    panels.append((f"Cost per block, 10,000 vs 1,000 blocks (median; 1 = flat, tick = {FLAT_LIMIT})", flat, "flat"))

    width, label_w, bar_area, row_h, bar_h = 1000, 430, 500, 16 + 8 * len(jvms), 7
    out = []
    y = 40
    body = []
    for title, items, scale in panels:
        if not items:
            continue
        body.append(f'<text x="10" y="{y}" font-size="15" font-weight="bold">{html.escape(title)}</text>')
        y += 14
        top = y
        values = [v for _, vals, _ in items for v in vals.values() if v] + [t for _, _, t in items if t]
        if scale == "log":
            lo = min(1.0, min(values))
            lo, hi = 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(max(values)))

            def xpos(v, lo=lo, hi=hi):
                return label_w + bar_area * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
            ticks = [10 ** e for e in range(int(math.log10(lo)), int(math.log10(hi)) + 1)]
        else:
            hi = max(1.2, max(values) * 1.05) if scale == "share" else max(2.0, max(values) * 1.1)

            def xpos(v, hi=hi):
                return label_w + bar_area * min(v, hi) / hi
            step = 0.25 if scale == "share" else (0.5 if hi <= 4 else (1.0 if hi <= 10 else 5.0))
            ticks = [i * step for i in range(int(hi / step) + 1)]
        height = row_h * len(items)
        for t in ticks:
            x = xpos(t)
            text = (f"{t:g}×" if scale != "share" else f"{t:.0%}")
            strong = (scale == "log" and t == 1) or (scale == "share" and t == 1) or (scale == "flat" and t == 1)
            body.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + height}" '
                        f'stroke="{"#555" if strong else "#ddd"}" stroke-width="1"/>')
            body.append(f'<text x="{x:.1f}" y="{top + height + 12}" font-size="10" text-anchor="middle" '
                        f'fill="#555">{text}</text>')
        for i, (label, vals, tgt) in enumerate(items):
            ry = top + i * row_h
            short = label if len(label) <= 68 else label[:66] + "…"
            body.append(f'<text x="{label_w - 6}" y="{ry + row_h / 2 + 4:.1f}" font-size="11" text-anchor="end">'
                        f'{html.escape(short)}</text>')
            for k, jvm in enumerate(jvms):
                v = vals.get(jvm["id"])
                if not v:
                    continue
                by = ry + 4 + k * (bar_h + 1)
                x0 = xpos(lo) if scale == "log" else label_w
                body.append(f'<rect x="{x0:.1f}" y="{by}" width="{max(1, xpos(v) - x0):.1f}" height="{bar_h}" '
                            f'fill="{colors[k % len(colors)]}"><title>{html.escape(jvm["label"])}: '
                            f'{v:.3g}</title></rect>')
                shown = f"{v:.0%}" if scale == "share" else f"{v:.3g}×"
                body.append(f'<text x="{xpos(v) + 3:.1f}" y="{by + bar_h}" font-size="9" fill="#333">{shown}</text>')
            if tgt:
                tx = xpos(tgt)
                body.append(f'<line x1="{tx:.1f}" y1="{ry + 2}" x2="{tx:.1f}" y2="{ry + row_h - 2}" stroke="#c00" '
                            f'stroke-width="2"/>')
        y = top + height + 40
    legend = []
    for k, jvm in enumerate(jvms):
        lx = 10 + k * 200
        legend.append(f'<rect x="{lx}" y="{y - 10}" width="12" height="10" fill="{colors[k % len(colors)]}"/>'
                      f'<text x="{lx + 16}" y="{y}" font-size="12">{html.escape(jvm["label"])}</text>')
    legend.append(f'<line x1="{10 + len(jvms) * 200}" y1="{y - 11}" x2="{10 + len(jvms) * 200}" y2="{y + 1}" '
                  f'stroke="#c00" stroke-width="2"/><text x="{16 + len(jvms) * 200}" y="{y}" font-size="12">target'
                  '</text>')
    y += 20
    meta = report["meta"]
    out.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
               f'viewBox="0 0 {width} {y}" font-family="sans-serif">')
    out.append(f'<rect width="{width}" height="{y}" fill="white"/>')
    heading = (f"Shared memory for the JVM vs CPython {report['python'].get('python')} and C — "
               f"{meta.get('date', '')}, {meta.get('cpu', '')}, mode {meta.get('mode', '')}")
    out.append(f'<text x="10" y="20" font-size="13" fill="#333">{html.escape(heading)}</text>')
    out += body + legend
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    raw, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    report = build(raw)
    (out / "latest.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    (out / "latest.md").write_text(markdown(report))
    (out / "latest.svg").write_text(svg(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
