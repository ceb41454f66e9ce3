"""``make demo`` on a smaller county: real processes, every step, and its own self-check passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import id_numbers_in

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_runs_end_to_end_and_its_findings_match_the_truth(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "demo",
            "--households",
            "400",
            "--applications",
            "6",
            "--folder",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout
    for section in ("一、重复享受", "二、应保未保", "三、家庭经济状况核对", "四、部门订阅", "五、自检"):
        assert section in out
    assert "全部一致 ✓" in out and "✗" not in out
    assert "D1" in out  # the planted duplicates are found
    assert not id_numbers_in(out)  # names and IDs masked in what it prints
    for log in tmp_path.glob("*.log"):
        assert not id_numbers_in(log.read_text(errors="replace")), log.name
