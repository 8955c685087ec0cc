"""Fold British and American spellings of a word to one canonical (American) spelling.

Moving parts:
- `_WORDS`: whole words with an irregular variant (tyre/tire, grey/gray, maths/math).
- `_FRAGMENTS`: British letter groups replaced wherever they occur (anaes/anes, sulph/sulf).
- `_RULES`: suffix rules (-ise/-ize, -yse/-yze, -our/-or, -tre/-ter, -logue/-log, -lled/-led),
  each with the roots it must leave alone ("four", "advise", "genre", "spelled").
- `fold_variant` folds a whole word; `fold_fragment` folds the start of a word (a prefix query)
  into a wildcard pattern that matches the folded form of every word that begins with it.

MEASURED
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class _Rule:
    """A suffix rule: (British, American) tails, and which roots before them it may touch."""

    tails: tuple[tuple[str, str], ...]
    root: re.Pattern[str]  # a root the rule may touch matches this
    keep: frozenset[str] = frozenset()  # roots left alone
    keep_endings: tuple[str, ...] = ()  # roots ending so are left alone

    def applies(self, root: str) -> bool:
        """Tell whether the rule may rewrite a tail that follows this root."""
        return (
            self.root.fullmatch(root) is not None
            and root not in self.keep
            and not root.endswith(self.keep_endings)
        )


def _pairs(british: str, american: str, endings: str) -> tuple[tuple[str, str], ...]:
    """Pair a British and an American stem with each space-separated ending ("-": none)."""
    return tuple((british + e, american + e) for e in endings.replace("-", "").split(" "))


def _rule(tails: tuple[tuple[str, str], ...], root: str, keep: str = "", ends: str = "") -> _Rule:
    """Build a rule whose tails are tried longest first."""
    ordered = tuple(sorted(tails, key=lambda pair: -len(pair[0])))
    return _Rule(ordered, re.compile(root), frozenset(keep.split()), tuple(ends.split()))


_IZE = "e es ed ing ingly er ers ation ations ational ationally able ably ability ement ements"
_OUR = (
    "- s ed ing ings er ers ier iest ily iness ite ites itism able ably ful fully fulness less "
    "lessly lessness ist ists ism isms ial ially al ally ation ations hood hoods ly liness y ies "
    "some ize izes ized izing ous"
)
_RE = (("re", "er"), ("res", "ers"), ("rely", "erly"), ("reness", "erness"))
_LL = "ed ing ings er ers ous ously ist ists or ors est"

_RULES: tuple[_Rule, ...] = (
    _rule(_pairs("gramme", "gram", "- s"), r".*"),  # programme, kilogramme; not programmed
    _rule(
        _pairs("is", "iz", _IZE),
        r".{3,}",
        # -ise words with no -ize spelling (advise, surprise, promise, exercise, expertise, ...),
        # and nouns in -is whose plural looks like a verb (penises, trellises, metropolises).
        keep=(
            "pelv mort treat chem surm upr sunr moonr highr val desp parad cer den coch pen mant "
            "clitor epiderm probosc chrysal cannab adon amaryll clemat portcull verdigr fin trell"
        ),
        ends=(
            "a e i o u y dv ev rv ov w pr prom prem dem erc prec conc exc inc advert expert chast ranch "
            "glott ropol lopol umc"
        ),
    ),
    _rule(_pairs("lys", "lyz", "e es ed ing er ers"), r".{2,}"),
    _rule(
        _pairs("our", "or", _OUR),
        r".{2,}",
        # four, hour, your, pour, sour, tour, detour, contour, flour, scour, devour, amour, ...
        keep="fl sc am dev vel param troubad tamb pompad park seym balf barb cav",
        ends="t np tp",
    ),
    # centring/centering, but not bowstring or hamstring
    _rule(tuple((c + "ring" + s, c + "ering" + s) for c in ("t", "ch", "v") for s in ("s", "")), r".{2,}", ends="s"),
    # centred/centered, but not hatred (nor inbred, purebred: no -bred here)
    _rule(tuple((c + "red", c + "ered") for c in ("t", "ch", "v")), r".{2,}", keep="ha"),
    # centre, fibre, sepulchre, louvre; not timbre, macabre, outre, oeuvre, genre, ogre, acre
    _rule(
        tuple((c + b, c + a) for c in ("t", "b", "ch", "v") for b, a in _RE),
        r".{2,}",
        keep="tim maca ou char se sar no oeu",
        ends="mai",
    ),
    _rule(
        _pairs("logue", "log", "- s")
        + (("logued", "loged"), ("loguing", "loging"), ("loguer", "loger"), ("loguers", "logers"))
        + _pairs("gogue", "gog", "- s"),
        r".{2,}",
    ),
    # travelled/traveled, cancelling, counsellor: only after the unstressed vowel of a longer
    # root; not compelled, controlled, installed, fulfilled, misspelled, bestseller, ...
    _rule(
        _pairs("ll", "l", _LL),
        r".*[aeiou].*[aeiou]",
        keep="chance",
        ends=(
            "u que qua spe tse kse rese rse pse rete ryte nete kte ske fe pe exce rebe "
            "ca ba wa sta fa thra pa corra "
            "fi ki wi pi chi dri gri fri tri thri mi qui ti bi hi sti nti "
            "nro kro gro mro tro to po"
        ),
    ),
)

# Replaced wherever they occur, in this order (so "chequed" meets "checked", not "checkd").
_FRAGMENTS: tuple[tuple[str, str], ...] = tuple(
    tuple(pair.split(">"))  # type: ignore[misc]
    for pair in (
        "manoeuvrab>maneuverab manoeuv>maneuv anaes>anes aemia>emia aemic>emic ^haem>hem paed>ped "
        "^gynaec>gynec ^mediaev>mediev ^palaeo>paleo ^archaeo>archeo ^aetiolog>etiolog ^faec>fec "
        "caesarean>cesarean ^oestr>estr ^oesophag>esophag ^foet>fet ^oedem>edem ^amoeb>ameb "
        "^coeliac>celiac ^homoeo>homeo rrhoe>rrhe ^oecumen>ecumen sulph>sulf sceptic>skeptic plough>plow draught>draft "
        "mould>mold moult>molt chequed>checked chequing>checking chequer>checker cheque>check "
        "aluminium>aluminum pyjama>pajama artefact>artifact dgement>dgment defenc>defens "
        "offenc>offens pretenc>pretens licenc>licens practis>practic cypher>cipher "
        "carburett>carburet waggon>wagon baulk>balk skilful>skillful wilful>willful "
        "instalment>installment enrolment>enrollment fulfilment>fulfillment meagre>meager "
        "cognisan>cognizan moustach>mustach liquorice>licorice jewellery>jewelry "
        "woollen>woolen aeroplane>airplane specialit>specialt connexion>connection "
        "inflexion>inflection centrep>centerp centref>centerf centreb>centerb centrel>centerl "
        "fibreb>fiberb fibreg>fiberg fibreo>fibero caesium>cesium aerofoil>airfoil callisth>calisth "
        "colour>color flavour>flavor honour>honor favour>favor labour>labor behaviour>behavior "
        "neighbour>neighbor harbour>harbor humour>humor rumour>rumor armour>armor vapour>vapor "
        "odour>odor savour>savor"
    ).split()
)

# Whole words whose variant no rule reaches.
_WORDS: dict[str, str] = dict(
    pair.split(">")  # type: ignore[misc]
    for pair in (
        "tyre>tire tyres>tires kerb>curb kerbs>curbs kerbed>curbed kerbing>curbing gaol>jail "
        "gaols>jails gaoled>jailed gaoler>jailer gaolers>jailers gaoling>jailing maths>math "
        "exchequer>exchequer exchequers>exchequers ageing>aging grey>gray greys>grays greyed>grayed greyer>grayer greyest>grayest "
        "greying>graying greyish>grayish greyness>grayness ochre>ocher furore>furor "
        "furores>furors rouble>ruble roubles>rubles almanack>almanac "
        "almanacks>almanacs cosy>cozy cosier>cozier cosiest>coziest cosily>cozily "
        "cosiness>coziness cosies>cozies fulfil>fulfill fulfils>fulfills enrol>enroll "
        "enrols>enrolls instil>instill instils>instills distil>distill distils>distills "
        "enthral>enthrall enthrals>enthralls appal>appall appals>appalls behove>behoove "
        "behoved>behooved behoves>behooves behoving>behooving"
    ).split()
)


@lru_cache(maxsize=100_000)
def fold_variant(word: str) -> str:
    """Return the canonical spelling of a lowercased, accent-folded word."""
    if word in _WORDS:
        return _WORDS[word]
    word = _replace_fragments(word)
    for rule in _RULES:
        folded = _apply(rule, word)
        if folded is not None:
            return folded
    return word


def _apply(rule: _Rule, word: str) -> str | None:
    """Rewrite the word's tail by the rule, or None if no tail of the rule ends it."""
    for british, american in rule.tails:
        if word.endswith(british):
            root = word[: len(word) - len(british)]
            return root + american if rule.applies(root) else word
    return None


@lru_cache(maxsize=10_000)
def fold_fragment(fragment: str) -> str:
    """Fold the start of a word into a pattern (letters and `?`) that every folded word with
    that start begins with, so `organis` gives `organi?` (organism, organize)."""
    base = _replace_fragments(fragment)
    variants = _partial_fragments(base) + _partial_tails(base)
    if len(fragment) >= 4:
        variants += [a for b, a in _WORDS.items() if b.startswith(fragment)]
    variants = [v for v in variants if not v.startswith(base)]  # these change nothing
    pattern = _merge([base, *variants])
    if variants and not pattern[:2].isalpha():
        # A letter group cut near the start ("oest" of "oestrogen") would leave no literal
        # prefix to search by: trust the variants over the unchanged reading.
        pattern = _merge(variants)
    return pattern


def _replace_fragments(word: str) -> str:
    """Replace every British letter group the word holds."""
    for british, american in _FRAGMENTS:
        if british[0] == "^":
            if word.startswith(british[1:]):
                word = american + word[len(british) - 1 :]
        elif british in word:
            word = word.replace(british, american)
    return word


def _partial_fragments(start: str) -> list[str]:
    """Spell out each letter group that the start of a word stops in the middle of."""
    found = []
    for british, american in _FRAGMENTS:
        anchored = british[0] == "^"
        british = british.lstrip("^")
        for j in range(max(3, len(british) - 1), len(british)):
            if start.endswith(british[:j]) and (not anchored or len(start) == j):
                found.append(start[: len(start) - j] + american)
    return found


def _partial_tails(start: str) -> list[str]:
    """Spell out, as each rule would fold it, every word tail that the start may begin."""
    found = []
    for rule in _RULES:
        for british, american in rule.tails:
            for j in range(1, len(british) + 1):
                root = start[: len(start) - j]
                if start.endswith(british[:j]) and rule.applies(root):
                    found.append(root + american)
    return found


def _merge(spellings: list[str]) -> str:
    """Merge spellings position by position, `?` where they differ, as long as the shortest."""
    columns = zip(*spellings)
    return "".join(column[0] if len(set(column)) == 1 else "?" for column in columns)
