"""What a republishing site does to a text: its lead, source line, title, boilerplate and edits."""
from __future__ import annotations

import random
import re
from urllib.parse import urlsplit


LEADS = {
    "ru": ["Публикуем заявление ОВД-Инфо без изменений.",
           "Правозащитный проект ОВД-Инфо опубликовал материал, который мы приводим полностью.",
           "С разрешения редакции ОВД-Инфо перепечатываем этот текст.",
           "Ниже — текст, подготовленный юристами ОВД-Инфо. Распространяйте его среди знакомых."],
    "en": ["The following article is republished with permission.",
           "We are reposting this report in full with the consent of its authors.",
           "This piece first appeared on the publisher's website and is reproduced here with permission."],
    "de": ["Wir veröffentlichen den folgenden Beitrag mit freundlicher Genehmigung der Redaktion."],
    "fr": ["Nous republions ci-dessous cet article avec l'autorisation de ses auteurs."],
    "pl": ["Publikujemy poniższy tekst za zgodą redakcji."],
    "es": ["Reproducimos a continuación este artículo con permiso de sus autores."],
    "pt": ["Republicamos abaixo este texto com autorização dos autores."],
    "it": ["Ripubblichiamo di seguito questo articolo con il permesso dell'autore."],
    "zh": ["以下内容经授权转载，仅供参考。"],
    "ja": ["以下の記事は許可を得て転載しています。"],
}
SOURCE_LINES = {
    "ru": ["Источник: ОВД-Инфо", "Источник: {site}", "Материал впервые опубликован на сайте ОВД-Инфо (CC BY 3.0)."],
    "en": ["Source: {site}", "Originally published at {site}.", "This article was first published by {site}."],
    "de": ["Quelle: {site}"], "fr": ["Source : {site}"], "pl": ["Źródło: {site}"], "es": ["Fuente: {site}"],
    "pt": ["Fonte: {site}"], "it": ["Fonte: {site}"], "zh": ["来源：{site}"], "ja": ["出典：{site}"],
}
BOILERPLATE = {
    "ru": ["Поделиться:\nВКонтакте\nFacebook\nTwitter\nTelegram",
           "Подписывайтесь на наш Telegram-канал, чтобы первыми узнавать о новостях.",
           "Нашли ошибку? Выделите фрагмент текста и нажмите Ctrl+Enter.",
           "Мы используем файлы cookie, чтобы сайт работал лучше. Оставаясь на сайте, вы соглашаетесь с условиями.",
           "Поддержите независимые СМИ: оформите регулярное пожертвование.",
           "Мнение редакции может не совпадать с мнением автора."],
    "en": ["Share this:\nFacebook\nTwitter\nEmail\nPrint",
           "Sign up for our daily newsletter to get the latest news in your inbox.",
           "We use cookies to give you the best experience on our website. "
           "By continuing you agree to our cookie policy.",
           "Advertisement",
           "The views expressed here are the author's own."],
    "de": ["Teilen:\nFacebook\nTwitter\nE-Mail", "Abonnieren Sie unseren Newsletter."],
    "fr": ["Partager :\nFacebook\nTwitter\nE-mail", "Inscrivez-vous à notre lettre d'information."],
    "pl": ["Udostępnij:\nFacebook\nTwitter", "Zapisz się do naszego newslettera."],
    "es": ["Compartir:\nFacebook\nTwitter\nWhatsApp", "Suscríbete a nuestro boletín."],
    "pt": ["Partilhar:\nFacebook\nTwitter\nWhatsApp", "Assine a nossa newsletter."],
    "it": ["Condividi:\nFacebook\nTwitter", "Iscriviti alla nostra newsletter."],
    "zh": ["分享到：微信 微博 QQ空间", "责任编辑：王明"],
    "ja": ["この記事をシェアする：Twitter Facebook LINE", "関連記事をもっと見る"],
}
RELATED = {"ru": "Читайте также:", "en": "Related:", "de": "Mehr zum Thema:", "fr": "À lire aussi :",
           "pl": "Czytaj także:", "es": "Lee también:", "pt": "Leia também:", "it": "Leggi anche:",
           "zh": "相关阅读：", "ja": "関連記事："}
DATELINES = {"ru": "12 марта 2021, 14:05", "en": "March 12, 2021 at 2:05 pm", "de": "12. März 2021, 14:05 Uhr",
             "fr": "12 mars 2021 à 14h05", "pl": "12 marca 2021, 14:05", "es": "12 de marzo de 2021, 14:05",
             "pt": "12 de março de 2021, 14h05", "it": "12 marzo 2021, 14:05", "zh": "2021年03月12日 14:05",
             "ja": "2021年3月12日 14時05分"}
TITLE_PREFIX = {"ru": "Заявление: ", "en": "Statement: ", "de": "Dokumentation: ", "fr": "Tribune : ",
                "pl": "Komentarz: ", "es": "Opinión: ", "pt": "Opinião: ", "it": "Dossier: ", "zh": "转载：",
                "ja": "転載："}
# Titles of the OVD-Info pages, as an English-language republisher would title them.
OVD_TITLES_EN = {
    "Теперь экстремисты. Как могут преследовать сторонников Алексея Навального":
        "Extremists now: how supporters of Alexei Navalny may be prosecuted",
    "«Отстрелять на дальних подступах». На баллотирующихся в Госдуму заводят уголовные дела":
        "'Shoot them down on the far approaches': criminal cases against State Duma candidates",
    "Как развивается «дворцовое дело»: 134 фигуранта, 38 осуждены":
        "How the 'palace case' is unfolding: 134 defendants, 38 convicted",
    "Как пожаловаться на действие и бездействие полицейских": "How to complain about police action and inaction",
    "Как обжаловать действия властей в суде": "How to challenge the authorities' actions in court",
    "Меня или моего друга арестовали": "I or my friend has been arrested",
    "Профилактическая беседа": "The 'preventive talk'",
    "Что делать, если ко мне подошел полицейский?": "What to do if a police officer approaches me",
    "Что делать, если во время карантина меня вызывают в суд?":
        "What to do if I am summoned to court during the quarantine",
    "Covid-19 и свобода собраний": "Covid-19 and freedom of assembly",
    "Что делать, если приходят органы опеки": "What to do if child protection services come",
    "Распознавание участников протеста по видеокамерам": "Facial recognition of protesters by CCTV cameras",
    "Меня избили полицейские": "I was beaten by the police",
    "Как бороться с цензурой плакатов на митинге?": "How to fight censorship of placards at a rally",
    "Как вас будут задерживать, допрашивать и судить, если вы несовершеннолетний":
        "How you will be detained, questioned and tried if you are a minor",
    "Что делать, если полицейские задерживают по КУСП": "What to do if police detain you under a KUSP report",
    "Меня заставляют подписать документ об отказе участвовать в акции":
        "I am being made to sign a pledge not to take part in protests",
    "Мой банковский счет арестовали": "My bank account has been frozen",
    "Власти не согласовали акцию": "The authorities did not approve the protest",
    "Мне назначили обязательные работы": "I was sentenced to compulsory labour",
    "Одиночный пикет": "The single-person picket",
    "Отчисляют за участие в акции протеста": "Expelled from university for joining a protest",
    "Полицейские забрали мой телефон": "The police took my phone",
    "Инструкция идеального задержанного": "A guide for the ideal detainee",
    "Как не сесть за экстремизм: репосты, донаты, упоминания":
        "How not to be jailed for extremism: reposts, donations, mentions",
    "Полицейское воспитание": "Police 'education'",
    "Как сняться с профилактического учета": "How to get off the police 'preventive register'",
    "Меня оштрафовали за участие в акции": "I was fined for taking part in a protest",
    "Увольняют после участия в акции": "Fired after taking part in a protest",
    "Вам вменили «арестную» статью": "You are charged under an article that carries arrest",
}


EDIT_KINDS = ["lead", "source", "title", "boilerplate", "drop", "typos", "rewrap", "dateline"]


def site_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return "ovdinfo.org" if "ovdinfo" in host else host.removeprefix("www.")


def swap_letters(rng: random.Random, paras: list[str]) -> str:
    """A typo fixed (or made): two neighbouring letters of one word swapped."""
    spots = [(i, m) for i, p in enumerate(paras) for m in re.finditer(r"\w{7,}", p)]
    if not spots:
        return ""
    i, m = rng.choice(spots)
    word = m.group()
    k = rng.randrange(2, len(word) - 2)
    typo = word[:k] + word[k + 1] + word[k] + word[k + 2:]
    paras[i] = paras[i][:m.start()] + typo + paras[i][m.end():]
    return f"typo {word}->{typo}"


def yo_and_numbers(paras: list[str]) -> str:
    """Copy-editing that does not change the meaning: ё, digit grouping, a shortened year."""
    changes = []
    for i, para in enumerate(paras):
        new = re.sub(r"\bеще\b", "ещё", para)
        new = re.sub(r"\b(\d{2,3})(\d{3})\b", r"\1 \2", new, count=1)  # 10000 -> 10 000, not years
        new = new.replace(" года", " г.", 1)
        new = new.replace("«", "\"").replace("»", "\"")
        if new != para:
            paras[i] = new
            changes.append(i)
    return f"copy-edit in paragraphs {changes[:6]}" if changes else ""


def republish(rng: random.Random, text: dict, kinds: list[str], others: list[dict]) -> tuple[str, list[str]]:
    """A republished copy of `text` with the given kinds of edit."""
    lang = text["lang"] if text["lang"] in LEADS else "en"
    title = text["title"]
    paras = [p for p in text["body"].split("\n") if p.strip()]
    head, tail, notes = [], [], []
    for kind in kinds:
        if kind == "lead":
            lead = rng.choice(LEADS[lang])
            paras.insert(0, lead)
            notes.append(f"lead: {lead}")
        elif kind == "source":
            line = rng.choice(SOURCE_LINES[lang]).format(site=site_of(text["url"]))
            tail.append(line)
            notes.append(f"source line: {line}")
        elif kind == "title":
            if title in OVD_TITLES_EN:
                title = OVD_TITLES_EN[title]
                notes.append("title translated to English")
            elif title and rng.random() < 0.5:
                title = TITLE_PREFIX[lang] + title.split(" | ")[0].split(" - ")[0]
                notes.append("title rewritten with a rubric")
            else:
                title = ""
                notes.append("title dropped")
        elif kind == "boilerplate":
            chosen = rng.sample(BOILERPLATE[lang], k=min(2, len(BOILERPLATE[lang])))
            related = [o["title"] for o in rng.sample(others, 3) if o["title"]]
            if related:
                chosen.append(RELATED[lang] + "\n" + "\n".join(related))
            tail.extend(chosen)
            notes.append(f"boilerplate: {len(chosen)} blocks incl. related links")
        elif kind == "drop" and len(paras) >= 5:
            k = rng.randrange(2, len(paras))
            notes.append(f"paragraph {k} dropped ({len(paras[k])} chars)")
            del paras[k]
        elif kind == "typos":
            notes.extend(n for n in (swap_letters(rng, paras), swap_letters(rng, paras),
                                     yo_and_numbers(paras)) if n)
        elif kind == "rewrap" and len(paras) >= 3:
            k = rng.randrange(0, len(paras) - 1)
            paras[k:k + 2] = [paras[k] + " " + paras[k + 1]]
            notes.append(f"paragraphs {k} and {k + 1} joined")
        elif kind == "dateline":
            head.append(DATELINES[lang])
            notes.append("dateline added")
    lines = ([title] if title else []) + head + paras + tail
    return "\n".join(lines), notes


def plain(text: dict) -> str:
    return "\n".join(([text["title"]] if text["title"] else []) + [text["body"]])
