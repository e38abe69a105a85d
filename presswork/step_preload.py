"""Imported once by the server that forks Dagster's step processes
(`presswork.workers`).

A forked step starts with whatever the server holds. With only the project
imported, every step process still imported Dagster's storage layer
(SQLAlchemy, Alembic), pandera's validation backends, spaCy's English
language data and pysbd, and the NLP shards loaded the model: about half a
second per step, twenty-odd steps a run, most of them one after another.
Loading them here pays that once, and the forked steps share the pages.

Nothing here may raise: the server would die with it, and the step that needs
what failed to load reports the error itself when it loads it again.

What was loaded is then frozen (gc.freeze, as Python's documentation advises
before forking): a step's full garbage collections leave it alone instead of
walking its 250,000 objects each time (0.14 to 0.17 s) and writing to the
pages they share with the server.
"""

import gc
import importlib
import os


# What a step process imports after it starts, measured with the project
# already imported: Dagster's instance and its SQLite storages, and what those
# import on first use.
MODULES = (
    "dagster._core.instance.factory",
    "dagster._core.storage.sqlite_storage",
    "dagster._core.storage.local_compute_log_manager",
    "dagster._core.storage.event_log.sqlite",
    "dagster._core.storage.runs.sqlite",
    "dagster._core.storage.schedules.sqlite",
    "dagster._core.secrets.env_file",
    "dagster._utils.test",
    "fsspec.implementations.local",
    "upath",
    "tabulate",
)


def _warm() -> None:
    for name in ("assets.definitions", *MODULES):  # the project first: what every step runs
        try:
            importlib.import_module(name)
        except Exception:  # a newer Dagster may have moved one: the step imports what it needs
            pass
    try:  # pandera registers its pandas backends on the first validation
        import pandas as pd

        from schemas import RejectedModel

        RejectedModel.validate(pd.DataFrame(), lazy=True)
    except Exception:
        pass
    try:
        from pipeline.nlp import MODEL_ENV, blank_vocab, load_pipeline

        blank_vocab()  # imports what quotes and events rebuild Docs with
        load_pipeline(os.environ.get(MODEL_ENV) or None)  # the NLP shards' model (lru-cached)
    except Exception:
        pass
    gc.freeze()


_warm()
