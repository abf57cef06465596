"""Side by side: a CPython client against the Java manager server and against CPython's own SharedMemoryManager.

Measures, for each server, in this one run: connect() (a new connection, the handshake and `dummy`), and
smm.SharedMemory(4096) (the client creates the block, then one connection with `track_segment`), per operation in
rounds; then the track_segment throughput of 8 client processes at once. The clients create their blocks before the
clock starts and time only the requests; the CPU time the server process and the clients spent on them is measured
too (per request), since on a small machine the Python clients' own work (a connection, the mutual HMAC handshake,
pickling) can saturate the cores before the server does; also the server's context switches per request, and the
CPU of the Java server's serving threads alone. The Java server is warmed up (its JIT) by five throughput runs
(one with --quick) before the measured one. Prints one JSON object. Usage:

    python3 benchmarks/manager_protocol_bench.py --jar benchmarks/target/benchmarks.jar [--quick]

Standard library only. The Java server is dev.sharedmemory.benchmarks.ManagerServerMain, started with `java` from
PATH (or $JAVA).
"""
import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from multiprocessing import resource_tracker, shared_memory
from multiprocessing.managers import SharedMemoryManager, dispatch

AUTHKEY = os.urandom(16).hex()


def java_server(jar):
    env = dict(os.environ, SMM_AUTHKEY=AUTHKEY)
    process = subprocess.Popen([os.environ.get("JAVA", "java"), "-cp", jar,
                                "dev.sharedmemory.benchmarks.ManagerServerMain"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
    host, port = process.stdout.readline().strip().rsplit(":", 1)
    return process, (host, int(port))


def per_op_micros(function, ops, rounds):
    """Microseconds per call, one figure per round."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(ops):
            function()
        samples.append(round((time.perf_counter() - start) / ops * 1e6, 1))
    return samples


def process_cpu_seconds(pid):
    """User + system CPU time of a process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_counts(pid):
    """Over a process's live threads: voluntary and involuntary context switches, and the CPU seconds of the threads
    that serve connections (the Java server's shared-memory-manager-*, None for another server), which leaves out
    the JIT compiler, still compiling after the warm-up on a loaded 2-core machine, and the collector."""
    voluntary = involuntary = serving = 0
    named = False
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as status:
                for line in status:
                    if line.startswith("voluntary_ctxt_switches"):
                        voluntary += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        involuntary += int(line.split()[1])
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                text = stat.read()
        except FileNotFoundError:
            continue
        if text[text.index("(") + 1:text.rindex(")")].startswith("shared-memory-m"):
            named = True
            fields = text.rsplit(")", 1)[1].split()
            serving += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return voluntary, involuntary, serving if named else None


def client_latencies(address, ops, rounds):
    smm = SharedMemoryManager(address=address, authkey=AUTHKEY.encode())
    connect = per_op_micros(lambda: smm.connect(), ops, rounds)
    smm.connect()
    created = []

    def create():
        shm = smm.SharedMemory(4096)
        resource_tracker.unregister(shm._name, "shared_memory")
        created.append(shm)

    create_us = per_op_micros(create, ops, rounds)
    for shm in created:
        shm.close()
    # Released through the server, which unlinks them.
    for shm in created:
        conn = smm._Client(address, authkey=smm._authkey)
        try:
            dispatch(conn, None, "release_segment", (shm.name,))
        finally:
            conn.close()
    return {"connect_us": connect, "shared_memory_4096_us": create_us}


def tracker(address, names, barrier, queue):
    authkey = AUTHKEY.encode()
    from multiprocessing.connection import Client
    barrier.wait()
    start, cpu_start = time.perf_counter(), time.process_time()
    for name in names:
        conn = Client(address, authkey=authkey)
        try:
            dispatch(conn, None, "track_segment", (name,))
        finally:
            conn.close()
    queue.put((start, time.perf_counter(), time.process_time() - cpu_start))


def track_throughput(address, clients, per_client, server_pid):
    blocks = []
    for _ in range(clients * per_client):
        shm = shared_memory.SharedMemory(create=True, size=64)
        resource_tracker.unregister(shm._name, "shared_memory")
        blocks.append(shm)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(clients)
    queue = context.Queue()
    processes = [context.Process(target=tracker, args=(address, [b.name for b in
                                 blocks[i * per_client:(i + 1) * per_client]], barrier, queue))
                 for i in range(clients)]
    server_before = process_cpu_seconds(server_pid)
    threads_before = thread_counts(server_pid)
    for process in processes:
        process.start()
    spans = [queue.get(timeout=300) for _ in processes]
    for process in processes:
        process.join()
    server_cpu = process_cpu_seconds(server_pid) - server_before
    threads_after = thread_counts(server_pid)
    clients_cpu = sum(cpu for _, _, cpu in spans)
    seconds = max(end for _, end, _ in spans) - min(start for start, _, _ in spans)
    for shm in blocks:
        shm.close()
    requests = clients * per_client
    return {"clients": clients, "requests": requests, "track_segment_per_second": round(requests / seconds),
            # The server's over the clients' whole lives (an upper bound); the clients' over their timed loops.
            "server_cpu_us_per_request": round(server_cpu / requests * 1e6, 1),
            "clients_cpu_us_per_request": round(clients_cpu / requests * 1e6, 1),
            "serving_threads_cpu_us_per_request": round((threads_after[2] - threads_before[2]) / requests * 1e6, 1)
            if threads_after[2] is not None and threads_before[2] is not None else None,
            "server_voluntary_switches_per_request": round((threads_after[0] - threads_before[0]) / requests, 2),
            "server_involuntary_switches_per_request": round((threads_after[1] - threads_before[1]) / requests, 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jar", required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    # CPython's server answers each request in about 40 ms (see docs/performance.md): few operations per round.
    ops, rounds, per_client = (30, 3, 150) if args.quick else (100, 5, 400)
    result = {"python": sys.version.split()[0], "cores": os.cpu_count(), "load_before": os.getloadavg()[0],
              "ops_per_round": ops, "rounds": rounds}

    java, java_address = java_server(args.jar)
    cpython = SharedMemoryManager(address=("127.0.0.1", 0), authkey=AUTHKEY.encode())
    cpython.start()
    try:
        # A warm-up each (the JVM compiles its hot paths), then the measurements.
        client_latencies(java_address, ops, 1)
        client_latencies(cpython.address, 10, 1)
        result["java"] = client_latencies(java_address, ops, rounds)
        result["cpython"] = client_latencies(cpython.address, ops, rounds)
        print(json.dumps(result), file=sys.stderr, flush=True)
        # The serving loop's CPU per request keeps falling for some 20,000 requests while the JIT compiles (C1
        # code, then C2 competing for the cores): five throughput runs before the measured one, in full mode.
        for _ in range(1 if args.quick else 5):
            track_throughput(java_address, 8, per_client, java.pid)
        result["java"].update(track_throughput(java_address, 8, per_client, java.pid))
        result["cpython"].update(track_throughput(cpython.address, 8, per_client, cpython._process.pid))
        result["load_after"] = os.getloadavg()[0]
        print(json.dumps(result, indent=2), flush=True)
    finally:
        # CPython's server process was forked with the Java server's stdin pipe open: it goes first, so that the pipe
        # closes and the Java server shuts down.
        cpython.shutdown()
        java.stdin.close()
        java.wait(300)


if __name__ == "__main__":
    main()
