"""Hover Markdown: what a flagged call resolves to, why it stalls every request, the chain, the
route, and the fixes on offer."""

from __future__ import annotations

from pathlib import Path

from ..engine.findings import Finding
from ..engine.rules import BY_CODE

KIND = {
    "sleep": "a blocking sleep",
    "http": "a blocking HTTP request",
    "subprocess": "a blocking process call",
    "file": "blocking file I/O",
    "network": "a blocking network call",
    "database": "a blocking database call",
    "cloud": "a blocking cloud SDK call",
    "wait": "a blocking wait",
    "input": "a blocking read from the terminal",
    "cpu": "CPU-heavy work",
    "custom": "a call your project lists as blocking",
    "misuse": "a call that runs before it is offloaded",
    "route": "an async route with nothing to await",
}

_WHY = (
    "An `async def` handler runs on the event loop's single thread. While this call waits, "
    "the loop cannot run anything else: every other request served by this process stalls "
    "until it returns."
)


def _link(path: str, line: int, col: int) -> str:
    uri = Path(path).absolute().as_uri()
    return f"[{Path(path).name}:{line}]({uri}#L{line},{col + 1})"


def _fix_lines(finding: Finding, fix_titles: list[str]) -> list[str]:
    lines: list[str] = []
    for title in fix_titles:
        lines.append(f"- {title} (quick fix)")
    if finding.fix.get("thread_bound"):
        lines.append(
            "- Keep the connection on one thread: sqlite3 objects belong to the thread that made "
            "them (`check_same_thread=True`), so a connection created in one `asyncio.to_thread` call "
            "fails in the next. Move the whole block (connect, execute, fetch, close) into one function "
            "and await it once with `asyncio.to_thread`."
        )
    elif not finding.fix.get("awaitable", True) and finding.code not in ("AG301",) and not finding.chain:
        lines.append(
            "- No `await` is possible here (the call sits in a lambda or nested function that the loop "
            "calls synchronously). Compute the values first, e.g. "
            "`values = await asyncio.to_thread(lambda: ...)`, then use them."
        )
    lines.append(f"- Use instead: {finding.alternative}")
    return lines


def finding_markdown(finding: Finding, fix_titles: list[str]) -> str:
    rule = BY_CODE[finding.code]
    kind = KIND.get(finding.category, "a blocking call")
    parts: list[str] = []
    if finding.code == "AG301":
        parts.append(f"**{finding.message.split(':')[0]}** ({rule.code})")
        framework = finding.fix.get("framework", "FastAPI")
        parts.append(
            f"{framework} runs a plain `def` route in its threadpool (40 threads by default, anyio's "
            "capacity limiter), where blocking calls stall only that thread. This route is `async def` "
            "but awaits nothing, so it runs on the event loop and every blocking call in it stalls "
            "every request. Dropping `async` fixes all of them at once."
        )
    else:
        head = f"**`{finding.callee}`**"
        if finding.chain:
            head += f" → … → **`{finding.target}`**"
        parts.append(f"{head}: {kind} ({rule.code}, {finding.severity})")
        parts.append(f"`{finding.target}` {finding.reason}.")
        if finding.cached:
            parts.append(
                "It is reached through a cached function (`functools.cache`/`lru_cache` or "
                "`cached_property`): the loop blocks on the first call only, then the cached result is used."
            )
        elif finding.severity == "info" and finding.category == "file":
            parts.append(
                "Filesystem metadata usually takes microseconds on a local disk, so this is information; "
                "on network filesystems or under load it can take much longer."
            )
        else:
            parts.append(_WHY)
    if finding.route:
        parts.append(f"**Runs in:** {finding.route}")
    if finding.chain:
        steps = [
            f"{number}. {_link(hop.path, hop.span.line, hop.span.col)} `{hop.function}` calls `{hop.callee}`"
            for number, hop in enumerate(finding.chain, start=1)
        ]
        parts.append("**Call chain**\n\n" + "\n".join(steps))
    parts.append("**Fix**\n\n" + "\n".join(_fix_lines(finding, fix_titles)))
    parts.append(f"[{rule.code} {rule.name}]({rule.doc_url})")
    return "\n\n".join(parts)


def function_summary(function: str, route: str | None, findings: list[Finding]) -> str:
    """Hover on the name of an async def: what blocks in it."""
    own = [f for f in findings if f.function == function and f.code != "AG301"]
    title = f"async route {route}" if route else f"async function {function}"
    lines = [
        f"**{title}** makes {len(own)} blocking call{'s' if len(own) != 1 else ''} on the event loop:",
        "",
    ]
    for finding in own:
        extra = f" via `{finding.callee}`" if finding.chain else ""
        lines.append(
            f"- line {finding.span.line}: `{finding.target}`{extra} ({finding.code}, {finding.severity})"
        )
    route = next((f for f in findings if f.code == "AG301" and f.function == function), None)
    if route is not None:
        framework = route.fix.get("framework", "FastAPI")
        lines += [
            "",
            f"It awaits nothing: declare it with `def` and {framework} runs it in its threadpool "
            "(40 threads by default), which fixes all of them at once.",
        ]
    return "\n".join(lines)
