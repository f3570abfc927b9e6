@echo off
rem Try reconciler without a Feishu account: the sample sheet in demo\ with its
rem recipe, against the built-in Feishu simulator. The result opens next to the
rem sample (demo\*.reconciled.xlsx). Same steps as Reconcile.bat, which it calls.
call "%~dp0Reconcile.bat" --demo
exit /b %errorlevel%
