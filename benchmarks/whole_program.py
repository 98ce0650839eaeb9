"""Whole-program runs on real FastAPI applications from PyPI wheels, side by side with ruff's
ASYNC rules and hydroid (hydroid-cli), on the same files and the same environment.

    python benchmarks/whole_program.py [--apps open-webui prefect] [--markdown FILE]

Downloads the wheels (no dependencies) and a venv with the libraries their server code imports
into benchmarks/.work/ on first use; later runs reuse them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
WORK = HERE / ".work"
REPO = HERE.parent
ASYNCGUARD = REPO / ".venv" / "bin" / "asyncguard"
RUFF = REPO / ".venv" / "bin" / "ruff"

# name -> pinned version. Every tool checks the whole unpacked wheel (the server package and
# what it imports from the rest of the project), from the same root.
APPS = {
    "open-webui": "0.12.4",
    "prefect": "3.9.1",
}
# What the server code imports most, so jedi (and hydroid) can resolve calls into it.
ENV_PACKAGES = [
    "fastapi",
    "starlette",
    "pydantic",
    "sqlalchemy",
    "requests",
    "httpx",
    "aiohttp",
    "redis",
    "boto3",
    "peewee",
    "psycopg2-binary",
    "alembic",
    "hydroid-cli",
]

_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "wall = time.perf_counter() - start\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(wall, peak, code)\n"
)


@dataclass
class Measure:
    wall: float
    peak_mb: float
    findings: int | None


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB, the largest process of the run)."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd], cwd=cwd, capture_output=True, text=True, env=env, check=True
    )
    wall, peak, _ = out.stdout.split()
    return float(wall), int(peak) / 1024


def warm(cmd: list[str], cwd: Path, env: dict[str, str]) -> Measure:
    """The median of three runs: a warm run takes a tenth of a second, so one run's figure is
    mostly the machine's noise of the moment."""
    runs = sorted(run(cmd, cwd, env) for _ in range(3))
    wall, peak = runs[1]
    return Measure(wall, peak, None)


def prepare(apps: list[str]) -> tuple[dict[str, Path], Path]:
    WORK.mkdir(exist_ok=True)
    env = WORK / "env"
    if not (env / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(env / "bin" / "pip"), "install", "--quiet", *ENV_PACKAGES], check=True)
    roots: dict[str, Path] = {}
    for app in apps:
        version = APPS[app]
        target = WORK / "src" / f"{app}-{version}"
        if not target.exists():
            wheels = WORK / "wheels"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "-d",
                    str(wheels),
                    f"{app}=={version}",
                ],
                check=True,
            )
            wheel = next(wheels.glob(f"{app.replace('-', '_')}-{version}-*.whl"))
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(target)
            # A project root of its own: nothing above it (this repository, its .gitignore) counts.
            (target / "pyproject.toml").write_text(f"[project]\nname = '{app}-bench'\n")
        roots[app] = target
    return roots, env


def count_findings(cmd: list[str], cwd: Path, key: str | None) -> int | None:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    try:
        data = json.loads(out.stdout)
    except ValueError:
        return None
    items = data.get(key, data) if isinstance(data, dict) and key else data
    return len(items) if isinstance(items, list) else None


def files_in(root: Path) -> int:
    return sum(1 for _ in root.rglob("*.py"))


def measure_app(name: str, root: Path, env: Path) -> dict[str, Measure]:
    python = str(env)
    hydroid = str(env / "bin" / "hydroid")
    clean = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    results: dict[str, Measure] = {}
    scratch = Path(tempfile.mkdtemp(prefix="asyncguard-bench-"))

    def fresh(path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    def first_run() -> dict[str, str]:
        """A run on a machine that has never run the tool: no user-level caches either (jedi
        and parso keep parsed modules under XDG_CACHE_HOME; hydroid may too)."""
        home = Path(tempfile.mkdtemp(dir=scratch))
        return {**clean, "XDG_CACHE_HOME": str(home)}

    try:
        ag = [str(ASYNCGUARD), "check", "--python", python, "--format", "json", "."]
        fresh(root / ".asyncguard_cache")
        wall, peak = run([*ag, "-j", "1"], root, first_run())
        results["asyncguard, cold, 1 process"] = Measure(wall, peak, None)
        fresh(root / ".asyncguard_cache")
        cold = first_run()
        wall, peak = run(ag, root, cold)
        found = count_findings([*ag, "--no-cache"], root, "findings")
        results["asyncguard, cold"] = Measure(wall, peak, found)
        # The same again with parso's tree cache as that run left it (a CI machine that keeps
        # ~/.cache, another project on the same libraries): only our own cache is empty.
        fresh(root / ".asyncguard_cache")
        wall, peak = run(ag, root, cold)
        results["asyncguard, cold, parse cache warm"] = Measure(wall, peak, None)
        results["asyncguard, warm cache"] = warm(ag, root, cold)

        hy = [hydroid, "--python", python, "--format", "json", "."]
        fresh(root / ".hydroid_cache")
        hydroid_env = first_run()
        wall, peak = run(hy, root, hydroid_env)
        results["hydroid, cold"] = Measure(wall, peak, count_findings([*hy, "--no-cache"], root, "findings"))
        results["hydroid, warm cache"] = warm(hy, root, hydroid_env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    ruff = [str(RUFF), "check", "--select", "ASYNC", "--output-format", "json", "--exit-zero", "."]
    wall, peak = run([*ruff, "--no-cache"], root, clean)
    results["ruff ASYNC, no cache"] = Measure(wall, peak, count_findings([*ruff, "--no-cache"], root, None))
    wall, peak = run(ruff, root, clean)
    results["ruff ASYNC, warm cache"] = Measure(wall, peak, None)
    return results


def table(name: str, root: Path, results: dict[str, Measure]) -> str:
    hydroid_cold = results["hydroid, cold"].wall
    hydroid_warm = results["hydroid, warm cache"].wall
    lines = [
        f"**{name}** ({files_in(root)} Python files, the whole wheel `{root.name}`)",
        "",
        "| run | wall s | ratio to hydroid (same kind of run) | peak MB | findings |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, m in results.items():
        peer = hydroid_warm if label.endswith("warm cache") else hydroid_cold
        ratio = f"{m.wall / peer:.1f}x" if peer > 0 else "-"
        found = "" if m.findings is None else str(m.findings)
        lines.append(f"| {label} | {m.wall:.2f} | {ratio} | {m.peak_mb:.0f} | {found} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", nargs="*", default=list(APPS), choices=list(APPS))
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--prepare-only", action="store_true", help="download and unpack, then stop")
    args = parser.parse_args()
    roots, env = prepare(args.apps)
    if args.prepare_only:
        return
    blocks = [
        f"Whole program, {time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores; every tool on the same files with the same environment"
    ]
    for name, root in roots.items():
        blocks.append(table(name, root, measure_app(name, root, env)))
    text = "\n\n".join(blocks)
    print(text)
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as handle:
            handle.write(text + "\n\n")


if __name__ == "__main__":
    main()
