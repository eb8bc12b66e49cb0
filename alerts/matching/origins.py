"""Which naming tradition a watched name follows, and given names the Russian dictionary does not know."""
from __future__ import annotations

import re
import unicodedata

from alerts.matching.arabic import has_arabic, skeletons
from alerts.matching.chinese import HAN_RE, looks_chinese

ARABIC, CHINESE, VIETNAMESE = "arabic", "chinese", "vietnamese"

# Words that make a name Arabic: the article, Abd (servant of), Abu (father of), bin/ibn (son of).
_ARABIC_MARKERS = {"al", "el", "abd", "abdel", "abdul", "abdal", "abu", "abou", "bin", "ibn", "bint", "ould"}
_ARABIC_PREFIX_RE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an)-|^abd(?:el|ul|al|ou|u)?[a-z]{3,}$", re.IGNORECASE)

# Common given names of the Arab world and Iran in their usual Latin spellings (women after the bar).
_ARABIC_GIVEN_TEXT = """
abbas abdallah abdullah adel adnan ahmad ahmed akram alaa ali amer amin amir amr anas anwar ashraf ayman bader
bassem bilal fadi fahad faisal farid fawzi ghassan habib hadi hamad hamid hamza hani hassan hatem hesham hisham
hossein hussain hussein ibrahim imad isa ismail issa jamal jawad kamal karim khaled khalid mahmoud majid mansour
marwan mazen mehdi mohamed mohammad mohammed mohsen mostafa muhammad mustafa nabeel nabil nader naji nasser omar
osama qasim rami rashid raif reza saeed said salah salem salman sami samir sayed sharif tamer tariq toomaj walid
yasser yousef youssef yusuf zaid zakaria ziad hamed majed morteza mojtaba jafar kaveh arash babak behrouz dariush
farhad hamid kourosh mehran navid omid payam peyman ramin saman siamak vahid
|
aisha alia amal amira asma aya basma dalia dina eman esraa fatima fatma ghada hala hanan hana hend huda iman
israa jamila khadija laila layla lina loujain lujain maryam mona nadia nawal noor nour rania rasha reem salma
samar sara sarah shaima yasmin zainab zahra zeinab narges nasrin sepideh shirin mahsa nazanin parisa roya
samira soheila fariba golrokh atena niloufar maryam mahienour sanaa esraa azza
"""
_MALE_TEXT, _, _FEMALE_TEXT = _ARABIC_GIVEN_TEXT.partition("|")
ARABIC_MALE = frozenset(_MALE_TEXT.split())
ARABIC_FEMALE = frozenset(_FEMALE_TEXT.split())
ARABIC_GIVEN = ARABIC_MALE | ARABIC_FEMALE

# Given names of other regions the forename list lacks, for telling namesakes apart.
OTHER_GIVEN = frozenset("""
selahattin taner eren nedim osman ahmet mehmet hakan ali ayse emine hasan halil suleyman recep kadir omer
yusuf ramazan ibrahim ismail mahmut canan sebnem nurcan sezgin gulsen figen ozgur ertugrul kemal
mustafa huseyin murat emre burak cem deniz zeynep pinar elif asli gokhan serkan ilhan tuncay necati yilmaz
zhiyong jiaxi quanzhang qiaochu xiaobo xia ming wei jun hong jian yan ling fang hua lei tao yong gang
doan trang van dai chi dung duy thuc thi hoa lan huong tuan minh quang hung nam son thanh hai ngoc
maykel lorent berta felix rolando luis manuel jose daniel rosa maria juan carlos jorge yoani rafael
""".split())

VIETNAMESE_SURNAMES = frozenset("""
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh trinh lam mai truong
""".split())


def _plain(word: str) -> str:
    if word.isascii():
        return word.lower()  # nothing to decompose; most names are plain ASCII
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def looks_vietnamese(words: list[str]) -> bool:
    """Three or more words opening with a common Vietnamese surname (Phạm Đoan Trang, Nguyen Van Dai)."""
    return len(words) >= 3 and _plain(words[0]) in VIETNAMESE_SURNAMES and all(w.isalpha() for w in words)


def looks_arabic(words: list[str]) -> bool:
    """A romanised Arabic or Persian name: an article, Abd or Abu, or a common Arabic or Persian given name."""
    plain = [_plain(w) for w in words]
    if any(w in _ARABIC_MARKERS or _ARABIC_PREFIX_RE.match(w) for w in plain):
        return True
    return bool(plain) and plain[0] in ARABIC_GIVEN


def name_origin(name: str, aliases: tuple[str, ...] = ()) -> str | None:
    """ARABIC, CHINESE or VIETNAMESE when a name follows that tradition; None for the rest."""
    if any(has_arabic(a) for a in (name, *aliases)):
        return ARABIC
    words = name.replace(",", " ").split()
    if looks_chinese([_plain(w) for w in words]) or HAN_RE.search(name):
        return CHINESE
    if looks_vietnamese(words):
        return VIETNAMESE
    if looks_arabic(re.split(r"[\s-]+", name)):
        return ARABIC
    return None


_ARABIC_GIVEN_KEYS: frozenset[str] | None = None


def is_arabic_script_given_name(key: str) -> bool:
    """True when an Arabic-script word key is the key of a common Arabic or Persian given name."""
    global _ARABIC_GIVEN_KEYS
    if _ARABIC_GIVEN_KEYS is None:
        _ARABIC_GIVEN_KEYS = frozenset(k for name in ARABIC_GIVEN for k in skeletons(name)[:6] if len(k) >= 3)
    return key in _ARABIC_GIVEN_KEYS


def is_other_given_name(folded: str) -> bool:
    from alerts.matching.slavic import LATIN_GIVEN

    return folded in OTHER_GIVEN or folded in ARABIC_GIVEN or folded in LATIN_GIVEN
