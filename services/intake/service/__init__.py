"""intake's use cases: one function per thing a user does."""

from services.intake.service.households import get_household, register_household

__all__ = ["get_household", "register_household"]
