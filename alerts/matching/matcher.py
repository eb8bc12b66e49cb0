"""The matcher: finds watched people and keywords in text, in any script, spelling and case."""
from __future__ import annotations

import gc
from array import array
from collections import defaultdict
from itertools import accumulate, chain, repeat
from operator import itemgetter
from typing import Iterable

import ahocorasick

from alerts.matching.chinese import HAN_RE
from alerts.matching.namesakes import _INVISIBLE, Neighbours, PersonContext, sentence_initial, single_letter_word
from alerts.matching.normalize import Words, light_fold, split_words
from alerts.matching.surroundings import suffix_end
from alerts.matching.variants import KeywordForms, PersonForms, build_keyword, build_person, release_caches
from crawler.core.terms import KEYWORD, Mention, Term

_NONE: frozenset = frozenset()
_new_object = object.__new__
# pyahocorasick finds the child of a node by a linear scan of its children, in the order they were added,
# and after every space of the scanned keys that scan runs over the first letters of all the watched
# names (over 150 at 10,000 names of many countries). Patterns are added so that the letters that most
# often begin a word in Russian and English, the languages of most watched pages, come first there.
_FIRST_LETTERS = {c: i for i, c in enumerate("пснвокдитрмзбуагчэлжшехяцфюйtaosvichbmpfdrlengukqz")}
# A watchlist of up to this many patterns (a hundred people or so) first asks whether a text has any word
# that begins one, when the text is up to this long: a longer text, or a longer list, nearly always has.
_PREFILTER_PATTERNS = 5_000
_PREFILTER_CHARS = 100_000


class Matcher:
    """Compiled once per set of watched terms; `find` is called for every new text.

    Every form of every term is one pattern of a single Aho-Corasick automaton over word keys,
    so the cost of a scan does not grow with the number of terms.
    """

    def __init__(self, terms: Iterable[Term]):
        collecting = gc.isenabled()
        gc.disable()  # compiling builds hundreds of thousands of objects and no garbage cycles
        try:
            self._compile(list(terms))
        finally:
            if collecting:
                gc.enable()

    def _compile(self, terms: list[Term]) -> None:
        self.terms = terms
        # What a mention of each term starts with (see _mention).
        self._heads = [{"term": term.name, "watchlist": term.watchlist, "kind": term.kind} for term in terms]
        self._ranks = array("I", bytes(4 * len(terms)))  # each term's place in the order of mentions at one place
        for rank, index in enumerate(sorted(range(len(terms)), key=lambda index: terms[index].name)):
            self._ranks[index] = rank
        self._forms: list[PersonForms | KeywordForms] = []
        self._contexts: list[PersonContext | None] = []
        patterns: defaultdict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for index, term in enumerate(self.terms):
            if term.kind == KEYWORD:
                forms = build_keyword(term)
                self._contexts.append(None)
                for pattern, rule in forms.phrases.items():
                    patterns[pattern].append((index, "keyword", rule))
            else:
                forms = build_person(term)
                self._contexts.append(PersonContext(forms))
                for pattern, rule in forms.surnames.items():
                    patterns[pattern].append((index, "surname", rule))
            self._forms.append(forms)
        # People who share a given name share its forms: each such set of forms has a number, and every
        # key that ends or begins a given name knows the numbers it belongs to. A surname with no such
        # key beside it can be judged once for all the people who bear it.
        numbers: dict[int, int] = {}
        self._given_number = [numbers.setdefault(id(forms.given), len(numbers)) if isinstance(forms, PersonForms)
                              else -1 for forms in self._forms]
        given_last: dict[str, set[int]] = {}
        given_first: dict[str, set[int]] = {}
        shared = {number: forms.given for forms, number in zip(self._forms, self._given_number) if number >= 0}
        for number, given in shared.items():  # once per given name, not once per person who bears it
            for key in given.by_last:
                given_last.setdefault(key, set()).add(number)
            for key in given.by_first:
                given_first.setdefault(key, set()).add(number)
        self._given_last = {key: frozenset(found) for key, found in given_last.items()}
        self._given_first = {key: frozenset(found) for key, found in given_first.items()}
        # The automaton holds a number per pattern; what the pattern stands for is kept in flat arrays,
        # which a saved matcher loads as a few blocks of bytes rather than as millions of objects.
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        rules: dict[str, int] = {}
        self._lengths, self._counts = array("I"), array("I")
        self._quiet = array("B")  # one word that names people only: see _find
        self._entry_starts, self._entry_terms, self._entry_rules = array("I", [0]), array("I"), array("I")
        # A pattern of no words ("—") is left out.
        in_order = sorted(((pattern, entries) for pattern, entries in patterns.items() if pattern.strip()),
                          key=lambda item: _FIRST_LETTERS.get(item[0][1], len(_FIRST_LETTERS)))
        add_word, entry_terms, entry_rules = self._automaton.add_word, self._entry_terms, self._entry_rules
        for number, (pattern, entries) in enumerate(in_order):  # hundreds of thousands of patterns
            add_word(pattern, number)
            self._lengths.append(len(pattern))
            count = pattern.count(" ") - 1
            self._counts.append(count)
            self._quiet.append(count == 1 and all(kind == "surname" for _, kind, _ in entries))
            for index, _, rule in entries:
                entry_terms.append(index)
                entry_rules.append(rules.setdefault(rule, len(rules)))
            self._entry_starts.append(len(entry_terms))
        self._rules = list(rules)
        self._entries: dict[int, tuple] = {}
        self._own_given: dict[int, tuple] = {}
        self._empty = not in_order
        self._first_keys = (frozenset(pattern.split(" ", 2)[1] for pattern, _ in in_order)
                            if len(in_order) <= _PREFILTER_PATTERNS else None)
        if not self._empty:
            self._automaton.make_automaton()
        for forms in self._forms:
            if isinstance(forms, PersonForms):
                forms.surnames = {}  # now in the automaton
        release_caches()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_entries"] = {}  # rebuilt as patterns are found
        state["_own_given"] = {}
        return state

    def _entry(self, number: int, pattern: str) -> tuple:
        """What pattern `number` stands for: the keywords and the people it may name, and those people
        grouped by all that decides a mention but their given names. Built when first found."""
        entry = self._entries.get(number)
        if entry is not None:
            return entry
        forms = self._forms
        entries = [(index, self._rules[rule]) for index, rule in zip(
            self._entry_terms[self._entry_starts[number]:self._entry_starts[number + 1]],
            self._entry_rules[self._entry_starts[number]:self._entry_starts[number + 1]])]
        keywords = tuple((index, rule) for index, rule in entries if isinstance(forms[index], KeywordForms))
        people = tuple((index, rule) for index, rule in entries if not isinstance(forms[index], KeywordForms))
        groups: dict[tuple, list[int]] = {}
        for index, rule in people:
            person = forms[index]
            key = (person.origin, person.surname_first, bool(person.han_spellings), bool(person.second_surname),
                   pattern in person.common_surnames, pattern in person.place_surnames, rule)
            groups.setdefault(key, []).append(index)
        grouped = []
        for (_, _, han, second, common, place, rule), members in groups.items():
            seconds = frozenset(forms[i].second_surname for i in members) if second else _NONE
            grouped.append((rule, tuple(members), han, seconds, frozenset(self._given_number[i] for i in members),
                            common, place))
        entry = self._entries[number] = (keywords, people, tuple(grouped))
        return entry

    def _own_given_at(self, number: int, pattern: str) -> tuple[frozenset, frozenset]:
        """The keys that end or begin a given name of the people surname pattern `number` may name: only
        one of them beside a lower-case surname, or an initial, makes it a mention of one of them."""
        people = self._entry(number, pattern)[1]
        own = self._own_given[number] = (
            frozenset(key for index, _ in people for key in self._forms[index].given.by_last),
            frozenset(key for index, _ in people for key in self._forms[index].given.by_first))
        return own

    def find(self, text: str) -> list[Mention]:
        """Mentions of the watched terms in `text`, sorted by start; offsets index the original text."""
        if self._empty or not text:
            return []
        # A scan allocates many small objects and no cycles; a collection in the middle would walk
        # every compiled pattern of a large watchlist.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._find(text)
        finally:
            if collecting:
                gc.enable()

    def _find(self, text: str) -> list[Mention]:
        # A page-sized text none of whose words begins a pattern of a short watchlist (most pages, for
        # most watchlists of a few people) is passed over once its distinct words are looked up.
        words = split_words(text, self._first_keys if len(text) <= _PREFILTER_CHARS else None)
        if words is None:
            return []
        keys, starts, ends = words.keys, words.starts, words.ends
        if not keys:
            return []
        candidates = []
        add = candidates.append
        joined = words.joined
        given_last, given_first = self._given_last, self._given_first
        resolve = self._resolve
        order = 0  # which candidate came first, among those of one place and length
        counts, quiet, lengths = self._counts, self._quiet, self._lengths
        entries, own_given = self._entries, self._own_given
        inner = len(keys) - 2  # a word with two words before it and one after it
        hits = list(self._automaton.iter(joined))
        if not hits:
            return []
        # A hit ends at the space after its last key, and each key follows one space: the index of the last
        # key is the number of spaces before the end, less one, counted from hit to hit in one pass.
        hit_ends = list(map(itemgetter(0), hits))
        lasts = accumulate(map(joined.count, repeat(" "), chain((0,), hit_ends), hit_ends), initial=-1)
        next(lasts)  # the initial value
        for (end, number), last in zip(hits, lasts):
            if quiet[number]:
                # Most hits of a long list: a lower-case word (на, in) that is somebody's surname. Without
                # one of those people's given names or an initial beside it, it names no one (as _people_at
                # would find), so it is passed over here, at a few operations.
                first = last
                if text[starts[first]].islower() and 1 < first < inner:
                    own_last, own_first = (own_given.get(number)
                                           or self._own_given_at(number, joined[end - lengths[number] + 1:end + 1]))
                    if (keys[first - 1] not in own_last and keys[first + 1] not in own_first
                            and keys[first - 2] not in own_last
                            and (text[ends[first - 1]] != "." or ends[first - 1] - starts[first - 1] > 2
                                 or not text[starts[first - 1]].isupper())
                            and (text[ends[first + 1]] != "." or ends[first + 1] - starts[first + 1] > 2
                                 or not text[starts[first + 1]].isupper())):
                        continue
            else:
                first = last - counts[number] + 1
                if first < last and not all(_joins_phrase(text[ends[k - 1]:starts[k]])
                                            for k in range(first + 1, last + 1)):
                    continue
            pattern = joined[end - lengths[number] + 1:end + 1]
            keywords, _, groups = entries.get(number) or self._entry(number, pattern)
            found_here = self._people_at(words, first, last, pattern, groups, given_last, given_first) if groups else []
            if keywords:
                found_here = [((index,), found) for index, rule in keywords
                              if (found := resolve(words, first, last, index, "keyword", rule, pattern))] + found_here
            if not found_here:
                continue
            # (start, minus length, order found) sorts them as _best takes them, without a key function. The
            # people of one group share a mention, and it stays one candidate until _best.
            for members, (start, stop, rule, weak) in found_here:
                add((start, start - stop, order, members, stop, rule, weak))
                order += 1
        return self._best(text, candidates)

    def _people_at(self, words: Words, first: int, last: int, pattern: str, groups: tuple,
                   given_last: dict, given_first: dict) -> list:
        """(term indexes, mention) for the people a surname found at words first..last names, the
        people of a group that share the mention together, in the order of the watchlist."""
        text, keys, starts, ends = words.text, words.keys, words.starts, words.ends
        # What the words around the surname can say about any watched person, worked out once per
        # place rather than once per person with this surname (a common surname has hundreds).
        before = keys[first - 1] if first > 0 else None
        before2 = keys[first - 2] if first > 1 else None
        after = keys[last + 1] if last + 1 < len(keys) else None
        # An initial is one or two letters, the first a capital, with a full stop after it (O. Orlov, Orlov O.).
        initials = (first > 0 and ends[first - 1] - starts[first - 1] <= 2 and text[starts[first - 1]].isupper()
                    and text[ends[first - 1]] == ".") or (
            after is not None and ends[last + 1] - starts[last + 1] <= 2 and text[starts[last + 1]].isupper()
            and text[ends[last + 1]:ends[last + 1] + 1] == ".")
        capitalised = initials or text[starts[first]].isupper() or _capitalised_or_uncased(words, first, last)
        beside = given_last.get(before, _NONE)
        if before2 in given_last:
            beside = beside | given_last[before2]
        if after in given_first:
            beside = beside | given_first[after]
        if not capitalised and not beside:
            return []  # a lower-case word with no given name or initial beside it is no mention of anyone
        contexts = self._contexts
        number = self._given_number
        found_here = []
        han = around = opens_sentence = single_letter = None
        for rule, members, has_han, seconds, given, common, place in groups:
            if initials:
                alone = ()
            elif beside and not beside.isdisjoint(given):
                # People with one of their own given names beside the surname are judged one by one.
                alone = [m for m in members if number[m] not in beside]
            else:
                alone = members
            if len(alone) < len(members):
                chosen = set(alone)
                found_here.extend(((member,), found) for member in members if member not in chosen
                                  if (found := contexts[member].resolve(words, first, last, rule, pattern)))
            if not capitalised or not alone:
                continue  # lower case, and none of their given names beside it
            # No given name, patronymic or initial of these people beside it: the outcome depends
            # only on the traits the group shares...
            if has_han and han is None:
                han = HAN_RE.search(text, starts[first], ends[min(last + 1, len(keys) - 1)]) is not None
            if (has_han and han) or after in seconds:
                # ...unless characters the aliases give or a second surname tell them apart here.
                found_here.extend(((member,), found) for member in alone
                                  if (found := contexts[member].resolve(words, first, last, rule, pattern)))
                continue
            # resolve_unnamed's tests that fail for most places of a long list of common names, made before
            # the words around the place are read: a single letter (I), the name of a place (России), an
            # everyday word opening a sentence (Но, In).
            if place:
                continue
            if single_letter is None:
                single_letter = first == last and single_letter_word(text[starts[first]:ends[first]])
            if single_letter:
                continue
            if common:
                if opens_sentence is None:
                    opens_sentence = sentence_initial(text, starts[first])
                if opens_sentence:
                    continue
            if around is None:
                around = Neighbours(words, first, last)
            found = contexts[alone[0]].resolve_unnamed(around, rule, pattern)
            if found:
                found_here.append((tuple(alone), found))
        return found_here

    def _resolve(self, words: Words, first: int, last: int, index: int, kind: str, rule: str, pattern: str):
        if kind == "keyword":
            spellings = self._forms[index].spellings.get(pattern)
            if spellings and tuple(light_fold(words.word(k)) for k in range(first, last + 1)) not in spellings:
                return None
            end, suffix, _ = suffix_end(words, last)
            return words.starts[first], end, rule + (f", {suffix}" if suffix else ""), False
        return self._contexts[index].resolve(words, first, last, rule, pattern)

    def explain(self, text: str) -> list[dict]:
        """Every place where a form of a watched term occurs in `text`: the mention it made and the rule
        that fired, or why it is not one. For `vigil match --explain` and `vigil watch show --text`."""
        if self._empty or not text:
            return []
        mentions = {(m.term, m.start, m.end): m for m in self.find(text)}
        words = split_words(text)
        rows = []
        for end, number in self._automaton.iter(words.joined):
            pattern = words.joined[end - self._lengths[number] + 1:end + 1]
            keywords, people, _ = self._entry(number, pattern)
            first = words.index_at(end - len(pattern) + 2)
            last = first + self._counts[number] - 1
            count = self._counts[number]
            joined = count == 1 or all(_joins_phrase(words.gap(k)) for k in range(first + 1, last + 1))
            entries = sorted([(index, "keyword", rule) for index, rule in keywords]
                             + [(index, "surname", rule) for index, rule in people])
            for index, kind, rule in entries:
                term = self.terms[index]
                row = {"term": term.name, "watchlist": term.watchlist, "kind": term.kind,
                       "matched": text[words.starts[first]:words.ends[last]], "start": words.starts[first],
                       "end": words.ends[last], "form": rule, "mention": False, "rule": None, "why": None}
                found = self._resolve(words, first, last, index, kind, rule, pattern) if joined else None
                if found:
                    start, stop, fired, weak = found
                    mention = mentions.get((term.name, start, stop))
                    row.update(matched=text[start:stop], start=start, end=stop, rule=fired)
                    if mention and mention.rule == fired:
                        row["mention"] = True
                    else:
                        row["why"] = ("alone, in a script without capitals or a Chinese surname: counts only after a "
                                      "full mention earlier in the text") if weak else "inside a longer mention"
                elif not joined:
                    row["why"] = "the words are not written together"
                else:
                    context = self._contexts[index]
                    row["why"] = context.why if context else "spelled otherwise than the keyword"
                rows.append(row)
        rows.sort(key=lambda r: (r["start"], -r["end"], r["term"]))
        return rows

    def _best(self, text: str, candidates: list) -> list[Mention]:
        """The longest mention of each term at each place; a weak one only after a full mention."""
        candidates.sort()  # (start, minus length, order found, ...): the longest first at each place
        reached: dict[int, int] = {}  # term index -> end of its last mention; candidates come by start
        mentions = []
        heads, ranks, reached_end, add = self._heads, self._ranks, reached.get, mentions.append
        for start, _, _, members, end, rule, weak in candidates:
            tail = None  # the fields the people of a candidate share, once they are needed
            for index in members:
                if start < reached_end(index, -1) or weak and index not in reached:
                    continue
                reached[index] = end
                if tail is None:
                    tail = {"matched": text[start:end], "start": start, "end": end, "rule": rule}
                add((start, end, ranks[index], _mention(heads[index], tail)))
        # By start, end and term, the terms of one name in the order of the watchlists; a term has one
        # mention at a place, so the mentions themselves are never compared.
        mentions.sort()
        return list(map(itemgetter(3), mentions))


def _mention(head: dict, tail: dict) -> Mention:
    """Mention(**head, **tail), made in a third of the time: a frozen dataclass's __init__ sets each field
    through object.__setattr__. The same object as long as Mention's __init__ only stores its fields
    (tests/test_matcher.py checks that it does)."""
    mention = _new_object(Mention)
    fields = mention.__dict__
    fields |= head
    fields |= tail
    return mention


def _capitalised_or_uncased(words: Words, first: int, last: int) -> bool:
    """A word of the span begins with a capital, or the last one is in a script without capitals."""
    for k in range(first, last + 1):
        if words.word(k).lstrip(_INVISIBLE)[:1].isupper():
            return True
    letter = words.word(last).lstrip(_INVISIBLE)[:1]
    return letter.isalpha() and not letter.islower()


def _joins_phrase(gap: str) -> bool:
    """Words of one name or phrase may be separated by spaces, a line break or a hyphen."""
    stripped = gap.strip()
    return stripped == "" or stripped in ("-", "‐", "‑") and not gap[0].isspace()
