"""Reading Python source files the way the interpreter would, without ever failing loudly."""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from .positions import split_lines

# PEP 263: the coding cookie may sit on either of the first two lines.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class SourceError(Exception):
    """A file that cannot be read as Python source; the message is one line for the user."""


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str


def decode_source(data: bytes, *, name: str = "<source>") -> SourceText:
    """Decode bytes as Python source: BOM, then PEP 263 cookie, then UTF-8."""
    if b"\x00" in data[:8192]:
        raise SourceError(f"{name}: binary file (contains NUL bytes)")
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8-sig"
    else:
        for line in data.split(b"\n", 2)[:2]:
            match = _COOKIE.match(line)
            if match:
                encoding = match.group(1).decode("ascii", "replace")
                break
    try:
        text = data.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    except LookupError:
        raise SourceError(f"{name}: unknown source encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{name}: not valid {encoding} at byte {exc.start}; "
            "declare the encoding with a '# -*- coding: ... -*-' line"
        ) from None
    return SourceText(text=text, encoding=encoding)


def read_source(path: Path) -> SourceText:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return decode_source(data, name=str(path))


def comment_lines(text: str) -> dict[int, str]:
    """Map 1-based line numbers to the comment on that line, using the tokenizer.

    Only lines that mention 'asyncguard' are tokenized precisely; this keeps the cost
    near zero on files without suppressions.
    """
    if "asyncguard" not in text:
        return {}
    found: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and "asyncguard" in tok.string:
                found[tok.start[0]] = tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # Broken code while typing: fall back to a plain scan of '#' comments.
        for number, line in enumerate(split_lines(text), start=1):
            index = line.find("#")
            if index >= 0 and "asyncguard" in line[index:]:
                found[number] = line[index:]
    return found
