"""The WSGI application behind ``toolkit serve``: routing, the token and Host checks, form reading, pages.

Every address starts with the per-start token (``/<token>/check``); a request without it, or for another
host name than 127.0.0.1/localhost (DNS rebinding), is refused before anything else runs. Actions run one
at a time (a clerk's machine, and bounded memory); pages, static files and downloads are served meanwhile.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.types import StartResponse, WSGIEnvironment

from jinja2 import Environment, PackageLoader, select_autoescape

from toolkit.messages import msg
from toolkit.web import actions
from toolkit.web.multipart import FormError, parse_form
from toolkit.web.store import Store, content_disposition

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""Largest form body accepted (all files of one action together)."""
MAX_DRAIN_BYTES = 200 * 1024 * 1024
"""A body beyond the limit is read and dropped up to this size (so the browser shows the message)."""

PAGES = ("template", "check", "report", "import", "folder")
"""The action pages, in the order of the navigation bar."""

_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "application/javascript; charset=utf-8",
                 ".png": "image/png", ".ico": "image/x-icon"}
_SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("X-UA-Compatible", "IE=edge"),
]
_PAGE_CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; frame-src 'self'; "
             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
_PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"

Response = Iterable[bytes]


def _soffice_installed() -> bool:
    from toolkit.office import find_soffice

    return find_soffice() is not None


class App:
    """The page, bound to one token, one port and one private store."""

    def __init__(self, token: str, store: Store, port: int = 0) -> None:
        self.token = token
        self.store = store
        self.port = port
        self.busy = threading.Lock()
        self.env = Environment(loader=PackageLoader("toolkit.web", "templates"),
                               autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)

    # --- WSGI ------------------------------------------------------------------------------------
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Response:
        try:
            return self.handle(environ, start_response)
        except Exception:  # never a traceback to the browser, and the server keeps running
            import sys
            import traceback

            traceback.print_exc(file=sys.stderr)
            return self.plain(start_response, "500 Internal Server Error", msg("web.internal"))

    def handle(self, environ: WSGIEnvironment, start_response: StartResponse) -> Response:
        """Check host and token, then dispatch by path."""
        lang = "en" if parse_qs(environ.get("QUERY_STRING", "")).get("lang") == ["en"] else "zh"
        if not self.host_ok(environ.get("HTTP_HOST", "")):
            return self.plain(start_response, "421 Misdirected Request", msg("web.refused.host", lang))
        raw_path = environ.get("PATH_INFO", "/")
        parts = [p for p in raw_path.split("/") if p]
        if not parts or not hmac.compare_digest(parts[0].encode("utf-8", "replace"), self.token.encode()):
            return self.plain(start_response, "403 Forbidden", msg("web.refused.token", lang))
        rest = parts[1:]
        method = environ.get("REQUEST_METHOD", "GET")
        if not rest:
            return self.page(start_response, "home.html.j2", lang, page="home")
        if rest[0] == "static" and len(rest) == 2 and method in ("GET", "HEAD"):
            return self.static(start_response, rest[1])
        if rest[0] == "files" and len(rest) == 3 and method in ("GET", "HEAD"):
            return self.download(start_response, rest[1], rest[2], lang)
        if len(rest) == 1 and rest[0] in PAGES:
            if method == "POST":
                return self.post(environ, start_response, rest[0], lang)
            if method in ("GET", "HEAD"):
                return self.page(start_response, f"{rest[0]}.html.j2", lang, page=rest[0])
            return self.plain(start_response, "405 Method Not Allowed", msg("web.not_found", lang))
        return self.plain(start_response, "404 Not Found", msg("web.not_found", lang))

    def host_ok(self, host: str) -> bool:
        """True when the Host header names this server: 127.0.0.1 or localhost, with our port if one is given."""
        name, sep, port = host.rpartition(":")
        if not sep:
            name, port = host, ""
        return name.lower() in ("127.0.0.1", "localhost") and (not port or not self.port or port == str(self.port))

    # --- actions ---------------------------------------------------------------------------------
    def post(self, environ: WSGIEnvironment, start_response: StartResponse, page: str, lang: str) -> Response:
        """Read the form (size-limited), run the action, show its page with the result."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "-1")
        except ValueError:
            length = -1
        if length < 0:
            return self.page(start_response, f"{page}.html.j2", lang, status="411 Length Required", page=page,
                             result={"error": msg("web.form.unreadable", lang)})
        stream = environ["wsgi.input"]
        if length > MAX_UPLOAD_BYTES:
            left = min(length, MAX_DRAIN_BYTES)
            while left > 0:
                chunk = stream.read(min(left, 1 << 20))
                if not chunk:
                    break
                left -= len(chunk)
            limit = msg("web.form.too_large", lang, size=f"{length / (1 << 20):.1f} MB",
                        limit=f"{MAX_UPLOAD_BYTES >> 20} MB")
            return self.page(start_response, f"{page}.html.j2", lang, status="413 Content Too Large", page=page,
                             result={"error": limit})
        body = stream.read(length) if length else b""
        try:
            form = parse_form(environ.get("CONTENT_TYPE", ""), body)
        except FormError:
            return self.page(start_response, f"{page}.html.j2", lang, status="400 Bad Request", page=page,
                             result={"error": msg("web.form.unreadable", lang)})
        del body
        with self.busy:
            result = actions.run(self.store, page, form, lang)
        return self.page(start_response, f"{page}.html.j2", lang, page=page, result=result, form=form.fields)

    # --- responses -------------------------------------------------------------------------------
    def page(self, start_response: StartResponse, template: str, lang: str, *, status: str = "200 OK",
             **context: Any) -> Response:
        """Render a page template (Chinese or English) with the helpers every page uses."""
        def t(key: str, **fields: object) -> str:
            return msg(key, lang, **fields)

        context.setdefault("result", {})
        context.setdefault("form", {})
        body = self.env.get_template(template).render(
            t=t, lang=lang, base=f"/{self.token}", pages=PAGES, q="?lang=en" if lang == "en" else "",
            formats=actions.formats_shown(lang) if context.get("page") == "template" else [],
            soffice=_soffice_installed() if context.get("page") == "report" else False,
            default_year=actions.default_year(), **context,
        ).encode("utf-8")
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                                ("Content-Security-Policy", _PAGE_CSP), ("X-Frame-Options", "DENY"),
                                *_SECURITY_HEADERS])
        return [body]

    def plain(self, start_response: StartResponse, status: str, text: str) -> Response:
        """A short text answer (refusals, not found)."""
        body = text.encode("utf-8")
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                                *_SECURITY_HEADERS])
        return [body]

    def static(self, start_response: StartResponse, name: str) -> Response:
        """A file of ``toolkit/web/static`` (names are looked up, never joined from the request)."""
        entries = {p.name: p for p in files("toolkit.web").joinpath("static").iterdir() if p.is_file()}
        found = entries.get(name)
        if found is None:
            return self.plain(start_response, "404 Not Found", msg("web.not_found"))
        body = found.read_bytes()
        start_response("200 OK", [("Content-Type", _STATIC_TYPES.get(Path(name).suffix, "application/octet-stream")),
                                  ("Content-Length", str(len(body))), *_SECURITY_HEADERS])
        return [body]

    def download(self, start_response: StartResponse, job: str, slot: str, lang: str) -> Response:
        """A result of an action, under its download name."""
        found = self.store.download(job, slot)
        if found is None:
            return self.plain(start_response, "404 Not Found", msg("web.gone", lang))
        body = found.path.read_bytes()
        headers = [("Content-Type", found.mime), ("Content-Length", str(len(body))),
                   ("Content-Disposition", content_disposition(found.name, inline=found.inline)), *_SECURITY_HEADERS]
        if found.inline:
            headers.append(("Content-Security-Policy", _PREVIEW_CSP))
        start_response("200 OK", headers)
        return [body]
