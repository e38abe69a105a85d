"""How many processes a run uses, and the server they are forked from.

With more than one worker, Dagster's multiprocess executor forks each step
process from a forkserver that has imported `presswork.step_preload` (the
project, Dagster's storage layer, spaCy and the model). Starting that server
takes seconds, so `presswork run` starts it as soon as it knows it needs one,
and the server loads while this process imports Dagster and plans the run.
A forked process inherits the server's environment, not this process's: every
variable a step reads is set before the server starts.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from pathlib import Path

from pipeline.shards import nlp_fingerprint, previous_fingerprint
from pipeline.warehouse import Warehouse

# below this much input text one process is faster than starting workers
AUTO_PARALLEL_BYTES = 2_000_000
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
STEP_PRELOAD_MODULES = ["presswork.step_preload"]


def auto_workers(input_dir: Path, warehouse: Warehouse | None = None, model: dict | None = None,
                 guess: bool = False) -> int:
    """One process when there is little text to parse: a small folder, or a
    re-run where the latest version (parsed with the same model and code)
    already holds almost every file at its path and size. Else one per core.
    A guess, made before the model is resolved, assumes the latest version's
    model, so it is never more workers than the answer once the model is known."""
    sizes = {p.relative_to(input_dir).as_posix(): p.stat().st_size
             for p in input_dir.rglob("*.txt") if p.is_file() and not p.is_symlink()}
    to_parse = sum(sizes.values())
    latest = warehouse.latest() if warehouse is not None else None
    if to_parse >= AUTO_PARALLEL_BYTES and latest is not None and (guess or (
            model is not None and previous_fingerprint(warehouse.manifest(latest)) == nlp_fingerprint(model))):
        documents = warehouse.read_table("documents", latest, columns=["source_file", "source_bytes"])
        known = set(zip(documents["source_file"], documents["source_bytes"].astype(int)))
        to_parse = sum(size for path, size in sizes.items() if (path, size) not in known)
    return 1 if to_parse < AUTO_PARALLEL_BYTES else max(1, min(os.cpu_count() or 1, 8))


def set_run_environment(env: dict[str, str], workers: int) -> None:
    """The PRESSWORK_* settings every step process rebuilds the job from, and
    the thread settings steps run with, in this process's environment (and so
    in the step server's, if it starts after this)."""
    os.environ.update(env)
    os.environ["PRESSWORK_RUN_OWNER_PID"] = str(os.getpid())
    os.environ["PRESSWORK_RUN_WORKERS"] = str(workers)  # the NLP plan cuts a multiple of this many shards
    if workers > 1:
        # One BLAS thread per step process: the workers already keep every core busy, and
        # threads of two workers fighting for the same cores slow both (a user's own setting wins)
        for variable in BLAS_THREAD_VARIABLES:
            os.environ.setdefault(variable, "1")


_server_settings: dict[str, str] | None = None


def step_settings() -> dict[str, str]:
    """The variables steps read: PRESSWORK_* and the BLAS thread counts. Others
    change under us (importing pandera sets PYARROW_IGNORE_TIMEZONE) and do not
    matter to a step, which imports the same libraries itself."""
    return {name: value for name, value in os.environ.items()
            if name.startswith("PRESSWORK_") or name in BLAS_THREAD_VARIABLES}


def start_step_server() -> None:
    """Start the forkserver the multiprocess executor will fork steps from,
    without waiting for it to load (Dagster connects to the running one).
    One started for an earlier run of this process, under other settings, is
    stopped first: its steps would see that run's settings."""
    global _server_settings
    if _server_settings is not None and _server_settings != step_settings():
        multiprocessing.forkserver._forkserver._stop()  # the standard library's own way to stop it
    multiprocessing.get_context("forkserver").set_forkserver_preload(STEP_PRELOAD_MODULES)
    multiprocessing.forkserver.ensure_running()
    _server_settings = step_settings()
