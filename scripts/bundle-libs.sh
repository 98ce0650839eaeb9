#!/usr/bin/env bash
# Install the language server and its pure-Python dependencies into bundled/libs for the VS Code
# extension, then check the server imports from there alone, on every Python 3.9+ found here.
# Usage: scripts/bundle-libs.sh [python-with-pip]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${1:-python3}"
LIBS=bundled/libs
STAGE=build/bundle-stage
WHEELS=build/bundle-wheel

rm -rf "$LIBS" "$STAGE" "$WHEELS"
mkdir -p "$LIBS" "$STAGE/server" "$WHEELS"

# Build the project's wheel from a clean copy of its sources (no egg-info, no caches, no tests).
cp pyproject.toml "$STAGE/"
for file in README.md LICENSE; do
  if [ -f "$file" ]; then cp "$file" "$STAGE/"; fi
done
cp -R server/asyncguard "$STAGE/server/"
find "$STAGE" -name __pycache__ -type d -prune -exec rm -rf {} +
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$WHEELS" "$STAGE" 2> >(grep -v "cannot be found\|return '\\\\n'.join\|BuildBackendWarning" >&2 || true)

# Wheels only, chosen for Python 3.9 (they are all py3-none-any, so they serve newer Pythons too).
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-compile --no-deps \
  --only-binary=:all: --python-version 3.9 --implementation py --abi none --platform any \
  --target "$LIBS" -r scripts/bundled-requirements.txt "$WHEELS"/asyncguard-*.whl

# Console scripts carry this machine's interpreter path; the extension does not need them.
rm -rf "$LIBS/bin"
find "$LIBS" -name direct_url.json -delete
find "$LIBS" -name __pycache__ -type d -prune -exec rm -rf {} +

# The server must import with bundled/libs alone: -I (no PYTHONPATH, user site, cwd) and -S (no
# site-packages at all), from an empty environment.
check() {
  local python="$1"
  env -i PATH="/usr/bin:/bin" HOME="${HOME:-/tmp}" "$python" -I -S -B -c "
import sys
libs = sys.argv[1]
sys.path.insert(0, libs)
import asyncguard.lsp.server, asyncguard.cli, pygls.lsp.server, lsprotocol.types, jedi, parso, cattrs, attrs
server = asyncguard.lsp.server.create_server()
for module in (asyncguard, pygls, lsprotocol, jedi, cattrs, attrs):
    assert module.__file__.startswith(libs), module.__file__
# The engine's own code paths that lean on newer library calls, run on this interpreter.
import ast, contextlib, io, parso, pathlib, tempfile
import asyncguard.engine.resolve
from asyncguard.engine.narrowing import narrowed_to_data
assert parso.parse('a.b(c)\\n').get_name_of_position((1, 2)).value == 'b'
function = ast.parse('def f(x):\\n    if isinstance(x, dict):\\n        x.get(1)\\n').body[0]
call = function.body[0].body[0].value
assert narrowed_to_data(function, call, call.func.value)
out = io.StringIO()
with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(out):
    project = pathlib.Path(folder)
    (project / 'app.py').write_text('import time\\n\\n\\nasync def f():\\n    time.sleep(1)\\n')
    code = asyncguard.cli.main(['check', '--no-cache', '--no-progress', '--python', sys.executable, folder])
assert code == 1 and 'AG101' in out.getvalue(), out.getvalue()
print('bundled server imports and checks code on Python %d.%d.%d' % sys.version_info[:3])
" "$(pwd)/$LIBS"
}
check "$("$PYTHON" -c 'import sys; print(sys.executable)')"
# Other interpreters on this machine, when present: the oldest supported one matters most.
for candidate in python3.9 python3.10 python3.12 python3.13 /usr/bin/python3 \
  "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.9*/bin/python3 \
  "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    check "$(command -v "$candidate")" || exit 1
  fi
done
find "$LIBS" -name __pycache__ -type d -prune -exec rm -rf {} +
echo "bundle-libs: $(find "$LIBS" -type f | wc -l) files in $LIBS"
