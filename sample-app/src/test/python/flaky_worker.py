"""A worker for tests: runs jobs as worker.py does, except that it claims a job of exactly one reading and dies, and
claims a job of exactly two readings and hangs."""

import os
import sys
import time
from multiprocessing import shared_memory

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "python"))
import worker  # noqa: E402


def run(name):
    try:
        job = shared_memory.ShareableList(name=name)
    except FileNotFoundError:
        return
    worker.untracked(job.shm)
    if job[worker.STATUS] == "pending" and job[worker.COUNT] in (1, 2):
        job[worker.WORKER_PID] = os.getpid()
        job[worker.STATUS] = "running"
        if job[worker.COUNT] == 1:
            worker.log(f"job {job[worker.JOB_ID]}: dying on purpose")
            os._exit(3)
        worker.log(f"job {job[worker.JOB_ID]}: hanging on purpose")
        time.sleep(3600)
    job.shm.close()
    worker.process(name, False)


worker.log("flaky worker ready")
for line in iter(sys.stdin.readline, ""):
    if line.strip():
        run(line.strip())
