"""Answerer figures: in-process latency, and the `snp-bot ask` process's start-up time and memory.

    python benchmarks/answer_bench.py [--questions FILE.jsonl] [--repeat 50] [--starts 10]

FILE.jsonl holds {"question": …} objects, one a line (default: the development set beside the
repository, ../shared/eval/questions_dev.jsonl). Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "questions_dev.jsonl"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def in_process(questions: list[str], repeat: int) -> None:
    started = time.perf_counter()
    from bot.core import Core

    core = Core.from_settings()
    core.answerer  # built on first use; part of start-up here
    build = time.perf_counter() - started
    first = time.perf_counter()
    core.answerer.answer(questions[0])
    first = time.perf_counter() - first
    timings = []
    for _ in range(repeat):
        for question in questions:
            t0 = time.perf_counter()
            core.answerer.answer(question)
            timings.append(time.perf_counter() - t0)
    ms = [t * 1000 for t in timings]
    print(f"in-process: import+load+index {build * 1000:.0f} ms, first answer {first * 1000:.1f} ms")
    print(f"in-process latency over {len(ms)} answers ({len(questions)} questions x {repeat}): "
          f"p50 {percentile(ms, 50):.3f} ms  p99 {percentile(ms, 99):.3f} ms  max {max(ms):.3f} ms")


def one_process(question: str) -> tuple[float, int]:
    """Wall time and peak resident memory (KiB) of one `snp-bot ask` process."""
    exe = str(Path(sys.executable).with_name("snp-bot"))
    t0 = time.perf_counter()
    proc = subprocess.Popen([exe, "ask", question], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"snp-bot ask exited {proc.returncode}")
    return elapsed, usage.ru_maxrss


def start_up(question: str, starts: int) -> None:
    one_process(question)  # warm the file cache, as a second run on a server would be
    runs = [one_process(question) for _ in range(starts)]
    seconds = [r[0] for r in runs]
    peak_mb = max(r[1] for r in runs) / 1024
    print(f"`snp-bot ask` process ({starts} runs): start-up to answer median {statistics.median(seconds):.3f} s, "
          f"max {max(seconds):.3f} s; peak memory {peak_mb:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--starts", type=int, default=10)
    args = parser.parse_args()
    if not args.questions.exists():
        sys.exit(f"no question file at {args.questions}; pass --questions FILE.jsonl")
    with args.questions.open(encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f if line.strip()]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {len(questions)} questions from {args.questions}")
    in_process(questions, args.repeat)
    start_up(questions[0], args.starts)


if __name__ == "__main__":
    main()
