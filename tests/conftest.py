"""Shared fixtures. The core suite needs only seeds/ and data it generates;
tests on ../shared/data skip with a reason when it is absent (a fresh clone)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"dev data not found at {SHARED_DATA} (it sits beside the checkout in CI)")
    return SHARED_DATA


def load_benchmark(name: str):
    """A script from benchmarks/ as a module (they are scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, check: bool = True,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `presswork` command in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("DAGSTER_HOME", None)
    result = subprocess.run(
        [sys.executable, "-m", "presswork.cli", *args],
        cwd=cwd or REPO, env=full_env, capture_output=True, text=True, timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"presswork {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def seeds_warehouse(tmp_path_factory) -> Path:
    """One committed version of the seeds, shared by read-only tests."""
    warehouse = tmp_path_factory.mktemp("seeds") / "warehouse"
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse))
    return warehouse
