"""Telling the watched person from a namesake: the words around a surname decide."""
from __future__ import annotations

from functools import lru_cache

from alerts.matching.chinese import HAN_RE
from alerts.matching.inflect import is_known_word
from alerts.matching.names import EQUIVALENT_GIVEN, is_given_name, looks_like_patronymic
from alerts.matching.normalize import Words, is_cyrillic, light_fold
from alerts.matching.origins import ARABIC, CHINESE, VIETNAMESE
from alerts.matching.surroundings import han_surname_stands_alone, names_a_place, starts_another_name, suffix_end
from alerts.matching.variants import PersonForms

_REJECT = "reject"
_OPENERS = "\"'«»“”„‘’‹›([{—–-*•"
_SENTENCE_ENDS = ".!?…"
_HYPHENS = ("-", "‐", "‑")
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_OBLIQUE_CASES = ("genitive", "accusative", "dative", "instrumental", "prepositional")


def _soft(gap: str) -> bool:
    """Words of one name: spaces, or nothing (Chinese characters), or the middle dot of 伊力哈木·土赫提."""
    return gap == " " or gap == "" or gap.replace("\u200b", " ").isspace() or gap in ("·", "・", "‧")


def _initial_gap(gap: str) -> bool:
    return gap.strip() == "." and not gap[0].isspace()


def _capitalised(word: str) -> bool:
    return word.lstrip(_INVISIBLE)[:1].isupper()


def _uncased(word: str) -> bool:
    """Arabic, Persian and Chinese letters have no capitals to tell a name by."""
    first = word.lstrip(_INVISIBLE)[:1]
    return bool(first) and first.isalpha() and not first.isupper() and not first.islower()


# Abbreviated titles that look like initials: Dr. Orlov, M. Orlov (monsieur), Me Orlov (maître).
_TITLES = {"M", "Dr", "Mr", "Ms", "Mrs", "St", "Jr", "Sr", "Fr", "Hr", "Me", "Pr", "Mt", "Gl"}
_ARABIC_ARTICLES = {"al", "el", "ad", "ar", "as", "ash", "at", "az", "an"}
_ARTICLES = {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "einem", "the", "le", "la", "les",
             "el", "los", "las", "un", "une", "una", "il", "lo", "o", "a", "os", "as"}
# Capitalised words before a surname that are no given name: titles and honorifics.
_HONORIFICS = {"President", "Minister", "Premier", "Sheikh", "Sheikha", "Imam", "Judge", "Professor", "Prof",
               "Dr", "Mr", "Mrs", "Ms", "Miss", "Madame", "Monsieur", "Herr", "Frau", "Señor", "Señora", "Don",
               "Doña", "Pan", "Pani", "Bay", "Bayan", "Ông", "Bà", "Anh", "Chị", "Cô", "Sayyid", "Shaikh"}


def single_letter_word(word: str) -> bool:
    """One letter of a script with capitals (I, O, У): a Chinese character alone is a surname."""
    letter = word.lstrip(_INVISIBLE)
    return len(letter) == 1 and not _uncased(letter)


def _is_initial(word: str) -> bool:
    """O, Yu, Ю: one capital letter, or a capital and a small letter that romanise one Cyrillic letter."""
    if word in _TITLES:
        return False
    return (len(word) == 1 and word.isupper()) or (len(word) == 2 and word[0].isupper() and word[1].islower())


def sentence_initial(text: str, pos: int) -> bool:
    """The word at `pos` opens a sentence or a line (quotes and brackets before it aside)."""
    k = pos - 1
    while k >= 0 and (text[k].isspace() or text[k] in _OPENERS):
        if text[k] == "\n":
            return True
        k -= 1
    return k < 0 or text[k] in _SENTENCE_ENDS


class PersonContext:
    """Looks around a surname for the watched given name, patronymic or initials, or a namesake."""

    def __init__(self, forms: PersonForms):
        self.forms = forms
        self.why = ""  # why the last surname found was not taken for the person, for `--explain`

    def _no(self, why: str) -> None:
        self.why = why
        return None

    def _reject(self, why: str) -> str:
        self.why = why
        return _REJECT

    def resolve(self, words: Words, first: int, last: int, rule: str, pattern: str):
        """(start, end, rule, weak) of the mention, or None when the surname is not the watched person.

        A weak mention (a lone surname in a script without capitals, a lone Chinese surname) counts
        only after a full mention of the same person earlier in the text.
        """
        count = len(words.keys)
        if first > 0 and words.gap(first) in _HYPHENS and _capitalised(words.word(first - 1)):
            # Orlov-Davydov
            return self._no("joined by a hyphen to another capitalised word: part of another double surname")
        if last + 1 < count and words.gap(last + 1) in _HYPHENS and _capitalised(words.word(last + 1)):
            return self._no("joined by a hyphen to another capitalised word: part of another double surname")
        before = self._before(words, first)
        if before == _REJECT:
            return None  # self.why says which
        if before:
            start, context = before
            end, suffix, _ = suffix_end(words, last)
            return self._checked(words, words.starts[start], end, f"{rule}, {context}" + (f", {suffix}" if suffix else ""))
        after = self._after(words, last, _oblique(rule))
        if after == _REJECT:
            return None  # self.why says which
        if after:
            end, context = after
            return self._checked(words, words.starts[first], end, f"{rule}, {context}")
        return self._alone(words, first, last, rule, pattern)

    def resolve_unnamed(self, around: "Neighbours", rule: str, pattern: str):
        """What `resolve` finds for a capitalised surname with none of the person's given names or initials
        beside it (Matcher._people_at knows): only the checks that can still fail, on the words around it
        read once for all the people found at the place (`around`), without saying why."""
        if around.taken:
            return None  # part of a double surname or of another person's name
        forms = self.forms
        if around.unknown_given_name_inside_sentence and self._named_given_name_first():
            return None
        if around.namesake_after and not (_oblique(rule) and around.full_name_after()):
            return None
        words, first, last = around.words, around.first, around.last
        if forms.origin == ARABIC and first > 0 and words.keys[first - 1] in _ARABIC_ARTICLES \
                and words.gap(first) in _HYPHENS + (" ",):
            return None
        # _alone's "alone and not capitalised" cannot fail: _people_at calls this for capitalised words only.
        if around.single_letter or pattern in forms.place_surnames:
            return None
        if pattern in forms.common_surnames and sentence_initial(words.text, words.starts[first]):
            return None
        if around.place_if_genitive if "genitive" in rule else around.place_or_date:
            return None
        if forms.second_surname and around.capitalised_follows:
            return None  # not this person's second surname: those are resolved one by one
        weak = around.uncased
        if forms.surname_first or forms.origin == ARABIC:
            if forms.surname_first:
                weak = True
            if HAN_RE.match(around.word) and not han_surname_stands_alone(words, last):
                return None
            if not around.uncased and self._capitalised_word_follows(words, last):
                return None
            if starts_another_name(words, last):
                return None
        # Characters of a person whose aliases give them are resolved one by one: these are read as pinyin.
        return words.starts[first], around.end, f"{rule}, alone{around.labels}", weak

    def _alone(self, words: Words, first: int, last: int, rule: str, pattern: str):
        forms = self.forms
        word = words.word(last)
        if forms.origin == ARABIC and first > 0 and words.keys[first - 1] in _ARABIC_ARTICLES \
                and words.gap(first) in _HYPHENS + (" ",):
            return self._no("the form with its article is tried on its own")  # the form with its article is tried on its own: Maryam al-Khawaja
        uncased = _uncased(word)
        if not uncased and not (_capitalised(word) or any(_capitalised(words.word(k)) for k in range(first, last))):
            return self._no("alone and not capitalised")
        if first == last and single_letter_word(word):
            return self._no("alone, a single letter")  # the English I, a list's A and B: Korean I or O needs a given name
        if pattern in forms.place_surnames:
            return self._no("alone, the name of a place")  # России from Rossi read as Россий
        if pattern in forms.common_surnames and sentence_initial(words.text, words.starts[first]):
            return self._no("alone, an everyday word opening a sentence")  # "Мороз ударил": an everyday word opening a sentence
        end, suffix, locative = suffix_end(words, last)
        if locative or (suffix != "English possessive" and names_a_place(words, first, last, rule)):
            return self._no("alone, the words around it make it a place or a date")  # in Kavala, Kavala'da, the port of Kavala, شهر رجب: a place or a month
        if forms.second_surname and self._another_surname_follows(words, last):
            return self._no("alone, followed by another surname: another person with the same first surname")  # Otero Pérez: another person with the same first surname
        weak = uncased
        if forms.surname_first or forms.origin == ARABIC:
            if forms.surname_first:
                weak = True
            if HAN_RE.match(word) and not han_surname_stands_alone(words, last):
                return self._no("a Chinese surname alone inside a word or before another given name")
            if not uncased and self._capitalised_word_follows(words, last):
                return self._no("alone, followed by a capitalised word: part of another person's name")  # Liu Xia, Mansoor Ahmed: the surname is part of another person's name
            if starts_another_name(words, last):
                return self._no("alone, followed by another family name: part of another person's name")  # Abdel Fattah el-Sisi, عبد الفتاح السيسي
        found = self._checked(words, words.starts[first], end, f"{rule}, alone" + (f", {suffix}" if suffix else ""))
        return found and found[:3] + (weak,)

    def _checked(self, words: Words, start: int, end: int, rule: str):
        """The mention, unless it is in Chinese characters that differ from the ones the aliases give."""
        text = words.text[start:end]
        if not HAN_RE.search(text):
            return start, end, rule, False
        if self.forms.han_spellings:
            written = "".join(c for c in text if HAN_RE.match(c))
            if written not in self.forms.han_spellings:
                return self._no("written in other characters than the alias")  # 徐志勇 reads as Xu Zhiyong but is written otherwise
            rule += ", as the alias writes it"
        else:
            rule += ", characters read as pinyin"
        return start, end, rule, False

    def _another_surname_follows(self, words: Words, last: int) -> bool:
        j = last + 1
        return (j < len(words.keys) and _soft(words.gap(j)) and _capitalised(words.word(j))
                and words.keys[j] != self.forms.second_surname)

    @staticmethod
    def _capitalised_word_follows(words: Words, last: int) -> bool:
        j = last + 1
        if j >= len(words.keys) or not _soft(words.gap(j)):
            return False
        word = words.word(j)
        return _capitalised(word) and not _is_initial(word) and len(word) > 1

    def _given_ending_at(self, words: Words, i: int):
        for keys, label in self.forms.given.by_last.get(words.keys[i], ()):
            start = i - len(keys) + 1
            if start >= 0 and tuple(words.keys[start:i + 1]) == keys and all(
                    _soft(words.gap(k)) or words.gap(k) in _HYPHENS for k in range(start + 1, i + 1)):
                return start, label
        return None

    def _given_starting_at(self, words: Words, i: int):
        for keys, label in self.forms.given.by_first.get(words.keys[i], ()):
            end = i + len(keys) - 1
            if end < len(words.keys) and tuple(words.keys[i:end + 1]) == keys and all(
                    _soft(words.gap(k)) or words.gap(k) in _HYPHENS for k in range(i + 1, end + 1)):
                return end, label
        return None

    def _patronymic_mismatch(self, key: str) -> bool:
        return self.forms.patronymics is not None and key not in self.forms.patronymics

    @staticmethod
    def _initial_matches(key: str, sources: tuple[str, ...]) -> bool:
        return any(source.startswith(key) for source in sources)

    def _unknown_given_name(self, words: Words, i: int) -> bool:
        for_anyone, inside_a_sentence = _unknown_given_name(words, i)
        return for_anyone or inside_a_sentence and self._named_given_name_first()

    def _named_given_name_first(self) -> bool:
        """An unknown capitalised word before the surname, inside a sentence, is taken for the given name of
        a person of these traditions (see _unknown_given_name)."""
        return self.forms.origin in (ARABIC, CHINESE, VIETNAMESE) or bool(self.forms.second_surname)

    @staticmethod
    def _is_namesake(word: str) -> bool:
        if _uncased(word):
            return not HAN_RE.match(word) and is_given_name(word)
        if not _capitalised(word):
            return False
        return is_given_name(word)

    @staticmethod
    def _unknown_cyrillic_name(words: Words, i: int) -> bool:
        """A capitalised Cyrillic word inside a sentence that neither dictionary knows, right before the
        surname, is someone's given name (Тофиг Орлов)."""
        word = words.word(i)
        if not (is_cyrillic(word) and _capitalised(word) and len(word) > 2) or looks_like_patronymic(word):
            return False
        if sentence_initial(words.text, words.starts[i]) or word.isupper():
            return False
        if is_known_word(word.lower()):
            return False
        from alerts.matching.slavic import is_ukrainian_word
        return not is_ukrainian_word(word)

    def _before(self, words: Words, first: int):
        i = first - 1
        if i < 0:
            return None
        gap = words.gap(first)
        if _soft(gap):
            given = self._given_ending_at(words, i)
            if given:
                start, label = given
                return start, "with given name" + (f" ({label})" if label else "")
            word = words.word(i)
            if looks_like_patronymic(word) and i > 0 and _soft(words.gap(i)):
                given = self._given_ending_at(words, i - 1)
                if given:
                    if self._patronymic_mismatch(words.keys[i]):
                        return self._reject("another patronymic")
                    return given[0], "with given name and patronymic"
                if self._is_namesake(words.word(i - 1)):
                    return self._reject("another person's given name and patronymic before it")
            if word[:1].islower():
                return None  # no given name of anyone, known or not, in the checks below
            if self._is_namesake(word) or self._unknown_cyrillic_name(words, i):
                return self._reject("another person's given name before it")
            if self._unknown_given_name(words, i):
                return self._reject("another person's given name before it")
            return None
        if _initial_gap(gap) and _is_initial(words.word(i)):
            initials = [i]
            k = i - 1
            while k >= 0 and len(initials) < 3 and _initial_gap(words.gap(k + 1)) and _is_initial(words.word(k)):
                initials.insert(0, k)
                k -= 1
            if len(initials) == 1 and k >= 0 and _soft(words.gap(initials[0])):
                given = self._given_ending_at(words, k)
                if given:
                    return given[0], "with given name and initial"
            if not self._initial_matches(words.keys[initials[0]], self.forms.given.initial_sources):
                return self._reject("another person's initial")
            if (len(initials) > 1 and self.forms.patronymics is not None
                    and not self._initial_matches(words.keys[initials[1]], self.forms.patronymic_initial_sources)):
                return self._reject("another person's initials")
            return initials[0], "with initials"
        return None

    def _after(self, words: Words, last: int, oblique: bool = False):
        j = last + 1
        count = len(words.keys)
        if j >= count:
            return None
        gap = words.gap(j)
        # Arabic and Persian names are not turned round in running text: "Mansoor Ahmed" is another man,
        # unless a comma or capitals say the surname comes first.
        turned = gap.strip() == "," or words.word(last).isupper() or self.forms.origin != ARABIC
        soft = _soft(gap)
        if (soft or gap.strip() == ",") and turned:
            given = self._given_starting_at(words, j)
            if given:
                end, label = given
                context = "surname first, with given name" + (f" ({label})" if label else "")
                if end + 1 < count and _soft(words.gap(end + 1)) and looks_like_patronymic(words.word(end + 1)):
                    if self._patronymic_mismatch(words.keys[end + 1]):
                        return self._reject("another patronymic")
                    end += 1
                    context = "surname first, with given name and patronymic"
                return words.ends[end], context
        if not soft:
            return None
        word = words.word(j)
        if word[:1].islower():
            return None  # neither an initial nor a given name in the checks below
        text = words.text
        if _is_initial(word) and text[words.ends[j]:words.ends[j] + 1] == ".":
            initials = [j]
            k = j + 1
            while (k < count and len(initials) < 3 and _is_initial(words.word(k))
                   and (_initial_gap(words.gap(k)) or words.gap(k) == ". ")
                   and text[words.ends[k]:words.ends[k] + 1] == "."):
                initials.append(k)
                k += 1
            if not self._initial_matches(words.keys[j], self.forms.given.initial_sources):
                return self._reject("another person's initial")
            if (len(initials) > 1 and self.forms.patronymics is not None
                    and not self._initial_matches(words.keys[initials[1]], self.forms.patronymic_initial_sources)):
                return self._reject("another person's initials")
            return words.ends[initials[-1]] + 1, "surname first, with initials"
        if self._is_namesake(word):
            if oblique and (_begins_full_name(words, j) or _nominative_given(words, j, words.word(last))):
                return None  # «соратник Навального Иван Жданов», «жонка Бяляцкага Наталля»: another person
            return self._reject("another person's given name after it")
        return None


class Neighbours:
    """What the words around a capitalised surname found say about anyone who bears it and has none of
    their given names or initials beside it, for PersonContext.resolve_unnamed: the checks of `resolve`
    that depend on the place alone."""

    __slots__ = ("words", "first", "last", "word", "taken", "unknown_given_name_inside_sentence",
                 "namesake_after", "end", "labels", "place_or_date", "place_if_genitive", "capitalised_follows",
                 "uncased", "single_letter")

    def __init__(self, words: Words, first: int, last: int):
        self.words, self.first, self.last = words, first, last
        text, keys, starts, ends = words.text, words.keys, words.starts, words.ends
        i, j = first - 1, last + 1
        gap_before = text[ends[i]:starts[first]] if i >= 0 else None
        gap_after = text[ends[last]:starts[j]] if j < len(keys) else None
        self.taken = (gap_before in _HYPHENS and _capitalised(words.word(i))
                      or gap_after in _HYPHENS and _capitalised(words.word(j)))
        if self.taken:
            return  # nothing else is read
        self.unknown_given_name_inside_sentence = False
        if gap_before is not None and (gap_before == " " or _soft(gap_before)):  # what _before finds
            before = text[starts[i]:ends[i]]
            if i > 0 and _soft(words.gap(i)) and looks_like_patronymic(before):
                self.taken = PersonContext._is_namesake(words.word(i - 1))
            if not self.taken and not before[:1].islower():
                self.taken = PersonContext._is_namesake(before) or PersonContext._unknown_cyrillic_name(words, i)
                if not self.taken:
                    self.taken, self.unknown_given_name_inside_sentence = _unknown_given_name(words, i)
            if self.taken:
                return
        # What _after finds with no given name or initial of theirs: an initial would have been seen.
        after = text[starts[j]:ends[j]] if gap_after is not None and (gap_after == " " or _soft(gap_after)) else ""
        self.namesake_after = not after[:1].islower() and PersonContext._is_namesake(after)
        self.capitalised_follows = _capitalised(after)
        self.word = text[starts[last]:ends[last]]
        self.uncased = _uncased(self.word)
        self.single_letter = first == last and single_letter_word(self.word)
        self.end, suffix, locative = suffix_end(words, last)
        near_a_place = suffix != "English possessive"
        self.place_or_date = locative or near_a_place and names_a_place(words, first, last)
        # names_a_place takes "из" for "from" before a genitive only (из Кавалы).
        self.place_if_genitive = self.place_or_date or (near_a_place and i >= 0 and keys[i] == "из"
                                                        and names_a_place(words, first, last, "genitive"))
        self.labels = (f", {suffix}" if suffix else "") + (
            ", characters read as pinyin" if HAN_RE.search(text, starts[first], self.end) else "")

    def full_name_after(self) -> bool:
        """The given name after the surname begins another person's name (see PersonContext._after)."""
        j = self.last + 1
        return _begins_full_name(self.words, j) or _nominative_given(self.words, j, self.word)


@lru_cache(maxsize=4096)  # a few hundred rules, asked about at every lone surname
def _oblique(rule: str) -> bool:
    """The surname form found can only be an oblique case (Навального, Nawalnys), never a nominative."""
    return "nominative" not in rule and any(case in rule for case in _OBLIQUE_CASES)


def _unknown_given_name(words: Words, i: int) -> tuple[bool, bool]:
    """Whether a capitalised word before the surname that no list knows may still be a given name: of
    anyone (Berta Zúniga Cáceres: a given name before it), and of a person of a region whose people are
    named given name first, as it is inside a sentence (Milad Mohammadi)."""
    word = words.word(i)
    if not _capitalised(word) or _is_initial(word) or word.isupper() or is_cyrillic(word) or word in _HONORIFICS:
        return False, False
    if i > 0 and _soft(words.gap(i)) and _capitalised(words.word(i - 1)) and is_given_name(words.word(i - 1)) \
            and not looks_like_patronymic(word):
        return True, True
    # After a lower-case word ("footballer Milad Mohammadi"), not after an article, which makes it a
    # noun ("Die Anwältin Sotoudeh").
    if sentence_initial(words.text, words.starts[i]) or i == 0:
        return False, False
    return False, not _capitalised(words.word(i - 1)) and words.word(i - 1).lower() not in _ARTICLES


def _nominative_given(words: Words, j: int, surname: str) -> bool:
    """Word `j` is a Cyrillic given name in the nominative (the table of equivalents holds nominatives
    only): it does not agree with a surname in an oblique case before it. With a patronymic after it,
    only when the surname cannot be a woman's nominative either (Беляцкого, not Каляпина)."""
    word = words.word(j)
    if not is_cyrillic(word) or light_fold(word) not in EQUIVALENT_GIVEN:
        return False
    k = j + 1
    if k < len(words.keys) and _soft(words.gap(k)) and looks_like_patronymic(words.word(k)):
        return not surname.lower().endswith(("а", "я"))
    return True


def _begins_full_name(words: Words, j: int) -> bool:
    """Word `j`, a given name, is followed by a capitalised word that is no patronymic or initial: the two
    are a person's name of their own. A surname-first name goes on with a patronymic, if anything; so
    a surname in an oblique case before them stands alone, as in «соратница Навального Любовь Соболь»."""
    k = j + 1
    if k >= len(words.keys) or not _soft(words.gap(k)):
        return False
    word = words.word(k)
    return _capitalised(word) and not _is_initial(word) and not looks_like_patronymic(word)
