"""Every user-facing string of the toolkit that is not part of an official format, in Chinese and English.

Format-specific texts (labels, rule messages, 填写说明) live in the format files; everything else —
CLI help, table headings, error messages — lives here, looked up by key with :func:`msg`.
Each block belongs to one module; keys are ``<module>.<what>``.
"""

from __future__ import annotations

from toolkit.spec.models import Text

M: dict[str, Text] = {
    # --- cli -------------------------------------------------------------------------------------
    # --- check / engine ----------------------------------------------------------------------------
    # --- template ----------------------------------------------------------------------------------
    # --- reader ------------------------------------------------------------------------------------
    # --- render ------------------------------------------------------------------------------------
    # --- import ------------------------------------------------------------------------------------
}


def msg(key: str, lang: str = "zh", /, **fields: object) -> str:
    """The message ``key`` in ``lang`` ("zh" default, "en"), with ``fields`` filled in."""
    text = M[key].get(lang)
    return text.format(**fields) if fields else text
