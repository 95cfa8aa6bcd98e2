"""Recognising municipalities and knowledge-base terms in what officers type."""
import pytest


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Zwolle", "Zwolle"),
        ("gemeente Zwolle", "Zwolle"),
        ("Ik werk bij de gemeente Utrecht", "Utrecht"),
        ("Den Haag", "'s-Gravenhage"),
        ("den bosch", "'s-Hertogenbosch"),
        ("Súdwest-Fryslân", "Súdwest-Fryslân"),
        ("sudwest fryslan", "Súdwest-Fryslân"),
        ("Laren", "Laren (NH.)"),
        ("Nuenen", "Nuenen, Gerwen en Nederwetten"),
    ],
)
def test_municipality_found(parser, text, expected):
    result = parser.municipality(text)
    assert result.status == "found"
    assert result.municipality.name == expected


@pytest.mark.parametrize("text, expected", [("Amersfort", "Amersfoort"), ("gemeente Zwole", "Zwolle"), ("Rotterdm", "Rotterdam")])
def test_near_miss_is_suggested(parser, text, expected):
    result = parser.municipality(text)
    assert result.status == "suggest"
    assert result.municipality.name == expected


def test_two_bergens_are_ambiguous(parser):
    result = parser.municipality("Bergen")
    assert result.status == "ambiguous"
    assert [m.name for m in result.candidates] == ["Bergen (L.)", "Bergen (NH.)"]


@pytest.mark.parametrize("text", ["Atlantis", "weet ik niet", "", "   ", "<script>alert(1)</script>",
                                  "'; DROP TABLE municipality; --", "x" * 10000])
def test_unknown_municipality(parser, text):
    assert parser.municipality(text).status == "unknown"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("meer 3mmc bij jongeren", ["3mmc"]),
        ("We zien meer 3-MMC gebruik in het uitgaansleven", ["3mmc"]),
        ("lachgas en alcohol", ["lachgas", "alcohol"]),
        ("ze blowen veel", ["cannabis"]),
        ("cocaine", ["cocaine"]),
        ("Cocaïne!", ["cocaine"]),
        ("vapes op school", ["tabak"]),
    ],
)
def test_substances(parser, text, expected):
    assert parser.substances(text) == expected


def test_settings_and_typos(parser):
    assert parser.settings("in het uitgaansleven en op straat") == ["uitgaan", "straat"]
    assert parser.settings("in het uitgaansleeven") == ["uitgaan"]


def test_partners_with_abbreviations(parser):
    assert parser.partners("jw en ivz") == ["jongerenwerk", "ivz"]
    assert set(parser.partners("de GGD, de politie en het jongerenwerk")) == {"ggd", "politie", "jongerenwerk"}


def test_text_without_intervention_names(parser):
    text = "We doen al Helder op School, en zien meer alcohol"
    assert parser.interventions(text) == ["helder_op_school"]
    assert parser.without_interventions(text) == "we doen al en zien meer alcohol"
    assert parser.without_interventions("geen maatregel genoemd") == "geen maatregel genoemd"


def test_groups(parser):
    assert "lvb" in parser.groups("jongeren met een lvb")
    assert "hangjongeren" in parser.groups("hangjongeren")


@pytest.mark.parametrize("text", ["weet ik niet", "Geen idee", "ik weet het niet", "onbekend", "?"])
def test_dont_know(parser, text):
    assert parser.is_dont_know(text)


@pytest.mark.parametrize("text", ["nog niemand", "Niemand", "geen"])
def test_none(parser, text):
    assert parser.is_none(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        # Names officers use in the social domain and that users found missing.
        ("jonge moeders", "kwetsbare_ouders"),
        ("aanstaande ouders en zwangeren", "kwetsbare_ouders"),
        ("statushouders en nieuwkomers", "vluchtelingen_migranten"),
        ("vluchtelingen", "vluchtelingen_migranten"),
        ("zwervers", "dak_thuislozen"),
        ("dak- en thuislozen", "dak_thuislozen"),
        ("mensen met schulden", "schulden_armoede"),
        ("huishoudens met geldzorgen", "schulden_armoede"),
        ("gezinnen in armoede", "schulden_armoede"),
        ("mensen in de bijstand", "schulden_armoede"),
        ("minima", "schulden_armoede"),
        ("senioren", "ouderen"),
        ("65-plussers", "ouderen"),
        ("eenzame ouderen", "ouderen"),
        ("ouderen die eenzaam zijn", "ouderen"),
        ("jongeren op straat", "hangjongeren"),
        ("kinderen van verslaafde ouders", "kopp_kov"),
        ("KOV", "kopp_kov"),
        ("licht verstandelijk beperkt", "lvb"),
        ("LVB'ers", "lvb"),
        ("mensen met een licht verstandelijke beperking", "lvb"),
        ("jongeren in het uitgaansleven", "uitgaanspubliek"),
    ],
)
def test_group_names_officers_use(parser, text, expected):
    assert parser.groups(text) == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("de kraamzorg", "kraamzorg"),
        ("verloskundige", "verloskundigen"),
        ("het buurtteam", "sociaal_wijkteam"),
        ("het sociaal wijkteam", "sociaal_wijkteam"),
        ("de jongerenwerkers", "jongerenwerk"),
        ("de wijkagent", "politie"),
        ("boa's", "boa"),
        ("de huisarts", "huisartsen"),
        ("praktijkondersteuner", "huisartsen"),
        ("POH-GGZ", "huisartsen"),
        ("schuldhulpverlening", "schuldhulpverlening"),
        ("de voedselbank", "voedselbank"),
        ("leerplicht", "leerplicht"),
        ("de JGZ", "jgz"),
        ("jeugdgezondheidszorg", "jgz"),
        ("het consultatiebureau", "jgz"),
        ("wijkverpleging", "wijkverpleging"),
        ("de woningcorporatie", "woningcorporaties"),
        ("de sportvereniging", "sportverenigingen"),
        ("het maatschappelijk werk", "welzijn"),
        ("Halt", "halt"),
    ],
)
def test_partner_names_officers_use(parser, text, expected):
    assert parser.partners(text) == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("in de kantine", ["sportclub"]),
        ("bij de coffeeshop", ["uitgaan"]),
        ("op het festival", ["evenementen"]),
        ("in het uitgaansgebied", ["uitgaan"]),
        ("in het centrum", ["straat"]),
        ("lachgas in de auto", ["straat"]),
        ("thuis", ["thuis_gezin"]),
        ("op hangplekken", ["straat"]),
    ],
)
def test_places_officers_name(parser, text, expected):
    assert parser.settings(text) == expected


@pytest.mark.parametrize(
    "text, kind, wrong",
    [
        ("ik werk bij de gemeente", "settings", "werkplek"),
        ("speciaal onderwijs", "substances", "ketamine"),  # not 'special k'
        ("we hebben een kort lijntje met de politie", "substances", "cocaine"),
        ("team maatschappelijke ontwikkeling", "partners", "welzijn"),  # not 'maatschappelijk werk'
        ("vluchtelingen", "partners", "vluchtelingenwerk"),  # a longer compound is no typo
        ("VluchtelingenWerk", "groups", "vluchtelingen_migranten"),
        ("we schrijven de gezondheidsnota", "partners", "huisartsen"),
        ("waarom wil je weten welke groep het is", "settings", "basisschool"),  # not 'groep 8'
    ],
)
def test_ordinary_words_are_no_terms(parser, text, kind, wrong):
    assert wrong not in getattr(parser, kind)(text)


def test_typos_in_one_word_terms_are_still_found(parser):
    assert parser.partners("jongerenwerkr") == ["jongerenwerk"]
    assert parser.groups("statushouder") == ["vluchtelingen_migranten"]
    assert parser.groups("zwerfjongern") == ["dak_thuislozen"]
