"""The widget's own words (buttons, hints) in a few languages; survey texts come from the survey."""
from __future__ import annotations

from collections.abc import Iterable

from surveys.design.locales import candidates

EN = {"next": "Next", "submit": "Send", "close": "Close", "dismiss": "Not now", "optional": "Optional",
      "required": "Please answer this question.", "other": "Other"}

TRANSLATIONS: dict[str, dict[str, str]] = {
    "en": EN,
    "fr": {"next": "Suivant", "submit": "Envoyer", "close": "Fermer", "dismiss": "Plus tard",
           "optional": "Facultatif", "required": "Merci de répondre à cette question.", "other": "Autre"},
    "de": {"next": "Weiter", "submit": "Senden", "close": "Schließen", "dismiss": "Später",
           "optional": "Optional", "required": "Bitte beantworten Sie diese Frage.", "other": "Sonstiges"},
    "es": {"next": "Siguiente", "submit": "Enviar", "close": "Cerrar", "dismiss": "Ahora no",
           "optional": "Opcional", "required": "Responde a esta pregunta, por favor.", "other": "Otro"},
    "pt": {"next": "Seguinte", "submit": "Enviar", "close": "Fechar", "dismiss": "Agora não",
           "optional": "Opcional", "required": "Responda a esta pergunta, por favor.", "other": "Outro"},
}


def widget_texts(locales: Iterable[str | None]) -> dict[str, str]:
    """The words in the first of ``locales`` we have (``pt-BR`` → ``pt``), else English."""
    for locale in locales:
        for tag in candidates(locale):
            if tag in TRANSLATIONS:
                return {**EN, **TRANSLATIONS[tag]}
    return dict(EN)
