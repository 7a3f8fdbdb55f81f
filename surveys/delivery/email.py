"""The invitation email: HTML and plain text, the first question answerable in the mail.

:func:`build_invitation_email` is pure: it takes the survey's definition, the
contact's locale, the placeholder values and the signed URLs, and returns an
``EmailMessage`` ready for any transport. When the first question is a score
(NPS 0–10, CSAT 1–5, CES 1–7, a rating), each score is a button whose link
records that score (``/e/<token>/<score>``) and opens the hosted page at the
follow-up; otherwise one button opens the survey.

The HTML is built for mail clients, not browsers: tables for layout, inline
styles only, no images, scripts or external assets, at most 560 px wide and
fluid below that, so the eleven NPS buttons still fit a phone. Every text that
comes from the survey or the contact is HTML-escaped here (placeholders render
plain text), and every header value is kept to one line.

Unsubscribing: ``List-Unsubscribe`` names the one-click URL (and a mailto, when
given) and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058)
lets the mail client unsubscribe with one POST; the footer links to the
unsubscribe page for everyone else.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email import _header_value_parser as header_parser
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, formatdate
from html import escape
from typing import Any

from surveys.design.kinds import SCORE_TYPES, QuestionType, score_range
from surveys.design.locales import candidates, localize, pick_locale
from surveys.design.placeholders import render

FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
INK, MUTED, LINE, ACCENT, PAGE = "#1f2328", "#5f6b76", "#d0d7de", "#0d6efd", "#f3f4f6"

WORDS: dict[str, dict[str, str]] = {
    "en": {"subject": "A quick question about {product}", "hello": "Hi {name},", "hello_anon": "Hi there,",
           "tap": "Tap a number to answer. It takes a few seconds.", "open": "Answer the survey",
           "web": "Or answer on the web", "score": "{n} out of {high}",
           "why": "You are receiving this because you use {product}.", "unsubscribe": "Unsubscribe",
           "unsubscribe_hint": "Don't want these surveys?"},
    "fr": {"subject": "Une petite question sur {product}", "hello": "Bonjour {name},", "hello_anon": "Bonjour,",
           "tap": "Touchez un chiffre pour répondre. Cela prend quelques secondes.",
           "open": "Répondre au questionnaire", "web": "Ou répondez sur le web", "score": "{n} sur {high}",
           "why": "Vous recevez ce message parce que vous utilisez {product}.",
           "unsubscribe": "Se désabonner", "unsubscribe_hint": "Vous ne voulez plus de ces questionnaires ?"},
    "de": {"subject": "Eine kurze Frage zu {product}", "hello": "Hallo {name},", "hello_anon": "Hallo,",
           "tap": "Tippen Sie auf eine Zahl, um zu antworten. Das dauert nur Sekunden.",
           "open": "Zur Umfrage", "web": "Oder im Web antworten", "score": "{n} von {high}",
           "why": "Sie erhalten diese Nachricht, weil Sie {product} nutzen.",
           "unsubscribe": "Abmelden", "unsubscribe_hint": "Keine Umfragen mehr erhalten?"},
    "es": {"subject": "Una pregunta rápida sobre {product}", "hello": "Hola {name},", "hello_anon": "Hola,",
           "tap": "Toca un número para responder. Solo lleva unos segundos.",
           "open": "Responder la encuesta", "web": "O responde en la web", "score": "{n} de {high}",
           "why": "Recibes este mensaje porque usas {product}.",
           "unsubscribe": "Darse de baja", "unsubscribe_hint": "¿No quieres recibir estas encuestas?"},
    "pt": {"subject": "Uma pergunta rápida sobre {product}", "hello": "Olá {name},", "hello_anon": "Olá,",
           "tap": "Toque num número para responder. Leva só alguns segundos.",
           "open": "Responder à pesquisa", "web": "Ou responda na web", "score": "{n} de {high}",
           "why": "Você recebe esta mensagem porque usa {product}.",
           "unsubscribe": "Cancelar inscrição", "unsubscribe_hint": "Não quer receber estas pesquisas?"},
}


class _UriList(header_parser.TokenList):
    token_type = "uri-list"
    as_ew_allowed = False  # an URL must never become an RFC 2047 encoded word


class UriListHeader:
    """``List-Unsubscribe: <uri>, <uri>`` (RFC 2369). The stock header class treats it as
    free text and, once the line passes 78 characters, encodes the long URL as
    ``=?utf-8?q?...?=``, which no mail client can follow; this one folds between the
    URIs and leaves each URI whole."""

    max_count = 1

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        tree = _UriList()
        for index, uri in enumerate(u.strip() for u in value.split(",")):
            if index:
                tree.append(header_parser.ValueTerminal(",", "list-separator"))
                tree.append(header_parser.WhiteSpaceTerminal(" ", "fws"))
            tree.append(header_parser.ValueTerminal(uri, "uri"))
        kwds["parse_tree"] = tree
        kwds["decoded"] = str(tree)
        kwds["defects"].extend(tree.all_defects)


def _mail_policy() -> policy.EmailPolicy:
    registry = HeaderRegistry()  # its own: mapping a type on the default's would change every message
    registry.map_to_type("list-unsubscribe", UriListHeader)
    return policy.default.clone(header_factory=registry)


MAIL_POLICY = _mail_policy()


def words_for(locale: str | None) -> dict[str, str]:
    """The mail's own words in ``locale`` (``pt-BR`` → ``pt``), English otherwise."""
    for tag in candidates(locale):
        if tag in WORDS:
            return {**WORDS["en"], **WORDS[tag]}
    return dict(WORDS["en"])


def one_line(value: str) -> str:
    """A header value: whitespace (newlines included) collapsed, so nothing can add a header."""
    return " ".join(str(value).split())


def shown_definition(definition: Mapping[str, Any], locale: str | None) -> dict[str, Any]:
    """The definition in the contact's language (or the survey's own)."""
    chosen = pick_locale(dict(definition), [locale])
    return localize(dict(definition), chosen)


def default_subject(definition: Mapping[str, Any], locale: str | None,
                    placeholder_values: Mapping[str, str | None]) -> str:
    """"A quick question about Acme", in the contact's language."""
    shown = shown_definition(definition, locale)
    words = words_for(shown["shown_locale"])
    return one_line(render(words["subject"], {**placeholder_values, "product": _product(shown, placeholder_values)}))


def _product(shown: Mapping[str, Any], values: Mapping[str, str | None]) -> str | None:
    return values.get("product") or shown.get("product")


def build_invitation_email(*, to: str, sender: str, reply_to: str | None, subject: str,
                           definition: Mapping[str, Any], locale: str | None,
                           placeholder_values: Mapping[str, str | None], score_urls: Mapping[int, str],
                           survey_url: str, unsubscribe_url: str, one_click_url: str, message_id: str,
                           unsubscribe_mailto: str | None = None, date: datetime | None = None) -> EmailMessage:
    """The invitation mail (see the module docstring); ``to``/``sender`` are formatted addresses."""
    shown = shown_definition(definition, locale)
    lang = shown["shown_locale"]
    values = {**placeholder_values, "product": _product(shown, placeholder_values)}
    words = {key: render(text, values) for key, text in words_for(lang).items() if key != "score"}
    words["score"] = words_for(lang)["score"]
    first_name = one_line(values.get("contact.first_name") or "")
    words["greeting"] = words["hello"].replace("{name}", first_name) if first_name else words["hello_anon"]
    question = _question(shown["questions"][0], values)
    points = question.get("points") or []
    answerable = bool(points) and all(n in score_urls for n in points)
    content = _Content(subject=one_line(subject), lang=lang, words=words, question=question,
                       score_urls={n: score_urls[n] for n in points} if answerable else {},
                       survey_url=survey_url, unsubscribe_url=unsubscribe_url)

    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = content.subject
    message["From"] = one_line(sender)
    message["To"] = one_line(to)
    if reply_to:
        message["Reply-To"] = one_line(reply_to)
    message["Date"] = format_datetime(date) if date else formatdate(usegmt=True)
    message["Message-ID"] = one_line(message_id)
    targets = [f"<{one_line(one_click_url)}>"] + ([f"<mailto:{one_line(unsubscribe_mailto)}>"]
                                                  if unsubscribe_mailto else [])
    message["List-Unsubscribe"] = ", ".join(targets)
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(content.text())
    message.add_alternative(content.html(), subtype="html")
    message["Content-Language"] = lang  # after the parts: set_content drops Content-* headers
    return message


def _question(question: Mapping[str, Any], values: Mapping[str, str | None]) -> dict[str, Any]:
    """The first question's texts rendered (plain text) and, for a score, its points."""
    shown = {"type": question["type"], "prompt": render(question.get("prompt") or "", values),
             "description": render(question.get("description") or "", values)}
    if QuestionType(question["type"]) in SCORE_TYPES:
        low, high = score_range(dict(question))
        labels = question.get("labels") or {}
        shown.update(points=list(range(low, high + 1)), low=low, high=high,
                     min_label=render(labels.get("min") or "", values),
                     max_label=render(labels.get("max") or "", values))
    return shown


class _Content:
    """The mail's content once, rendered as HTML and as plain text."""

    def __init__(self, *, subject: str, lang: str, words: dict[str, str], question: dict[str, Any],
                 score_urls: dict[int, str], survey_url: str, unsubscribe_url: str) -> None:
        self.subject, self.lang, self.words, self.question = subject, lang, words, question
        self.score_urls, self.survey_url, self.unsubscribe_url = score_urls, survey_url, unsubscribe_url

    # --- plain text ---------------------------------------------------------------------------

    def text(self) -> str:
        q, w = self.question, self.words
        lines = [w["greeting"], "", q["prompt"]]
        if q["description"]:
            lines += [q["description"]]
        if self.score_urls:
            if q["min_label"] or q["max_label"]:
                lines += [f"({q['low']} = {q['min_label']}, {q['high']} = {q['max_label']})"]
            lines += ["", w["tap"], ""]
            width = len(str(q["high"]))
            lines += [f"  {str(n).rjust(width)}  {url}" for n, url in self.score_urls.items()]
            lines += ["", f"{w['web']}: {self.survey_url}"]
        else:
            lines += ["", f"{w['open']}: {self.survey_url}"]
        lines += ["", "-- ", w["why"], f"{w['unsubscribe_hint']} {w['unsubscribe']}: {self.unsubscribe_url}", ""]
        return "\n".join(lines)

    # --- HTML ---------------------------------------------------------------------------------

    def html(self) -> str:
        q, w = self.question, self.words
        body = [_p(w["greeting"], f"margin:0 0 16px;color:{INK};"),
                f'<h1 style="margin:0 0 12px;font-family:{FONT};font-size:20px;line-height:1.35;'
                f'font-weight:600;color:{INK};">{escape(q["prompt"])}</h1>']
        if q["description"]:
            body.append(_p(q["description"], f"margin:0 0 12px;color:{MUTED};"))
        rows = [_cell("".join(body), "padding:28px 24px 8px;")]
        if self.score_urls:
            rows += [_cell(_p(w["tap"], f"margin:0;color:{MUTED};font-size:13px;"), "padding:0 24px 12px;"),
                     _cell(self._scores(), "padding:0 12px;"),
                     _cell(self._labels(), "padding:6px 14px 0;"),
                     _cell(_link(self.survey_url, w["web"], f"color:{ACCENT};font-size:14px;"),
                           "padding:20px 24px 28px;")]
        else:
            rows.append(_cell(_button(self.survey_url, w["open"]), "padding:12px 24px 28px;"))
        footer = (_p(w["why"], f"margin:0 0 6px;color:{MUTED};font-size:12px;")
                  + f'<p style="margin:0;font-family:{FONT};color:{MUTED};font-size:12px;line-height:1.5;">'
                  f'{escape(w["unsubscribe_hint"])} '
                  + _link(self.unsubscribe_url, w["unsubscribe"], f"color:{MUTED};text-decoration:underline;")
                  + "</p>")
        return "".join([
            f'<!doctype html><html lang="{escape(self.lang)}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="color-scheme" content="light only">',
            f"<title>{escape(self.subject)}</title></head>",
            f'<body style="margin:0;padding:0;background:{PAGE};">',
            f'<div style="display:none;max-height:0;overflow:hidden;">{escape(q["prompt"])}</div>',
            _table('<tr><td align="center" style="padding:20px 8px;">'
                   + _table("".join(rows), f"max-width:560px;background:#ffffff;border:1px solid {LINE};"
                                           "border-radius:10px;")
                   + _table(_cell(footer, "padding:16px 24px;"), "max-width:560px;")
                   + "</td></tr>", f"background:{PAGE};"),
            "</body></html>"])

    def _scores(self) -> str:
        q = self.question
        width = f"{100 / len(self.score_urls):.2f}%"
        cells = []
        for n, url in self.score_urls.items():
            label = self.words["score"].format(n=n, high=q["high"])
            cells.append(
                f'<td align="center" width="{width}" style="padding:3px 1px;">'
                f'<a href="{escape(url)}" title="{escape(label)}" aria-label="{escape(label)}" '
                f'style="display:block;padding:11px 0;border:1px solid {LINE};border-radius:6px;'
                f'background:#ffffff;color:{INK};font-family:{FONT};font-size:16px;font-weight:600;'
                f'line-height:1;text-decoration:none;text-align:center;">{n}</a></td>')
        return _table(f'<tr>{"".join(cells)}</tr>', "table-layout:fixed;")

    def _labels(self) -> str:
        q = self.question
        style = f"font-family:{FONT};font-size:12px;line-height:1.4;color:{MUTED};"
        return _table(f'<tr><td align="left" style="{style}">{escape(q["min_label"])}</td>'
                      f'<td align="right" style="{style}">{escape(q["max_label"])}</td></tr>')


def _table(rows: str, style: str = "") -> str:
    return (f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
            f'style="border-collapse:separate;{style}">{rows}</table>')


def _cell(content: str, style: str) -> str:
    return f'<tr><td style="{style}">{content}</td></tr>'


def _p(text: str, style: str) -> str:
    return f'<p style="font-family:{FONT};font-size:15px;line-height:1.5;{style}">{escape(text)}</p>'


def _link(url: str, text: str, style: str) -> str:
    return f'<a href="{escape(url)}" style="font-family:{FONT};{style}">{escape(text)}</a>'


def _button(url: str, text: str) -> str:
    return (f'<a href="{escape(url)}" style="display:inline-block;padding:12px 22px;border-radius:6px;'
            f'background:{ACCENT};color:#ffffff;font-family:{FONT};font-size:15px;font-weight:600;'
            f'text-decoration:none;">{escape(text)}</a>')
