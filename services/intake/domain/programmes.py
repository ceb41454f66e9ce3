"""The assistance programmes a township takes applications for, and what differs between them."""

from __future__ import annotations

from enum import StrEnum

from shared.i18n import Text


class Programme(StrEnum):
    DIBAO_URBAN = "dibao_urban"  # 城市最低生活保障
    DIBAO_RURAL = "dibao_rural"  # 农村最低生活保障
    TEKUN = "tekun"  # 特困人员救助供养
    LINSHI_URGENT = "linshi_urgent"  # 临时救助 急难型: may be paid first, documented after
    LINSHI_EXPENSE = "linshi_expense"  # 临时救助 支出型: full procedure
    DIBAO_EDGE = "dibao_edge"  # 低保边缘家庭


PROGRAMME_NAMES: dict[Programme, Text] = {
    Programme.DIBAO_URBAN: Text("urban minimum living allowance", "城市低保"),
    Programme.DIBAO_RURAL: Text("rural minimum living allowance", "农村低保"),
    Programme.TEKUN: Text("extreme-poverty support", "特困人员救助供养"),
    Programme.LINSHI_URGENT: Text("temporary assistance (emergency)", "临时救助（急难型）"),
    Programme.LINSHI_EXPENSE: Text("temporary assistance (expense)", "临时救助（支出型）"),
    Programme.DIBAO_EDGE: Text("near-poor household", "低保边缘家庭"),
}

# One payment, no monthly aid and no periodic review.
ONE_OFF = frozenset({Programme.LINSHI_URGENT, Programme.LINSHI_EXPENSE})
# 急难型 临时救助: the township may pay first and complete the documents after (先行救助).
PAY_FIRST = frozenset({Programme.LINSHI_URGENT})
# The economic-check authorisation (核对授权) must be signed at submission.
NEEDS_AUTHORISATION = frozenset(Programme) - PAY_FIRST


def is_one_off(programme: Programme) -> bool:
    return programme in ONE_OFF
