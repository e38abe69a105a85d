"""The floor under (c): what a `presswork run` costs when it has nothing to do.

    python benchmarks/dagster_floor.py [--steps 16] [--repeat 3]

Times, in a fresh interpreter each time, what every run pays before and
around its work: importing the project (Dagster, spaCy, pandera, the assets),
loading the model, and a Dagster run of as many steps as a one-article
re-run has, each step doing nothing, executed in process on a SQLite
instance (DAGSTER_HOME) as `presswork run` executes a small change. However
little its steps cost, a run cannot be faster than this.
benchmarks/run.py prints it beside (c).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONE_ARTICLE_STEPS = 16  # a one-article re-run: ingest .. dataset_version, with one NLP shard
STEPS_VARIABLE = "PRESSWORK_FLOOR_STEPS"


def empty_job():
    """A chain of no-op assets, as many as $PRESSWORK_FLOOR_STEPS: rebuilt by
    name (dagster.reconstructable), like the CLI's run job."""
    import dagster as dg

    def noop_asset(name: str, upstream: str | None) -> dg.AssetsDefinition:
        @dg.asset(name=name, deps=[upstream] if upstream else [])
        def step() -> None:
            return None
        return step

    chain, upstream = [], None
    for n in range(int(os.environ[STEPS_VARIABLE])):
        chain.append(noop_asset(f"step_{n:02d}", upstream))
        upstream = chain[-1].key
    return dg.Definitions(assets=chain, jobs=[dg.define_asset_job("floor")]).resolve_job_def("floor")


def measure_here() -> dict[str, float]:
    """In this fresh interpreter: seconds to import the project, to load the
    model, and to run the empty job in process."""
    started = time.perf_counter()
    sys.path.insert(0, str(REPO))
    import dagster as dg

    import assets.definitions  # noqa: F401  what every run imports
    from pipeline.nlp import load_pipeline

    gc.freeze()  # as the CLI does once it has imported the project (presswork.execution)
    imported = time.perf_counter()
    load_pipeline(None)
    loaded = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(dg.reconstructable(empty_job), instance=instance,
                                run_config={"execution": {"config": {"in_process": {}}},
                                            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}})
    if not result.success:
        raise RuntimeError("the empty run failed")
    return {"import": imported - started, "model": loaded - imported, "run": time.perf_counter() - loaded}


def measure_floor(n_steps: int = ONE_ARTICLE_STEPS, repeat: int = 3) -> dict[str, float]:
    """Median over `repeat` fresh interpreters: wall seconds of the whole
    process (interpreter start and exit included) and of its parts."""
    results = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="presswork-floor-") as home:
            env = {**os.environ, "DAGSTER_HOME": home, STEPS_VARIABLE: str(n_steps)}
            (Path(home) / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-W", "ignore", __file__, "--inside"], env=env, cwd=REPO,
                                  capture_output=True, text=True)
            wall = time.perf_counter() - started
            if done.returncode != 0:
                raise RuntimeError(f"floor measurement failed:\n{done.stderr[-2000:]}")
            results.append({**json.loads(done.stdout.strip().splitlines()[-1]), "wall": wall})
    return {part: statistics.median(r[part] for r in results) for part in results[0]}


def describe(floor: dict[str, float], n_steps: int) -> str:
    return (f"{floor['wall']:.2f} s: importing the project {floor['import']:.2f} s, loading the model "
            f"{floor['model']:.2f} s, a Dagster run of {n_steps} no-op steps {floor['run']:.2f} s, "
            f"interpreter start and exit {floor['wall'] - floor['import'] - floor['model'] - floor['run']:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=ONE_ARTICLE_STEPS, help="no-op steps in the run (default: 16)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh interpreters to take the median of")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        print(json.dumps(measure_here()))
        gc.freeze()  # as the CLI does before it exits (presswork.cli.main)
        return 0
    if args.steps < 1 or args.repeat < 1:
        parser.error("--steps and --repeat must be positive")
    print(f"floor of a run: {describe(measure_floor(args.steps, args.repeat), args.steps)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
