"""An officer who started over (or came back and began anew) can still get the summary and the
policy document of the earlier interview: it is kept in ``previous_interviews`` and the export
takes it while the new interview has no answers yet."""
from bot.policy import build_policy, policy_markdown
from bot.trackers import summary_for_tracker
from conversation.interview import start_over
from tests.bot import helpers


def _tracker(cid, slots):
    return helpers.tracker(cid, helpers.domain(), slots)


def test_policy_document_of_the_interview_before_starting_over(slots, catalog):
    after = {**slots, **start_over(slots)}
    assert after["municipality"] is None and after["groups"] is None  # the new interview is empty
    summary = summary_for_tracker(_tracker("came-back", after), catalog)
    assert summary.municipality == "Amersfoort"
    text = policy_markdown(build_policy(summary, catalog))
    assert "Amersfoort" in text
    assert "We zien meer 3-MMC bij jongeren in het uitgaansleven" in text  # the signal in their words


def test_a_new_interview_with_answers_is_the_one_exported(slots, catalog):
    after = {**slots, **start_over(slots), "municipality": "Zwolle"}
    summary = summary_for_tracker(_tracker("new-one", after), catalog)
    assert summary.municipality == "Zwolle"
