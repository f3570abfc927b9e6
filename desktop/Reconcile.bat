@echo off
rem Reconcile spreadsheets against Feishu (Windows). Double-click it: with no
rem file it opens a file picker (cancel it to reconcile every spreadsheet in
rem inbox\ into outbox\). Or drop one or several .xlsx files on it.
rem
rem The same three steps as reconcile.sh (Linux) and Reconcile.command (macOS):
rem   1. find Python 3.11 or newer (py launcher, python, python3);
rem   2. support\bootstrap.py creates .venv next to this file and installs
rem      reconciler into it (first run only; no admin rights needed);
rem   3. run the one helper behind all launchers: python -m reconciler.desktop
rem      (-P: never import a reconciler folder from the current directory)
rem This file is ASCII on purpose (cmd.exe reads .bat files in the OEM code
rem page); the Chinese texts come from Python and support\no-python.txt.
rem Every path is quoted, so folders with spaces and Chinese characters work.

setlocal EnableExtensions DisableDelayedExpansion
chcp 65001 >nul
set "PYTHONUTF8=1"
set "PYTHONIOENCODING=utf-8"

rem The folder of this file ends with a backslash, and "C:\folder\" would
rem escape the closing quote for Python: drop the backslash.
rem (No percent signs in comments: cmd.exe expands them even there.)
set "HERE=%~dp0"
set "HERE=%HERE:~0,-1%"

set "PY="
if defined RECONCILER_PYTHON call :probe "%RECONCILER_PYTHON%"
if not defined PY call :probe py -3
if not defined PY call :probe python
if not defined PY call :probe python3
if not defined PY goto :no_python

%PY% "%HERE%\support\bootstrap.py" "%HERE%"
if errorlevel 1 goto :failed

"%HERE%\.venv\Scripts\python.exe" -P -m reconciler.desktop --folder "%HERE%" %*
exit /b %errorlevel%

:probe
rem Accept the command given to :probe when it is Python 3.11 or newer. The Microsoft
rem Store's "python" stub exits with 9009 and is skipped.
%* -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)" >nul 2>&1
if not errorlevel 1 set "PY=%*"
exit /b 0

:no_python
type "%HERE%\support\no-python.txt"
pause
exit /b 1

:failed
pause
exit /b 1
