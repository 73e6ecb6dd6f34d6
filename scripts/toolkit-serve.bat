@echo off
rem Start the toolkit web page and open it in the browser (double-click this file).
rem Python is looked for in this order: a "python" folder beside this script or beside the project
rem (embeddable Python with the toolkit installed), the Python launcher "py -3", then "python" on PATH.
rem The page runs on 127.0.0.1 only. Close this window (or press Ctrl+C) to stop it.
setlocal
cd /d "%~dp0.."
if exist "%~dp0python\python.exe" (
  "%~dp0python\python.exe" -m toolkit serve %*
  goto done
)
if exist "%~dp0..\python\python.exe" (
  "%~dp0..\python\python.exe" -m toolkit serve %*
  goto done
)
where py >nul 2>nul
if not errorlevel 1 (
  py -3 -m toolkit serve %*
  goto done
)
where python >nul 2>nul
if not errorlevel 1 (
  python -m toolkit serve %*
  goto done
)
echo Python 3.11 or newer was not found. Install it, then run: pip install gk-toolkit
pause
exit /b 2
:done
if errorlevel 1 pause
endlocal
