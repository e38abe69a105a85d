"""What a version manifest records about how it was made."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd


PROJECT_ROOT = Path(__file__).resolve().parents[1]
CODE_PACKAGES = ("pipeline", "schemas", "assets")


def code_fingerprint() -> str:
    """Hash of the project's source and the data files it ships (the event
    lexicon): two runs with the same fingerprint ran the same code, whether or
    not it was committed to git. Incremental runs trust it to carry rows over."""
    digest = hashlib.sha256()
    for package in CODE_PACKAGES:
        files = (p for p in (PROJECT_ROOT / package).rglob("*") if p.is_file() and p.suffix not in {".pyc", ".pyo"})
        for path in sorted(files):
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def package_version() -> str:
    try:
        return metadata.version("presswork")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def inputs_fingerprint(documents: pd.DataFrame, rejected: pd.DataFrame) -> str:
    """Hash of (path, content hash) of every input: equal fingerprints mean the
    same input folder contents."""
    digest = hashlib.sha256()
    for path, sha in sorted(zip(documents["source_file"], documents["content_sha256"])):
        digest.update(f"{path}\0{sha}\n".encode())
    for path, reason in sorted(zip(rejected["source_file"], rejected["reason"])):
        digest.update(f"{path}\0rejected:{reason}\n".encode())
    return digest.hexdigest()


def run_info(model: dict, input_dir: str, inputs_fingerprint: str) -> dict:
    return {
        "code_version": {
            "package": package_version(),
            "git_commit": git_commit(),
            "source_fingerprint": code_fingerprint(),
        },
        "model": {"sentence_segmenter": "pipeline.segmenter (rule-based)", "nlp": model},
        "input_dir": str(Path(input_dir).absolute()),
        "inputs_fingerprint": inputs_fingerprint,
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in ("dagster", "pandas", "pandera", "pyarrow", "duckdb", "spacy")},
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
