"""`make bench`: every benchmark, its tables written to benchmarks/RESULTS.md (replaced), with
the figures also printed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "RESULTS.md"
HEADER = """# Benchmark results

Produced by `make bench` ({date}, {cores} cores). Figures are wall-clock seconds on this
machine; ratios compare tools measured in the same run, on the same input. See
`benchmarks/README.md` for what each benchmark does and `benchmarks/realapps/` for the hand-read
sample of findings on real applications.

"""


def main() -> None:
    generated = HERE / ".work" / "RESULTS.generated.md"
    generated.parent.mkdir(exist_ok=True)
    generated.write_text(HEADER.format(date=time.strftime("%Y-%m-%d"), cores=os.cpu_count()))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for script in ("editor_latency.py", "whole_program.py"):
        subprocess.run(
            [sys.executable, str(HERE / script), "--markdown", str(generated)], check=True, env=env
        )
    notes = HERE / "RESULTS-notes.md"
    text = generated.read_text()
    if notes.exists():
        text += "\n" + notes.read_text()
    RESULTS.write_text(text)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
