"""What an installation weighs: the project installed into a fresh virtual environment, and what
each extra package (a candidate encoder) or another checkout adds or saves.

    python benchmarks/install_size.py [--ref COMMIT] [--with 'wordllama==0.3.9' ...]

Builds one venv for this checkout, one for `--ref` (a commit of this repository, e.g. the one
before the semantic layer) and, for each `--with`, one for `--ref`'s checkout (or this one) plus
that package; prints each venv's size in MB. Needs the package registry; takes a few minutes.
Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def venv_with(work: Path, name: str, *requirements: str) -> float:
    venv = work / name
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *requirements], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return size_mb(venv)


def checkout(work: Path, ref: str) -> Path:
    folder = work / f"src-{ref}"
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="another commit to compare with")
    parser.add_argument("--with", dest="extras", action="append", default=[], help="a package to add")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        current = venv_with(work, "current", str(ROOT))
        print(f"this checkout: {current:.0f} MB")
        base_source = str(ROOT)
        if args.ref:
            base_source = str(checkout(work, args.ref))
            before = venv_with(work, "ref", base_source)
            print(f"{args.ref}: {before:.0f} MB (this checkout adds {current - before:+.0f} MB)")
        for extra in args.extras:
            with_extra = venv_with(work, f"with-{len(extra)}", base_source, extra)
            base = before if args.ref else current
            print(f"{'the ref' if args.ref else 'this checkout'} + {extra}: {with_extra:.0f} MB "
                  f"({with_extra - base:+.0f} MB)")


if __name__ == "__main__":
    main()
