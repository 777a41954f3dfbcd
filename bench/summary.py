"""One table of every benchmark's last results (``bench/results/*.json``), each row beside its
limit and, where issue 15 set one, its target: what ``make bench`` prints last.

    uv run python -m bench.summary
"""

from __future__ import annotations

import json

from rich.table import Table

from bench.common import RESULTS, console, target_text


def main() -> None:
    table = Table(title="make bench: every result, beside its limit")
    for column in ("benchmark", "measure", "per second", "p50 ms", "p99 ms", "ratio", "target"):
        table.add_column(column, justify="left" if column in ("benchmark", "measure") else "right")
    for path in sorted(RESULTS.glob("*.json")):
        result = json.loads(path.read_text())
        for n, row in enumerate(result["rows"]):
            ratio = f"{row['ratio']:.3f} of {row['relation']}" if row.get("ratio") else ""
            table.add_row(
                path.stem if n == 0 else "",
                row["name"],
                f"{row['per_second']:,.0f} {row['unit']}/s",
                str(row.get("p50_ms", "")),
                str(row.get("p99_ms", "")),
                ratio,
                target_text(row),
            )
        table.add_section()
    console.print(table)


if __name__ == "__main__":
    main()
