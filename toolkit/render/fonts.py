"""The report's fonts: for each role (标题, 正文, 一级标题, 二级标题, 页码) the official face of GB/T 9704 and the
faces that stand in for it where it is missing, in order.

The .docx names the official face on every run and lists the chain as its ``w:altName`` in the font table
(Word and WPS substitute from there). LibreOffice ignores ``w:altName`` and falls back to one sans face for
everything, so the copy of the .docx a PDF is made from names, per role, the first face of the chain installed on
this machine (``fc-list``; the Windows font registry), keeping 标题 / 正文 / 一级 / 二级 apart everywhere.

The official faces 仿宋_GB2312, 楷体_GB2312 and 方正小标宋简体 cover only the 6,763 characters of GB2312: a name such as
堃 喆 燊 镕 赟 prints as a box or in another face. :func:`outside_gb2312` finds such characters so ``report`` can
warn.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Face:
    """One font of a chain: its family name and whether the role sets it bold (a stand-in for a heavier face)."""

    family: str
    bold: bool = False


@dataclass(frozen=True)
class Chain:
    """A role's faces, the official one first."""

    official: str
    fallbacks: tuple[Face, ...]
    charset: str
    """The font table's charset (86 = GB2312) and ``family`` class, which Word uses when it substitutes."""
    family: str

    @property
    def alt_names(self) -> str:
        """The fallbacks as ``w:altName`` holds them (comma-separated)."""
        return ",".join(dict.fromkeys(f.family for f in self.fallbacks))

    def pick(self, installed: frozenset[str] | None) -> Face:
        """The face to use where ``installed`` are the families present (None: unknown, the official face)."""
        if installed is None or self.official.casefold() in installed:
            return Face(self.official)
        return next((f for f in self.fallbacks if f.family.casefold() in installed), Face(self.official))


_SERIF = (Face("Noto Serif CJK SC"), Face("Source Han Serif SC"), Face("思源宋体"), Face("AR PL UMing CN"))
_SANS = (Face("Noto Sans CJK SC"), Face("Source Han Sans SC"), Face("思源黑体"), Face("WenQuanYi Zen Hei"))

TITLE = Chain("方正小标宋简体", (
    Face("方正小标宋_GBK"), Face("FZXiaoBiaoSong-B05S"), Face("华文中宋"), Face("STZhongsong"),
    Face("Noto Serif CJK SC Black"), Face("Source Han Serif SC Heavy"), Face("Noto Serif CJK SC", bold=True),
    Face("Source Han Serif SC", bold=True), Face("AR PL UMing CN", bold=True), Face("宋体", bold=True),
), "86", "roman")
BODY = Chain("仿宋_GB2312", (
    Face("仿宋"), Face("FangSong"), Face("方正仿宋_GBK"), Face("方正仿宋简体"), Face("华文仿宋"), Face("STFangsong"),
    *_SERIF, Face("宋体"), Face("SimSun"),
), "86", "modern")
HEADING = Chain("黑体", (
    Face("SimHei"), Face("方正黑体_GBK"), Face("方正黑体简体"), Face("华文黑体"), *_SANS,
), "86", "swiss")
LEAD = Chain("楷体_GB2312", (
    Face("楷体"), Face("KaiTi"), Face("方正楷体_GBK"), Face("方正楷体简体"), Face("华文楷体"), Face("STKaiti"),
    Face("AR PL UKai CN"), Face("AR PL KaitiM GB"), *_SERIF,
), "86", "script")
PAGE = Chain("宋体", (Face("SimSun"), Face("方正书宋_GBK"), Face("华文宋体"), *_SERIF), "86", "auto")

CHAINS = (TITLE, BODY, HEADING, LEAD, PAGE)


@functools.cache
def installed_families() -> frozenset[str] | None:
    """The font families installed here, casefolded (every name fontconfig or Windows lists); None if unknown.

    fontconfig's answer (``fc-list``, ~70 ms) is kept in the cache folder, keyed by the modification times of every
    font and fontconfig folder (what fontconfig itself checks): installing or removing a font renews it."""
    if sys.platform == "win32":
        return _windows_families()
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    key = _font_state(fc_list)
    kept = _kept_families(key)
    if kept is not None:
        return kept
    try:
        proc = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    names = {name.strip().casefold() for line in proc.stdout.splitlines() for name in line.split(",")}
    found = frozenset(n for n in names if n)
    if proc.returncode == 0:
        _keep_families(key, found)
    return found


_FONT_ROOTS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts", "/etc/fonts",
               "/var/cache/fontconfig", "~/.cache/fontconfig", "/Library/Fonts", "~/Library/Fonts",
               "/System/Library/Fonts")


def _font_state(fc_list: str) -> str:
    """A digest of what fontconfig's answer depends on: every folder under the font roots (and the fontconfig
    configuration files) with its modification time, fontconfig's environment, the fc-list found."""
    import hashlib
    import os

    digest = hashlib.sha256(fc_list.encode())
    for name in ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "XDG_DATA_HOME", "XDG_DATA_DIRS", "HOME"):
        digest.update(f"{name}={os.environ.get(name, '')}\n".encode())
    for root in _FONT_ROOTS:
        for folder, _, files in os.walk(os.path.expanduser(root)):
            entries = [folder, *(os.path.join(folder, f) for f in files if f.endswith(".conf"))]
            for entry in entries:
                try:
                    digest.update(f"{entry}\0{os.stat(entry).st_mtime_ns}\n".encode(errors="surrogateescape"))
                except OSError:
                    continue
    return digest.hexdigest()


def _families_file() -> Path:
    from toolkit.office import cache_dir

    return cache_dir() / "font-families.json"


def _kept_families(key: str) -> frozenset[str] | None:
    import json

    try:
        kept = json.loads(_families_file().read_text(encoding="utf-8"))
        if kept.get("key") == key and isinstance(kept.get("families"), list):
            return frozenset(str(n) for n in kept["families"])
    except (OSError, ValueError, AttributeError):
        pass
    return None


def _keep_families(key: str, families: frozenset[str]) -> None:
    import json
    import os
    import tempfile

    target = _families_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".font-families-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"key": key, "families": sorted(families)}, out, ensure_ascii=False)
        os.replace(tmp, target)
    except OSError:
        return  # no cache folder: fc-list runs each time


def _windows_families() -> frozenset[str] | None:
    """Families in the Windows font registry: value names such as "仿宋 (TrueType)" or "SimSun & NSimSun (TrueType)"."""
    if sys.platform != "win32":  # pragma: no cover - for mypy on other platforms
        return None
    import winreg

    names: set[str] = set()
    for root in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        try:
            key = winreg.OpenKey(root, r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Fonts")
        except OSError:
            continue
        with key:
            for i in range(winreg.QueryInfoKey(key)[1]):
                value = winreg.EnumValue(key, i)[0].split(" (")[0]
                names.update(part.strip().casefold() for part in value.split("&"))
    return frozenset(names) if names else None


def outside_gb2312(texts: Iterable[str]) -> str:
    """The distinct characters of ``texts`` (in order of appearance) that GB2312, and so 仿宋_GB2312, lacks."""
    found: dict[str, None] = {}
    for text in texts:
        for ch in text:
            if ch.isascii() or ch.isspace() or ch in found:
                continue
            if not _encodes(ch, "gb2312") and (_ideograph(ch) or not _encodes(ch, "gbk")):
                found[ch] = None  # punctuation that codecs map differently (— U+2014) is in the fonts anyway
    return "".join(found)


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _ideograph(ch: str) -> bool:
    """CJK unified ideographs (with extension A and the compatibility block) and the supplementary planes."""
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF
