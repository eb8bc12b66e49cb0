"""What is cut from a page as not its content: markup that no step reads (comments, styles, scripts), and
boilerplate found by its wording: list headings with the link lists that follow them, labels, teasers,
credits, calls to follow and cookie notices."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

# Markup that no step reads, cut from the text before parsing: every step would otherwise parse,
# copy and walk it. JSON-LD stays: titles, dates and article bodies are read from it.
_INERT_START = re.compile(r"<(?:!--|(script|style|svg)\b)", re.IGNORECASE)
_INERT_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style", "svg")}
_KEPT_SCRIPT = re.compile(r"application/(?:ld|settings)\+json", re.IGNORECASE)
_EMPTY_COMMENT_END = re.compile("-?>")
_MAX_TAG_CHARS = 2000  # how far back a "<" may open the tag that a start is inside
_QUOTE_OR_SPACE = frozenset("\"' \t\n\r\f")


def strip_inert_markup(markup: str) -> str:
    """The markup without comments, <style>, <svg> and <script> elements other than JSON data.

    Scans left to right like the parser, so "<script>" inside a comment or "<!--" inside a script
    is not taken for a start, nor one inside a tag (an attribute's value); a comment or element left
    open runs to the end and is kept.
    """
    pieces = []
    position = search_from = 0
    while (start := _INERT_START.search(markup, search_from)) is not None:
        search_from = start.end()
        lookback = max(position, start.start() - _MAX_TAG_CHARS)
        if markup.rfind("<", lookback, start.start()) > markup.rfind(">", lookback, start.start()):
            continue
        name = (start.group(1) or "").lower()
        if not name:
            empty = _EMPTY_COMMENT_END.match(markup, start.end())  # <!--> and <!---> are whole comments
            closing = empty.end() if empty else markup.find("-->", start.end()) + 3
            end = closing if closing >= 3 else -1
        else:
            tag_end = markup.find(">", start.end())
            if tag_end < 0:
                break
            if markup[tag_end - 1] == "/" and (tag_end - 1 == start.end() or markup[tag_end - 2] in _QUOTE_OR_SPACE):
                end = tag_end + 1  # lxml closes <svg/> and <script src="..."/> at once, not <svg class=x/>
            else:
                closing = _INERT_END[name].search(markup, tag_end)
                end = closing.end() if closing is not None else -1
                if end >= 0 and name == "script" and _KEPT_SCRIPT.search(markup, start.end(), tag_end):
                    search_from = end
                    continue
        if end < 0:
            break
        pieces.append(markup[position : start.start()])
        position = search_from = end
    if not pieces:
        return markup
    pieces.append(markup[position:])
    return "".join(pieces)


# Boilerplate that sites put inside or beside the article: "most read" and "related" lists
# (which name people in their headlines and change every hour), "read also" teasers,
# photo credits and calls to follow or subscribe. Matched by their words, since their
# markup carries no reliable class names. Languages: en, ru/uk/bg, de, fr, es, pt, it, pl, nl.
_LIST_HEADINGS = (
    r"most (?:read|popular|viewed|shared|commented|emailed)(?: (?:articles|stories|news))?"
    r"|popular (?:now|news|stories)|trending(?: now| stories)?"
    r"|related(?: articles| stories| news| posts| content| coverage| topics)?|see also"
    r"|more (?:stories|news|from [\w .'-]{1,30}|on this(?: story| topic)?)|also read|you (?:may|might) also like"
    r"|recommended(?: for you| stories)?|top stories|latest (?:news|stories)|editor'?s picks|don'?t miss"
    r"|in other news|самое (?:читаемое|популярное|обсуждаемое)|популярное|популярные (?:новости|материалы)"
    r"|читайте (?:также|ещё|еще|також)|читать (?:также|ещё|еще)|смотрите также|см\. также"
    r"|(?:новости|материалы) по теме|по теме|похожие (?:материалы|новости|статьи)|другие (?:новости|материалы)"
    r"|последние новости|лента новостей|выбор редакции|вам может быть интересно|рекомендуем|ещё по теме|еще по теме"
    r"|найпопулярніше|популярне|новини по темі|схожі матеріали|останні новини|най-четени|още по темата"
    r"|свързани (?:новини|статии)|meist(?:gelesen|kommentiert)(?:e artikel)?|kommentierte artikel|am meisten gelesen"
    r"|mehr zum thema|weitere artikel(?: zum thema)?|auch interessant|das könnte sie auch interessieren"
    r"|lesen sie auch|(?:verwandte|ähnliche) artikel|les plus (?:lus|populaires|partagés|commentés)"
    r"|[àa] lire (?:aussi|également)|lire aussi|voir aussi|sur le même sujet|dans la même rubrique"
    r"|articles (?:similaires|liés)|lo más (?:leído|visto)|(?:las )?más leídas"
    r"|(?:noticias|notas|artículos) relacionad[oa]s|contenido relacionado|te puede interesar|(?:lee|lea) también"
    r"|ver también|mais (?:lidas|lidos)|leia também|veja também|(?:notícias|conteúdo) relacionad[oa]s?"
    r"|(?:i )?più letti|leggi anche|articoli correlati|vedi anche|najczęściej czytane|najpopularniejsze"
    r"|(?:czytaj|przeczytaj|zobacz) (?:też|także)|powiązane artykuły|meest gelezen|lees ook|gerelateerde artikelen"
)
# Lines dropped on their own: "read more" buttons (which may open the rest of the article) and ad labels.
_LABELS = (
    r"read more|continue reading|читать (?:далее|дальше|полностью)|подробнее|weiterlesen|lire la suite|leer más"
    r"|leia mais|czytaj (?:więcej|dalej)|advertisement|advertising|sponsored|реклама|anzeige|werbung|publicité"
    r"|publicidad|publicidade|pubblicità|reklama"
)
# Prefixes that, followed by a colon or an arrow, open a one-line teaser to another article.
_TEASER_PREFIXES = (
    r"read (?:more|also|next)|see also|also read|related(?: articles?| stories| news| posts| coverage)?"
    r"|more (?:on this(?: story| topic)?|from [\w .'-]{1,30})|читайте (?:также|ещё|еще|також)"
    r"|читать (?:также|ещё|еще)|смотрите также|см\. также|(?:новости|материалы)? ?по теме|ещё по теме|еще по теме"
    r"|новини по темі|lesen sie (?:auch|mehr)|mehr zum thema|weitere artikel(?: zum thema)?|auch interessant"
    r"|[àa] lire (?:aussi|également)|lire aussi|voir aussi|sur le même sujet|(?:lee|lea) también|leer más|puedes ver"
    r"|te puede interesar|ver también|(?:noticias|notas|artículos) relacionad[oa]s|leia (?:também|mais)|veja também"
    r"|leggi anche|vedi anche|(?:czytaj|przeczytaj|zobacz) (?:też|także|więcej)|lees ook"
)
_FOLLOW_CALLS = (
    r"follow us|subscribe to|sign up for|síguenos|siguenos|suivez-nous|abonnez-vous|folgen sie uns|abonnieren sie"
    r"|подписывайтесь|подпишитесь|следите за нами|siga-nos|seguici|obserwuj nas"
)
_CREDITS = (
    r"photo(?:s|graph)?(?: credit)?s?\s*:|credits?\s*:|crédits? photos?|foto(?:s|grafie)?\s*:|bild\s*:|фото\s*:"
    r"|image\s*:|getty images\b|©|\(c\)\s|copyright\b"
)
_HEADING_ONLY = re.compile(rf"(?:{_LIST_HEADINGS})\s*[:.!»>›→]*", re.IGNORECASE)
_LABEL_ONLY = re.compile(rf"(?:{_LABELS})\s*[:.!»>›→…]*", re.IGNORECASE)
_TEASER_START = re.compile(rf"(?:{_TEASER_PREFIXES})\s*[:»>›→|—–-]", re.IGNORECASE)
_FOLLOW_START = re.compile(rf"[(\[]?(?:{_FOLLOW_CALLS})", re.IGNORECASE)
_CREDIT_START = re.compile(rf"[(\[]?(?:{_CREDITS})", re.IGNORECASE)
_COUNTER_WORDS = (
    r"(?:просмотр|views?\b|reads?\b|comments?\b|коммент|kommentar|commentaires?\b|comentarios?\b|komentarz"
    r"|likes?\b|shares?\b|лайк|aufrufe\b|vues\b|visitas\b|wyświetle)\w*"
)
_COUNTER_LINE = rf"(?:{_COUNTER_WORDS}\s*:?\s*\d[\d\s.,]*[kKкК]?|\d[\d\s.,]*[kKкК]?\s*{_COUNTER_WORDS})"
_BOILERPLATE_LINE = re.compile(
    rf"(?:{_LIST_HEADINGS}|{_LABELS})\s*[:.!»>›→…]*$|(?:{_TEASER_PREFIXES})\s*[:»>›→|—–-].{{0,160}}$|{_COUNTER_LINE}$",
    re.IGNORECASE,
)
_COOKIE_NOTICE = re.compile(
    r"\bcookie.{0,200}(?:\buse|\busing|accept|agree|consent|polic|continu|используе|соглаш|политик|verwende|nutz"
    r"|zustimm|einverstanden|akzept|richtlinie|utilis|accept|acept|usamos|utiliz|accett|zgod|akcept|używa|polityk)"
    r"|(?:\buse|\busing|используем|verwende|utilis|usamos|utiliz|używa)\w*.{0,40}cookie",
    re.IGNORECASE,
)
_ANY_START = re.compile(
    "|".join(pattern.pattern for pattern in (_TEASER_START, _HEADING_ONLY, _LABEL_ONLY, _FOLLOW_START, _CREDIT_START)),
    re.IGNORECASE,
)
# Every text node of the page is tested, all at once: their texts joined, each after a NUL (the
# parser leaves none in text), lowered, and searched for a NUL, spaces and the start of a candidate.
# Lowercase patterns on lowered text cost half of a case-insensitive match; no part of them matches
# a NUL, so a match never runs from one node into the next. A candidate's block is then judged by
# the rules above.
_SEPARATOR = "\x00"
_CANDIDATE_START = re.compile(rf"\x00\s*(?=[(\[]?[\w«\"„“'©])(?:{_ANY_START.pattern})")
_COOKIE_WORD = re.compile("cookie")
_BLOCK_TAGS = frozenset("p div li h1 h2 h3 h4 h5 h6 section header aside dt dd figcaption td blockquote".split())
_SPACERS = frozenset(("br", "hr"))
# Longest block (in characters) each rule may remove; longer blocks are content.
_MAX_TEASER_CHARS, _MAX_FOLLOW_CHARS, _MAX_CREDIT_CHARS, _MAX_COOKIE_NOTICE_CHARS = 200, 160, 100, 500
_MAX_BOILERPLATE_LINE_CHARS, _MAX_TEASER_CARD_CHARS, _MAX_LINK_LIST_CHARS = 220, 300, 4000
_MAX_WRAPPER_DEPTH = 3
_LINK_TEXTS = etree.XPath("descendant-or-self::a//text()", smart_strings=False)
_LINK_TARGETS = etree.XPath("descendant-or-self::a/@href", smart_strings=False)


def prune_boilerplate(tree: HtmlElement) -> None:
    """Remove list headings with the link lists that follow them, labels, teasers, credits, follow calls
    and cookie notices."""
    doomed: list[HtmlElement] = []
    texts = tree.xpath("//body//text()[normalize-space()]")
    lowered = _SEPARATOR + _SEPARATOR.join(texts).lower()
    about_cookies = _nodes_at(lowered, (found.start() for found in _COOKIE_WORD.finditer(lowered)))
    candidates = _nodes_at(lowered, (found.start() for found in _CANDIDATE_START.finditer(lowered)))
    for index in sorted(candidates | about_cookies):
        text = texts[index]
        owner = text.getparent()
        block = _enclosing_block(owner.getparent() if text.is_tail else owner)
        if block is None or any(block is done or _is_ancestor(done, block) for done in doomed):
            continue
        block_text = " ".join(block.text_content().split())
        if _HEADING_ONLY.fullmatch(block_text):
            doomed.append(block)
            doomed.extend(_link_lists_after(block, block_text))
        elif (
            _LABEL_ONLY.fullmatch(block_text)
            or (len(block_text) <= _MAX_TEASER_CHARS and _TEASER_START.match(block_text))
            or (len(block_text) <= _MAX_FOLLOW_CHARS and _FOLLOW_START.match(block_text))
            or (len(block_text) <= _MAX_CREDIT_CHARS and _CREDIT_START.match(block_text))
            or (index in about_cookies and len(block_text) <= _MAX_COOKIE_NOTICE_CHARS
                and _COOKIE_NOTICE.search(block_text))
        ):
            doomed.append(block)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _nodes_at(lowered: str, places) -> set[int]:
    """The indexes of the text nodes that hold these places (in increasing order) of the joined text:
    how many NULs stand up to each place, less one."""
    nodes, counted, separators = set(), 0, 0
    for place in places:
        separators += lowered.count(_SEPARATOR, counted, place + 1)
        counted = place + 1
        nodes.add(separators - 1)
    return nodes


def _enclosing_block(element: HtmlElement | None) -> HtmlElement | None:
    while element is not None and element.tag not in _BLOCK_TAGS:
        if element.tag in ("body", "html"):
            return None
        element = element.getparent()
    return element


def _is_ancestor(candidate: HtmlElement, element: HtmlElement) -> bool:
    return any(parent is candidate for parent in element.iterancestors())


def _link_lists_after(heading: HtmlElement, heading_text: str) -> list[HtmlElement]:
    """The link lists that follow a list heading, stepping out of wrappers that hold only the heading."""
    anchor = heading
    for _ in range(_MAX_WRAPPER_DEPTH):
        parent = anchor.getparent()
        if anchor.getnext() is not None or parent is None or parent.tag in ("body", "html"):
            break
        if " ".join(parent.text_content().split()) != heading_text:
            break
        anchor = parent
    lists = []
    sibling = anchor.getnext()
    while sibling is not None and (sibling.tag in _SPACERS or _link_list(sibling)):
        lists.append(sibling)
        sibling = sibling.getnext()
    return lists


def _link_list(element: HtmlElement) -> bool:
    """A list of links or of teaser cards (headline link, date, a line of summary), not a whole page section."""
    if not isinstance(element.tag, str):
        return False
    text_length = len("".join(element.text_content().split()))
    if not text_length:
        return element.tag in ("ul", "ol", "div")
    if text_length > _MAX_LINK_LIST_CHARS:
        return False
    # The links' text and targets by XPath, not link by link in Python (the element may be a link itself)
    link_length = len("".join("".join(_LINK_TEXTS(element)).split()))
    if link_length >= 0.6 * text_length:
        return True
    targets = {href for href in _LINK_TARGETS(element) if href}
    return (
        len(targets) >= 2 and link_length >= 0.25 * text_length and text_length <= _MAX_TEASER_CARD_CHARS * len(targets)
    )


def is_boilerplate_line(line: str) -> bool:
    """A line of extracted text that is only a list heading, a label, a one-line teaser or a counter."""
    return len(line) <= _MAX_BOILERPLATE_LINE_CHARS and _BOILERPLATE_LINE.match(line) is not None
