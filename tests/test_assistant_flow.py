"""Assistant definitions: the fixture checks, answer reading and branch resolution."""
from __future__ import annotations

import copy
import shutil

import pytest

from mock_server import create_app
from mock_server.domain import assistant_flow as flow
from mock_server.domain.fixtures import FixtureError, Fixtures, default_dir
from mock_server.domain.klasses import Klass

DATA = Fixtures.load().spec("flow-key").data
KLASS = Klass.from_fixture("Conversation", DATA["klasses"]["conversation"])
ASSISTANTS = DATA["assistants"]
BY_ID = {a["id"]: a for a in ASSISTANTS}
TRIAGE = BY_ID["5f0c1a2b3c4d5e6f7a8bb003"]


def question(assistant: dict, question_id: str) -> dict:
    return next(q for q in assistant["questions"] if q["id"] == question_id)


def test_the_bundled_assistants_are_sound():
    flow.check_assistants(ASSISTANTS, KLASS, DATA["brands"], DATA["settings"])
    assert [a["questions"][0]["type"] for a in ASSISTANTS] == ["text", "button", "attribute", "button"]


def _broken(change):
    assistants = copy.deepcopy(ASSISTANTS)
    change(assistants[2])
    return assistants


@pytest.mark.parametrize(("change", "fault"), [
    (lambda a: a.update(id="not-hex"), "unique 24-character hex id"),
    (lambda a: a.update(id="5f0c1a2b3c4d5e6f7a8bb001"), "unique 24-character hex id"),
    (lambda a: a.update(name=""), "a name is required"),
    (lambda a: a.update(questions=[]), "at least one question and one ending"),
    (lambda a: a.update(endings=[]), "at least one question and one ending"),
    (lambda a: a["questions"][1].update(id="issue_type"), "ids must be unique"),
    (lambda a: a["endings"][0].update(action="transfer"), "action must be one of handoff, end"),
    (lambda a: a["questions"][0].update(type="slider"), "type must be one of text, button, attribute"),
    (lambda a: a["questions"][0].update(prompt=""), "a prompt is required"),
    (lambda a: a["questions"][0].pop("attribute"), "names its attribute"),
    (lambda a: a["questions"][1].update(attribute="noSuchStr"), "noSuchStr is not an attribute"),
    (lambda a: a["questions"][1].update(next="nowhere"), "'nowhere' is neither a question nor an ending"),
    (lambda a: a["questions"][0]["branches"].update({"Shipping": "gift"}), "branch 'Shipping' is not a node"),
    (lambda a: a["questions"][2].update(options=[]), "options with unique string values"),
    (lambda a: a["questions"][2]["options"][1].update(value="true"), "options with unique string values"),
    (lambda a: a["questions"][2]["options"][0].update(displayText=""), "every option needs a displayText"),
    (lambda a: a["questions"][2]["options"][0].update(value="maybe"), "option 'maybe' does not fit giftBool"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_unsound_definitions_are_refused_with_the_reason(change, fault):
    with pytest.raises(FixtureError, match=fault):
        flow.check_assistants(_broken(change), KLASS, DATA["brands"], DATA["settings"])


@pytest.mark.parametrize(("brands", "settings", "fault"), [
    ([{"id": "b1", "activeAssistant": "0" * 24}], {}, "brand b1: activeAssistant"),
    ([], {"activeAssistant": "0" * 24}, "settings: activeAssistant"),
])
def test_default_assistants_must_exist(brands, settings, fault):
    with pytest.raises(FixtureError, match=fault):
        flow.check_assistants(ASSISTANTS, KLASS, brands, settings)


@pytest.mark.parametrize(("attribute", "answer", "value", "hint"), [
    (None, "  free text  ", "  free text  ", None),
    ("orderNumberStr", "A-1", "A-1", None),
    ("orderNumberStr", "x" * 1025, None, "That answer does not fit: orderNumberStr is longer than 1024 characters"),
    ("orderTotalNum", "42", 42, None),
    ("orderTotalNum", "19.50", 19.5, None),
    ("orderTotalNum", "1e3", 1000, None),
    ("orderTotalNum", "inf", None, flow.HINTS["num"]),
    ("orderTotalNum", "ten", None, flow.HINTS["num"]),
    ("giftBool", "Yes", True, None),
    ("giftBool", "false", False, None),
    ("giftBool", "maybe", None, flow.HINTS["bool"]),
    ("deliveredAt", "2026-11-25T09:41:00Z", "2026-11-25T09:41:00Z", None),
    ("deliveredAt", "yesterday", None, flow.HINTS["at"]),
    ("receiptUrl", "https://acme.example/r/1", "https://acme.example/r/1", None),
    ("receiptUrl", "acme.example", None, flow.HINTS["url"]),
])
def test_read_answer_converts_to_the_suffix_type(attribute, answer, value, hint):
    assert flow.read_answer(KLASS.attributes.get(attribute) if attribute else None, answer) == (value, hint)


@pytest.mark.parametrize(("node", "step"), [
    ("shipping", "shipping_order"), ("shipping.late", "shipping_order"), ("returns.refund", "return_reason"),
    ("other", "other_details"),
])
def test_tree_branches_follow_the_nearest_listed_ancestor(node, step):
    assert flow.next_step(question(TRIAGE, "issue_type"), KLASS, node) == step


def test_button_options_lead_to_their_next_else_the_question_next():
    returns = BY_ID["5f0c1a2b3c4d5e6f7a8bb002"]
    assert flow.next_step(question(returns, "reason"), KLASS, "browsing") == "goodbye"
    assert flow.next_step(question(TRIAGE, "gift"), KLASS, "true") == "to_shipping"
    assert flow.next_step(question(BY_ID["5f0c1a2b3c4d5e6f7a8bb001"], "describe_issue"), KLASS, "x") is None


@pytest.mark.parametrize(("payload", "fault"), [
    ("shipping.late", None),
    ("Shipping", "tree values are lowercase: send 'shipping'; valid values: shipping, shipping.late"),
    ("parcel", '"parcel" is not an option of question issue_type; valid values: shipping, shipping.late'),
    # the detail is read by people and front-ends: JSON words, never a Python repr such as {'value': 'x'}
    (3, "send the option's value as a string, not a number; valid values: shipping"),
    ({"value": "nope"}, "send the option's value as a string, not an object; valid values: shipping"),
    (["shipping"], "send the option's value as a string, not an array; valid values: shipping"),
    (True, "send the option's value as a string, not a boolean; valid values: shipping"),
])
def test_selection_fault_names_the_valid_values(payload, fault):
    found = flow.selection_fault(question(TRIAGE, "issue_type"), KLASS, payload)
    assert found == fault if fault is None else found.startswith(fault)


def test_a_broken_assistant_stops_the_mock_at_boot(tmp_path):
    folder = shutil.copytree(default_dir(), tmp_path / "fixtures")
    broken = folder / "assistants.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("next: to_shipping", "next: nowhere"),
                      encoding="utf-8")
    with pytest.raises(FixtureError, match="question gift: next 'nowhere' is neither a question nor an ending"):
        create_app({"FIXTURES": str(folder)})
