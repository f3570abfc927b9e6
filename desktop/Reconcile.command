#!/bin/sh
# Reconcile spreadsheets against Feishu (macOS). Double-click it in Finder: with
# no file it opens a file picker (choose one or several .xlsx); files put into
# inbox/ are reconciled into outbox/ when the picker is cancelled. From Terminal:
#   ./Reconcile.command [--sandbox] [file.xlsx ...]
#
# The same three steps as Reconcile.bat (Windows) and reconcile.sh (Linux):
#   1. find Python 3.11 or newer (python.org, Homebrew or PATH);
#   2. support/bootstrap.py creates .venv next to this file and installs
#      reconciler into it (first run only; no admin rights needed);
#   3. run the one helper behind all launchers: python -m reconciler.desktop
#      (-P: never import a reconciler/ folder from the current directory)
# POSIX sh (macOS /bin/sh is bash 3.2); every path is quoted, so folders with
# spaces and Chinese characters work.

HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P) || exit 1

pause() {
    if [ -t 0 ]; then
        printf '%s' "按回车键关闭 / press Enter to close "
        read -r _ || true
    fi
}

PYTHON=
for candidate in "${RECONCILER_PYTHON:-}" \
    /Library/Frameworks/Python.framework/Versions/Current/bin/python3 \
    /opt/homebrew/bin/python3 /usr/local/bin/python3 \
    python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    # /usr/bin/python3 without the Command Line Tools is a stub that pops up an
    # installer (and would be too old anyway): skip it unless the tools are there.
    resolved=$(command -v "$candidate")
    if [ "$resolved" = /usr/bin/python3 ] && ! xcode-select -p >/dev/null 2>&1; then
        continue
    fi
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; then
        PYTHON="$candidate"
        break
    fi
done
if [ -z "$PYTHON" ]; then
    cat "$HERE/support/no-python.txt"
    pause
    exit 1
fi

if ! "$PYTHON" "$HERE/support/bootstrap.py" "$HERE"; then
    pause
    exit 1
fi

exec "$HERE/.venv/bin/python" -P -m reconciler.desktop --folder "$HERE" "$@"
