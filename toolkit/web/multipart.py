"""Reading a form posted to the local page: ``multipart/form-data`` (file uploads) and url-encoded fields.

The body is read whole (its size was bounded by the caller) and split on the boundary; every header and
field is decoded as UTF-8 with replacement, so no byte a browser (or anyone else) sends can raise here.
File names are kept as text for display only; they never become paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class FormError(ValueError):
    """The body is not a form this page sent (no boundary, cut off, malformed part)."""


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the browser gave (untrusted text) and its bytes."""

    filename: str
    """The file name as sent, for display and download names only."""
    data: bytes
    """The content."""


@dataclass
class Form:
    """The fields and files of one posted form."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    """Text fields by name (a name may repeat)."""
    files: dict[str, list[Upload]] = field(default_factory=dict)
    """Uploaded files by field name; inputs left empty are not listed."""

    def get(self, name: str, default: str = "") -> str:
        """The first value of text field ``name``, stripped."""
        values = self.fields.get(name)
        return values[0].strip() if values else default

    def file(self, name: str) -> Upload | None:
        """The first file posted as ``name``, or None."""
        files = self.files.get(name)
        return files[0] if files else None


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """``form-data; name="a"; filename="b"`` → ("form-data", {"name": "a", "filename": "b"})."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        key, raw = match.group(1).lower(), match.group(2).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if key.endswith("*") and "''" in raw:  # RFC 5987: charset''percent-encoded
            key, raw = key[:-1], unquote(raw.split("''", 1)[1], errors="replace")
        params.setdefault(key, raw)
    return main.strip().lower(), params


def parse_form(content_type: str, body: bytes) -> Form:
    """The form in ``body`` sent with ``content_type``; raises :class:`FormError` when it is not one."""
    kind, params = header_params(content_type)
    form = Form()
    if kind == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", errors="replace")
        form.fields = dict(parse_qs(text, keep_blank_values=True))
        return form
    if kind != "multipart/form-data" or not params.get("boundary"):
        raise FormError(kind)
    delimiter = b"--" + params["boundary"].encode("latin-1", errors="replace")
    chunks = body.split(delimiter)
    if len(chunks) < 2 or not chunks[-1].startswith(b"--"):
        raise FormError("cut")
    for chunk in chunks[1:-1]:
        if not chunk.startswith(b"\r\n") or not chunk.endswith(b"\r\n"):
            raise FormError("part")
        head, sep, content = chunk[2:-2].partition(b"\r\n\r\n")
        if not sep:
            raise FormError("part")
        disposition = ""
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-disposition":
                disposition = value
        _, dparams = header_params(disposition)
        name = dparams.get("name", "")
        if "filename" in dparams:
            if dparams["filename"] or content:
                form.files.setdefault(name, []).append(Upload(dparams["filename"], content))
        else:
            form.fields.setdefault(name, []).append(content.decode("utf-8", errors="replace"))
    return form
