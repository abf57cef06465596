"""Attaches to a block as an application's own Python script would, reads it, closes it and exits: what Python's
resource tracker does with the block once this process is gone is what the Java tests look at.

Usage: attach_and_exit.py NAME KIND RECIPE, where KIND is "shm" (SharedMemory) or "list" (ShareableList) and RECIPE
is "none" (a plain attach), "unregister" (resource_tracker.unregister after attaching, on the list's .shm for a list)
or "track_false" (the track=False argument, which only SharedMemory of CPython 3.13+ has). Prints the first item of
a list, or the first 4 bytes of a block in hex. Standard library only.
"""
import sys
from multiprocessing import resource_tracker, shared_memory

name, kind, recipe = sys.argv[1:4]
untracked = {"track": False} if recipe == "track_false" else {}
if kind == "shm":
    block = shared_memory.SharedMemory(name, **untracked)
    shm = block
    print(bytes(block.buf[:4]).hex())
else:
    block = shared_memory.ShareableList(name=name, **untracked)
    shm = block.shm
    print(block[0])
if recipe == "unregister":
    resource_tracker.unregister(shm._name, "shared_memory")
shm.close()
