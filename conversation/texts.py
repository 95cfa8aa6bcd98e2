"""The Dutch texts of the interview, in one place for a language reviewer (B1, short, "je").

Questions with their buttons, a second wording for a question asked again, hints, why a
question is asked, and the assistant's replies to things that are not an answer.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

QUESTIONS: Dict[str, Tuple[str, List[str]]] = {
    "municipality": ("Voor welke gemeente werk je?", []),
    "role": (
        "Vanuit welk domein werk je?",
        ["gezondheid", "sociaal domein", "veiligheid", "iets anders"],
    ),
    "reason": (
        "Waarom kom je vandaag? Vertel wat je ziet, of zeg aan welk beleid je werkt.",
        ["er is een signaal", "ik schrijf de gezondheidsnota", "ik maak een preventieplan"],
    ),
    "signal_substances": (
        "Welk signaal zie je? Om welk middel of gedrag gaat het?",
        ["alcohol", "lachgas", "3-MMC", "cannabis", "roken en vapen", "geen specifiek middel"],
    ),
    "signal_settings": (
        "Waar zie je het?",
        ["op straat", "in het uitgaansleven", "op school", "thuis, in gezinnen", "weet ik niet"],
    ),
    "signal_reporters": (
        "Wie heeft het gezien of gemeld?",
        ["jongerenwerk", "horeca", "politie", "school", "weet ik niet"],
    ),
    "signal_trend": (
        "Neemt het toe?",
        ["het neemt toe", "het blijft gelijk", "het neemt af", "weet ik niet"],
    ),
    "more_signals": (
        "Zie je nog een ander signaal?",
        ["ja", "nee"],
    ),
    "groups": ("Om welke groep gaat het vooral? Je mag er meer noemen.", ["weet ik niet"]),
    "partners_present": (
        "Welke partners zijn al betrokken? Noem ze allemaal in één bericht.",
        ["GGD", "verslavingszorg", "jongerenwerk", "politie", "nog niemand"],
    ),
    "policy": (
        "Welk beleid is er al? Bijvoorbeeld een preventie- en handhavingsplan alcohol, "
        "Damoclesbeleid of afspraken met de horeca.",
        ["nog geen beleid", "weet ik niet"],
    ),
    "capacity": (
        "Hoeveel ruimte heb je voor de aanpak? Denk aan uren en geld, bijvoorbeeld uit het GALA of de SPUK.",
        ["weinig: een paar uur per week", "gemiddeld", "ruim: er is budget en tijd", "weet ik niet"],
    ),
}
# The same question in other words, for the second time in a row.
AGAIN: Dict[str, str] = {
    "municipality": "Wat is de naam van je gemeente? Bijvoorbeeld Zwolle of Den Haag.",
    "role": "Werk je vooral aan gezondheid, het sociaal domein of veiligheid?",
    "reason": "Gaat het om iets wat je ziet in je gemeente, of schrijf je beleid?",
    "signal_substances": "Gaat het om een middel, zoals alcohol of drugs? Of om gedrag, zoals gokken? "
    "Het mag ook breed: zeg dan 'geen specifiek middel'.",
    "signal_settings": "Op welke plek speelt het? Bijvoorbeeld op straat, thuis of op school.",
    "signal_reporters": "Van wie komt het signaal? Bijvoorbeeld de politie, een school of bewoners.",
    "signal_trend": "Zie je het vaker dan vroeger, even vaak of minder vaak?",
    "more_signals": "Wil je nog iets anders noemen wat je ziet? Ja of nee.",
    "groups": "Welke mensen gaat het om? Kies een knop of noem de groep in je eigen woorden.",
    "partners_present": "Met wie werk je hier al samen? Zeg 'nog niemand' als er nog niemand bij is.",
    "policy": "Is er al beleid of een aanpak voor dit onderwerp? Zeg 'geen' als er nog niets is.",
    "capacity": "Heb je weinig, gemiddeld of veel tijd en geld voor de aanpak?",
}
HINTS: Dict[str, str] = {
    "role": "Kies gezondheid, sociaal domein of veiligheid. Of typ je functie.",
    "reason": "Vertel kort wat je ziet, of kies een knop.",
    "signal_substances": "Ik herken geen middel of gedrag in je antwoord. Noem het middel, bijvoorbeeld lachgas "
    "of alcohol. Gaat het niet om één middel? Zeg dan 'geen specifiek middel'.",
    "signal_settings": "Ik herken geen plek in je antwoord. Bijvoorbeeld: op straat, in het uitgaansleven of op school.",
    "signal_reporters": "Ik kreeg een leeg antwoord. Wie heeft het gezien of gemeld?",
    "signal_trend": "Zeg of het toeneemt, gelijk blijft of afneemt. Weet je het niet? Zeg dan 'weet ik niet'.",
    "more_signals": "Zeg 'ja' als je nog een signaal wilt noemen, of 'nee' om verder te gaan.",
    "groups": "Ik herken geen groep in je antwoord. Kies een knop of noem de groep, bijvoorbeeld jongeren op straat.",
    "partners_present": "Ik herken geen partner in je antwoord. Bijvoorbeeld: GGD, jongerenwerk of politie. "
    "Zit er nog niemand aan tafel? Zeg dan 'nog niemand'.",
    "policy": "Beschrijf kort het beleid dat er al is, of zeg 'geen'.",
    "capacity": "Zeg hoeveel tijd en geld er is, bijvoorbeeld 'weinig' of 'gemiddeld'.",
}
WHY_ASKED: Dict[str, str] = {
    "municipality": "Met je gemeente kan ik de juiste lokale bronnen noemen. Ook zet ik de naam in het verslag.",
    "role": "Dan weet ik vanuit welke kant je kijkt. Dat zet ik in het verslag, zodat collega's het kunnen plaatsen.",
    "reason": "Bij een signaal kijk ik vooral naar wat nu nodig is. Bij beleid kijk ik ook naar de langere termijn.",
    "signal_substances": "Het middel of gedrag bepaalt welke interventies passen. Niet elke aanpak werkt voor elk middel.",
    "signal_settings": "De plek bepaalt wie je kunt bereiken en welke regels je kunt gebruiken, bijvoorbeeld in de horeca.",
    "signal_reporters": "Wie iets meldt, is vaak ook een goede partner voor de aanpak.",
    "signal_trend": "Als het toeneemt, is het slim om nu vast te leggen wat je ziet. Dan kun je later meten of de aanpak werkt.",
    "more_signals": "Vaak hangen signalen samen. Met alle signalen samen maak ik één plan.",
    "groups": "De groep staat centraal. Ik kies interventies die gemaakt zijn voor jouw groepen.",
    "partners_present": "Dan zie ik welke partners nog ontbreken voor de aanpak.",
    "policy": "Wat je al hebt, stel ik niet opnieuw voor. Je kunt erop voortbouwen.",
    "capacity": "Met weinig tijd of geld noem ik minder opties per stap, zodat het plan haalbaar blijft.",
}

ENGLISH_REPLY = (
    "Ik spreek alleen Nederlands. Je mag kort antwoorden, ook met de knoppen. "
    "(Sorry, I only speak Dutch. You can answer briefly or use the buttons.)"
)
OWN_WORDS = "Ik noteer dit in je eigen woorden: '{text}'. Het komt in het verslag."
MOVE_ON = "Ik ga verder met de volgende vraag. Je kunt dit later nog aanpassen."
NO_MUNICIPALITY = "Ik ga verder zonder gemeente. Noem je gemeente later gerust, dan pas ik het aan."
LATER = "Dat vraag ik straks niet meer. Nu eerst deze vraag:"
BACK = "Nu eerst deze vraag:"
WELCOME_BACK = "Hoi! We waren bij deze vraag:"
CONFIRM_RESTART = (
    "Wil je echt opnieuw beginnen? Dit gesprek blijft bewaard: je kunt het verslag ervan nog ophalen."
)
RESTART_BUTTONS = [("Ja, opnieuw beginnen", "ja, opnieuw beginnen"), ("Nee, ga verder", "nee, ga verder")]
RESTARTED = "We beginnen opnieuw. Je vorige gesprek is bewaard."
GO_ON = "Prima, we gaan verder."
GOODBYE_DURING = "Tot ziens! Je antwoorden blijven bewaard. Stuur een bericht als je verder wilt."
CHITCHAT = "Ik ben een digitale assistent voor preventiebeleid. Laten we verder gaan met het plan."
OUT_OF_SCOPE = "Daar kan ik je niet mee helpen. Ik help bij een lokale aanpak van alcohol, drugs en ander risicogedrag."
THANKS = "Graag gedaan!"
NO_ANSWER = (
    "Daar weet ik niets over. Ik ken interventies, groepen, partners en begrippen "
    "zoals selectieve preventie, erkenning, GALA of Damocles."
)
# Given by the Rasa server itself (bot/channels/action_guard.py) while the action server is down.
SERVICE_UNAVAILABLE = "Er ging iets mis aan mijn kant. Je antwoord is bewaard; probeer het zo nog eens."
# Given by the Rasa server (bot/channels/resilient.py) while the conversation stores (Redis,
# PostgreSQL) cannot be reached: this message was not handled, what came before is kept.
STORE_UNAVAILABLE = ("Sorry, ik kan je bericht nu even niet verwerken. Wat je eerder zei, is bewaard. "
                     "Stuur dit bericht over een minuut nog eens.")
AFTER_PLAN = "Typ 'verslag' voor een samenvatting die je kunt bewaren. Wil je een nieuw plan maken? Typ dan 'opnieuw'."


# -- The plan, step by step, and replies outside the interview (actions/plan.py, questions.py).
PLAN_STEP_CHOICE = 'Wat wil je doen met deze stap?'
SKIPPED_STEP = "Ik sla deze stap over. Je kunt later 'terug' zeggen."
FIRST_STEP = 'Dit is de eerste stap. Verder terug kan niet.'
STEP_EMPTY = "In deze stap staat nog geen interventie. Vraag om een 'andere optie'."
NO_OTHER_OPTIONS = 'Ik heb voor deze stap geen andere opties die passen. '
ALREADY_IN_PLAN = 'Die staat al in het plan.'
ADDED = 'Toegevoegd: '
WHICH_DOES_NOT_FIT = 'Welke past niet bij jullie?'
NOTHING_TO_DROP = 'In deze stap staat niets om te schrappen.'
DROPPED = 'Geschrapt: '
WHAT_DIFFERENT = "Wat wil je anders? Vraag om een 'andere optie', zeg 'past niet bij ons', of 'sla over'."
NO_PROBLEM = "Geen probleem. Zeg 'volgende' om deze stap te bewaren, of 'sla over'."
BACK_AT_STEP = 'Hoi! We waren bij deze stap van het plan.'
PLAN_NOT_UNDERSTOOD = "Dat begreep ik niet. Zeg bijvoorbeeld 'volgende', 'waarom?' of 'andere optie'."
PLAN_STILL_NOT_UNDERSTOOD = 'Ik begrijp het nog steeds niet. Kies een van de knoppen hieronder.'
NO_PLAN_YET = "Er is nog geen plan. Daarvoor stel ik je eerst een paar vragen."
BACK_TO_PLAN = 'We gaan terug naar het plan, naar de laatste stap.'
NOTHING_TO_CHANGE = 'Ik zie niet wat je wilt aanpassen. Ik laat het plan nog eens zien.'
DID_YOU_MEAN = 'Dat begreep ik niet helemaal. Bedoel je een van deze?'
STILL_NOT_UNDERSTOOD = 'Sorry, ik begrijp je nog steeds niet. Dit kan ik voor je doen:'
NOTHING_TO_SUMMARIZE = "Er is nog niets om samen te vatten. Zeg 'hoi' om te beginnen."
ALREADY_HAVE = "Genoteerd: je hebt al {names}. Ik haal het uit het plan."

# -- The plan in the chat (actions/render.py). Placeholders in {braces} are filled in by the code.
YOUR_MUNICIPALITY = "je gemeente"
PLAN_INTRO = (
    "Dit is mijn voorstel voor {place}. Het plan heeft {steps} stappen. Het werkt aan {pillars}. "
    "We lopen de stappen één voor één door. Per stap kun je vragen waarom, om een andere optie vragen, "
    "of zeggen dat iets niet bij jullie past."
)
STEP_TITLE = "Stap {number} van {total}: {title}"
STEP_QUESTION = "Wat vind je ervan? Zeg 'volgende' als het goed is."
NOT_AT_TABLE = "   Nog niet aan tafel: {names}."
STEP_BUTTONS = {
    "next_step": "Volgende",
    "ask_why": "Waarom?",
    "ask_recognition": "Hoe erkend?",
    "ask_about": "Vertel meer",
    "reject_option": "Past niet bij ons",
    "other_option": "Andere optie",
    "skip_step": "Sla over",
    "previous_step": "Terug",
}
NOTHING_FITS = "Voor deze stap vond ik niets wat goed past. "
WHY_PILLAR = " Het hoort bij de pijler {pillar}."
WHY_LINE = "• {name}: {why}{pillar} Past voor {fit}% bij je situatie; erkenning: {recognition}."
WHY_HOW_CHOSEN = "Ik kies eerst op hoe goed iets past bij middel, groep en plek, en daarna op het bewijs dat het werkt."
NO_RECOGNITION = "In deze stap staat geen interventie, dus er is ook geen erkenning."
RECOGNISED_SINCE = ", sinds {date}"
RECOGNITION_LINE = "• {name}: {level}{when}{by}. Bron: {source}"
RECOGNITION_LEVELS_HINT = "Vraag 'wat is erkenning?' als je wilt weten wat de niveaus betekenen."
CHOICE_SKIPPED = "overgeslagen"
CHOICE_NOT_DISCUSSED = "nog niet besproken"
CHOICE_NONE = "geen interventie gekozen"
RECAP_TITLE = "Dit is het plan dat we samen hebben gemaakt voor {place}:"
RECAP_INVITE = "Nog uitnodigen:"
SOURCE = "Bron"
INTERVENTION_BRIEF = "{name} ({type}; erkenning: {recognition})"

# -- Coming back later (a new session; actions/asks.py ActionSessionStart and ActionGreet).
LAST_TIME = "Vorige keer waren we bij {where}{place}. Wil je verder gaan of opnieuw beginnen?"
PLAN_WAS_DONE = "Vorige keer hebben we een plan gemaakt{place}. Wil je het nog eens zien, of opnieuw beginnen?"
AT_QUESTION = "de vraag over {topic}"
AT_STEP = "stap {number} van het plan"
TOPICS = {
    "municipality": "je gemeente",
    "role": "je domein",
    "reason": "de reden van het gesprek",
    "signal_substances": "de middelen",
    "signal_settings": "de plek",
    "signal_reporters": "wie het ziet",
    "signal_trend": "of het toeneemt",
    "more_signals": "andere signalen",
    "groups": "de groepen",
    "partners_present": "de partners",
    "policy": "wat er al is",
    "capacity": "de tijd en het geld",
}
GO_ON_BUTTON = "Verder gaan"
START_OVER_BUTTON = "Opnieuw beginnen"
WELCOME_AGAIN = "Fijn dat je er weer bent. We gaan verder waar we waren."
