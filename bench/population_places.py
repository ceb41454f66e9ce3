"""Where synthetic households live: real counties and townships, invented villages and addresses.

Part of ``bench/population.py``; the typing habits for these fields are applied here too.
"""

from __future__ import annotations

import random

from bench.population_names import Rng, cumulative, words
from shared.codes.divisions import DivisionTable

VILLAGE_HEADS = "石新大小上下东西南北高黄白青龙凤马牛杨柳桃李枫竹松梅双三五九金银沙塘丰长红"
VILLAGE_TAILS = "桥塘坪冲湾田岭山江溪坝口铺洲源井坡园头湖岗垅寨庄湾岩"
COMMUNITIES = words(
    "城东 城西 城南 城北 建设 和平 解放 人民 新华 朝阳 向阳 幸福 光明 文化 滨江 东风 红星 "
    "桥头 府前 五一 迎宾 新城 老街 学府 锦绣 花园 车站 工业园"
)
ROADS = words(
    "人民路 解放路 建设路 中山路 新华路 和平路 朝阳路 滨江路 沿江路 五一路 迎宾路 府前路 文化路 青年路"
)
CN_DIGITS = "〇一二三四五六七八九十"


def _cn_number(n: int) -> str:
    return CN_DIGITS[n] if n <= 10 else f"十{CN_DIGITS[n - 10]}" if n < 20 else f"{CN_DIGITS[n // 10]}十"


class Places:
    """Real counties and townships of the 2022 division table; invented communities (社区,
    001-199) and villages (村, 200-399) under each township. The map is the same for every seed."""

    def __init__(self, table: DivisionTable, counties: tuple[str, ...]) -> None:
        g = random.Random(2022)
        full = [table.full_name(c, sep="") or c for c in counties]  # 湖南省永州市东安县
        self.counties = counties
        self.county_text = [(table.name(c) or c, f[3:], f) for c, f in zip(counties, full, strict=True)]
        self.code: list[str] = []  # per township: 9-digit code, name, county index, villages
        self.name: list[str] = []
        self.county: list[int] = []
        self.villages: list[list[tuple[int, str]]] = []
        self.county_twps: list[list[int]] = []  # township indexes, repeated by weight
        for ci, county in enumerate(counties):
            self.county_twps.append([])
            for twp in table.children(county):
                block = int(twp.code[6:])  # 001-099 街道, 100-199 镇, 200-399 乡, 400+ 林场 etc.
                n_comm = g.randint(4, 12) if block < 100 else g.randint(1, 3) if block < 400 else 1
                n_vill = 0 if block < 100 else g.randint(8, 24) if block < 400 else g.randint(0, 3)
                heads = g.sample(COMMUNITIES, n_comm)
                pairs = g.sample([a + b for a in VILLAGE_HEADS for b in VILLAGE_TAILS], n_vill)
                vils = [(i + 1, heads[i] + "社区") for i in range(n_comm)]
                self.villages.append(vils + [(201 + i, pairs[i] + "村") for i in range(n_vill)])
                self.county_twps[ci] += [len(self.code)] * (1 if block >= 400 else 3 if block < 200 else 2)
                self.code.append(twp.code)
                self.name.append(twp.name)
                self.county.append(ci)
        self.county_cum = cumulative([len(t) for t in self.county_twps])

    def place(self, rng: Rng, county: int | None = None) -> tuple[int, int, int, int]:
        """(township, village index, group (组) or road, house number) in a county (random if None)."""
        if county is None:
            county = rng.pick(range(len(self.counties)), self.county_cum)
        twp = rng.choice(self.county_twps[county])
        return twp, rng.randrange(len(self.villages[twp])), rng.randint(1, 14), rng.randint(1, 80)

    def fields(
        self, rng: Rng, twp: int, vil: int, group: int, number: int, stats: dict[str, int]
    ) -> tuple[str | None, str | None]:
        """(division_code, address) as a roster has them: village, township or county code, or none;
        an address like 白牙市镇石桥村3组12号 (with or without the county, 组 written variously)."""
        r, code, (vcode, village) = rng.random, self.code[twp], self.villages[twp][vil]
        u = r()
        div, form = ((f"{code}{vcode:03d}", "village") if u < 0.55 else (code, "township") if u < 0.80
                     else (code[:6], "county") if u < 0.92 else (None, "missing"))  # fmt: skip
        stats["division." + form] += 1
        if r() >= 0.7:
            stats["address.missing"] += 1
            return div, None
        stats["address.present"] += 1
        a, county = r(), self.county_text[self.county[twp]]
        prefix = "" if a < 0.55 else county[0] if a < 0.85 else county[1] if a < 0.95 else county[2]
        if vcode < 200:  # a community in town: a street address
            road = ROADS[(group * 7 + number) % len(ROADS)]
            return div, f"{prefix}{self.name[twp]}{village if r() < 0.8 else ''}{road}{number}号"
        g = r()
        grp = (f"{group}组" if g < 0.65 else f"{_cn_number(group)}组" if g < 0.8
               else f"第{group}组" if g < 0.9 else f"{group:02d}组")  # fmt: skip
        return div, f"{prefix}{self.name[twp]}{village}{grp}{f'{number}号' if r() < 0.8 else ''}"
