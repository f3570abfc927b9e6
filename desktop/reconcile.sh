#!/bin/sh
# Reconcile spreadsheets against Feishu (Linux). Double-click Reconcile.desktop,
# drop .xlsx files on it, or run:  ./reconcile.sh [--sandbox] [file.xlsx ...]
# With no file it opens a file picker when there is a desktop, otherwise it
# reconciles every spreadsheet in inbox/ into outbox/.
#
# The same three steps as Reconcile.bat (Windows) and Reconcile.command (macOS):
#   1. find Python 3.11 or newer;
#   2. support/bootstrap.py creates .venv next to this file and installs
#      reconciler into it (first run only; no admin rights needed);
#   3. run the one helper behind all launchers: python -m reconciler.desktop
#      (-P: never import a reconciler/ folder from the current directory)
# POSIX sh on purpose (dash on Debian/Ubuntu); every path is quoted, so folders
# with spaces and Chinese characters work.

HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P) || exit 1

pause() {
    if [ -t 0 ]; then
        printf '%s' "按回车键关闭 / press Enter to close "
        read -r _ || true
    fi
}

PYTHON=
for candidate in "${RECONCILER_PYTHON:-}" python3 python3.13 python3.12 python3.11 python; do
    [ -n "$candidate" ] || continue
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
