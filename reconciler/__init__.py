"""reconciler: reconcile HR spreadsheets against Feishu / Lark Hire and CoreHR."""

__version__ = "0.1.0"
