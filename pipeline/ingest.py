"""Read an input folder into the `articles` table (and `rejected` for the rest).

Every file under the folder ends up in exactly one of the two tables, so the
number of input files always equals documents + rejected: nothing is dropped
without a recorded reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

from pipeline.cleaning import clean_article
from pipeline.decoding import UndecodableError, decode_bytes
from pipeline.failpoints import failpoint

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
ARTICLE_SUFFIX = ".txt"

Progress = Callable[[Iterable], Iterable]


def no_progress(items: Iterable) -> Iterable:
    return items


def normalise_text(text: str) -> str:
    """One canonical form per article: NFC, LF line ends, no trailing spaces.
    The same article saved with CRLF, a BOM or another encoding normalises to
    the same string, hence the same content hash."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def doc_id_for(content_sha256: str, source_file: str, is_duplicate: bool) -> str:
    """Ids come from content so re-ingesting an article gives it the same id.
    A later exact copy cannot share the id (ids are unique), so its id also
    folds in its path; it points at the original through `duplicate_of`."""
    if not is_duplicate:
        return content_sha256[:16]
    return hashlib.sha256(f"{content_sha256}\0{source_file}".encode()).hexdigest()[:16]


def discover_files(input_dir: Path) -> list[Path]:
    """Every file below input_dir, sorted by relative path (so "first copy" of
    a duplicate means first in path order), without following directory
    symlinks: they could lead outside the folder or loop. A directory symlink
    is itself listed, to be rejected with a reason, and so is a directory named
    like an article ("x.txt/"): a user who sees it in the folder expects to
    hear what became of it (the files inside are still read on their own)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(input_dir, followlinks=False):
        found.extend(Path(root) / name for name in files)
        found.extend(
            Path(root) / name for name in dirs
            if (Path(root) / name).is_symlink() or name.lower().endswith(ARTICLE_SUFFIX)
        )
    return sorted(found, key=lambda p: p.relative_to(input_dir).as_posix())


def _rejection_reason(path: Path, input_dir: Path, max_bytes: int) -> str | None:
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(input_dir.resolve()):
            return "symlink points outside the input folder"
        if target.is_dir():
            return "symlink to a directory inside the input folder (not followed)"
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        return "a directory named like an article, not a file (the files inside it are read on their own)"
    if not stat.S_ISREG(info.st_mode):
        # Reading a FIFO or a device could block forever or never end.
        return f"not a regular file ({_file_kind(info.st_mode)})"
    if path.suffix.lower() != ARTICLE_SUFFIX:
        return f"not a {ARTICLE_SUFFIX} file"
    size = info.st_size
    if size == 0:
        return "empty file"
    if size > max_bytes:
        return f"file too large: {size:,} bytes > limit of {max_bytes:,} (raise --max-bytes)"
    return None


def _file_kind(mode: int) -> str:
    kinds = [(stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"),
             (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")]
    return next((name for test, name in kinds if test(mode)), "special file")


def _read_bytes(path: Path) -> bytes:
    return path.read_bytes()


def _read_stable(path: Path) -> bytes:
    """The file's bytes, provided nobody wrote to it while we read: a half-written
    article would be processed as if it were whole."""
    try:
        before = path.stat()
        data = _read_bytes(path)
        after = path.stat()
    except OSError as exc:
        raise ValueError(f"unreadable: {exc.strerror or exc}") from None
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or len(data) != after.st_size:
        raise ValueError("file changed while being read (run again once it is fully written)")
    return data


# Anchored with \A: only the file's start counts, and a search over a long run of
# spaces then fails at once at every later position instead of rescanning the run.
_HTML_START = re.compile(r"\A\s*(?:<!doctype html|<html[\s>])", re.IGNORECASE)


def _read_article(path: Path, rel: str) -> dict:
    """Decode and clean one file; raise ValueError with a one-line reason."""
    data = _read_stable(path)
    try:
        decoded = decode_bytes(data)
    except UndecodableError as exc:
        raise ValueError(str(exc)) from None
    raw = normalise_text(decoded.text)
    if not raw.strip():
        raise ValueError("no text: whitespace only")
    if _HTML_START.match(raw[:1000]):
        raise ValueError("an HTML page, not article text (save the article's text as a .txt file)")
    cleaned = clean_article(raw)
    if not cleaned.text:
        raise ValueError("no article text left after removing page clutter")
    return {
        "source_file": rel,
        "headline": cleaned.headline,
        "text": cleaned.text,
        "raw_text": raw,
        "removed": [
            {"rule": r.rule, "text": r.text, "line_number": r.line_number}
            for r in cleaned.removed
        ],
        "encoding": decoded.encoding,
        "encoding_detected": decoded.detected,
        "source_bytes": len(data),
        "content_sha256": content_hash(raw),
    }


ARTICLE_COLUMNS = [
    "doc_id", "source_file", "headline", "text", "raw_text", "removed", "encoding",
    "encoding_detected", "source_bytes", "content_sha256", "duplicate_of", "n_chars",
]
REJECTED_COLUMNS = ["source_file", "reason", "detail"]


INGEST_BATCH_FILES = 1024  # files read, cleaned and handed on at a time: a few MB of text


def ingest_batches(
    input_dir: Path | str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress = no_progress,
    batch_files: int = INGEST_BATCH_FILES,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """(articles, rejected) for every `batch_files` files under input_dir, in
    path order: a corpus is never held whole. Exact copies are recognised
    across batches (only the content hashes are kept)."""
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder not found: {input_dir}")
    first_by_hash: dict[str, str] = {}
    articles: list[dict] = []
    rejected: list[dict] = []
    n = 0
    for n, path in enumerate(progress(discover_files(input_dir)), start=1):
        failpoint("ingest.file")
        rel = path.relative_to(input_dir).as_posix()
        try:
            reason = _rejection_reason(path, input_dir, max_bytes)
            if reason is None:
                record = _read_article(path, rel)
        except ValueError as exc:
            reason = str(exc)
        except OSError as exc:
            reason = f"unreadable: {exc.strerror or exc}"
        if reason is not None:
            rejected.append({"source_file": rel, "reason": reason.split("\n")[0],
                             "detail": _detail(path)})
        else:
            original = first_by_hash.get(record["content_sha256"])
            record["doc_id"] = doc_id_for(record["content_sha256"], rel, original is not None)
            record["duplicate_of"] = original
            if original is None:
                first_by_hash[record["content_sha256"]] = record["doc_id"]
            record["n_chars"] = len(record["text"])
            articles.append(record)
        if n % batch_files == 0:
            yield _frames(articles, rejected)
            articles, rejected = [], []
    if articles or rejected or n == 0:  # the last batch; an empty folder gives one empty batch
        yield _frames(articles, rejected)


def ingest_folder(
    input_dir: Path | str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress = no_progress,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (articles, rejected) for every file under input_dir."""
    batches = list(ingest_batches(input_dir, max_bytes, progress))
    return tuple(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
                 for frames in zip(*batches))


def _frames(articles: list[dict], rejected: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(articles, columns=ARTICLE_COLUMNS), pd.DataFrame(rejected, columns=REJECTED_COLUMNS)


def _detail(path: Path) -> str:
    try:
        st = path.lstat()
        return f"{st.st_size} bytes" + (" (symlink)" if path.is_symlink() else "")
    except OSError as exc:
        return f"stat failed: {exc.strerror or exc}"
