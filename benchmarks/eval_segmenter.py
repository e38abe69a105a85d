"""Evaluate pipeline.segmenter: pySBD English Golden Rules accuracy and BBC-corpus throughput.

Usage (from the repo root):
    python benchmarks/eval_segmenter.py [--data DIR] [--runs N] [--compare-pysbd]

--data defaults to ../shared/data next to the repository checkout. It must contain
golden_rules/golden_rules_en.json and bbc/<topic>/<id>.txt. The data is read only, never copied.
Scoring is pySBD's: a rule passes only if the list of (stripped) sentences equals the expected
list exactly. Throughput is total characters / seconds spent segmenting every article's full
text, best of --runs runs.
"""
import argparse
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from pipeline.segmenter import split_sentences, split_spans  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"


def load_golden_rules(data_dir: Path) -> list:
    with open(data_dir / "golden_rules" / "golden_rules_en.json", encoding="utf-8") as f:
        return json.load(f)


def load_bbc(data_dir: Path) -> list:
    # Read as bytes: sport/199.txt contains a raw Latin-1 byte, which becomes U+FFFD here.
    files = sorted((data_dir / "bbc").rglob("*.txt"))
    return [p.read_bytes().decode("utf-8", errors="replace") for p in files]


def score_golden(rules: list, segment, label: str) -> int:
    passed = 0
    for rule in rules:
        got = [s.strip() for s in segment(rule["text"]) if s.strip()]
        if got == rule["sentences"]:
            passed += 1
            continue
        print(f"[{label}] FAIL rule {rule['rule']}: {rule['name']}")
        print(f"    text:     {rule['text']!r}")
        print(f"    expected: {rule['sentences']!r}")
        print(f"    got:      {got!r}")
    print(f"[{label}] golden rules: {passed}/{len(rules)}")
    return passed


def throughput(texts: list, segment, label: str, runs: int) -> float:
    chars = sum(len(t) for t in texts)
    best = float("inf")
    n_sentences = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        n_sentences = 0
        for text in texts:
            n_sentences += len(segment(text))
        best = min(best, time.perf_counter() - t0)
    rate = chars / best
    print(f"[{label}] {len(texts)} articles, {chars:,} chars, {n_sentences:,} sentences, "
          f"best of {runs}: {best:.3f}s -> {rate:,.0f} chars/s")
    return rate


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"shared data folder (default: {DEFAULT_DATA})")
    parser.add_argument("--runs", type=int, default=3, help="throughput runs; the best is reported")
    parser.add_argument("--compare-pysbd", action="store_true",
                        help="also score pysbd.Segmenter(language='en', clean=False)")
    args = parser.parse_args(argv)

    data_dir = args.data.resolve()
    golden_path = data_dir / "golden_rules" / "golden_rules_en.json"
    bbc_dir = data_dir / "bbc"
    if not data_dir.is_dir():
        print(f"error: data folder not found: {data_dir}\n"
              f"Pass --data DIR pointing at the shared data folder (default {DEFAULT_DATA}).", file=sys.stderr)
        return 2
    missing = [str(p) for p in (golden_path, bbc_dir) if not p.exists()]
    if missing:
        print(f"error: data not found: {', '.join(missing)}\n"
              f"Point --data at the shared data folder (expected {DEFAULT_DATA}).", file=sys.stderr)
        return 2

    rules = load_golden_rules(data_dir)
    texts = load_bbc(data_dir)
    if not texts:
        print(f"error: no .txt files under {bbc_dir}", file=sys.stderr)
        return 2

    score_golden(rules, split_sentences, "presswork")
    throughput(texts, split_spans, "presswork", args.runs)

    if args.compare_pysbd:
        try:
            import pysbd
        except ImportError:
            print("error: --compare-pysbd needs pysbd installed (pip install pysbd)", file=sys.stderr)
            return 2
        seg = pysbd.Segmenter(language="en", clean=False)
        score_golden(rules, seg.segment, "pysbd")
        throughput(texts, seg.segment, "pysbd", args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
