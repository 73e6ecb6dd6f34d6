"""Running the page: a threaded WSGI server on 127.0.0.1 only, a random token per start, the private
temporary folder removed on exit (Ctrl+C, SIGTERM, or the end of the process)."""

from __future__ import annotations

import atexit
import secrets
import signal
import socketserver
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from toolkit.messages import msg
from toolkit.web.app import App
from toolkit.web.store import Store

HOST = "127.0.0.1"
"""The only address served: nothing is reachable from the network, no firewall prompt."""


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    """One thread per request, so a page loads while an action runs."""

    daemon_threads = True
    allow_reuse_address = False


class _QuietHandler(WSGIRequestHandler):
    """No access log on the clerk's console (it would show the token); a connection that stalls is dropped."""

    timeout = 120

    def log_message(self, format: str, *args: object) -> None:
        return


def _warm_up() -> None:
    """Import the libraries a check needs while the first page loads, so the first check is as quick as later ones."""
    import toolkit.annotate.build
    import toolkit.checking
    import toolkit.rules.engine
    import toolkit.workbook.book  # noqa: F401


def serve(port: int = 0, *, open_browser: bool = True, lang: str = "zh", temp_parent: Path | None = None) -> int:
    """Serve the page until interrupted; returns the exit code (0, or 2 when the port cannot be used).

    Prints the address (with the token) on stdout as the first line, so scripts and tests can read it.
    """
    store = Store(temp_parent)
    atexit.register(store.close)
    token = secrets.token_urlsafe(18)
    app = App(token, store)
    try:
        server = make_server(HOST, port, app, server_class=_Server, handler_class=_QuietHandler)
    except OSError as exc:
        store.close()
        print(msg("web.serve.port", lang, port=port, error=exc.strerror or exc), file=sys.stderr)
        return 2
    app.port = server.server_port
    url = f"http://{HOST}:{app.port}/{token}/" + ("?lang=en" if lang == "en" else "")

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    console_handler = _on_console_close(store.close)  # kept referenced while serving
    print(url, flush=True)
    print(msg("web.serve.started", lang, url=url), file=sys.stderr, flush=True)
    threading.Thread(target=_warm_up, daemon=True).start()
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print(msg("web.serve.stopped", lang), file=sys.stderr, flush=True)
    finally:
        server.server_close()
        store.close()
        del console_handler
    return 0


def _on_console_close(cleanup: Callable[[], None]) -> object:
    """On Windows, closing the console window ends the process without running ``atexit``: register a console
    control handler that removes the temporary folder first. Returns the handler (it must stay referenced)."""
    if sys.platform != "win32":
        return None
    import ctypes

    def on_event(event: int) -> int:
        cleanup()
        return 0  # let Windows go on to end the process

    handler = ctypes.WINFUNCTYPE(ctypes.c_int, ctypes.c_uint)(on_event)
    ctypes.windll.kernel32.SetConsoleCtrlHandler(handler, True)
    return handler
