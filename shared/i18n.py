"""Language choice for messages people read: English or Chinese, from ``Accept-Language``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["en", "zh"]


@dataclass(frozen=True)
class Text:
    """A message in both languages. ``Text("Not found", "未找到")``."""

    en: str
    zh: str

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **kwargs: object) -> Text:
        return Text(self.en.format(**kwargs), self.zh.format(**kwargs))


def negotiate_language(accept_language: str | None, default: Lang = "en") -> Lang:
    """Pick ``zh`` or ``en`` by the highest-weighted supported tag of an Accept-Language header."""
    if not accept_language:
        return default
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        weight = 1.0
        for param in pieces[1:]:
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        lang: Lang | None = None
        if tag == "zh" or tag.startswith("zh-"):
            lang = "zh"
        elif tag == "en" or tag.startswith("en-"):
            lang = "en"
        if lang is None or weight <= 0:
            continue
        candidate = (weight, -position, lang)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else default
