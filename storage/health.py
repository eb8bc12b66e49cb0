"""Health problems of sources: opened once when seen, closed once when they go away."""
from __future__ import annotations

import json


def open_problems(db, source: str) -> dict[str, dict]:
    """The source's problems not yet recovered, by problem name, with their detail decoded."""
    rows = db.query("SELECT * FROM health_problems WHERE source = ? AND closed_at IS NULL", [source])
    return {row["problem"]: {**row, "detail": json.loads(row["detail"])} for row in rows}


def open_problem(db, source: str, problem: str, now: str, detail: dict) -> int:
    return db.execute(
        "INSERT INTO health_problems (source, problem, opened_at, detail) VALUES (?, ?, ?, ?)",
        [source, problem, now, json.dumps(detail, ensure_ascii=False)],
    ).lastrowid


def close_problem(db, problem_id: int, now: str) -> None:
    db.execute("UPDATE health_problems SET closed_at = ? WHERE id = ? AND closed_at IS NULL", [now, problem_id])


def all_open_problems(db) -> dict[str, list[str]]:
    """Per source, the names of its open problems."""
    found: dict[str, list[str]] = {}
    for row in db.query("SELECT source, problem FROM health_problems WHERE closed_at IS NULL ORDER BY id"):
        found.setdefault(row["source"], []).append(row["problem"])
    return found
