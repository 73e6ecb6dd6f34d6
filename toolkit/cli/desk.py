"""What the desk's commands do between parsing and exiting (kept out of toolkit/cli/commands.py, which stays thin)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from rich.console import Console

from toolkit.cli.terminal import print_table
from toolkit.errors import ToolkitError
from toolkit.messages import msg


def parse_date(text: str | None) -> dt.date | None:
    """``2027-01-31`` (or 2027/1/31, 2027年1月31日) → a date; a usage error otherwise."""
    if text is None:
        return None
    from toolkit.desk.roster import _date

    day = _date(text)
    if day is None:
        raise ToolkitError(msg("desk.bad_date", text=text))
    return day


def roster(out: Console, folder: Path, unit_list: Path, deadline: str | None, output: Path | None,
           as_json: bool) -> None:
    """``toolkit roster``: build, write the sheet, print."""
    from toolkit.batch import SUMMARY_NAME
    from toolkit.desk.roster import ROSTER_COLUMNS, make_roster

    summary = output or Path(folder) / SUMMARY_NAME
    result = make_roster(folder, unit_list, deadline=parse_date(deadline), summary=summary)
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    c = result.counts()
    listed = [e for e in result.entries if e.status not in ("名单外", "无法对应")]
    title = msg("desk.roster.title", expected=len(listed), sent=sum(1 for e in listed if e.files),
                missing=c.get("未报送", 0), late=c.get("逾期", 0), returned=c.get("退回待改", 0),
                fixed=c.get("已整改", 0), extra=c.get("名单外", 0), ambiguous=c.get("无法对应", 0))
    print_table(out, title, ROSTER_COLUMNS, result.rows())
    out.print(msg("desk.roster.written", path=summary))


def returns(out: Console, inputs: list[Path], results: list[dict[str, object]], target: Path,
            summary: Path | None = None, rules_file: Path | None = None) -> None:
    """``check … --returns DIR``: write the returns, remember them, print what was written. ``rules_file``: the
    office's rules (its 单位间雷同 threshold, if it sets one)."""
    from toolkit.desk.returns import SIMILAR_COLUMNS, make_returns
    from toolkit.desk.rulesfile import load_rules_file
    from toolkit.desk.similar import DEFAULT_AT_LEAST

    folder = inputs[0] if len(inputs) == 1 and inputs[0].is_dir() else Path(".")
    office = load_rules_file(rules_file) if rules_file is not None else None
    at_least = office.similar_at_least if office is not None and office.similar_at_least else DEFAULT_AT_LEAST
    outcome = make_returns(folder, results, target, summary=summary, similar_at_least=at_least)
    out.print(msg("desk.returns.done", n=len(outcome.sent), path=target))
    if outcome.sent:
        print_table(out, "", ("序号", "单位", "问题数", "问题清单"), outcome.rows())
    if outcome.similar:
        print_table(out, msg("desk.similar.title", n=len(outcome.similar)), SIMILAR_COLUMNS,
                    [[i, p.first, p.second, f"{p.ratio:.0%}", p.passage[:60]]
                     for i, p in enumerate(outcome.similar, start=1)])


def compare(out: Console, files: list[Path], as_json: bool, rules_file: Path | None) -> int:
    """``toolkit compare [OLD] NEW``: the comparison printed; returns the exit code."""
    from toolkit.desk.compare import compare_files
    from toolkit.desk.rulesfile import load_rules_file

    if not 1 <= len(files) <= 2:
        raise ToolkitError(msg("desk.compare.usage"))
    old, new = (None, files[0]) if len(files) == 1 else (files[0], files[1])
    rules = load_rules_file(rules_file) if rules_file is not None else None
    result = compare_files(old, new, rules=rules)
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return result.exit_code
    c = result.counts()
    out.print(msg("desk.compare.title", unit=result.unit, fixed=c["已改"], unfixed=c["未改"], new=c["新增"],
                  cells=c["改动单元格"]))
    print_table(out, msg("desk.compare.findings"), ("结果", "级别", "类别", "问题"),
                [(s, f["severity"], f.get("category", ""), f["message"]) for s, f in result.items])
    print_table(out, msg("desk.compare.changes"), ("项目", "位置", "原值", "新值"),
                [(ch.label, ch.where, ch.old, ch.new) for ch in result.changes])
    return result.exit_code
