"""The hosted page's own words (buttons, progress, errors) in a few languages.

Survey texts come from the survey's translations; these are the page around
them, so a French respondent does not get English buttons. A language we do
not have falls back to English.
"""
from __future__ import annotations

from collections.abc import Iterable

from surveys.design.locales import candidates

EN = {
    "lang": "en",
    "next": "Next", "finish": "Send", "back": "Back", "skip": "Skip",
    "progress": "Question {n} of {total}", "done": "Done",
    "optional": "Optional", "select_all": "Select all that apply", "choose_one": "Choose one",
    "other": "Other", "other_label": "Please specify", "chars_left": "{n} characters left",
    "chars_max": "Up to {n} characters", "score_hint": "Tap a number, or type it on your keyboard.",
    "required": "Please answer this question.",
    "bad_score": "Choose a number from {low} to {high}.",
    "bad_choice": "Choose one of the options shown.",
    "other_needed": "Tell us what \u201cOther\u201d is, or choose another option.",
    "not_on_path": "That question is not part of this survey for you. Here is where you left off.",
    "change": "Change my answers", "preview": "Preview",
    "closed_title": "This survey is not taking answers right now",
    "closed_text": "Thank you for your interest. Please try again later.",
    "invalid_title": "This survey link is not valid",
    "invalid_text": "Check that the whole link was copied, or ask the sender for a new one.",
    "expired_title": "This survey link has expired",
    "expired_text": "Links to this survey last a limited time. Ask the sender for a new one.",
    "too_large_title": "That answer is too long", "too_large_text": "Go back and shorten it, then send it again.",
    "too_many_title": "Too many answers at once", "too_many_text": "Wait a minute, then try again.",
}

TRANSLATIONS: dict[str, dict[str, str]] = {
    "en": EN,
    "fr": {
        "lang": "fr",
        "next": "Suivant", "finish": "Envoyer", "back": "Retour", "skip": "Passer",
        "progress": "Question {n} sur {total}", "done": "Terminé",
        "optional": "Facultatif", "select_all": "Plusieurs choix possibles", "choose_one": "Un seul choix",
        "other": "Autre", "other_label": "Précisez", "chars_left": "{n} caractères restants",
        "chars_max": "{n} caractères au plus", "score_hint": "Touchez un chiffre, ou tapez-le au clavier.",
        "required": "Merci de répondre à cette question.",
        "bad_score": "Choisissez un nombre de {low} à {high}.",
        "bad_choice": "Choisissez l\u2019une des options proposées.",
        "other_needed": "Précisez « Autre », ou choisissez une autre option.",
        "change": "Modifier mes réponses", "preview": "Aperçu",
        "closed_title": "Ce questionnaire n\u2019accepte pas de réponses pour le moment",
        "closed_text": "Merci de votre intérêt. Réessayez plus tard.",
        "invalid_title": "Ce lien n\u2019est pas valide", "expired_title": "Ce lien a expiré",
    },
    "de": {
        "lang": "de",
        "next": "Weiter", "finish": "Senden", "back": "Zurück", "skip": "Überspringen",
        "progress": "Frage {n} von {total}", "done": "Fertig",
        "optional": "Optional", "select_all": "Mehrfachauswahl möglich", "choose_one": "Bitte eine Option wählen",
        "other": "Sonstiges", "other_label": "Bitte angeben", "chars_left": "Noch {n} Zeichen",
        "chars_max": "Höchstens {n} Zeichen", "score_hint": "Tippen Sie auf eine Zahl oder geben Sie sie ein.",
        "required": "Bitte beantworten Sie diese Frage.",
        "bad_score": "Wählen Sie eine Zahl von {low} bis {high}.",
        "bad_choice": "Wählen Sie eine der angezeigten Optionen.",
        "change": "Antworten ändern", "preview": "Vorschau",
        "closed_title": "Diese Umfrage nimmt gerade keine Antworten an",
        "invalid_title": "Dieser Link ist ungültig", "expired_title": "Dieser Link ist abgelaufen",
    },
    "es": {
        "lang": "es",
        "next": "Siguiente", "finish": "Enviar", "back": "Atrás", "skip": "Omitir",
        "progress": "Pregunta {n} de {total}", "done": "Listo",
        "optional": "Opcional", "select_all": "Elige todas las que correspondan", "choose_one": "Elige una",
        "other": "Otro", "other_label": "Especifica", "chars_left": "Quedan {n} caracteres",
        "chars_max": "Hasta {n} caracteres", "score_hint": "Toca un número o escríbelo con el teclado.",
        "required": "Responde a esta pregunta, por favor.",
        "bad_score": "Elige un número del {low} al {high}.",
        "bad_choice": "Elige una de las opciones.",
        "change": "Cambiar mis respuestas", "preview": "Vista previa",
        "closed_title": "Esta encuesta no acepta respuestas ahora mismo",
        "invalid_title": "Este enlace no es válido", "expired_title": "Este enlace ha caducado",
    },
    "pt": {
        "lang": "pt",
        "next": "Seguinte", "finish": "Enviar", "back": "Voltar", "skip": "Pular",
        "progress": "Pergunta {n} de {total}", "done": "Concluído",
        "optional": "Opcional", "select_all": "Marque todas as que se aplicam", "choose_one": "Escolha uma",
        "other": "Outro", "other_label": "Especifique", "chars_left": "{n} caracteres restantes",
        "chars_max": "Até {n} caracteres", "score_hint": "Toque num número ou digite-o no teclado.",
        "required": "Responda a esta pergunta, por favor.",
        "bad_score": "Escolha um número de {low} a {high}.",
        "bad_choice": "Escolha uma das opções.",
        "change": "Alterar minhas respostas", "preview": "Pré-visualização",
        "closed_title": "Esta pesquisa não está aceitando respostas agora",
        "invalid_title": "Este link não é válido", "expired_title": "Este link expirou",
    },
}


def texts_for(locales: Iterable[str | None]) -> dict[str, str]:
    """The page's words in the first of ``locales`` we have (``pt-BR`` → ``pt``), English for the rest."""
    for locale in locales:
        for tag in candidates(locale):
            if tag in TRANSLATIONS:
                return {**EN, **TRANSLATIONS[tag]}
    return dict(EN)
