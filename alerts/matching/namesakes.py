"""Telling the watched person from a namesake: the words around a surname decide."""
from __future__ import annotations

from alerts.matching.names import is_given_name, looks_like_patronymic
from alerts.matching.normalize import Words
from alerts.matching.variants import PersonForms

_REJECT = "reject"
_OPENERS = "\"'«»“”„‘’‹›([{—–-*•"
_SENTENCE_ENDS = ".!?…"
_HYPHENS = ("-", "‐", "‑")
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_APOSTROPHES = ("'", "’")
_OBLIQUE_CASES = ("genitive", "accusative", "dative", "instrumental", "prepositional")


def _soft(gap: str) -> bool:
    return gap.replace("\u200b", " ").isspace()


def _initial_gap(gap: str) -> bool:
    return gap.strip() == "." and not gap[0].isspace()


def _capitalised(word: str) -> bool:
    return word.lstrip(_INVISIBLE)[:1].isupper()


# Abbreviated titles that look like initials: Dr. Orlov, M. Orlov (monsieur), Me Orlov (maître).
_TITLES = {"M", "Dr", "Mr", "Ms", "Mrs", "St", "Jr", "Sr", "Fr", "Hr", "Me", "Pr", "Mt", "Gl"}


def _is_initial(word: str) -> bool:
    """O, Yu, Ю: one capital letter, or a capital and a small letter that romanise one Cyrillic letter."""
    if word in _TITLES:
        return False
    return (len(word) == 1 and word.isupper()) or (len(word) == 2 and word[0].isupper() and word[1].islower())


def _sentence_initial(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and (text[k].isspace() or text[k] in _OPENERS):
        if text[k] == "\n":
            return True
        k -= 1
    return k < 0 or text[k] in _SENTENCE_ENDS


def possessive_end(words: Words, last: int) -> tuple[int, bool]:
    """End offset of word `last`, taking in an English possessive ("Markelov's")."""
    nxt = last + 1
    if nxt < len(words.keys) and words.keys[nxt] == "s" and words.gap(nxt) in _APOSTROPHES:
        return words.ends[nxt], True
    return words.ends[last], False


class PersonContext:
    """Looks around a surname for the watched given name, patronymic or initials, or a namesake."""

    def __init__(self, forms: PersonForms):
        self.forms = forms

    def resolve(self, words: Words, first: int, last: int, rule: str, pattern: str):
        """(start, end, rule) of the mention, or None when the surname is not the watched person."""
        count = len(words.keys)
        if first > 0 and words.gap(first) in _HYPHENS and _capitalised(words.word(first - 1)):
            return None  # part of another double surname: Orlov-Davydov
        if last + 1 < count and words.gap(last + 1) in _HYPHENS and _capitalised(words.word(last + 1)):
            return None
        before = self._before(words, first)
        if before == _REJECT:
            return None
        if before:
            start, context = before
            end, possessive = possessive_end(words, last)
            return words.starts[start], end, f"{rule}, {context}" + (", English possessive" if possessive else "")
        after = self._after(words, last, _oblique(rule))
        if after == _REJECT:
            return None
        if after:
            end, context = after
            return words.starts[first], end, f"{rule}, {context}"
        if not _capitalised(words.word(first)):
            return None
        if pattern in self.forms.common_surnames and _sentence_initial(words.text, words.starts[first]):
            return None  # "Мороз ударил": an everyday word opening a sentence
        end, possessive = possessive_end(words, last)
        return words.starts[first], end, f"{rule}, alone" + (", English possessive" if possessive else "")

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

    def _is_namesake(self, word: str) -> bool:
        return _capitalised(word) and is_given_name(word)

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
            if looks_like_patronymic(words.word(i)) and i > 0 and _soft(words.gap(i)):
                given = self._given_ending_at(words, i - 1)
                if given:
                    if self._patronymic_mismatch(words.keys[i]):
                        return _REJECT
                    return given[0], "with given name and patronymic"
                if self._is_namesake(words.word(i - 1)):
                    return _REJECT
            if self._is_namesake(words.word(i)):
                return _REJECT
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
                return _REJECT
            if (len(initials) > 1 and self.forms.patronymics is not None
                    and not self._initial_matches(words.keys[initials[1]], self.forms.patronymic_initial_sources)):
                return _REJECT
            return initials[0], "with initials"
        return None

    def _after(self, words: Words, last: int, oblique: bool = False):
        j = last + 1
        count = len(words.keys)
        if j >= count:
            return None
        gap = words.gap(j)
        if _soft(gap) or gap.strip() == ",":
            given = self._given_starting_at(words, j)
            if given:
                end, label = given
                context = "surname first, with given name" + (f" ({label})" if label else "")
                if end + 1 < count and _soft(words.gap(end + 1)) and looks_like_patronymic(words.word(end + 1)):
                    if self._patronymic_mismatch(words.keys[end + 1]):
                        return _REJECT
                    end += 1
                    context = "surname first, with given name and patronymic"
                return words.ends[end], context
        if not _soft(gap):
            return None
        word = words.word(j)
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
                return _REJECT
            if (len(initials) > 1 and self.forms.patronymics is not None
                    and not self._initial_matches(words.keys[initials[1]], self.forms.patronymic_initial_sources)):
                return _REJECT
            return words.ends[initials[-1]] + 1, "surname first, with initials"
        if self._is_namesake(word):
            if oblique and _begins_full_name(words, j):
                return None  # «соратник Навального Иван Жданов»: the given name is another person's
            return _REJECT
        return None


def _oblique(rule: str) -> bool:
    """The surname form found can only be an oblique case (Навального, Nawalnys), never a nominative."""
    return "nominative" not in rule and any(case in rule for case in _OBLIQUE_CASES)


def _begins_full_name(words: Words, j: int) -> bool:
    """Word `j`, a given name, is followed by a capitalised word that is no patronymic or initial: the two
    are a person's name of their own. A surname-first name goes on with a patronymic, if anything; so
    a surname in an oblique case before them stands alone, as in «соратница Навального Любовь Соболь»."""
    k = j + 1
    if k >= len(words.keys) or not _soft(words.gap(k)):
        return False
    word = words.word(k)
    return _capitalised(word) and not _is_initial(word) and not looks_like_patronymic(word)
