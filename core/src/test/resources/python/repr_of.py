"""Prints, as a JSON list, CPython's repr of each str in the JSON list given as the only argument: the oracle for
the Java PythonRepr tests. Standard library only.
"""
import json
import sys

print(json.dumps([repr(text) for text in json.loads(sys.argv[1])]))
