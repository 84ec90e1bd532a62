"""The risk matcher, table-driven: many phrasings per language must match, ordinary words of a
hard shift must not, and an organisation's own phrases count as much as the shipped ones."""

from __future__ import annotations

import pytest

from handlers.safety.risk import clean_phrase, normal, suggests_risk

AT_RISK = [
    # English
    "I am thinking of harming myself",
    "i'm thinking about HURTING   myself tonight",
    "I want to kill myself",
    "I keep thinking I should end my life",
    "sometimes I think about taking my own life",
    "I feel suicidal",
    "Suicide has crossed my mind",
    "everyone would be better off without me",
    "I'd be better off dead",
    "I just want to die",
    "I don't want to live anymore",
    "I don’t want to wake up tomorrow",
    "do not want to be alive",
    "there's no reason to live",
    "I have nothing left to live for",
    "life is not worth living",
    "no point in going on",
    "I can't go on like this",
    "I cannot go on",
    "I've been self-harming again",
    "I'm going to cut myself",
    "I wish I was dead",
    "thinking of taking an overdose",
    "I want to end it all",
    # English, said as a denial: matched on purpose (see handlers/safety/risk.py)
    "I'm not going to harm myself, don't worry",
    # Spanish, with and without accents
    "Estoy pensando en hacerme daño",
    "estoy pensando en hacerme dano",
    "Quiero quitarme la vida",
    "me quiero matar",
    "he pensado en matarme",
    "Pienso en el suicidio",
    "me siento suicida",
    "no quiero vivir más",
    "No quiero seguir viviendo",
    "quiero morirme",
    "Tengo ganas de morir",
    "estarían mejor sin mí",
    "quiero acabar con todo",
    "he vuelto a autolesionarme",
    "no tiene sentido vivir",
    "no vale la pena vivir",
    "ojalá estuviera muerta",
]

NOT_AT_RISK = [
    "I am exhausted after that shift",
    "The patient was harmed by a medication error",
    "I hurt my back lifting a patient",
    "this rota is killing me",
    "I could kill for a coffee",
    "can you call me at 6?",
    "I can't go on leave until March",
    "thank you for taking this",
    "estoy agotada después de la guardia",
    "me duele la espalda",
    "no puedo ir mañana",
    "la paciente sufrió un daño grave",
    "gracias por escucharme",
    "",
]


@pytest.mark.parametrize("text", AT_RISK)
def test_phrasings_of_risk_are_recognised(text: str) -> None:
    assert suggests_risk(text), text


@pytest.mark.parametrize("text", NOT_AT_RISK)
def test_ordinary_words_of_a_hard_shift_are_not_risk(text: str) -> None:
    assert not suggests_risk(text), text


def test_an_organisations_own_phrases_match_in_any_case_and_spacing() -> None:
    own = ["going to the bridge", "Se acabó todo"]
    assert suggests_risk("I'm  GOING to the bridge tonight", own)
    assert suggests_risk("ya se acabo todo para mi", own)
    assert not suggests_risk("going to the bridge club", ["bridge party"])
    assert not suggests_risk("I'm going to the bridge", [])


def test_normalising_folds_case_accents_and_punctuation() -> None:
    assert normal("  Hacerme   DAÑO!!  ") == "hacerme dano"
    assert normal("I’m") == "i m"


def test_an_own_phrase_needs_some_letters() -> None:
    assert clean_phrase("  going   to the bridge ") == "going to the bridge"
    for bad in ("!!", "a", "x" * 101):
        with pytest.raises(ValueError, match="risk phrase"):
            clean_phrase(bad)
