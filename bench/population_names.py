"""Names, ID numbers, dates and how clerks type them: the text layer of bench/population.py.

Tables: surnames with approximate national shares (per mille), given-name characters by
generation and sex (most popular first, weighted by rank), Uyghur-style dotted names, romanised
names of foreign nationals, simplified→traditional pairs, homophones. Functions turn a true
value (name, ID number, birth date) into what a roster holds, counting each form of dirt they
apply. Nothing here knows about any matching engine.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, TypeVar

from shared.codes.idnumber import check_character

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")


def words(text: str) -> list[str]:
    return text.split()


# Surname, share in per mille (top ~100, then rare two-character surnames).
SURNAMES: tuple[tuple[str, float], ...] = tuple(
    (s, float(w))
    for s, w in (
        pair.split(":")
        for pair in words(
            "王:71 李:70 张:67 刘:54 陈:45 杨:31 黄:22 赵:22 吴:20 周:19 徐:16 孙:15 马:14 朱:13 胡:13 "
            "郭:11 何:11 高:10 林:10 罗:10 郑:9 梁:9 谢:8 宋:8 唐:8 许:7 韩:7 冯:7 邓:7 曹:7 彭:6 曾:6 "
            "肖:6 田:6 董:5 袁:5 潘:5 于:5 蒋:5 蔡:5 余:5 杜:5 叶:4 程:4 苏:4 魏:4 吕:4 丁:4 任:4 沈:4 "
            "姚:4 卢:4 姜:3 崔:3 钟:3 谭:3 陆:3 汪:3 范:3 金:3 石:3 廖:3 贾:3 夏:3 韦:3 付:3 方:3 白:3 "
            "邹:3 孟:3 熊:3 秦:3 邱:3 江:3 尹:3 薛:2 闫:2 段:2 雷:2 侯:2 龙:2 史:2 陶:2 黎:2 贺:2 顾:2 "
            "毛:2 郝:2 龚:2 邵:2 万:2 钱:2 严:2 覃:2 武:2 戴:2 莫:2 孔:1 向:1 汤:1 欧阳:0.5 司马:0.05 "
            "诸葛:0.05 上官:0.05 司徒:0.05 东方:0.03 皇甫:0.02 令狐:0.02 慕容:0.01"
        )
    )
)

# Given-name characters per generation (born before 1965, 1965-1999, from 2000) and sex, most
# popular first. The probability of a one-character given name per generation is SINGLE.
GIVEN: dict[tuple[int, int], str] = {
    (0, 1): "国建明德福贵华文志金荣生林春海清成永祥和军平富光忠义胜正山发玉长兴宝树中东元全才昌友云财喜"
    "根仁茂庆松汉新顺武民学卫伟",
    (0, 2): "秀英兰珍桂凤玉华芳梅花莲琴香云翠菊娥红霞淑芬美荣春素秋金银爱巧月萍娟群冬彩仙",
    (1, 1): "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩俊帅峰亮健龙林建东海文志杨成剑彬锋凯晨阳旭毅兵松洋"
    "卫红国新",
    (1, 2): "丽静敏燕艳娟霞芳玲婷雪慧丹颖琳洁红梅莉倩萍晶欢佳璐蓉琴薇娜青月瑶冰琼秀英云露晓",
    (2, 1): "浩宇轩子梓睿涵博俊泽晨明文辰铭杰豪皓鑫航昊天一嘉奕思逸锦瑞恒森诚源阳煜哲佳乐凯烨",
    (2, 2): "欣怡梓涵子诗雨思语可佳悦萱琪晨嘉婷雪妍彤馨一颖若心依梦静欢钰瑶菲冉晴蕾玥雯舒婉雅",
}
SINGLE = (0.12, 0.35, 0.12)
# Second characters (and one-character names): the older generation's differ from its first
# characters (秀英, 桂兰, 建国, 国华); younger generations draw both from the same pool.
SECOND = {(0, 1): "明华林强生军平成才福荣祥贵山海清文武忠义", (0, 2): "英兰珍芳梅秀华霞琴萍红菊凤香莲"} | {
    k: v for k, v in GIVEN.items() if k[0]
}

# Uyghur/Kazakh style transliterated names, written given·father's-given (阿依古丽·买买提).
DOTTED_MALE = words(
    "买买提 艾则孜 吐尔逊 艾力 阿卜杜拉 麦麦提 依力哈木 玉苏甫 热合曼 赛买提 吾买尔 阿布拉 克里木 卡德尔 "
    "努尔兰 哈斯木 买合木提 托合提 伊力亚斯 亚森 阿尔曼 叶尔兰 别克 哈力木拉提 阿不都热依木 艾合买提 肉孜"
)
DOTTED_FEMALE = words(
    "阿依古丽 古丽米拉 热依拉 迪丽努尔 帕提古丽 阿依努尔 米热古丽 祖丽菲亚 巴哈古丽 加米拉 努尔曼古丽 "
    "海力且木 阿米娜 帕丽达 古丽巴哈尔 阿依加马丽 热孜婉古丽 再努尔 布维热木 阿丽娅"
)
DOT_VARIANTS = ("•", ".", "．", " ", "", "・")

# Romanised names of foreign nationals: (family, given, family written first).
LATIN_FEMALE = (
    ("Nguyen", "Thi Lan", True), ("Tran", "Thi Hoa", True), ("Le", "Thi Mai", True),
    ("Pham", "Thi Thu", True), ("Hoang", "Thi Hanh", True), ("Vu", "Thi Ngoc", True),
    ("Nguyen", "Thi Huong", True), ("Dang", "Thi Linh", True), ("Bui", "Thi Nga", True),
    ("Phommachanh", "Souk", False), ("Win", "Mya Mya", False), ("Aung", "Khin Thida", False),
    ("Kim", "Min Jung", True), ("Garcia", "Maria", False), ("Ivanova", "Olga", False),
    ("Smith", "Sarah", False), ("Sok", "Channary", True), ("Santos", "Ana", False),
)  # fmt: skip
LATIN_MALE = (
    ("Smith", "John", False), ("Nguyen", "Van Nam", True), ("Tran", "Van Hung", True),
    ("Kim", "Sung Ho", True), ("Brown", "David", False), ("Khan", "Imran", False),
    ("Petrov", "Sergei", False), ("Muller", "Thomas", False), ("Tun", "Kyaw Zaw", False),
    ("Le", "Minh Tuan", True), ("Wilson", "James", False), ("Sharma", "Rahul", False),
)  # fmt: skip


# Simplified → traditional for characters common in names (clerks copying old documents, HK/TW).
_TRAD_PAIRS = words(
    "张張 陈陳 刘劉 杨楊 黄黃 赵趙 吴吳 孙孫 马馬 郑鄭 谢謝 许許 韩韓 冯馮 邓鄧 叶葉 苏蘇 吕呂 卢盧 钟鍾 "
    "陆陸 贾賈 龙龍 顾顧 龚龔 万萬 钱錢 严嚴 罗羅 欧歐 阳陽 诸諸 汤湯 闫閆 邹鄒 萧蕭 韦韋 华華 丽麗 伟偉 "
    "军軍 国國 红紅 兰蘭 凤鳳 贵貴 荣榮 鹏鵬 飞飛 东東 辉輝 涛濤 杰傑 坚堅 强強 刚剛 宁寧 兴興 顺順 学學 "
    "岚嵐 丰豐 发發 庆慶 进進 艳艷 宝寶 长長 实實 书書 义義 礼禮 云雲 凯凱 达達 维維 玮瑋 炜煒 铭銘 鸣鳴 "
    "钢鋼 锋鋒 银銀 铁鐵 锦錦 镇鎮 泽澤 洁潔 静靜 颖穎 晓曉 梦夢 轩軒 诗詩 语語 乐樂 远遠 运運 连連 从從 "
    "仪儀 伦倫 传傳 亿億 优優 会會 庄莊 广廣 应應 开開 彦彥 忆憶 怀懷 爱愛 战戰 扬揚 显顯 晖暉 权權 标標 "
    "树樹 桥橋 楼樓 欢歡 汉漢 济濟 渊淵 温溫 满滿 滨濱 潇瀟 灵靈 灿燦 烨燁 焕煥 献獻 环環 琼瓊 畅暢 祯禎 "
    "竞競 筑築 纪紀 纯純 纲綱 纳納 练練 绍紹 经經 继繼 绪緒 续續 绵綿 缘緣 翘翹 聪聰 胜勝 艺藝 节節 芸蕓 "
    "莲蓮 营營 蓝藍 观觀 规規 训訓 诚誠 谊誼 谦謙 谭譚 贤賢 贞貞 财財 贺賀 资資 赛賽 跃躍 迈邁 选選 钊釗 "
    "钦欽 钧鈞 钰鈺 铃鈴 锐銳 锡錫 闻聞 颂頌 风風 驰馳 骏駿 鸿鴻 齐齊 习習 卫衛 亚亞 冯馮 孙孫 宁寧"
)
TRAD: dict[str, str] = {p[0]: p[1] for p in _TRAD_PAIRS}

# Same pinyin (tone ignored): a clerk typing by pinyin picks a neighbour in the candidate list.
_HOMOPHONES = words(
    "伟玮炜维威薇卫韦魏 丽莉力利立励黎李 明铭鸣名茗 华桦骅花 军君钧均峻骏俊 红宏洪鸿虹泓弘 英莹瑛颖盈营 "
    "芳方舫 平萍评屏苹 静晶靖婧菁敬 燕艳彦雁砚晏妍严颜闫 娟鹃涓 霞侠夏 玲铃灵凌龄 婷亭庭廷 慧惠会 辉晖徽 "
    "强蔷 磊蕾垒雷 勇永涌咏 杰洁捷婕 涛韬滔陶 斌彬滨宾 超潮朝 刚钢纲岗 鹏朋彭 飞菲非霏 鑫新欣馨心昕 "
    "波博柏伯 宇雨语玉羽禹钰煜于余 浩豪昊皓灏郝 峰锋丰枫风凤冯 亮良梁 健建剑坚 龙隆 林琳霖麟 东冬栋董 "
    "文雯闻 志智 成诚城程承 凯楷恺锴 晨辰臣陈沉 阳杨洋扬 旭煦 毅艺怡宜义亿仪逸依一奕 兵冰 敏民 梅玫媚美 "
    "倩茜钱 晓小筱肖萧 佳家嘉贾 璐露路鹭陆卢 蓉荣容 琴勤芹秦覃 瑶遥姚 云芸韵 月悦越玥 萱轩宣 涵晗含寒汉韩 "
    "梓子紫 睿瑞锐 锦金瑾谨 恒衡 源媛元园袁 烨叶业 诗施 琪琦淇奇齐 晴清青庆 舒淑书树 雅亚 福富付傅 贵桂 "
    "生升 春纯淳 祥翔香湘向 和禾何贺 光广 忠中钟 胜盛圣 正政郑 山珊 长昌 兴星 全泉权 才财彩蔡 友有 珍真贞 "
    "莲连 菊局 芬分 素苏 仙先 张章 王汪 刘柳 黄皇 吴武 徐许 朱祝 唐汤 邱秋 石史 丁定 田甜天 谭潭 高糕 罗萝 "
    "丹单 乐勒 仁任人 兰蓝岚澜 国郭 哲者 德得 学雪薛 宝保葆 松宋颂 梦孟蒙 秀修 顺舜 思斯丝 爱艾 翠萃崔 "
    "欢环 泽则 娜纳 可柯珂 彤童同 婉宛万 航杭 银寅尹 巧乔 茂贸毛 发法 娥鹅 喜玺 赵照兆 周州舟 马玛 胡湖虎 "
    "邓登 曾增 潘盘 吕旅 沈审 范凡帆 白百 熊雄 顾古谷 龚宫 戴代 蒋江姜将 谢解 杜度渡 侯候厚 "
    "邵绍少 莫墨默 段断 群裙 根跟"
)
HOMOPHONES: dict[str, str] = {}
for _group in _HOMOPHONES:
    for _c in _group:
        HOMOPHONES.setdefault(_c, _group.replace(_c, ""))

# Near homophones (z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing confusions of southern speakers).
_NEAR = words(
    "陈岑程成 曾郑正 张藏 邹周 宗钟 子之志 才柴 村春 层成 思诗 三山 苏书 孙顺 松双 刘牛 兰南 丽妮 玲宁 "
    "林凌 敏明 斌兵 琴晴 金京 新星 欣星 芳帆 刚干 根庚 珍征 真正 芬峰 森僧 丹当 安昂 山尚 岚郎 宁凌 "
    "南兰 娜拉 秦情 文翁 彬冰 民明 品平 晋敬 音英 振正 春村 纯存 生森 周邹 赵灶"
)
NEAR_HOMOPHONES: dict[str, str] = {}
for _group in _NEAR:
    NEAR_HOMOPHONES[_group[0]] = NEAR_HOMOPHONES.get(_group[0], "") + _group[1:]


class Rng(random.Random):
    """``random.Random`` with integer draws from one float each: several times cheaper, and the
    bias (below 1e-15) is far below anything a benchmark could see. Same seed, same sequence."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        return int(self.random() * start) if stop is None else start + int(self.random() * (stop - start))

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def pick(self, seq: Sequence[T], cum: Sequence[float]) -> T:
        """One of ``seq`` by cumulative weights ``cum``."""
        return seq[bisect_right(cum, self.random() * cum[-1])]


def cumulative(weights: list[float]) -> list[float]:
    return list(accumulate(weights))


def zipf_cum(n: int, k: float = 3.0) -> list[float]:
    """Cumulative weights 1/(rank + k) for a list ordered by popularity."""
    return cumulative([1.0 / (i + k) for i in range(n)])


SURNAME_CUM = cumulative([w for _, w in SURNAMES])
GIVEN_CUM = {key: zipf_cum(len(chars)) for key, chars in GIVEN.items()}
SECOND_CUM = {key: zipf_cum(len(chars), 5.0) for key, chars in SECOND.items()}


def given_name(rng: Rng, era: int, sex: int, first: str | None = None) -> str:
    """A one- or two-character given name; ``first`` fixes the first character (siblings, twins)."""
    key = (era, sex)
    if first is None and rng.random() < SINGLE[era]:
        return rng.pick(SECOND[key], SECOND_CUM[key])
    a = first or rng.pick(GIVEN[key], GIVEN_CUM[key])
    b = rng.pick(SECOND[key], SECOND_CUM[key])
    while b == a:
        b = rng.pick(SECOND[key], SECOND_CUM[key])
    return a + b


def swap_char(rng: Rng, name: str, table: dict[str, str], start: int) -> str | None:
    """Replace one character of ``name`` (given name preferred) by a neighbour from ``table``."""
    spots = [i for i in range(len(name)) if name[i] in table]
    if not spots:
        return None
    given = [i for i in spots if i >= start]
    i = rng.choice(given if given and rng.random() < 0.8 else spots)
    return name[:i] + rng.choice(table[name[i]]) + name[i + 1 :]


def latin_variant(rng: Rng, family: str, given: str, family_first: bool) -> str:
    """How a roster writes a romanised name: order and case vary."""
    form = rng.randrange(5)
    if form == 0:
        return f"{family.upper()} {given}"
    if form == 1:
        return f"{given} {family.upper()}"
    if form == 2:
        return f"{family.lower()}, {given.lower()}"
    if form == 3:
        return (f"{family} {given}" if family_first else f"{given} {family}").upper()
    return f"{given} {family}" if family_first else f"{family} {given}"


COMPOUND = frozenset(s for s, _ in SURNAMES if len(s) == 2)


def name_field(rng: Rng, kind: int, name: str, trad_rate: float, stats: dict[str, int]) -> str:
    """The name as a roster has it; ``kind``: 0 Han, 1 dotted, 2 romanised ("family|given|0 or 1")."""
    r = rng.random
    if kind == 2:
        fam, giv, ff = name.split("|")
        if r() < 0.5:
            stats["name.latin_variant"] += 1
            return latin_variant(rng, fam, giv, ff == "1")
        return f"{fam} {giv}" if ff == "1" else f"{giv} {fam}"
    if kind == 1:
        if r() < 0.3:
            stats["name.dot_variant"] += 1
            return name.replace("·", rng.choice(DOT_VARIANTS))
        return name
    start = 2 if name[:2] in COMPOUND else 1
    for rate, table, form in ((0.02, HOMOPHONES, "homophone"), (0.01, NEAR_HOMOPHONES, "near_homophone")):
        if r() < rate and (swapped := swap_char(rng, name, table, start)):
            name = swapped
            stats["name." + form] += 1
    if r() < trad_rate and (trad := "".join([TRAD.get(c, c) for c in name])) != name:
        name = trad
        stats["name.traditional"] += 1
    if r() < 0.01:
        name = name[:start] + " " + name[start:] if r() < 0.7 else " ".join(name)
        stats["name.spaced"] += 1
    return name


FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
BLANKS = ("", None, "无")


def _transposed(v: str, i: int) -> str:
    return v[:i] + v[i + 1] + v[i] + v[i + 2 :]


def id_text(rng: Rng, v: str, stats: dict[str, int], *, old_form: bool, cert: str | None) -> str | None:
    """What a roster holds for the valid ID ``v``; ``cert`` = category+grade of a 残疾人证号 to write
    instead, ``old_form`` = the person may still use a 15-digit ID (born before 2000)."""
    r = rng.random
    u = r()
    if cert:
        v, form = v + cert + (f"B{rng.randint(1, 9)}" if r() < 0.2 else ""), "disability_cert"
    elif u < 0.04:
        stats["id.blank"] += 1
        return rng.choice(BLANKS)
    elif u < 0.055:
        v, form = v.translate(FULLWIDTH), "fullwidth"
    elif u < 0.07:
        g = rng.randrange(4)
        sep = "-" if g == 1 else " "
        v = f"{v[:6]}{sep}{v[6:14]}{sep}{v[14:]}" if g < 2 else v + " " if g == 2 else f" {v[:9]} {v[9:]}"
        form = "spaced"
    elif u < 0.09:  # one character mistyped: the check character no longer fits
        i = rng.randrange(18)
        v = v[:i] + rng.choice(("0123456789X" if i == 17 else "0123456789").replace(v[i], "")) + v[i + 1 :]
        form = "mistyped"
    elif u < 0.10:  # two neighbours swapped (the check catches every swap in the first 17)
        spots = [i for i in range(17) if v[i] != v[i + 1]]
        i = rng.choice(spots)
        if i == 16 and v[17] != "X" and check_character(_transposed(v, 16)[:17]) == v[16]:
            i = rng.choice(spots[:-1])  # a swap with the check character can pass the check
        v, form = _transposed(v, i), "swapped"
    elif u < 0.115 and old_form:
        v, form = v[:6] + v[8:17], "old_15"
    elif 0.115 <= u < 0.118:
        f, i = r(), rng.randrange(6, 17)
        v = (
            v[:17]
            if f < 0.35
            else v[:i] + v[i + 1 :]
            if f < 0.5
            else v[:i] + rng.choice("OlIoSZ") + v[i + 1 :]
        )
        form = "garbage"  # truncated to 17 characters, or a letter for a digit
    else:
        form = "clean"
    if "X" in v and form in ("clean", "disability_cert", "spaced") and r() < 0.8:
        v = v.replace("X", "x")
        stats["id.lower_x"] += 1
    stats["id." + form] += 1
    return v


def date_text(rng: Rng, birth: int, stats: dict[str, int]) -> str | None:
    """A birth date (yyyymmdd) as typed: six formats, day/month swapped, a digit wrong, or missing."""
    r = rng.random
    y, m, d = birth // 10000, birth // 100 % 100, birth % 100
    if r() < 0.03:
        stats["birth_date.missing"] += 1
        return rng.choice((None, ""))
    if d <= 12 and d != m and r() < 0.027:  # ~1% of all records: only such dates can be swapped
        stats["birth_date.day_month_swapped"] += 1
        return f"{y}-{d:02d}-{m:02d}" if r() < 0.5 else f"{y}/{d}/{m}"
    f = r()
    if f < 0.40:
        text, form = f"{y}-{m:02d}-{d:02d}", "iso"
    elif f < 0.60:
        text, form = f"{y}{m:02d}{d:02d}", "compact"
    elif f < 0.75:
        text, form = f"{y}/{m}/{d}", "slash"
    elif f < 0.85:
        text, form = f"{y}年{m}月{d}日", "chinese"
    elif f < 0.92:
        text, form = f"{y}.{m:02d}.{d:02d}", "dotted"
    else:
        text, form = f"{y}-{m}-{d}", "dash_unpadded"
    stats["birth_date." + form] += 1
    if r() < 0.007:
        i = rng.choice([i for i, c in enumerate(text) if c.isdigit()])
        text = text[:i] + rng.choice("0123456789".replace(text[i], "")) + text[i + 1 :]
        stats["birth_date.mistyped"] += 1
    return text
