"""The shipped risk phrases, per language, as patterns over normalised text (see `risk.normal`).

Normalised text is lower case, without accents, with every run of punctuation or spacing made
one space: "I'm" reads "i m", "daño" reads "dano". Each pattern is searched with word
boundaries. The lists lean towards matching: a false alarm costs a gentle message and a
colleague's attention; a missed disclosure costs far more (see the README's *Safety*).
"""

from __future__ import annotations

ENGLISH: tuple[str, ...] = (
    r"suicid\w*",
    r"(kill|killing|hang|hanging|hurt|hurting|harm|harming|cut|cutting|injure|injuring)"
    r" my ?self",
    r"self ?(harm\w*|injur\w*)",
    r"(end|ending|take|taking) (my|me) (own )?life",
    r"end it all",
    r"(want|wanted|wanting|wanna) to die",
    r"wanna die",
    r"wish i (was|were|could be) dead",
    r"wish i could (die|just die)",
    r"better off (dead|without me)",
    r"(no|any) reason to (live|go on|keep going|be alive)",
    r"nothing (left )?to live for",
    r"not worth (living|being alive)",
    r"no point (in )?(living|going on|being alive)",
    r"(don t|dont|do not|don t even) want to (live|be alive|exist|wake up|be here any ?more)",
    r"(can ?t|cannot) go on($| living| like this| any ?more)",
    r"(take|taking|took) an overdose",
    r"kms",
)

SPANISH: tuple[str, ...] = (
    r"suicid\w*",
    r"matarme",
    r"me (quiero|voy a) matar",
    r"quitar(me)? la vida",
    r"(acabar|terminar) con (mi vida|todo)",
    r"hacerme (dano|danio)",
    r"(lastimarme|herirme|cortarme|ahorcarme)",
    r"auto ?lesion\w*",
    r"(quiero|quisiera|me quiero) morir(me)?",
    r"ganas de morir(me)?",
    r"(desearia|ojala) estar(a|ia)? muert[oa]",
    r"ojala estuviera muert[oa]",
    r"no quiero (vivir|seguir viviendo|despertar(me)?|estar aqui|existir)",
    r"(estaria|estarian|estarias) mejor sin mi",
    r"mejor muert[oa]",
    r"no (tiene|tengo|hay) (sentido|razon\w*|motivo\w*) (para )?(vivir|seguir)",
    r"no vale la pena vivir",
    r"sin ganas de vivir",
    r"tirarme (por|de|desde) (la ventana|el balcon|un puente|la azotea)",
)

SHIPPED: dict[str, tuple[str, ...]] = {"en": ENGLISH, "es": SPANISH}
