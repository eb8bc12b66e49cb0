"""Main-text extraction of a fetched page: title, date, language, canonical URL and the text Vigil watches."""

from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_right
from copy import copy
from dataclasses import dataclass
from urllib.parse import urljoin

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.etree import _Element
from lxml.html import HtmlElement
from trafilatura.baseline import baseline, html2txt
from trafilatura.core import (
    ESCALATION_ACCEPT_RATIO,
    ESCALATION_JUSTEXT_RATIO,
    ESCALATION_MAX_LENGTH,
    ESCALATION_PAGE_SHARE,
    _forum_thread_page,
    _recall_retry,
)
from trafilatura.external import SANITIZED_XPATH, compare_extraction, justext_rescue
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title
from trafilatura.settings import Extractor
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

from crawler.text.boilerplate import is_boilerplate_line, prune_boilerplate, strip_inert_markup
from crawler.text import stoplists  # noqa: F401  (jusText's stop words, built once)
from crawler.text.charset import decode_html
from crawler.text.language import detect_language
from crawler.text.hubs import Teaser, find_teasers
from crawler.text.xpath_rewrite import speed_up_trafilatura

# Bump our number whenever a rule here changes the text of a page: a snapshot taken with
# another version must not look like a change of the page.
EXTRACTOR_VERSION = f"trafilatura-{trafilatura.__version__}+vigil-2"

LOGGER = logging.getLogger(__name__)

# Reader comments churn and name anyone; trafilatura's duplicate cache would make a page's
# text depend on the pages extracted before it. Built once: building them reads trafilatura's config.
_OPTIONS = Extractor(output_format="python", comments=False, dedup=False)
# trafilatura's own text is trusted without comparison from this length and share of the page's
# text (on our corpus, 250-750 characters and 5-15% give the same texts)
_MIN_TRUSTED_CHARS = 500
_MIN_TRUSTED_SHARE = 0.1
# Asked as booleans, so that no list of the matching nodes is built just to be tested for emptiness.
_HAS_PARAGRAPH_TEXT = etree.XPath("boolean(.//p//text())")
_HAS_UNSANITIZED = etree.XPath(f"boolean({SANITIZED_XPATH})")
speed_up_trafilatura()   # its expression lists, this module's two included, rewritten in place
# htmldate's cap on plausible dates is fixed, so that extraction stays a function of its input.
_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2099-12-31"}
_NOT_HTML_TYPES = re.compile(
    r"\s*(?:image|audio|video|font|application/(?!xhtml|xml|rss|atom|octet-stream))", re.IGNORECASE
)
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"RIFF", b"OggS")
_MARKUP = re.compile(r"<(?:!doctype|html|head|body|title|meta|div|p|article|main|span|a|table|h[1-6]|br)\b", re.IGNORECASE)
_MAX_ELEMENTS = 15_000
_COUNT_ELEMENTS = etree.XPath("count(//*)")
# A page with less text than this and scripts may be an empty shell its scripts fill in a browser.
RENDER_HINT_CHARS = 200
_SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
_DATA_SCRIPT = re.compile(r"type\s*=\s*[\"']?application/(?:ld\+)?json", re.IGNORECASE)
# Control bytes, counted by deleting them (bytes.translate), far quicker than a regex scan.
# Among the bytes, ESC (\x1b) starts ISO-2022 text; in decoded text it is garbage.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_CONTROL_CHARACTERS = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20)])
_INVISIBLE_CHARACTERS = "\u00ad\u200b\u2060\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARACTERS}]")
# Characters XML forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF), raw or as numeric character
# references (&#8; &#x1B &#xFFFE;): lxml builds them into the tree from a reference, and one of them makes
# trafilatura's XML steps fail, emptying the whole page. A browser shows nothing for them; the parser
# drops the raw ones, and the references go the same way. Two passes: one pattern with both had no
# literal to look for and tried every character (0.2 ms on a 30 KB page).
_XML_ILLEGAL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ILLEGAL_REFERENCE = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|6553[45])(?![0-9])"
    r"|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF])(?![0-9a-fA-F]));?"
)


@dataclass(frozen=True)
class Extraction:
    """What Vigil keeps of a page: `text` holds one paragraph per line, `date` is yyyy-mm-dd,
    `lang` an ISO 639-1 code, `canonical_url` the page's own <link rel=canonical>, made absolute."""

    title: str
    date: str | None
    lang: str | None
    text: str
    canonical_url: str | None
    # Why `text` is empty though the page was parsed: the extractor failed on it. A page read as
    # empty must be told apart from a page with nothing to read (see crawler/ingest/steps.py).
    failure: str | None = None
    # The teasers of a listing page, each leading to one article (crawler/text/hubs.py); () on other pages.
    teasers: tuple[Teaser, ...] = ()
    # What read the page, stored with its snapshot: another format's extractor names its own version.
    extractor: str = EXTRACTOR_VERSION
    # Where each page of a paged document (a PDF) begins in `text`, page 1 at 0; () for a web page.
    page_starts: tuple[int, ...] = ()
    # Why a page with little or no text may need a browser to be read (its HTML holds scripts); None otherwise.
    render_hint: str | None = None

    def page_at(self, offset: int) -> int | None:
        """The number of the document page holding `text[offset]`, or None when the text is not paged."""
        return bisect_right(self.page_starts, offset) if self.page_starts else None


def extract(body: bytes, url: str, content_type: str | None = None) -> Extraction | None:
    """Extract the main text and metadata of an HTML page; None when the body is not HTML text.

    A pure function of its input: no network, no state kept between calls. The page is parsed
    once; trafilatura, htmldate and our rules all read that tree.
    """
    if not _may_be_html(body, content_type):
        return None
    markup = decode_html(body, content_type)
    if not _looks_like_html(markup):
        return None
    as_served = markup   # its scripts are counted only for a page that gives little text (_render_hint)
    # Characters first: removing one may join "&#" and digits into a reference, removed in turn.
    markup = _XML_ILLEGAL_REFERENCE.sub("", _XML_ILLEGAL_CHARACTER.sub("", strip_inert_markup(markup)))
    try:
        tree = load_html(markup)
    except (ValueError, TypeError):
        tree = None
    if tree is None:
        return None
    if markup.count("<") > _MAX_ELEMENTS:  # elements open with "<" (all but the few the parser adds)
        _truncate(tree, _MAX_ELEMENTS)
    canonical_url = _canonical_url(tree, url)
    html_lang = tree.get("lang") or tree.get("xml:lang")
    title, date = _title_and_date(tree, url)
    prune_boilerplate(tree)
    teasers = find_teasers(tree, url, normalise_line)  # before main_text, which prunes the tree
    failure = None
    try:
        text = normalise_text(main_text(tree, url))
    except (RecursionError, ValueError, TypeError, MemoryError) as error:
        LOGGER.warning("extraction failed for %s: %s", url, error)
        text, failure = "", " ".join(f"text extraction failed: {type(error).__name__}: {error}".split())[:300]
    return Extraction(
        title=title,
        date=date,
        lang=detect_language(text or title, html_lang),
        text=text,
        canonical_url=canonical_url,
        failure=failure,
        teasers=teasers,
        render_hint=_render_hint(text, as_served) if failure is None else None,
    )


def _count_scripts(markup: str) -> int:
    """<script> elements that run code (not JSON data such as JSON-LD)."""
    return sum(1 for match in _SCRIPT_TAG.finditer(markup) if not _DATA_SCRIPT.search(match.group(0)))


def _render_hint(text: str, markup: str) -> str | None:
    """Why a page that gave little or no text may be drawn in the browser by its scripts, or None."""
    if len(text) >= RENDER_HINT_CHARS:
        return None
    scripts = _count_scripts(markup)
    if not scripts:
        return None
    said = "no text" if not text else f"only {len(text)} characters of text"
    return (f"{said}, and the page has {scripts} script{'s' if scripts > 1 else ''}: its text may be drawn by "
            "JavaScript (set render = true for the source)")


def main_text(tree: HtmlElement, url: str, always_compare: bool = False) -> str:
    """The main text of a parsed page (which this prunes) as trafilatura's full cascade finds it, except
    that its own extractor's text is compared with readability's and jusText's only when it looks
    like a miss (or always, with `always_compare`).

    Raises what trafilatura raises on markup it cannot handle (RecursionError, ValueError).
    The cascade is trafilatura_sequence and the end of bare_extraction of the pinned trafilatura,
    with comments off: a test checks that comparing always gives bare_extraction's text. The
    comparison costs about a fifth of the cascade. On the 382 pages of our corpus, among the pages
    where it is now skipped, it changed the text of five: three for the worse, none for the better.
    """
    options = copy(_OPTIONS)
    options.url = options.source = url or None
    page = tree.find("body")
    page_text = (page if page is not None else tree).text_content()
    # trafilatura measures the page with html2txt, a copy and clean of the whole tree; that length is
    # at most the page's text plus two spaces an element, a bound that settles most pages without it
    elements = int(_COUNT_ELEMENTS(tree))
    is_forum = _forum_thread_page(tree)
    tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
    if not is_forum:
        tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
    cleaned = convert_tags(tree_cleaning(copy(tree), options), options, options.url)
    body, text = extract_content(cleaned, options)
    if always_compare or _looks_missed(body, text, page_text):
        # jusText reads the cleaned tree before the tag conversion: cleaned again only when needed
        body, text = compare_extraction(tree_cleaning(copy(tree), options), copy(tree), body, text, options)
    body, text = _rescue_short_text(tree, body, text, options, page_text, elements)
    return xmltotxt(body, options.formatting) if len(text) >= options.min_output_size else ""


def _looks_missed(body: _Element, text: str, page_text: str) -> bool:
    """The cases where trafilatura's comparison may pick another extractor's text: a short text, no
    paragraph text or markup left uncleaned; and a text that covers little of the page's text."""
    return (
        len(text) < _MIN_TRUSTED_CHARS
        or _under_share(text, page_text, _MIN_TRUSTED_SHARE)
        or not _HAS_PARAGRAPH_TEXT(body)
        or _HAS_UNSANITIZED(body)
    )


def _under_share(text: str, page_text: str, share: float, extra: int = 0) -> bool:
    """Whether `text` is shorter than `share` of the page's text, its whitespace collapsed, plus `extra`.
    Collapsing takes a tenth of a millisecond on a large page: it is done only when the length as it
    stands, never shorter, leaves the answer open."""
    return (len(text) < share * (len(page_text) + extra)
            and len(text) < share * (len(" ".join(page_text.split())) + extra))


def _rescue_short_text(
    raw: HtmlElement, body: _Element, text: str, options: Extractor, page_text: str, elements: int
) -> tuple[_Element, str]:
    """Stages 3 and 4 of trafilatura's cascade: the baseline for a tiny text, then a retry in recall
    mode and jusText when the text is short and covers little of the page (at most its text and
    two characters an element, of the page as it was before pruning)."""
    if len(text) < options.min_extracted_size:
        baseline_body, baseline_text, baseline_length = baseline(raw)
        if baseline_length > len(text):
            body, text = baseline_body, baseline_text
    if not (
        0 < len(text) < ESCALATION_MAX_LENGTH
        and _under_share(text, page_text, ESCALATION_PAGE_SHARE, 2 * elements)
        and len(text) < ESCALATION_PAGE_SHARE * len(html2txt(raw))
    ):
        return body, text
    recall_options = copy(options)
    recall_options.focus = "recall"
    recall_body, recall_text, justext_body, justext_text = body, "", body, ""
    # like trafilatura: a failed candidate is no candidate
    try:
        recall_body, recall_text = _recall_retry(raw, recall_options, options.url)
    except Exception as error:  # noqa: BLE001
        LOGGER.warning("recall retry failed for %s: %s", options.url, error)
    try:
        justext_body, justext_text = justext_rescue(copy(raw), options)
    except Exception as error:  # noqa: BLE001
        LOGGER.warning("jusText failed for %s: %s", options.url, error)
    if len(justext_text) > len(recall_text) and len(justext_text) > ESCALATION_JUSTEXT_RATIO * len(text):
        return justext_body, justext_text
    if len(recall_text) >= options.min_extracted_size and len(recall_text) > ESCALATION_ACCEPT_RATIO * len(text):
        return recall_body, recall_text
    return body, text


def _title_and_date(tree: HtmlElement, url: str) -> tuple[str, str | None]:
    """Title from meta tags, JSON-LD or headings; date by htmldate without its slow extensive search.

    trafilatura's full metadata pass also looks for authors, categories and tags, which
    Vigil does not keep, at several times the cost.
    """
    try:
        metadata = examine_meta(tree)
        if not metadata.title:  # JSON-LD gives a title only to a page whose meta tags have none
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
    return "\n".join(line for line in lines if line and not is_boilerplate_line(line))


def _may_be_html(body: bytes, content_type: str | None) -> bool:
    """Cheap checks on the raw bytes, so that binary bodies never reach charset detection."""
    if not body or not body.strip():
        return False
    if content_type and _NOT_HTML_TYPES.match(content_type):
        return False
    if body[:64].lstrip().startswith(_BINARY_MAGIC):
        return False
    head = body[:8192]
    return len(head) - len(head.translate(None, _CONTROL_BYTES)) < 0.02 * len(head)


def _looks_like_html(markup: str) -> bool:
    head = markup[:65536]
    if not _MARKUP.search(head):
        return False
    # random bytes decode to text full of control characters and replacement marks
    sample = head[:8192]
    encoded = sample.encode("utf-8", "surrogatepass")  # a control character is one byte in UTF-8
    garbage = sample.count("\ufffd") + len(encoded) - len(encoded.translate(None, _CONTROL_CHARACTERS))
    return garbage < 0.02 * len(sample)


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
