"""Quick fixes computed from a Finding and the document text: no resolution, no jedi.

Every builder returns None rather than an edit it cannot vouch for; the caller offers only
fixes whose result compiles.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from functools import cached_property

from ..engine.findings import Finding
from ..engine.parsing import parse_tolerant
from ..engine.positions import LineIndex, Span, split_lines
from . import imports
from .block import block_fix
from .edits import CodeFix, TextEdit, fix_compiles

_IGNORE_COMMENT = re.compile(r"#\s*asyncguard:\s*ignore(\[([^\]]*)\])?", re.I)


@dataclass
class Document:
    """The text a fix is computed for, parsed once."""

    text: str
    path: str = "<document>"
    _tree: ast.Module | None = field(default=None, repr=False)

    @cached_property
    def index(self) -> LineIndex:
        return LineIndex(self.text)

    @cached_property
    def tree(self) -> ast.Module | None:
        return self._tree if self._tree is not None else parse_tolerant(self.text).tree

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)


@dataclass
class _CallParts:
    func: str
    args: str  # the argument list without its parentheses, stripped
    has_keywords: bool


def _call_parts(doc: Document, finding: Finding) -> _CallParts | None:
    call_text = doc.index.slice(finding.span)
    func_text = doc.index.slice(finding.func_span)
    if not call_text.startswith(func_text):
        return None
    rest = call_text[len(func_text) :].strip()
    if not (rest.startswith("(") and rest.endswith(")")):
        return None
    try:
        node = ast.parse(f"({call_text})", mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call):
        return None
    return _CallParts(func_text.strip(), rest[1:-1].strip(), bool(node.keywords))


def _wrap(expression: str, finding: Finding) -> str:
    """Parenthesise an awaited expression that is the base of an attribute, subscript or call."""
    if finding.fix.get("parent") in ("attr", "subscript", "call"):
        return f"({expression})"
    return expression


def _args(func: str, args: str) -> str:
    return f"{func}, {args}" if args else func


def _checked(doc: Document, fix: CodeFix | None) -> CodeFix | None:
    if fix is None:
        return None
    return fix if fix_compiles(doc.text, doc.tree, fix.edits) else None


def _can_await(finding: Finding) -> bool:
    # 'with lock:' has no call to wrap; the block fix moves the whole statement instead.
    return (
        bool(finding.fix.get("awaitable"))
        and finding.code != "AG301"
        and "misuse" not in finding.fix
        and not finding.fix.get("entered")
        and not finding.fix.get("lazy")
    )


# ---- the fixes --------------------------------------------------------------------------
def to_thread_fix(doc: Document, finding: Finding) -> CodeFix | None:
    """f(a, k=c) -> await asyncio.to_thread(f, a, k=c)"""
    if not _can_await(finding) or finding.fix.get("thread_bound"):
        return None
    parts = _call_parts(doc, finding)
    if parts is None:
        return None
    name = imports.asyncio_attr(doc.tree, doc.lines, "to_thread")
    new = _wrap(f"await {name.text}({_args(parts.func, parts.args)})", finding)
    edits = [TextEdit(finding.span, new)] + ([name.edit] if name.edit else [])
    return _checked(
        doc,
        CodeFix(
            f"Run {parts.func} in a thread: await {name.text}({parts.func}, ...)",
            edits,
            codes=(finding.code,),
        ),
    )


def sleep_fix(doc: Document, finding: Finding) -> CodeFix | None:
    """time.sleep(x) -> await asyncio.sleep(x)"""
    if not _can_await(finding) or not finding.fix.get("sleep") or finding.chain:
        return None
    parts = _call_parts(doc, finding)
    if parts is None:
        return None
    name = imports.asyncio_attr(doc.tree, doc.lines, "sleep")
    new = _wrap(f"await {name.text}({parts.args})", finding)
    edits = [TextEdit(finding.span, new)] + ([name.edit] if name.edit else [])
    return _checked(doc, CodeFix(f"Use await {name.text}(...)", edits, preferred=True, codes=(finding.code,)))


def twin_fix(doc: Document, finding: Finding) -> CodeFix | None:
    """chain.invoke(x) -> await chain.ainvoke(x): the library's own awaitable twin, on the same
    object with the same arguments."""
    twin = finding.fix.get("twin")
    if not _can_await(finding) or not twin or finding.chain:
        return None
    parts = _call_parts(doc, finding)
    if parts is None:
        return None
    receiver, dot, method = parts.func.rpartition(".")
    if not dot or not method.isidentifier():
        return None
    new = _wrap(f"await {receiver}.{twin}({parts.args})", finding)
    title = f"Use the async twin: await {receiver}.{twin}(...)"
    return _checked(doc, CodeFix(title, [TextEdit(finding.span, new)], preferred=True, codes=(finding.code,)))


def threadpool_fix(doc: Document, finding: Finding) -> CodeFix | None:
    """f(a) -> await run_in_threadpool(f, a), when the module already uses Starlette/FastAPI."""
    if not _can_await(finding) or finding.fix.get("thread_bound"):
        return None
    parts = _call_parts(doc, finding)
    name = imports.threadpool_name(doc.tree, doc.lines)
    if parts is None or name is None:
        return None
    new = _wrap(f"await {name.text}({_args(parts.func, parts.args)})", finding)
    edits = [TextEdit(finding.span, new)] + ([name.edit] if name.edit else [])
    return _checked(
        doc,
        CodeFix(
            f"Run {parts.func} in Starlette's threadpool: await {name.text}(...)",
            edits,
            codes=(finding.code,),
        ),
    )


def misuse_fix(doc: Document, finding: Finding) -> CodeFix | None:
    """asyncio.to_thread(f(x)) -> asyncio.to_thread(f, x)"""
    helper = finding.fix.get("misuse")
    if not helper:
        return None
    parts = _call_parts(doc, finding)
    if parts is None:
        return None
    edits: list[TextEdit] = []
    if str(helper).endswith("run_in_executor") and parts.has_keywords:
        # run_in_executor passes positional arguments only.
        partial = imports.functools_partial(doc.tree, doc.lines)
        replacement = f"{partial.text}({_args(parts.func, parts.args)})"
        if partial.edit:
            edits.append(partial.edit)
    else:
        replacement = _args(parts.func, parts.args)
    edits.insert(0, TextEdit(finding.span, replacement))
    return _checked(
        doc,
        CodeFix(
            f"Pass {parts.func} and its arguments to {helper}", edits, preferred=True, codes=(finding.code,)
        ),
    )


def async_def_fix(doc: Document, finding: Finding) -> CodeFix | None:
    """async def route(...) -> def route(...): FastAPI then runs it in its threadpool."""
    where = finding.fix.get("async_def")
    if not where:
        return None
    line, col = where["line"], where["col"]
    text = doc.index.line_text(line)
    match = re.match(r"async\s+(?=def\b)", text[col:])
    if match is None:
        return None
    edit = TextEdit(Span(line, col, line, col + match.end()), "")
    framework = finding.fix.get("framework", "FastAPI")
    title = (
        f"Make {finding.function} a plain def ({framework} runs it in its threadpool, 40 threads by default)"
    )
    return _checked(doc, CodeFix(title, [edit], preferred=True, codes=(finding.code,)))


def ignore_fix(doc: Document, finding: Finding) -> CodeFix | None:
    """Add '# asyncguard: ignore[CODE]' to the line (or merge into the one already there)."""
    line = _comment_line(doc, finding)
    if line is None:
        return None
    text = doc.index.line_text(line)
    existing = _IGNORE_COMMENT.search(text)
    if existing is not None:
        if existing.group(1) is None:
            return None
        codes = [c.strip() for c in existing.group(2).split(",") if c.strip()]
        if finding.code in codes:
            return None
        merged = f"# asyncguard: ignore[{', '.join([*codes, finding.code])}]"
        edit = TextEdit(Span(line, existing.start(), line, existing.end()), merged)
    else:
        stripped = len(text.rstrip())
        edit = TextEdit(Span(line, stripped, line, len(text)), f"  # asyncguard: ignore[{finding.code}]")
    return CodeFix(f"Ignore {finding.code} on this line", [edit], codes=(finding.code,))


def _comment_line(doc: Document, finding: Finding) -> int | None:
    """A line of the finding whose end is outside any string, so a comment can go there."""
    inside_strings: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(doc.text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside_strings.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    for line in (finding.span.line, finding.func_span.end_line, finding.span.end_line):
        if line not in inside_strings:
            return line
    return None


def run_block_fix(doc: Document, finding: Finding, findings: list[Finding]) -> CodeFix | None:
    if finding.fix.get("lazy"):
        return None  # the statements moved would leave the blocking iteration behind
    return _checked(doc, block_fix(doc.text, doc.tree, doc.lines, finding, findings))


def fixes_for(doc: Document, finding: Finding, findings: list[Finding] | None = None) -> list[CodeFix]:
    """Every fix on offer for one finding, the preferred one first."""
    block = run_block_fix(doc, finding, findings if findings is not None else [finding])
    if block is not None and finding.fix.get("thread_bound"):
        # The wrap would split a thread-bound object across threads: only the block is safe.
        block.preferred = True
    candidates = [
        misuse_fix(doc, finding),
        sleep_fix(doc, finding),
        twin_fix(doc, finding),
        async_def_fix(doc, finding),
        to_thread_fix(doc, finding),
        threadpool_fix(doc, finding),
        block,
    ]
    fixes = [f for f in candidates if f is not None]
    if fixes and not any(f.preferred for f in fixes):
        fixes[0].preferred = True
    ignore = ignore_fix(doc, finding)
    if ignore is not None:
        fixes.append(ignore)
    return fixes


def fix_all(doc: Document, findings: list[Finding]) -> CodeFix | None:
    """Every safe wrap in the document in one edit, with one import."""
    chosen: list[tuple[Finding, CodeFix]] = []
    for finding in sorted(findings, key=lambda f: (f.span.line, f.span.col)):
        fix = (
            misuse_fix(doc, finding)
            or sleep_fix(doc, finding)
            or twin_fix(doc, finding)
            or to_thread_fix(doc, finding)
        )
        if fix is None:
            continue
        if any(_overlaps(finding.span, other.span) for other, _ in chosen):
            continue
        chosen.append((finding, fix))
    if not chosen:
        return None
    edits: list[TextEdit] = []
    seen_imports: set[tuple[int, str]] = set()
    for _, fix in chosen:
        for edit in fix.edits:
            if (
                edit.span.line == edit.span.end_line
                and edit.span.col == edit.span.end_col == 0
                and edit.new_text.startswith(("import ", "from "))
            ):
                key = (edit.span.line, edit.new_text)
                if key in seen_imports:
                    continue
                seen_imports.add(key)
            edits.append(edit)
    edits = _merge_inserts(edits)
    fix = CodeFix(
        f"Fix {len(chosen)} blocking call{'s' if len(chosen) != 1 else ''} (asyncguard)",
        edits,
        kind="source.fixAll.asyncguard",
        codes=tuple(sorted({f.code for f, _ in chosen})),
    )
    return fix if fix_compiles(doc.text, doc.tree, fix.edits) else None


def _merge_inserts(edits: list[TextEdit]) -> list[TextEdit]:
    """Several import insertions at one point become one edit (edits must not overlap)."""
    merged: dict[tuple[int, int], TextEdit] = {}
    others: list[TextEdit] = []
    for edit in edits:
        span = edit.span
        if span.line == span.end_line and span.col == span.end_col == 0 and edit.new_text.endswith("\n"):
            key = (span.line, span.col)
            if key in merged:
                merged[key] = TextEdit(span, merged[key].new_text + edit.new_text)
                continue
            merged[key] = edit
        else:
            others.append(edit)
    return [*others, *merged.values()]


def _overlaps(a: Span, b: Span) -> bool:
    return not ((a.end_line, a.end_col) <= (b.line, b.col) or (b.end_line, b.end_col) <= (a.line, a.col))
