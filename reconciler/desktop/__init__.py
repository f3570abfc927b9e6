"""Double-click reconciliation for HR desks: the helper behind the launchers in desktop/.

`python -m reconciler.desktop` runs `app.main`; `python -m reconciler.desktop.bundle`
builds the hand-out zip. See docs/desktop.md. Nothing is imported here, so that
the bundle builder does not load the whole pipeline.
"""
