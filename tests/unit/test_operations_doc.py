"""docs/operations.md carries the configuration reference as the settings classes make it."""

from __future__ import annotations

from pathlib import Path

from shared.settings_reference import reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_the_configuration_reference_is_the_generated_one() -> None:
    text = DOC.read_text()
    inside = text.split("<!-- settings:begin -->\n", 1)[1].split("<!-- settings:end -->", 1)[0]
    assert inside == reference(), "run: snx settings-reference, and paste it into docs/operations.md"


def test_every_setting_has_a_description() -> None:
    rows = [line for line in reference().splitlines() if line.startswith("| `")]
    assert rows and all(not line.rstrip().endswith("|  |") for line in rows)
