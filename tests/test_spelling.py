"""Spelling folds: variant pairs meet, unrelated words stay apart, prefixes still find words.

The word-list tests read Debian's wamerican and wbritish lists (apt-get install wamerican
wbritish) and skip, saying so, where they are absent.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from indexer.spelling import fold_fragment, fold_variant

AMERICAN = Path("/usr/share/dict/american-english")
BRITISH = Path("/usr/share/dict/british-english")

# (British, American). Every pair must fold to one spelling.
VARIANT_PAIRS = [
    ("behaviour", "behavior"), ("behaviours", "behaviors"), ("behavioural", "behavioral"),
    ("colour", "color"), ("coloured", "colored"), ("colourful", "colorful"),
    ("honour", "honor"), ("honourable", "honorable"), ("favour", "favor"),
    ("favourite", "favorite"), ("neighbourhood", "neighborhood"), ("labourer", "laborer"),
    ("rumoured", "rumored"), ("humourless", "humorless"), ("armoury", "armory"),
    ("organise", "organize"), ("organisation", "organization"),
    ("organisations", "organizations"), ("organising", "organizing"),
    ("anthropomorphise", "anthropomorphize"), ("anthropomorphising", "anthropomorphizing"),
    ("anthropomorphisation", "anthropomorphization"), ("recognise", "recognize"),
    ("criticised", "criticized"), ("prioritise", "prioritize"), ("monopolising", "monopolizing"),
    ("stigmatised", "stigmatized"), ("realisation", "realization"), ("apologise", "apologize"),
    ("analyse", "analyze"), ("paralysed", "paralyzed"), ("catalyse", "catalyze"),
    ("centre", "center"), ("centres", "centers"), ("centred", "centered"),
    ("centring", "centering"), ("centrepiece", "centerpiece"), ("theatre", "theater"),
    ("metre", "meter"), ("litres", "liters"), ("fibre", "fiber"), ("fibreglass", "fiberglass"),
    ("sombre", "somber"), ("manoeuvre", "maneuver"), ("manoeuvring", "maneuvering"),
    ("catalogue", "catalog"), ("catalogued", "cataloged"), ("dialogue", "dialog"),
    ("defence", "defense"), ("offences", "offenses"), ("licence", "license"),
    ("pretence", "pretense"), ("travelled", "traveled"), ("travelling", "traveling"),
    ("traveller", "traveler"), ("cancelled", "canceled"), ("cancelling", "canceling"),
    ("modelling", "modeling"), ("labelled", "labeled"), ("fuelled", "fueled"),
    ("signalled", "signaled"), ("dialled", "dialed"), ("counsellor", "counselor"),
    ("marvellous", "marvelous"), ("cruellest", "cruelest"), ("jewellery", "jewelry"),
    ("woollen", "woolen"), ("skilful", "skillful"), ("fulfilment", "fulfillment"),
    ("enrolment", "enrollment"), ("fulfil", "fulfill"), ("anaesthesia", "anesthesia"),
    ("anaemia", "anemia"), ("oestrogen", "estrogen"), ("paediatric", "pediatric"),
    ("encyclopaedia", "encyclopedia"), ("haemorrhage", "hemorrhage"), ("foetus", "fetus"),
    ("diarrhoea", "diarrhea"), ("oesophagus", "esophagus"), ("mediaeval", "medieval"),
    ("judgement", "judgment"), ("acknowledgement", "acknowledgment"),
    ("programme", "program"), ("kilogrammes", "kilograms"), ("sceptical", "skeptical"),
    ("sulphur", "sulfur"), ("aluminium", "aluminum"), ("pyjamas", "pajamas"),
    ("artefact", "artifact"), ("plough", "plow"), ("snowplough", "snowplow"),
    ("mould", "mold"), ("smouldering", "smoldering"), ("draught", "draft"),
    ("cheque", "check"), ("chequered", "checkered"), ("grey", "gray"), ("tyre", "tire"),
    ("ageing", "aging"), ("practise", "practice"), ("practised", "practiced"),
    ("speciality", "specialty"), ("cosy", "cozy"), ("gaol", "jail"), ("kerb", "curb"),
    # Pairs that both lists accept (the American list carries some British spellings), so the
    # lists alone cannot show they are regional; each is a known British/American pair.
    ("abridgement", "abridgment"), ("abridgements", "abridgments"), ("analogue", "analog"),
    ("analogues", "analogs"), ("caesarean", "cesarean"), ("caesareans", "cesareans"),
    ("centigramme", "centigram"), ("centigrammes", "centigrams"),
    ("encyclopaedias", "encyclopedias"), ("encyclopaedic", "encyclopedic"),
    ("eviller", "eviler"), ("evillest", "evilest"), ("foetal", "fetal"),
    ("foetuses", "fetuses"), ("glamourous", "glamorous"), ("grovelled", "groveled"),
    ("grovelling", "groveling"), ("hostelled", "hosteled"), ("hostelling", "hosteling"),
    ("instil", "instill"), ("instils", "instills"), ("judgemental", "judgmental"),
    ("judgements", "judgments"), ("lateralled", "lateraled"), ("lateralling", "lateraling"),
    ("licenced", "licensed"), ("licences", "licenses"), ("licencing", "licensing"),
    ("loyaller", "loyaler"), ("loyallest", "loyalest"), ("misjudgement", "misjudgment"),
    ("misjudgements", "misjudgments"), ("parallelled", "paralleled"),
    ("parallelling", "paralleling"), ("practises", "practices"), ("programmes", "programs"),
    ("saviour", "savior"), ("sulphured", "sulfured"), ("sulphuring", "sulfuring"),
    ("sulphurs", "sulfurs"), ("synagogue", "synagog"), ("synagogues", "synagogs"),
]  # fmt: skip

# Words the rules must leave alone, each a trap for one rule.
KEEP = [
    "four", "hour", "your", "our", "pour", "sour", "tour", "flour", "scour", "devour", "detour",
    "contour", "troubadour", "amour", "velour", "outpouring", "tourism", "hourly", "genre", "ogre",
    "acre", "massacre", "mediocre", "timbre", "macabre", "oeuvre", "hatred", "purebred",
    "bowstring", "hamstring", "advise", "revise", "supervise", "improvise", "surprise", "comprise",
    "enterprise", "promise", "compromise", "premise", "exercise", "precise", "concise",
    "expertise", "advertise", "franchise", "despise", "paradise", "chastise", "otherwise", "rise",
    "arise", "sunrise", "raise", "praise", "noise", "cruise", "disguise", "analysis", "crisis",
    "basis", "penises", "trellises", "compelled", "controlled", "installed", "fulfilled",
    "spelled", "misspelled", "bestseller", "storyteller", "propeller", "recalled", "eyeballing",
    "unwilling", "yelled", "excellent", "programmed", "programmer", "exchequer", "organism",
    "realism", "vogue", "rogue", "league", "fence", "hence", "fenced", "license", "judge",
]  # fmt: skip

# Wrong merges accepted on purpose: two words the lists treat alike that now fold together
# without being a British/American pair. None at present; add one only with its reason.
ACCEPTED_WRONG_MERGES: set[frozenset[str]] = set()


def _plain(word: str) -> str:
    """Lowercase and strip accents, as the analyzer does before folding."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@pytest.fixture(scope="module")
def wordlists() -> tuple[set[str], set[str]]:
    """Load the American and British word lists, without possessives."""
    if not (AMERICAN.exists() and BRITISH.exists()):
        pytest.skip("Debian word lists absent: apt-get install wamerican wbritish")

    def load(path: Path) -> set[str]:
        return {_plain(w) for w in path.read_text(encoding="utf-8").split() if "'" not in w}

    return load(AMERICAN), load(BRITISH)


@pytest.mark.parametrize(("british", "american"), VARIANT_PAIRS)
def test_variant_pairs_meet(british: str, american: str) -> None:
    assert fold_variant(british) == fold_variant(american)


@pytest.mark.parametrize("word", KEEP)
def test_rules_leave_traps_alone(word: str) -> None:
    assert fold_variant(word) == word


def test_wordlists_merge_only_variant_pairs(wordlists: tuple[set[str], set[str]]) -> None:
    american, british = wordlists
    words = american | british
    groups: dict[str, set[str]] = defaultdict(set)
    for word in words:
        groups[fold_variant(word)].add(word)
    known = {frozenset(pair) for pair in VARIANT_PAIRS}
    merged, wrong = 0, set()
    for group in groups.values():
        for a, b in itertools.combinations(sorted(group), 2):
            merged += 1
            # A regional pair is one the lists disagree on: one list lacks one of the words
            # (colour/color, travelled/traveled). Two words both lists treat alike are a
            # wrong merge unless they are a known variant pair above.
            regional = (a in american, a in british) != (b in american, b in british)
            if not regional and frozenset((a, b)) not in known:
                wrong.add(frozenset((a, b)))
    changed = sum(fold_variant(word) != word for word in words)
    print(f"\n{len(words)} words, {changed} folded, {merged} pairs merged, {len(wrong)} wrong")
    assert wrong == ACCEPTED_WRONG_MERGES
    assert merged > 1700  # the fold still works: it once measured 1,816 pairs


def test_british_only_words_mostly_meet_american(wordlists: tuple[set[str], set[str]]) -> None:
    american, british = wordlists
    american_folds = {fold_variant(word) for word in american}
    alone = [word for word in british - american if fold_variant(word) not in american_folds]
    print(f"\n{len(alone)} of {len(british - american)} British-only words meet no American one")
    assert len(alone) < 0.05 * len(british - american)


@pytest.mark.parametrize(
    ("start", "pattern"),
    [
        ("organis", "organi?"),  # organize, organization, and still organism
        ("organisat", "organi?at"),
        ("realis", "reali?"),  # realize, and still realism, realistic
        ("colou", "colo?"),
        ("colour", "color"),
        ("behavio", "behavio"),
        ("behaviou", "behavio?"),
        ("catalogu", "catalog"),
        ("travell", "travel?"),
        ("spell", "spell"),
        ("advis", "advis"),
        ("anaes", "anes"),
        ("oest", "estr"),
        ("tyre", "t?re"),
        ("gre", "gre"),  # too short to guess grey
    ],
)
def test_fold_fragment(start: str, pattern: str) -> None:
    assert fold_fragment(start) == pattern


def _matches(pattern: str, word: str) -> bool:
    """Tell whether a word starts with a pattern of letters and `?`."""
    return len(word) >= len(pattern) and all(p in ("?", c) for p, c in zip(pattern, word))


def test_prefixes_find_folded_words(wordlists: tuple[set[str], set[str]]) -> None:
    american, british = wordlists
    words = american | british
    changed = {word for word in words if fold_variant(word) != word}
    # Words at risk: those the fold changes, and those sharing their first five letters.
    risky_starts = {word[:5] for word in changed}
    at_risk = sorted(word for word in words if word[:5] in risky_starts)
    misses = [
        (word[:k], word)
        for word in at_risk
        for k in range(4, len(word) + 1)
        if not _matches(fold_fragment(word[:k]), fold_variant(word))
    ]
    # Known misses: a start that stops two letters or more short of the end of a letter
    # group ("mousta" of moustache, "aeti" of aetiology) is not guessed.
    print(f"\n{len(at_risk)} words at risk, {len(misses)} of their starts miss")
    assert len(misses) < 250, misses[:20]
