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
