"""Whole-pipeline benchmark: `presswork run`'s job on a folder (default: the
2,225 BBC articles in ../shared/data/bbc), into a throw-away warehouse.

Prints articles/s, words/s, peak RSS and seconds per Dagster step.
    python benchmarks/run.py [--input DIR] [--keep WAREHOUSE]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assets.definitions import RUN_JOB, build_definitions  # noqa: E402
from assets.resources import PressworkSettings  # noqa: E402
from pipeline.warehouse import Warehouse  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=REPO.parent / "shared" / "data" / "bbc")
    parser.add_argument("--keep", type=Path, help="write the warehouse here instead of a temp folder")
    args = parser.parse_args()
    if not args.input.is_dir():
        print(f"input folder not found: {args.input} (the BBC corpus sits in ../shared/data/bbc)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        warehouse_dir = args.keep or Path(tmp) / "warehouse"
        settings = PressworkSettings(input_dir=str(args.input), warehouse_dir=str(warehouse_dir))
        job = build_definitions(settings).resolve_job_def(RUN_JOB)
        started = time.perf_counter()
        result = job.execute_in_process(run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}})
        wall = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before we load tables to count
        if not result.success:
            print("benchmark run failed", file=sys.stderr)
            return 1
        steps = {
            e.step_key: e.event_specific_data.duration_ms / 1000
            for e in result.all_events if e.event_type_value == "STEP_SUCCESS"
        }
        warehouse = Warehouse(warehouse_dir)
        documents = warehouse.read_table("documents")
        manifest = warehouse.manifest(warehouse.latest())
        tokens = warehouse.read_table("tokens")
        n_tokens = int((tokens["pos"] != "SPACE").sum())  # what spaCy (and eval_model.py) counts as words
        del tokens

    n_docs = len(documents)
    n_words = int(documents["text"].str.split().str.len().sum())
    n_chars = int(documents["n_chars"].sum())
    print(f"input            {args.input}")
    print(f"articles         {n_docs:,} documents, {manifest['tables']['rejected']['rows']} rejected, "
          f"{manifest['tables']['sentences']['rows']:,} sentences, {n_words:,} words, {n_chars:,} chars")
    print(f"wall time        {wall:.2f} s (whole job, in one process)")
    print(f"articles/s       {n_docs / wall:,.0f}")
    print(f"words/s          {n_words / wall:,.0f} whitespace-separated words; "
          f"{n_tokens / wall:,.0f} spaCy tokens (the unit of eval_model.py)")
    print(f"peak RSS         {peak_mib:,.0f} MiB")
    print("per-step seconds")
    for step, seconds in sorted(steps.items(), key=lambda kv: -kv[1]):
        print(f"  {step:<40} {seconds:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
