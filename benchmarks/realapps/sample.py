"""Draw the fixed random sample of asyncguard warnings from the real-application runs.

Usage: python sample.py [--seed N] [--size N] APP=FILE.json [APP=FILE.json ...]
Example: python sample.py --seed 20261124 open-webui=openwebui.json prefect=prefect.json

Pools every finding with severity "warning" from the given JSON outputs (in the order given,
findings in file order), then draws `size` of them with random.Random(seed).sample and prints
them in the drawn order with their chains.
"""

from __future__ import annotations

import argparse
import json
import random


def load(specs: list[str]) -> list[tuple[str, dict]]:
    pool = []
    for spec in specs:
        app, _, path = spec.partition("=")
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        pool.extend((app, f) for f in data["findings"] if f["severity"] == "warning")
    return pool


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print the sample as JSON")
    parser.add_argument("files", nargs="+", metavar="APP=FILE.json")
    args = parser.parse_args()
    pool = load(args.files)
    sample = random.Random(args.seed).sample(pool, args.size)
    if args.json:
        print(json.dumps([{"n": i, "app": app, **f} for i, (app, f) in enumerate(sample, 1)], indent=2))
        return
    print(f"pool: {len(pool)} warnings; seed {args.seed}; sample {args.size}")
    for i, (app, f) in enumerate(sample, 1):
        print(f"\n#{i} [{app}] {f['path']}:{f['line']}:{f['column']} {f['code']} {f['message']}")
        print(f"    in {f['function']} ({f['route']})")
        for hop in f["chain"]:
            print(
                f"    -> {hop['path']}:{hop['line']}:{hop['column']} {hop['function']} calls {hop['callee']}"
            )


if __name__ == "__main__":
    main()
