"""Display names: the one place that says how a name is cleaned, compared and
refused, so that no member can pass for another person or for staff.

- `normalise`: NFKC (full-width and styled letters become plain ones), no
  invisible characters (zero-width, bidirectional controls, other format
  characters, fillers), whitespace collapsed.
- `mixes_scripts`: letters of scripts that are not used together in one name
  (Unicode TR39's "highly restrictive" level: one script, or Latin with
  Han and Japanese kana, Bopomofo or Hangul), as in "Nurse Ηazel" with a
  Greek Eta or "Dr Аsh" with a Cyrillic A.
- `skeleton`: TR39's confusable skeleton (each character replaced by the one
  it is drawn like; "I" and "l", "0" and "O", Cyrillic "а" and Latin "a"
  become one), case folded: two names with the same skeleton look alike, and
  the stored skeleton is unique (User.display_name_skeleton).
- `claims_role`: a word that claims a role (nurse, doctor, moderator, NHS,
  staff, Harbour, and their Welsh), which members may not use.

The confusables and scripts come from Unicode's data as the
confusable-homoglyphs package ships it.
"""

import functools
import re
import unicodedata

from confusable_homoglyphs import categories, confusables

# Characters that draw nothing but change what is shown or how it compares.
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u034f\u17b4\u17b5\u180e")
VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# Scripts that may be mixed in one name (TR39 5.2, highly restrictive).
NEUTRAL_SCRIPTS = frozenset({"COMMON", "INHERITED", "UNKNOWN"})
ALLOWED_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
# Words that claim a role, in English and Welsh.
ROLE_WORDS = frozenset(
    {
        "nurse",
        "doctor",
        "dr",
        "clinician",
        "moderator",
        "mod",
        "admin",
        "administrator",
        "nhs",
        "staff",
        "harbour",
        "nyrs",
        "meddyg",
        "clinigydd",
        "cymedrolwr",
        "gweinyddwr",
        "gig",
    }
)
# Role words long enough to be read at the start or end of a joined name
# ("nurseash", "ashthemoderator"); short ones ("dr", "mod", "gig") and
# "staff" (Staffordshire) start too many ordinary words.
JOINABLE_ROLE_WORDS = tuple(
    sorted(w for w in ROLE_WORDS if len(w) >= 5 and w != "staff")
)
# Ordinary words that start or end like a role word.
NOT_JOINED_ROLE_WORDS = frozenset({"nursery", "nurseries", "doctoral", "doctorate"})
# Digits and signs written for letters ("Adm1n", "St4ff").
LEET = str.maketrans("013457@$!|", "oieastasil")
# Where one word of a name ends and the next starts: not a letter or digit,
# a lower-case letter before a capital ("DrAsh"), a letter next to a digit.
WORD_BREAK = re.compile(r"[^\w]|_|(?<=[a-z])(?=[A-Z])")


def normalise(value: str) -> str:
    """The name as stored and shown: NFKC, invisible characters removed,
    runs of whitespace made one space, no space at either end."""
    value = unicodedata.normalize("NFKC", value or "")
    value = VARIATION_SELECTORS.sub("", value)
    value = "".join(
        ch
        for ch in value
        if ch not in FILLERS and unicodedata.category(ch) not in {"Cf", "Cc"}
    )
    return " ".join(value.split())


def scripts_of(value: str) -> frozenset[str]:
    """The scripts of the letters of `value` (digits, spaces, punctuation and
    combining marks belong to none)."""
    return frozenset(categories.unique_aliases(value)) - NEUTRAL_SCRIPTS


def mixes_scripts(value: str) -> bool:
    """True when `value` mixes scripts a name does not mix (TR39, highly
    restrictive): Latin with Greek or Cyrillic, for example."""
    scripts = scripts_of(value)
    if len(scripts) <= 1:
        return False
    return not any(scripts <= allowed for allowed in ALLOWED_MIXES)


@functools.cache
def _prototypes() -> dict[str, str]:
    """Each confusable character -> the prototype it is drawn like.

    Unicode's confusables.txt maps every source character to one prototype,
    and no prototype is itself a source, so its pairs form stars: one
    prototype with its sources. The package keeps the pairs without their
    direction; the prototype of each star is the one string of several
    characters in it ("m" -> "rn"), else the one paired most often. A star of
    two single characters has no telling which is which, and either serves:
    both get the same skeleton."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def bare(text: str) -> str:
        # Right-to-left characters come wrapped in direction marks.
        return text.replace("\u200e", "").replace("\u200f", "")

    degree: dict[str, int] = {}
    for key, pairs in confusables.confusables_data.items():
        char = bare(key)
        for pair in pairs:
            other = bare(pair["c"])
            if not char or not other or other == char:
                continue
            degree[char] = degree.get(char, 0) + 1
            degree[other] = degree.get(other, 0) + 1
            parent[find(char)] = find(other)
    stars: dict[str, list[str]] = {}
    for node in degree:
        stars.setdefault(find(node), []).append(node)
    prototypes = {}
    for nodes in stars.values():
        prototype = min(
            nodes,
            key=lambda n: (len(n) == 1, -degree[n], not n.isascii(), n),
        )
        for node in nodes:
            if len(node) == 1 and node != prototype:
                prototypes[node] = prototype
    return prototypes


def _drawn_as(value: str) -> str:
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", value)
    mapped = "".join(prototypes.get(ch, ch) for ch in decomposed)
    return unicodedata.normalize("NFD", mapped)


def skeleton(value: str) -> str:
    """What `value` looks like: its TR39 skeleton, case folded, and the
    skeleton of that (so "IL", "Il" and "ll" are one), without spaces at the
    ends. Equal skeletons mean names a reader could take for each other."""
    return _drawn_as(_drawn_as(normalise(value)).casefold()).strip()


def words_of(value: str) -> list[str]:
    """The words of a name, split where a reader sees them split."""
    return [word for word in WORD_BREAK.split(value) if word]


@functools.cache
def _role_skeletons() -> frozenset[str]:
    return frozenset(skeleton(word) for word in ROLE_WORDS)


def claims_role(value: str) -> bool:
    """True when a word of `value` is a role word, read as written, with
    digits for letters ("Adm1n") or drawn alike ("Nurѕe")."""
    for word in words_of(normalise(value)):
        folded = word.casefold()
        if folded in ROLE_WORDS or folded.translate(LEET) in ROLE_WORDS:
            return True
        if skeleton(word) in _role_skeletons():
            return True
        if _joined_with_role(folded) or _joined_with_role(folded.translate(LEET)):
            return True
    return False


def _joined_with_role(word: str) -> bool:
    """True when `word` starts or ends with a long role word ("nurseash"),
    not counting an ordinary word it starts with ("nurserymum")."""
    for ordinary in NOT_JOINED_ROLE_WORDS:
        if word.startswith(ordinary):
            word = word[len(ordinary) :]
            if word in ROLE_WORDS:
                return True
    return any(
        word != role and (word.startswith(role) or word.endswith(role))
        for role in JOINABLE_ROLE_WORDS
    )
