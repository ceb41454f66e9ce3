"""What the use cases need besides the session: tables, the calendar, matching, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from services.intake.adapters.matching import EconomicCheckClient, PrecheckClient
from services.intake.config import IntakeSettings
from services.intake.domain.clock import WorkingCalendar
from shared.codes.divisions import DivisionTable


@dataclass
class IntakeContext:
    settings: IntakeSettings
    divisions: DivisionTable
    calendar: WorkingCalendar
    prechecker: PrecheckClient
    checker: EconomicCheckClient
    today: Callable[[], date] = field(default=date.today)

    @classmethod
    def from_settings(cls, settings: IntakeSettings) -> IntakeContext:
        return cls(
            settings=settings,
            divisions=DivisionTable.load(),
            calendar=WorkingCalendar.load(settings.holiday_calendar),
            prechecker=PrecheckClient(settings),
            checker=EconomicCheckClient(settings),
        )

    def close(self) -> None:
        self.prechecker.close()
        self.checker.close()
