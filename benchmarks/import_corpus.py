"""How well the importer reads the real reports of the corpus, against the hand-derived expectations.

    python benchmarks/import_corpus.py [--reference ../shared/reference]

For each report with an expected file (tests/fixtures/published/*.expected.yaml and pingtan/): values the text
prints (hand-derived values plus the cells of runs it leaves ambiguous), values imported, values imported right,
and false notes (a "截断" on a complete report, a missing-note or an uncertain-note beyond what the report really
lacks or leaves open). Not a test: a figure for notes, reproducible from the corpus and the fixtures.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "published"


def measure(reference: Path) -> list[dict[str, Any]]:
    """One row per report: name, present, imported, right, false notes (and the error when the import failed)."""
    from toolkit.importer import import_report

    rows = []
    for expected_file in sorted([*FIXTURES.glob("*.expected.yaml"), *FIXTURES.glob("pingtan/*.expected.yaml")]):
        expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
        sub = "pingtan/" if expected_file.parent.name == "pingtan" else ""
        source = reference / "published" / f"{sub}{expected['file']}"
        ambiguous = expected.get("ambiguous", [])
        present = len(expected["values"]) + sum(len(a["cells"]) for a in ambiguous)
        row: dict[str, Any] = {"report": f"{sub}{expected['file']}", "present": present}
        try:
            result = import_report(source)
        except Exception as exc:  # a failed import is a figure here, not a crash of the measurement
            row.update(imported=0, right=0, false=1, error=type(exc).__name__)
            rows.append(row)
            continue
        got = dict(result.data.values)
        right = 0
        for key, cell in got.items():
            want = expected["values"].get(key, object())
            right += (cell.raw == want and cell.value is None) if isinstance(want, str) else cell.value == want
        false = max(0, len(result.missing) - len(expected.get("missing", [])))
        false += max(0, len(result.uncertain) - len(expected.get("uncertain", [])) - len(ambiguous))
        if expected.get("complete"):
            false += sum(1 for note in [*result.missing, *result.uncertain] if "截断" in note)
        row.update(imported=len(got), right=right, false=false)
        rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("GK_REFERENCE", str(ROOT.parent / "shared" / "reference"))
    parser.add_argument("--reference", type=Path, default=Path(default))
    args = parser.parse_args()
    rows = measure(args.reference)
    print(f"{'report':<16}{'present':>9}{'imported':>10}{'right':>7}{'false notes':>13}")
    for row in rows:
        print(f"{row['report']:<16}{row['present']:>9}{row['imported']:>10}{row['right']:>7}{row['false']:>13}"
              f"  {row.get('error', '')}")
    totals = {k: sum(r[k] for r in rows) for k in ("present", "imported", "right", "false")}
    print(f"{'total':<16}{totals['present']:>9}{totals['imported']:>10}{totals['right']:>7}{totals['false']:>13}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
