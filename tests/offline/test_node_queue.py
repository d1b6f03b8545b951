"""Runs the JavaScript unit tests of the outbox queue (tests/offline/*.test.mjs) with Node's own test
runner, so `make test` and CI run them with the Python tests."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_node_queue_tests_pass():
    node = shutil.which("node")
    assert node, "Node.js is needed for the outbox tests (apt install nodejs)"
    assert (ROOT / "node_modules" / "fake-indexeddb").exists(), "run `make assets` (npm ci) first"
    result = subprocess.run(
        [node, "--test", "tests/offline/"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
    assert "# pass 0" not in result.stdout
