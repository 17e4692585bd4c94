"""Boundary-value command fuzzer comparing cluster-serving with redis-server 7 (compat/tests/test_command_fuzz.py)."""

import sys
from pathlib import Path

# conftest.py (in compat/tests) has the server handles and the raw RESP client the fuzzer builds on.
_TESTS = str(Path(__file__).resolve().parents[1] / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
