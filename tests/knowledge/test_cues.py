"""Cues: descriptions that name an item without a fixed phrase (knowledge.matching.Cue)."""
import pytest

from knowledge.matching import CUE_WINDOW, Cue, CueError, TermMatcher

PHRASES = {
    "young": ["kinderen", "kids", "jongeren", "oudere jongeren"],
    "old": ["oudere", "ouderen"],
    "pregnant": ["zwangere vrouwen", "zwangere"],
    "school": ["speciaal onderwijs"],
}
CUES = {
    "kopp": ["kinderen|kids > verslaafd* vader|drinkend* moeder", "kinderen|kids > ouders|vader > drink*|gedronken ! met hun"],
    "night": ["jongeren + stappen|club"],
    "shelter": ["vrouwen|mensen > in de opvang"],
    "mood": ["jongeren + somber*|gedragsprobl*"],
}


@pytest.fixture(scope="module")
def matcher():
    return TermMatcher(PHRASES, cues=CUES, generic=["young"])


@pytest.mark.parametrize("text, expected", [
    ("kids met een verslaafde vader", ["kopp"]),             # adjective before the parent
    ("kinderen uit gezinnen waar de vader veel drinkt", ["kopp"]),  # ordered parts, words between
    ("kinderen die met hun ouders drinken", ["young"]),      # stopped by "met hun"
    ("ouders die drinken en hun kinderen", ["young"]),       # ">" keeps the order
    ("We zien kinderen. De vader drinkt.", ["young"]),       # not over the end of a sentence
    ("jongeren die in het weekend gaan stappen", ["night"]),  # "+" in any order
    ("stappen doen jongeren ook", ["night"]),
])
def test_cue_matches(matcher, text, expected):
    assert matcher.find(text) == expected


def test_cue_parts_must_be_close(matcher):
    filler = " ".join(["heel"] * (CUE_WINDOW + 1))
    assert matcher.find(f"jongeren {filler} stappen") == ["young"]
    assert matcher.find("jongeren die heel graag stappen") == ["night"]


def test_a_cue_takes_a_general_phrase_with_it(matcher):
    # "oudere jongeren" is a phrase of the general group: the cue takes it whole, so no "oudere".
    assert matcher.find("oudere jongeren die gaan stappen") == ["night"]


def test_a_cue_leaves_precise_phrases_in_the_gap_and_around(matcher):
    # Words between the parts are not taken, and a precise phrase the part lies in stays.
    assert matcher.find("jongeren in het speciaal onderwijs die somber zijn") == ["mood", "school"]
    assert sorted(matcher.find("zwangere vrouwen in de opvang")) == ["pregnant", "shelter"]


def test_blank_removes_cue_spans(matcher):
    assert matcher.blank("mensen in de opvang, geen jongeren") == "geen jongeren".replace("jongeren", "").strip()


@pytest.mark.parametrize("text", ["a + b > c", "a||b", "ver*slaafd", "xy*"])
def test_unreadable_cues(text):
    with pytest.raises(CueError):
        Cue(text)


def test_known_words_are_no_typos():
    partners = TermMatcher({"parents": ["ouders", "ouder"]})
    assert partners.find("oudere mensen") == ["parents"]  # a near miss without knowing better
    careful = TermMatcher({"parents": ["ouders", "ouder"]}, known_words=["oudere"])
    assert careful.find("oudere mensen") == []
    assert careful.find("de ouderrs") == ["parents"]  # a real typo is still found
