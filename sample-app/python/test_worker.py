"""Tests of worker.py on blocks created here, in Python: ``python3 -m unittest discover -s sample-app/python``."""

import array
import contextlib
import io
import math
import os
import signal
import statistics
import struct
import subprocess
import sys
import unittest
from multiprocessing import shared_memory

import worker

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
ENGINES = [False, True] if worker.numpy is not None else [False]


def compute(readings, use_numpy):
    """Computes as the worker does, on a buffer of doubles like the shared block it reads."""
    return worker.compute(memoryview(array.array("d", readings)), use_numpy)


def npy(readings, descr=worker.FLOAT64, version=1):
    """Returns the bytes the application writes for the readings: numpy's .npy format, as np.save writes it."""
    header = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': ({len(readings)},), }}".encode("latin-1")
    prefix = 10 if version == 1 else 12
    # Spaces and a newline up to a multiple of 64 bytes, so that the data is aligned (numpy's _wrap_header).
    padding = 64 - (prefix + len(header) + 1) % 64
    length = len(header) + padding + 1
    preamble = worker.NPY_MAGIC + bytes([version, 0]) + struct.pack("<H" if version == 1 else "<I", length)
    return preamble + header + b" " * padding + b"\n" + struct.pack(f"{descr[0]}{len(readings)}d", *readings)


def new_data_block(content, name=None):
    data = shared_memory.SharedMemory(name, create=True, size=max(len(content), 1))
    data.buf[:len(content)] = content
    return data


def new_job(readings, status="pending", job_id=7, content=None, data_name=None):
    """Creates a job the way the application does; returns (data block, job list)."""
    data = new_data_block(npy(readings) if content is None else content, data_name)
    job = shared_memory.ShareableList([job_id, " " * 15, data.name, len(readings), math.nan, math.nan, math.nan,
                                       math.nan, math.nan, 0, " " * 127])
    job[worker.STATUS] = status
    job[worker.ERROR] = ""
    return data, job


def discard(*blocks):
    for block in blocks:
        shm = block.shm if isinstance(block, shared_memory.ShareableList) else block
        shm.close()
        with contextlib.suppress(FileNotFoundError):
            shm.unlink()


def run(*list_names, use_numpy=False):
    """Runs the worker as the application does: a separate process reading list names from its standard input."""
    command = [sys.executable, WORKER] + ([] if use_numpy else ["--no-numpy"])
    result = subprocess.run(command, input="".join(name + "\n" for name in list_names), capture_output=True,
                            text=True, timeout=60, check=True)
    # Nothing on stderr: in particular no resource tracker warning about blocks it would unlink.
    if result.stderr:
        raise AssertionError("worker wrote to stderr:\n" + result.stderr)
    return result.stdout


class ComputeTest(unittest.TestCase):

    def test_known_values(self):
        for use_numpy in ENGINES:
            with self.subTest(numpy=use_numpy):
                mean, low, high, stddev, p95 = compute([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], use_numpy)
                self.assertEqual((mean, low, high, stddev), (5.0, 2.0, 9.0, 2.0))
                # h = 7 * 0.95 = 6.65: 7 + 0.65 * (9 - 7)
                self.assertAlmostEqual(p95, 8.3, places=12)

    def test_percentile_interpolates_between_closest_ranks(self):
        for use_numpy in ENGINES:
            with self.subTest(numpy=use_numpy):
                # h = 20 * 0.95 = 19: exactly the 20th of 0..20
                self.assertEqual(compute([float(x) for x in range(20, -1, -1)], use_numpy)[4], 19.0)
                # h = 1 * 0.95: 10 + 0.95 * 10
                self.assertAlmostEqual(compute([20.0, 10.0], use_numpy)[4], 19.5, places=12)

    def test_single_reading(self):
        for use_numpy in ENGINES:
            with self.subTest(numpy=use_numpy):
                self.assertEqual(compute([3.5], use_numpy), (3.5, 3.5, 3.5, 0.0, 3.5))

    def test_agrees_with_the_statistics_module(self):
        readings = [math.sin(i) * 1000 + i / 7 for i in range(10001)]
        expected = (statistics.fmean(readings), min(readings), max(readings), statistics.pstdev(readings),
                    # The inclusive method is the same interpolation between closest ranks; cut point 19 of 20 is p95.
                    statistics.quantiles(readings, n=20, method="inclusive")[18])
        for use_numpy in ENGINES:
            with self.subTest(numpy=use_numpy):
                for actual, wanted in zip(compute(readings, use_numpy), expected):
                    self.assertAlmostEqual(actual, wanted, delta=1e-9 * max(1.0, abs(wanted)))


class NpyHeaderTest(unittest.TestCase):

    def test_the_test_writes_what_numpy_saves(self):
        readings = [1.5, -2.0, 3.25]
        if worker.numpy is not None:
            saved = io.BytesIO()
            worker.numpy.save(saved, worker.numpy.array(readings, dtype="<f8"))
            self.assertEqual(npy(readings, "<f8"), saved.getvalue())
        else:
            self.assertEqual(npy(readings, "<f8")[:10], b"\x93NUMPY\x01\x00v\x00")
        self.assertEqual(len(npy(readings)), 128 + 8 * len(readings))

    def test_reads_every_version_in_plain_python(self):
        for version in (1, 2, 3):
            with self.subTest(version=version):
                content = npy([4.0, 5.0], version=version)
                header, offset = worker.read_npy_header(memoryview(content))
                self.assertEqual(header, {"descr": worker.FLOAT64, "fortran_order": False, "shape": (2,)})
                self.assertEqual(offset, len(content) - 16)
                self.assertEqual(offset % 64, 0)

    def test_refuses_what_is_no_npy_header(self):
        content = npy([4.0])
        for broken, message in ((struct.pack("=2d", 1.0, 2.0), "not in the .npy format"),
                                (content[:6] + b"\x04" + content[7:], "version 4 is not known"),
                                (content[:8] + b"\xff\xff" + content[10:], "runs past the block"),
                                (content.replace(b"'shape'", b"'shapf'"), "not a dict of descr"),
                                (content.replace(b"False", b"open()"), "malformed node")):
            with self.subTest(message=message):
                with self.assertRaisesRegex(ValueError, message):
                    worker.read_npy_header(memoryview(broken))


class ProcessTest(unittest.TestCase):

    def test_computes_and_marks_done(self):
        for use_numpy in ENGINES:
            with self.subTest(numpy=use_numpy):
                data, job = new_job([1.0, 2.0, 3.0, 4.0])
                try:
                    output = run(job.shm.name, use_numpy=use_numpy)
                    self.assertEqual(job[worker.STATUS], "done")
                    pid = job[worker.WORKER_PID]
                    self.assertNotIn(pid, (0, os.getpid()))
                    self.assertEqual(job[worker.MEAN], 2.5)
                    self.assertEqual((job[worker.MIN], job[worker.MAX]), (1.0, 4.0))
                    self.assertAlmostEqual(job[worker.STDDEV], math.sqrt(1.25), places=12)
                    self.assertAlmostEqual(job[worker.P95], 3.85, places=12)
                    self.assertEqual(job[worker.ERROR], "")
                    self.assertIn(f"worker {pid}: job 7 done: 4 readings", output)
                    self.assertIn(f"worker {pid}: end of input, stopping", output)
                    # The worker only attached, and exited since: the blocks are still there for their owner.
                    self.assertTrue(os.path.exists("/dev/shm/" + data.name))
                    self.assertTrue(os.path.exists("/dev/shm/" + job.shm.name))
                finally:
                    discard(data, job)

    def test_runs_jobs_in_the_order_given(self):
        first, second = new_job([1.0, 3.0], job_id=1), new_job([10.0], job_id=2)
        try:
            output = run(first[1].shm.name, "", second[1].shm.name)
            self.assertLess(output.index("job 1 done"), output.index("job 2 done"))
            self.assertEqual((first[1][worker.MEAN], second[1][worker.MEAN]), (2.0, 10.0))
        finally:
            discard(*first, *second)

    def test_signals_to_the_process_group_do_not_stop_it_closing_its_input_does(self):
        data, job = new_job([2.0, 4.0])
        command = [sys.executable, WORKER, "--no-numpy"]
        try:
            with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as process:
                self.assertIn("ready", process.stdout.readline() + process.stdout.readline())
                process.send_signal(signal.SIGINT)
                process.send_signal(signal.SIGTERM)
                process.stdin.write(job.shm.name + "\n")
                process.stdin.close()
                self.assertEqual(process.wait(timeout=60), 0)
                self.assertIn("end of input, stopping", process.stdout.read())
            self.assertEqual(job[worker.STATUS], "done")
        finally:
            discard(data, job)

    def test_missing_data_block_fails_the_job(self):
        data, job = new_job([1.0])
        discard(data)
        try:
            output = run(job.shm.name)
            self.assertEqual(job[worker.STATUS], "failed")
            self.assertTrue(job[worker.ERROR].startswith("FileNotFoundError"), job[worker.ERROR])
            self.assertTrue(math.isnan(job[worker.MEAN]))
            self.assertIn("job 7 failed", output)
        finally:
            discard(job)

    def test_long_error_is_truncated_to_the_slot(self):
        for use_numpy in ENGINES:
            with self.subTest(numpy=use_numpy):
                data, job = new_job([1.0, 2.0], data_name=f"psm_test_worker_{os.getpid()}_long_error")
                job[worker.COUNT] = 2 ** 63 - 1
                try:
                    output = run(job.shm.name, use_numpy=use_numpy)
                    self.assertEqual(job[worker.STATUS], "failed")
                    full = (f"ValueError: data block '{data.name}' holds a {worker.FLOAT64} array of shape (2,), not "
                            f"the job's {2 ** 63 - 1} {worker.FLOAT64} readings")
                    self.assertIn(full, output)
                    self.assertGreater(len(full.encode()), worker.ERROR_CAPACITY)
                    self.assertEqual(job[worker.ERROR], full[:worker.ERROR_CAPACITY])
                finally:
                    discard(data, job)

    def test_data_of_another_dtype_or_format_fails_the_job(self):
        for use_numpy in ENGINES:
            for content, message in ((npy([1.0, 2.0], descr=">f8" if sys.byteorder == "little" else "<f8"), "array"),
                                     (struct.pack("=2d", 1.0, 2.0), "")):
                with self.subTest(numpy=use_numpy, message=message):
                    data, job = new_job([1.0, 2.0], content=content)
                    try:
                        run(job.shm.name, use_numpy=use_numpy)
                        self.assertEqual(job[worker.STATUS], "failed")
                        self.assertTrue(job[worker.ERROR].startswith("ValueError: "), job[worker.ERROR])
                        self.assertIn(message, job[worker.ERROR])
                        self.assertTrue(math.isnan(job[worker.MEAN]))
                    finally:
                        discard(data, job)

    def test_data_shorter_than_its_header_says_fails_the_job(self):
        for use_numpy in ENGINES:
            with self.subTest(numpy=use_numpy):
                data, job = new_job([1.0, 2.0], content=npy([1.0, 2.0])[:-8])
                try:
                    run(job.shm.name, use_numpy=use_numpy)
                    self.assertEqual(job[worker.STATUS], "failed")
                    self.assertTrue(job[worker.ERROR].startswith("ValueError: "), job[worker.ERROR])
                finally:
                    discard(data, job)

    def test_job_not_pending_is_left_alone(self):
        data, job = new_job([1.0], status="failed")
        try:
            output = run(job.shm.name)
            self.assertEqual(job[worker.STATUS], "failed")
            self.assertEqual(job[worker.WORKER_PID], 0)
            self.assertIn("job 7 is failed already, skipped", output)
        finally:
            discard(data, job)

    def test_deleted_job_is_skipped(self):
        data, job = new_job([1.0])
        name = job.shm.name
        discard(data, job)
        self.assertIn(f"job list '{name}' is gone", run(name))

    def test_list_of_another_shape_is_skipped(self):
        other = shared_memory.ShareableList([1, 2, 3])
        try:
            self.assertIn("not a job list", run(other.shm.name))
            self.assertEqual(list(other), [1, 2, 3])
        finally:
            discard(other)


if __name__ == "__main__":
    unittest.main()
