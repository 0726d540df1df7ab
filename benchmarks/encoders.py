"""The sentence-encoder candidates side by side: what each costs to load and run.

    python benchmarks/encoders.py [--candidates minilm-static wordllama-256 DIR ...]

For each candidate, in a process of its own: load time, sentences encoded per second (one at a
time, as a question is, and in batches of 64, as a draft's sentences are), and the process's peak
RSS after loading and encoding. A DIR is a static model built by scripts/build_static_model.py
(e.g. `--dims 128` or `--quantize float16` beside the shipped int8 model). wordllama needs
`pip install 'wordllama==0.3.9'` (0.3.9 is the last release whose wheel carries its tokenizer;
0.4 downloads it from the model hub on first use and fails without network).
Quality per candidate: `python benchmarks/semantic_cv.py --encoder NAME`.
Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = [
    "can I post pics from the Christmas do on the ward?",
    "Funny how there's always money for consultants but never for the district nurses.",
    "Mrs Patel in bed 4 is not doing well today, poor love.",
    "do I have to tell someone if my colleague posted something dodgy",
    "Off to the pub after a long shift, who's coming?",
    "We at the CCG fully support the new urgent treatment centre.",
    "is whatsapp covered by the social media policy",
    "Lovely walk round Moss Bank Park with the dog this morning.",
]


def measure(name: str) -> dict:
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    from bot.semantic.encoder import load_encoder

    encoder = load_encoder(name)
    loaded = time.perf_counter() - started
    single = SENTENCES * 50
    started = time.perf_counter()
    for sentence in single:
        encoder.encode([sentence])
    one_at_a_time = len(single) / (time.perf_counter() - started)
    batches = [SENTENCES * 8] * 50
    started = time.perf_counter()
    for batch in batches:
        encoder.encode(batch)
    batched = sum(map(len, batches)) / (time.perf_counter() - started)
    dims = encoder.encode(["x"]).shape[1]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"name": encoder.name, "dims": dims, "load_s": loaded, "one_per_s": one_at_a_time,
            "batched_per_s": batched, "peak_rss_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", nargs="+", default=["minilm-static", "wordllama-256"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    print(f"{'encoder':42} {'dims':>4} {'load s':>7} {'one/s':>8} {'batch/s':>9} {'peak RSS MB':>11}")
    for name in args.candidates:
        proc = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True)
        if proc.returncode:
            print(f"{name:42} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{r['name']:42} {r['dims']:>4} {r['load_s']:>7.2f} {r['one_per_s']:>8.0f} {r['batched_per_s']:>9.0f} "
              f"{r['peak_rss_mb']:>11.0f}")


if __name__ == "__main__":
    main()
