"""reconciler: reconcile HR spreadsheets against Feishu / Lark Hire and CoreHR."""

import logging

__version__ = "0.1.0"

# A library logs; the application decides where to. Without this, Python's
# last-resort handler would print warnings (and tracebacks) on stderr.
logging.getLogger("reconciler").addHandler(logging.NullHandler())
