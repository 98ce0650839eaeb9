"""Rule codes: one per category of blocking call, plus the misuse and route rules.

Codes are stable: they appear in suppression comments, configuration and CI baselines.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS_BASE = "https://github.com/asyncguard/asyncguard/blob/main/docs/rules/"

ERROR = "error"
WARNING = "warning"
INFO = "info"
HINT = "hint"
# What the catalog assigns (by cost); configuration may also raise a category to error or
# lower it to hint.
SEVERITIES = (WARNING, INFO)
ALL_SEVERITIES = (ERROR, WARNING, INFO, HINT)
SEVERITY_RANK = {HINT: 0, INFO: 1, WARNING: 2, ERROR: 3}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    category: str
    title: str
    severity: str

    @property
    def doc_url(self) -> str:
        return f"{DOCS_BASE}{self.code}.md"


RULES: tuple[Rule, ...] = (
    Rule("AG101", "blocking-sleep", "sleep", "Blocking sleep", WARNING),
    Rule("AG102", "blocking-http", "http", "Blocking HTTP request", WARNING),
    Rule("AG103", "blocking-subprocess", "subprocess", "Blocking process call", WARNING),
    Rule("AG104", "blocking-file-io", "file", "Blocking file I/O", WARNING),
    Rule("AG105", "blocking-network", "network", "Blocking socket or network protocol call", WARNING),
    Rule("AG106", "blocking-database", "database", "Blocking database call", WARNING),
    Rule("AG107", "blocking-cloud-sdk", "cloud", "Blocking cloud SDK call", WARNING),
    Rule("AG108", "blocking-wait", "wait", "Blocking wait on a lock, queue or future", WARNING),
    Rule("AG109", "blocking-input", "input", "Blocking read from the terminal", WARNING),
    Rule("AG110", "cpu-heavy", "cpu", "CPU-heavy call on the event loop", WARNING),
    Rule("AG111", "blocking-custom", "custom", "Blocking call from project configuration", WARNING),
    Rule("AG201", "offload-misuse", "misuse", "Call runs on the loop before it is offloaded", WARNING),
    Rule("AG301", "async-route-without-await", "route", "Async route with nothing to await", WARNING),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
BY_CATEGORY: dict[str, Rule] = {rule.category: rule for rule in RULES}
CATEGORIES: tuple[str, ...] = tuple(rule.category for rule in RULES if rule.code.startswith("AG1"))

# Which categories cost real time on every call: a chain through one of them outranks
# a chain through a cheaper one when several paths block.
CATEGORY_COST: dict[str, int] = {
    "database": 9,
    "http": 9,
    "network": 9,
    "cloud": 9,
    "subprocess": 8,
    "sleep": 8,
    "wait": 7,
    "input": 7,
    "custom": 6,
    "file": 5,
    "cpu": 4,
}
