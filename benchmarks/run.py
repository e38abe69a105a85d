"""Scale benchmark: the real `presswork run` on a folder, measured.

    python benchmarks/run.py [--input DIR] [--workers N] [--generate N] [--skip-incremental]

(a) a full run of the input folder (default: the 2,225 BBC articles in
    ../shared/data/bbc) into a fresh warehouse: wall time, words/s, peak RSS of
    the whole process tree (the CLI and its step processes), seconds per step,
    and the ratio to a bare single-process `nlp.pipe` over the same texts with
    the same model, measured in the same run;
(c) incremental: one new article added, run again into the same warehouse;
    beside it, the floor of any run (benchmarks/dagster_floor.py): project
    import, model load and a Dagster run of as many no-op steps;
(b) with --generate N: N articles generated from the input by deterministic
    perturbations (every text and id differs; about 5 % are near-duplicate
    rewrites of another generated article, with known ground truth), run like
    (a), with near-duplicate precision / recall;
(d) on (b)'s warehouse (or (a)'s): three DuckDB queries, timed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dagster_floor import describe, measure_floor  # noqa: E402  (this folder is on sys.path)
from pipeline.ingest import ingest_folder  # noqa: E402
from pipeline.warehouse import Warehouse  # noqa: E402

QUERIES = {
    "top speakers": "select speaker, count(*) n from quotes where speaker is not null group by 1 order by 2 desc limit 10",
    "quotes by entity": "select e.name, count(*) n from quotes q join entities e on q.speaker_entity_id = e.entity_id "
                        "group by 1 order by 2 desc limit 10",
    "events by type per document": "select doc_id, event_type, count(*) n from events group by all order by 3 desc "
                                   "limit 10",
}


def run_measured(args: list[str], env: dict) -> tuple[float, tuple[float, float], list, list]:
    """(wall seconds, peak memory MiB of the process tree, memory samples,
    (pid, role, MiB PSS) of each process at the PSS peak) of one CLI run; each sample is
    (epoch seconds, MiB summing RSS over the tree, {pid: MiB PSS} or None: PSS
    is taken every tenth sample). Peak memory is reported
    twice: the sum of RSS over the tree counts the pages a forked step process
    shares with its parent once per process; the sum of PSS (Linux) shares
    each such page among the processes using it, so it adds up to what the
    run really holds."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "presswork.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]  # RSS, PSS
    samples: list[tuple[float, float, dict[int, float] | None]] = []
    at_peak: list[tuple[int, str, float]] = []  # (pid, role, MiB PSS) when the tree's PSS peaked

    def sample():
        root = psutil.Process(proc.pid)
        n = 0
        while proc.poll() is None:
            try:
                tree = [p for p in [root, *root.children(recursive=True)] if p.is_running()]
                rss = sum(p.memory_info().rss for p in tree)
                peak[0] = max(peak[0], rss)
                pss = None
                if n % 10 == 0:  # PSS reads /proc/<pid>/smaps: too costly to take 10 times a second
                    pss = {p: getattr(p.memory_full_info(), "pss", 0) for p in tree}
                samples.append((time.time(), rss / 2**20, pss and {p.pid: b / 2**20 for p, b in pss.items()}))
                if pss and sum(pss.values()) > peak[1]:
                    peak[1] = sum(pss.values())
                    at_peak[:] = [(p.pid, _role(p, root), b / 2**20) for p, b in pss.items()]
            except psutil.Error:
                pass
            n += 1
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"presswork run failed:\n{err[-3000:]}")
    return wall, (peak[0] / 2**20, peak[1] / 2**20), samples, at_peak


def _role(process: psutil.Process, root: psutil.Process) -> str:
    """What a process of the tree is, where its command line says: "" for a
    step process (forked from the step server, so with the server's command line)."""
    if process.pid == root.pid:
        return "CLI and in-process steps"
    command = " ".join(process.cmdline())
    if "resource_tracker" in command:
        return "multiprocessing resource tracker"
    if "forkserver" in command and process.ppid() == root.pid:
        return "step server"
    return ""


def step_windows(dagster_home: Path) -> tuple[dict[str, tuple[float, float]], dict[int, str]]:
    """Each step of the last run: (start, end) in epoch seconds, from its event
    log; and the process id each step ran in (with several workers)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        starts, windows, pids = {}, {}, {}
        for e in instance.all_logs(run.run_id):
            kind = e.dagster_event.event_type_value if e.dagster_event is not None else None
            if kind == "STEP_START":
                starts[e.dagster_event.step_key] = e.timestamp
            elif kind == "STEP_SUCCESS":
                windows[e.dagster_event.step_key] = (starts[e.dagster_event.step_key], e.timestamp)
            elif kind == "STEP_WORKER_STARTED":
                pid = e.dagster_event.event_specific_data.metadata.get("pid")
                if pid is not None and str(pid.value).isdigit():
                    pids[int(pid.value)] = e.dagster_event.step_key
        return windows, pids


def print_steps(dagster_home: Path, samples: list[tuple[float, float, dict | None]],
                at_peak: list[tuple[int, str, float]], top: int = 12) -> None:
    """Seconds per step, the process tree's memory while each step ran (the
    step holding the peak is where memory work pays), and which processes
    held the PSS peak."""
    windows, step_of = step_windows(dagster_home)
    big = [(pid, role, mib) for pid, role, mib in sorted(at_peak, key=lambda held: -held[2]) if mib >= 10]
    small = [mib for _, _, mib in at_peak if mib < 10]
    print("  at the PSS peak: " + ", ".join(f"{role or step_of.get(pid, f'process {pid}')} {mib:,.0f} MiB"
                                            for pid, role, mib in big)
          + (f", {len(small)} more processes under 10 MiB ({sum(small):,.0f} MiB)" if small else ""))
    print("  per-step seconds; peak MiB summing RSS over the tree while the step ran (steps run side by "
          "side with several workers); peak MiB PSS of the step's own process, sampled once a second (the "
          "CLI process for in-process steps, so with what it held before):")
    root = next((pid for pid, role, _ in at_peak if role == "CLI and in-process steps"), None)
    pid_of = {step: pid for pid, step in step_of.items()}

    def own_pss(step: str, start: float, end: float) -> float:
        pid = pid_of.get(step, root)
        return max((pss.get(pid, 0) for t, _, pss in samples if pss and start <= t <= end), default=0)

    rows = [(step, end - start, max((mib for t, mib, _ in samples if start <= t <= end), default=0),
             own_pss(step, start, end)) for step, (start, end) in windows.items()]
    line = "\n      {:<45} {:8.2f} s {:8,.0f} MiB tree {:8,.0f} MiB own"
    print("    by time:" + "".join(line.format(*row) for row in sorted(rows, key=lambda r: -r[1])[:top]))
    print("    by own memory:" + "".join(line.format(*row) for row in sorted(rows, key=lambda r: -r[3])[:top]))


def bare_nlp_seconds(texts: list[str], model: str | None) -> float:
    """spaCy alone, one process, over the cleaned texts: the floor the pipeline is compared to."""
    from pipeline.nlp import load_pipeline

    nlp = load_pipeline(model)
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return time.perf_counter() - started


def generate_corpus(source: Path, target: Path, n: int, seed: int = 13) -> dict[str, str]:
    """n articles generated from the source folder; returns the near-duplicate
    ground truth (file name -> the file it rewrites). Each article takes a
    source headline and paragraphs drawn from several source articles, so two
    generated articles share a paragraph or two at most (a generated corpus
    100 times the source would otherwise be 100 near-copies of each article);
    about 5 % are light rewrites (1 word in 100 replaced) of an earlier one."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(source.rglob("*.txt"))]
    articles = [[line for line in text.split("\n") if line.strip()] for text in texts]
    articles = [lines for lines in articles if len(lines) >= 3]
    names = ["Alex Morgan", "Sam Patel", "Jo Evans", "Chris Walsh", "Pat Lee", "Robin Shah", "Kim Doyle"]
    truth, written = {}, []
    target.mkdir(parents=True)
    for i in range(n):
        if written and rng.random() < 0.05:  # a light rewrite of an earlier generated article
            original = rng.choice(written)
            words = (target / original).read_text(encoding="utf-8").split(" ")
            for _ in range(max(1, len(words) // 100)):
                words[rng.randrange(len(words))] = rng.choice(["the", "a", "also", "now"])
            text = " ".join(words)
            truth[f"{i:06d}.txt"] = original
        else:
            head = rng.choice(articles)[0]
            body = [p for lines in rng.sample(articles, 3) for p in rng.sample(lines[1:], min(2, len(lines) - 1))]
            text = f"{head} ({i})\n\n" + "\n\n".join(body)
            text = text.replace("Mr Blair", f"{rng.choice(names)}").replace(" said", rng.choice([" said", " says"]))
        name = f"{i:06d}.txt"
        (target / name).write_text(text, encoding="utf-8")
        written.append(name)
    return truth


def report(label: str, wall: float, peak: tuple[float, float], warehouse: Path) -> float:
    w = Warehouse(warehouse)
    manifest = w.manifest(w.latest())
    documents = w.read_table("documents")
    words = int(documents["text"].str.split().str.len().sum())
    work = manifest.get("nlp_work", {})
    print(f"{label}: {len(documents):,} documents, {words:,} words, {manifest['tables']['rejected']['rows']} rejected")
    print(f"  wall {wall:.1f} s   {words / wall:,.0f} words/s   peak memory of the process tree: "
          f"{peak[1]:,.0f} MiB PSS ({peak[0]:,.0f} MiB summing RSS)")
    print(f"  NLP: {work.get('parsed')} articles parsed in {work.get('shards')} shard(s), "
          f"{work.get('carried')} carried over")
    return words / wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=REPO.parent / "shared" / "data" / "bbc")
    parser.add_argument("--workers", default="auto")
    parser.add_argument("--model", default="")
    parser.add_argument("--generate", type=int, default=0, help="(b): also run on N generated articles")
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument("--generated-only", action="store_true",
                        help="with --generate: run (b) and (d) only, skipping (a), the bare nlp.pipe and (c)")
    parser.add_argument("--keep", type=Path, help="keep the work folder here")
    args = parser.parse_args()
    if not args.input.is_dir():
        print(f"input folder not found: {args.input} (the BBC corpus sits in ../shared/data/bbc)", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="presswork-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "dagster_home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(home)}  # the CLI sets one BLAS thread per worker itself
    common = ["--workers", args.workers, "--model", args.model, "--quiet"]
    try:
        # (a) a copy of the input, so (c) can add to it
        corpus = work / "input"
        shutil.copytree(args.input, corpus, dirs_exist_ok=True)
        warehouse = work / "warehouse"
        rate_a = None
        if not (args.generate and args.generated_only):
            # The bare nlp.pipe runs just before and just after (a): this machine's speed drifts by a
            # quarter within the hour, so the ratio is taken against the mean of the two.
            before = bare_nlp_seconds(list(ingest_folder(corpus)[0]["text"]), args.model or None)
            wall_a, peak_a, samples_a, at_peak_a = run_measured(
                ["run", "--input", str(corpus), "--warehouse", str(warehouse), *common], env)
            rate_a = report("(a) full run", wall_a, peak_a, warehouse)
            after = bare_nlp_seconds(list(Warehouse(warehouse).read_table("documents")["text"]), args.model or None)
            bare = (before + after) / 2
            print(f"  bare nlp.pipe, one process, same texts and model: {before:.1f} s before (a), {after:.1f} s "
                  f"after -> pipeline / bare = {wall_a / bare:.2f} ({wall_a / before:.2f} against the first, "
                  f"{wall_a / after:.2f} against the second)")
            print_steps(home, samples_a, at_peak_a)
        if rate_a is not None and not args.skip_incremental:
            extra = next(iter(sorted(corpus.rglob("*.txt"))))
            (corpus / "zz_incremental.txt").write_text(
                extra.read_text(encoding="utf-8", errors="replace") + "\n\nThis article was updated.\n",
                encoding="utf-8")
            wall_c, peak_c, _, _ = run_measured(
                ["run", "--input", str(corpus), "--warehouse", str(warehouse), *common], env)
            report("(c) incremental, one article added", wall_c, peak_c, warehouse)
            print(f"  {wall_c / wall_a:.1%} of (a)'s wall time")
            n_steps = len(step_windows(home)[0])
            floor = measure_floor(n_steps)
            print(f"  floor of any run of {n_steps} steps (benchmarks/dagster_floor.py): {describe(floor, n_steps)} "
                  f"= {floor['wall'] / wall_a:.1%} of (a)")
        query_warehouse = warehouse
        if args.generate:
            generated = work / "generated"
            truth = generate_corpus(args.input, generated, args.generate)
            big = work / "warehouse_generated"
            wall_b, peak_b, samples_b, at_peak_b = run_measured(
                ["run", "--input", str(generated), "--warehouse", str(big), *common], env)
            rate_b = report(f"(b) {args.generate:,} generated articles", wall_b, peak_b, big)
            print_steps(home, samples_b, at_peak_b)
            if rate_a is not None:
                print(f"  words/s vs (a): {rate_b / rate_a - 1:+.1%}")
            documents = Warehouse(big).read_table("documents")
            group = dict(zip(documents["source_file"], documents["duplicate_group"]))
            doc_of = dict(zip(documents["source_file"], documents["doc_id"]))
            found = {f for f, g in group.items() if pd.notna(g) and g != doc_of[f]}  # missing: NaN, not None
            tp = sum(1 for f in found if f in truth and group[f] in (doc_of[truth[f]], group.get(truth[f])))
            print(f"  near-duplicates: {len(truth)} generated, {len(found)} grouped, precision "
                  f"{tp / len(found) if found else 0:.3f}, recall {tp / len(truth) if truth else 0:.3f}")
            query_warehouse = big
        print(f"(d) DuckDB queries on {query_warehouse.name}:")
        for name, sql in QUERIES.items():
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "presswork.cli", "query", sql, "--warehouse",
                                     str(query_warehouse), "--format", "csv"], cwd=REPO, env=env,
                                    capture_output=True, text=True)
            cli = time.perf_counter() - started
            con = duckdb.connect(str(query_warehouse / "catalog.duckdb"), read_only=True)
            started = time.perf_counter()
            con.sql(sql).fetchall()
            inside = time.perf_counter() - started
            con.close()
            ok = "ok" if result.returncode == 0 else "FAILED"
            print(f"  {name:<30} {inside * 1000:7.1f} ms in DuckDB, {cli:5.2f} s as a `presswork query` ({ok})")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
