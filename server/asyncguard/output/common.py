"""What every renderer needs: paths relative to the working directory, 1-based columns."""

from __future__ import annotations

import os
from pathlib import Path

from ..engine.positions import Span


def display_path(path: str, base: Path) -> str:
    try:
        return os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return path


def one_based(span: Span) -> dict[str, int]:
    return {
        "line": span.line,
        "column": span.col + 1,
        "end_line": span.end_line,
        "end_column": span.end_col + 1,
    }
