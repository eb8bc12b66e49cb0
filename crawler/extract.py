"""Main-text extraction of a fetched page: title, date, language, canonical URL and the text Vigil watches."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urljoin

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title
from trafilatura.utils import load_html

from crawler.charset import decode_html

# Bump our number whenever a rule here changes the text of a page: a snapshot taken with
# another version must not look like a change of the page.
EXTRACTOR_VERSION = f"trafilatura-{trafilatura.__version__}+vigil-1"

LOGGER = logging.getLogger(__name__)

# Reader comments churn and name anyone; trafilatura's duplicate cache would make a page's
# text depend on the pages extracted before it.
_TRAFILATURA_OPTIONS = {"include_comments": False, "deduplicate": False}
# htmldate's cap on plausible dates is fixed, so that extraction stays a function of its input.
_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2099-12-31"}
_NOT_HTML_TYPES = re.compile(
    r"\s*(?:image|audio|video|font|application/(?!xhtml|xml|rss|atom|octet-stream))", re.IGNORECASE
)
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"RIFF", b"OggS")
_MARKUP = re.compile(r"<(?:!doctype|html|head|body|title|meta|div|p|article|main|span|a|table|h[1-6]|br)\b", re.IGNORECASE)
_MAX_ELEMENTS = 15_000
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")  # ESC (\x1b) starts ISO-2022 text
_GARBAGE = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f]")
_INVISIBLE_CHARACTERS = "\u00ad\u200b\u2060\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARACTERS}]")


@dataclass(frozen=True)
class Extraction:
    """What Vigil keeps of a page: `text` holds one paragraph per line, `date` is yyyy-mm-dd,
    `lang` an ISO 639-1 code, `canonical_url` the page's own <link rel=canonical>, made absolute."""

    title: str
    date: str | None
    lang: str | None
    text: str
    canonical_url: str | None


def extract(body: bytes, url: str, content_type: str | None = None) -> Extraction | None:
    """Extract the main text and metadata of an HTML page; None when the body is not HTML text.

    A pure function of its input: no network, no state kept between calls.
    """
    if not _may_be_html(body, content_type):
        return None
    markup = decode_html(body, content_type)
    if not _looks_like_html(markup):
        return None
    try:
        tree = load_html(markup)
    except (ValueError, TypeError):
        tree = None
    if tree is None:
        return None
    _truncate(tree, _MAX_ELEMENTS)
    canonical_url = _canonical_url(tree, url)
    html_lang = tree.get("lang") or tree.get("xml:lang")
    title, date = _title_and_date(tree, url)
    prune_boilerplate(tree)
    text = normalise_text(_main_text(tree, url))
    return Extraction(
        title=title,
        date=date,
        lang=detect_language(text or title, html_lang),
        text=text,
        canonical_url=canonical_url,
    )


def _main_text(tree: HtmlElement, url: str) -> str:
    try:
        document = trafilatura.bare_extraction(tree, url=url or None, **_TRAFILATURA_OPTIONS)
    except (RecursionError, ValueError, TypeError, MemoryError) as error:
        LOGGER.warning("extraction failed for %s: %s", url, error)
        return ""
    return (document.text or "") if document is not None else ""


def _title_and_date(tree: HtmlElement, url: str) -> tuple[str, str | None]:
    """Title from meta tags, JSON-LD or headings; date by htmldate without its slow extensive search.

    trafilatura's full metadata pass also looks for authors, categories and tags, which
    Vigil does not keep, at several times the cost.
    """
    try:
        metadata = examine_meta(tree)
        try:
            metadata = extract_meta_json(tree, metadata)
        except Exception:  # noqa: BLE001 -- malformed JSON-LD must not cost the page its title
            pass
        title = metadata.title or extract_title(tree) or ""
        date = find_date(tree, url=url or None, **_DATE_PARAMS)
    except (RecursionError, ValueError, TypeError, OverflowError) as error:
        LOGGER.warning("metadata extraction failed for %s: %s", url, error)
        return "", None
    return normalise_line(title), date


def normalise_line(line: str) -> str:
    """One line of text as Vigil keeps it: see _clean_characters, whitespace collapsed."""
    return " ".join(_clean_characters(line).split())


def _clean_characters(text: str) -> str:
    """NFC, without soft hyphens and zero-width characters, which would split a name in two."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if any(char in text for char in _INVISIBLE_CHARACTERS):
        text = _INVISIBLE.sub("", text)
    return text


def normalise_text(text: str) -> str:
    """One paragraph per line, inner whitespace collapsed, empty lines and boilerplate lines dropped."""
    lines = [" ".join(line.split()) for line in _clean_characters(text).splitlines()]
    return "\n".join(line for line in lines if line and not _is_boilerplate_line(line))


def _is_boilerplate_line(line: str) -> bool:
    return len(line) <= _MAX_BOILERPLATE_LINE_CHARS and _BOILERPLATE_LINE.match(line) is not None


def _may_be_html(body: bytes, content_type: str | None) -> bool:
    """Cheap checks on the raw bytes, so that binary bodies never reach charset detection."""
    if not body or not body.strip():
        return False
    if content_type and _NOT_HTML_TYPES.match(content_type):
        return False
    if body[:64].lstrip().startswith(_BINARY_MAGIC):
        return False
    head = body[:8192]
    return len(_CONTROL_BYTES.findall(head)) < 0.02 * len(head)


def _looks_like_html(markup: str) -> bool:
    head = markup[:65536]
    if not _MARKUP.search(head):
        return False
    # random bytes decode to text full of control characters and replacement marks
    sample = head[:8192]
    return len(_GARBAGE.findall(sample)) < 0.02 * len(sample)


def _truncate(tree: HtmlElement, limit: int) -> None:
    """Cut the document after its first `limit` elements.

    Real pages stay far below the limit; a page built to hold 100,000 links or tags would
    otherwise cost trafilatura minutes.
    """
    if tree.xpath("count(//*)") <= limit:
        return
    cut = next(element for index, element in enumerate(tree.iter()) if index == limit)
    node = cut
    while node.getparent() is not None:
        parent = node.getparent()
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent
    cut.getparent().remove(cut)


def _canonical_url(tree: HtmlElement, url: str) -> str | None:
    """The first <link rel=canonical> as an absolute http(s) URL, however it relates to `url`."""
    for link in tree.iterfind(".//link[@rel][@href]"):
        if "canonical" not in link.get("rel", "").lower().split():
            continue
        href = link.get("href", "").strip()
        try:
            absolute = urljoin(url, href) if url else href
        except ValueError:  # a malformed address, e.g. an unclosed IPv6 bracket
            continue
        if href and absolute.lower().startswith(("http://", "https://")):
            return absolute
    return None


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
_START_WORD = re.compile(r"[(\[]?[\w«\"„“'©]")
_BLOCK_TAGS = frozenset("p div li h1 h2 h3 h4 h5 h6 section header aside dt dd figcaption td blockquote".split())
_SPACERS = frozenset(("br", "hr"))
# Longest block (in characters) each rule may remove; longer blocks are content.
_MAX_TEASER_CHARS, _MAX_FOLLOW_CHARS, _MAX_CREDIT_CHARS, _MAX_COOKIE_NOTICE_CHARS = 200, 160, 100, 500
_MAX_BOILERPLATE_LINE_CHARS, _MAX_TEASER_CARD_CHARS, _MAX_LINK_LIST_CHARS = 220, 300, 4000
_MAX_WRAPPER_DEPTH = 3


def prune_boilerplate(tree: HtmlElement) -> None:
    """Remove list headings with the link lists that follow them, labels, teasers, credits, follow calls
    and cookie notices."""
    doomed: list[HtmlElement] = []
    for text in tree.xpath("//body//text()[normalize-space()]"):
        stripped = text.lstrip()
        about_cookies = "cookie" in text.lower()
        if not about_cookies and not (_START_WORD.match(stripped) and _ANY_START.match(stripped)):
            continue
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
            or (about_cookies and len(block_text) <= _MAX_COOKIE_NOTICE_CHARS and _COOKIE_NOTICE.search(block_text))
        ):
            doomed.append(block)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


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
    links = list(element.iter("a"))
    link_length = sum(len("".join(link.text_content().split())) for link in links)
    if link_length >= 0.6 * text_length:
        return True
    targets = {link.get("href") for link in links if link.get("href")}
    return (
        len(targets) >= 2 and link_length >= 0.25 * text_length and text_length <= _MAX_TEASER_CARD_CHARS * len(targets)
    )


# Language: the script decides for most languages; Latin-script text is told apart by its
# commonest words. The <html lang> attribute, often wrong, is only a fallback.
_STOPWORDS = {
    "en": "the and of to is that for with on was are this by be it from have not which has were their",
    "de": "der die und das ist nicht mit den von zu ein eine sich auf für im dem des auch wird",
    "fr": "le les et des est une dans pour pas du qui sur au avec il sont ce cette aux été leur nous",
    "es": "el los las del por con una para es se al lo más como pero fue sus también y",
    "pt": "não uma para com da dos das também pelo pela ao são foi mais seu sua muito",
    "it": "il di che è per un una con da lo le non sono del della gli anche alla nel questo ma",
    "pl": "się nie że jest jak ale przez oraz dla czy także już może tego które został",
    "nl": "het een van dat op niet zijn voor ook aan er wordt werd",
    "cs": "je že jsou pro které jako byl bylo také jeho podle",
    "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada adalah ke",
    "sv": "och är att som på inte har jag av för till",
    "no": "og er ikke på som av jeg har til med",
    "tr": "ve bir bu için ile çok olarak daha gibi olan",
    "fi": "ja on ei se että oli ovat myös kuin mutta tai hän ole",
    "hu": "az és hogy nem is egy van meg már csak mint",
}
_WORD_COUNTS = Counter(word for words in _STOPWORDS.values() for word in set(words.split()))
# a word common to several languages tells them apart from none
_STOPWORD_LANG = {
    word: lang for lang, words in _STOPWORDS.items() for word in words.split() if _WORD_COUNTS[word] == 1
}
_SCRIPT_FINDERS = {
    script: re.compile(f"[{characters}]").findall
    for script, characters in {
        "latin": "A-Za-z\u00c0-\u024f", "cyrillic": "\u0400-\u04ff", "ja": "\u3040-\u30ff", "ko": "\uac00-\ud7af",
        "zh": "\u4e00-\u9fff", "ar": "\u0600-\u06ff", "he": "\u0590-\u05ff", "el": "\u0370-\u03ff",
        "ka": "\u10a0-\u10ff", "hy": "\u0530-\u058f", "th": "\u0e00-\u0e7f", "hi": "\u0900-\u097f",
    }.items()
}
_LANGUAGE_SAMPLE_CHARS = 2500
_SCRIPT_WEIGHT = {"zh": 4, "ja": 4, "ko": 3}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str, html_lang: str | None = None) -> str | None:
    """ISO 639-1 code of the text's language, or the page's lang attribute when the text says too little."""
    sample = text[:_LANGUAGE_SAMPLE_CHARS]
    declared = (html_lang or "").strip().lower()[:2] or None
    # an ideograph or syllable block carries about as much as a word of Latin letters
    counts = {script: len(found(sample)) * _SCRIPT_WEIGHT.get(script, 1) for script, found in _SCRIPT_FINDERS.items()}
    script = max(counts, key=counts.get)
    if counts[script] < 20:
        return declared
    if script == "zh" and counts["ja"] > 0.1 * counts["zh"]:
        return "ja"  # kanji outnumber kana in Japanese text
    if script == "cyrillic":
        return _cyrillic_language(sample.lower())
    if script != "latin":
        return script
    votes: dict[str, int] = {}
    for word in _WORD.findall(sample.lower()):
        lang = _STOPWORD_LANG.get(word)
        if lang:
            votes[lang] = votes.get(lang, 0) + 1
    if not votes:
        return declared
    best = max(votes, key=votes.get)
    # a declared Latin-script language close behind the count is more likely right
    if declared in votes and votes[declared] >= 0.8 * votes[best]:
        return declared
    return best


def _cyrillic_language(sample: str) -> str:
    if sample.count("ў") > 0.002 * len(sample):
        return "be"
    if sum(sample.count(char) for char in "іїєґ") > 0.01 * len(sample):
        return "uk"
    if sample.count("ы") + sample.count("э") < 0.001 * len(sample) and sample.count("ъ") > 0.005 * len(sample):
        return "bg"
    return "ru"
