#!/bin/sh
# Try reconciler without a Feishu account (Linux): the sample sheet in demo/ with
# its recipe, against the built-in Feishu simulator. The result is written next
# to the sample (demo/*.reconciled.xlsx). Same steps as reconcile.sh, which it runs.
HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P) || exit 1
exec "$HERE/reconcile.sh" --demo
