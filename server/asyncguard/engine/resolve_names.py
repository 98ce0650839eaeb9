"""Name facts shared by the resolvers."""

from __future__ import annotations

import sys

# The standard library's public names are already the names the catalog lists; only
# third-party packages need jedi to map a public name to its definition site.
STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {
    "builtins",
    "os",
    "sys",
    "io",
    "time",
    "socket",
}
