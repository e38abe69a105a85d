"""How `presswork run` executes the run job: through Dagster's own executors.

One worker runs every step in this process. More workers run steps in
parallel processes under Dagster's multiprocess executor (forked from a
server that has the project imported, so a step starts in milliseconds, not
seconds); the NLP shards are what runs side by side. Step processes rebuild
the job from PRESSWORK_* variables (`assets.definitions.run_job`). Progress
lines are read from the run's event log as it is written.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import dagster as dg

from pipeline.shards import nlp_fingerprint, previous_fingerprint
from pipeline.warehouse import Warehouse
from presswork.progress import ProgressHandler

# below this much input text one process is faster than starting workers
AUTO_PARALLEL_BYTES = 2_000_000
POLL_SECONDS = 0.5
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def auto_workers(input_dir: Path, warehouse: Warehouse | None = None, model: dict | None = None) -> int:
    """One process when there is little text to parse: a small folder, or a
    re-run where the latest version (parsed with the same model and code)
    already holds almost every file at its path and size. Else one per core."""
    sizes = {p.relative_to(input_dir).as_posix(): p.stat().st_size
             for p in input_dir.rglob("*.txt") if p.is_file() and not p.is_symlink()}
    to_parse = sum(sizes.values())
    latest = warehouse.latest() if warehouse is not None else None
    if to_parse >= AUTO_PARALLEL_BYTES and latest is not None and model is not None \
            and previous_fingerprint(warehouse.manifest(latest)) == nlp_fingerprint(model):
        documents = warehouse.read_table("documents", latest, columns=["source_file", "source_bytes"])
        known = set(zip(documents["source_file"], documents["source_bytes"].astype(int)))
        to_parse = sum(size for path, size in sizes.items() if (path, size) not in known)
    return 1 if to_parse < AUTO_PARALLEL_BYTES else max(1, min(os.cpu_count() or 1, 8))


def executor_config(workers: int) -> dict:
    if workers <= 1:
        return {"in_process": {}}
    return {"multiprocess": {
        "max_concurrent": workers,
        "start_method": {"forkserver": {"preload_modules": ["assets.definitions"]}},
    }}


def execute_run(env: dict[str, str], workers: int, handler: ProgressHandler) -> dg.JobExecutionResult:
    """Run the job with these PRESSWORK_* settings; report each event to `handler`."""
    from assets import definitions

    os.environ.update(env)
    os.environ["PRESSWORK_RUN_OWNER_PID"] = str(os.getpid())
    os.environ["PRESSWORK_RUN_WORKERS"] = str(workers)  # the NLP plan cuts a multiple of this many shards
    if workers > 1:
        # One BLAS thread per step process: the workers already keep every core busy, and
        # threads of two workers fighting for the same cores slow both (set before the
        # step processes' server starts and loads numpy; a user's own setting wins)
        for variable in BLAS_THREAD_VARIABLES:
            os.environ.setdefault(variable, "1")
    logging.getLogger("dagster").setLevel(logging.ERROR)  # the handler prints what matters, once
    if os.environ.get("DAGSTER_HOME"):
        instance = dg.DagsterInstance.get()
    elif workers <= 1:
        instance = dg.DagsterInstance.ephemeral()  # in memory: nothing to share with other processes
    else:
        instance = dg.DagsterInstance.local_temp(overrides={"python_logs": {"python_log_level": "ERROR"}})
    with instance:
        done = threading.Event()
        known = {run.run_id for run in instance.get_runs()}
        follower = threading.Thread(target=_follow, args=(instance, known, handler, done), daemon=True)
        follower.start()
        try:
            result = dg.execute_job(
                dg.reconstructable(definitions.run_job), instance=instance, raise_on_error=False,
                run_config={"execution": {"config": executor_config(workers)},
                            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            )
        finally:
            done.set()
            follower.join()
    return result


def _follow(instance: dg.DagsterInstance, known: set[str], handler: ProgressHandler, done: threading.Event) -> None:
    """Feed the new run's events to the handler until the run is over, then drain."""
    run_id, cursor = None, None
    while True:
        finished = done.is_set()
        if run_id is None:
            run_id = next((r.run_id for r in instance.get_runs(limit=5) if r.run_id not in known), None)
        if run_id is not None:  # only the events written since the last poll
            page = instance.get_records_for_run(run_id, cursor=cursor)
            for record in page.records:
                if record.event_log_entry.dagster_event is not None:
                    handler.handle_event(record.event_log_entry.dagster_event)
            cursor = page.cursor
        if finished:
            return
        done.wait(POLL_SECONDS)
