"""The scope vocabulary of department clients."""

from __future__ import annotations

from services.exchange.domain.scopes import covers_programme, field_groups, is_known, unknown


def test_known_and_unknown_scopes() -> None:
    for s in (
        "lookup",
        "rosters:publish",
        "fields:identity",
        "fields:income",
        "programme:dibao",
        "programme:*",
    ):
        assert is_known(s), s
    assert unknown(["lookup", "fields:secrets", "programme:", "programme:DIBAO", "admin"]) == [
        "admin",
        "fields:secrets",
        "programme:",
        "programme:DIBAO",
    ]


def test_a_programme_scope_covers_its_family_only() -> None:
    assert covers_programme(["programme:dibao"], "dibao_urban")
    assert covers_programme(["programme:dibao"], "dibao")
    assert not covers_programme(["programme:dibao"], "dibao_edge")  # 低保边缘 is not 低保
    assert covers_programme(["programme:dibao_edge"], "dibao_edge")
    assert not covers_programme(["programme:dibao_urban"], "dibao_rural")
    assert not covers_programme(["programme:dibao"], "tekun")
    assert not covers_programme(["fields:aid", "lookup"], "dibao")
    assert covers_programme(["programme:*"], "tekun")


def test_field_groups() -> None:
    assert field_groups(["lookup", "fields:aid", "fields:identity"]) == {"aid", "identity"}
