"""Assistant definitions from the fixtures: checking them, and what each question shows and accepts."""
from __future__ import annotations

import json
import math

from .errors import ApiError
from .fixtures import FixtureError
from .ids import is_id
from .klasses import Attribute, Klass

QUESTION_TYPES = ("text", "button", "attribute")
END_ACTIONS = ("handoff", "end")
TRUE_WORDS, FALSE_WORDS = {"true", "yes", "y"}, {"false", "no", "n"}
# What the assistant says when a typed answer does not fit the attribute (why: the customer needs a hint).
HINTS = {"num": "Please answer with a number, for example 42 or 19.99.",
         "bool": "Please answer yes or no.",
         "at": "Please answer with a date and time, for example 2026-11-25T09:41:00Z.",
         "url": "Please answer with a web address starting with http:// or https://."}


# -- checking the fixtures ----------------------------------------------------------------------

def check_assistants(assistants: list[dict], klass: Klass, brands: list[dict], settings: dict) -> None:
    """Raise FixtureError naming the assistant and the fault unless every definition is sound."""
    seen: set[str] = set()
    for assistant in assistants:
        where = f"assistant {assistant.get('id')!r}"
        if not is_id(assistant.get("id")) or assistant["id"] in seen:
            raise FixtureError(f"{where}: the id must be a unique 24-character hex id")
        seen.add(assistant["id"])
        if not assistant.get("name"):
            raise FixtureError(f"{where}: a name is required")
        _check_flow(where, assistant, klass)
    defaults = [(f"brand {b.get('id')}", b.get("activeAssistant")) for b in brands]
    for owner, assistant_id in defaults + [("settings", settings.get("activeAssistant"))]:
        if assistant_id and assistant_id not in seen:
            raise FixtureError(f"{owner}: activeAssistant {assistant_id} is not an assistant of this org")


def check_fixtures(fixtures) -> None:
    """Check the assistants of every org the fixtures define, so a mistake stops the mock at boot."""
    keys = ["fixture-check"] + [org["keys"][0]["key"] for org in fixtures.data.get("orgs") or [] if org.get("keys")]
    for key in keys:
        data = fixtures.spec(key).data
        klass = Klass.from_fixture("Conversation", (data.get("klasses") or {}).get("conversation") or [])
        check_assistants(list(data.get("assistants") or []), klass, list(data.get("brands") or []),
                         dict(data.get("settings") or {}))


def _check_flow(where: str, assistant: dict, klass: Klass) -> None:
    questions, endings = assistant.get("questions") or [], assistant.get("endings") or []
    if not questions or not endings:
        raise FixtureError(f"{where}: needs at least one question and one ending")
    steps = [q.get("id") for q in questions] + [e.get("id") for e in endings]
    if not all(isinstance(s, str) and s for s in steps) or len(set(steps)) != len(steps):
        raise FixtureError(f"{where}: question and ending ids must be unique, non-empty strings")
    for ending in endings:
        if ending.get("action") not in END_ACTIONS:
            raise FixtureError(f"{where}: ending {ending['id']}: action must be one of {', '.join(END_ACTIONS)}")
    for question in questions:
        _check_question(f"{where}: question {question['id']}", question, klass, set(steps))


def _check_question(where: str, question: dict, klass: Klass, steps: set[str]) -> None:
    kind, name = question.get("type"), question.get("attribute")
    if kind not in QUESTION_TYPES:
        raise FixtureError(f"{where}: type must be one of {', '.join(QUESTION_TYPES)}")
    if not question.get("prompt"):
        raise FixtureError(f"{where}: a prompt is required")
    if kind == "attribute" and not name:
        raise FixtureError(f"{where}: an attribute question names its attribute")
    if name and name not in klass.attributes:
        raise FixtureError(f"{where}: {name} is not an attribute of the {klass.name} Klass")
    targets = [question.get("next")] + [o.get("next") for o in question.get("options") or []]
    targets += list((question.get("branches") or {}).values())
    for target in targets:
        if target is not None and target not in steps:
            raise FixtureError(f"{where}: next {target!r} is neither a question nor an ending")
    if kind == "button":
        _check_options(where, question, klass)
    attribute = klass.attributes.get(name) if name else None
    for node in question.get("branches") or {}:
        if attribute is None or attribute.type != "tree" or node not in attribute.nodes:
            raise FixtureError(f"{where}: branch {node!r} is not a node of a tree attribute")


def _check_options(where: str, question: dict, klass: Klass) -> None:
    options = question.get("options") or []
    values = [o.get("value") for o in options]
    if not options or not all(isinstance(v, str) and v for v in values) or len(set(values)) != len(values):
        raise FixtureError(f"{where}: a button question needs options with unique string values")
    if any(not o.get("displayText") for o in options):
        raise FixtureError(f"{where}: every option needs a displayText")
    attribute = attribute_of(question, klass)
    for value in values:
        if attribute is not None and read_answer(attribute, value)[1]:
            raise FixtureError(f"{where}: option {value!r} does not fit {attribute.name}")


# -- what a question shows ------------------------------------------------------------------------

def attribute_of(question: dict, klass: Klass) -> Attribute | None:
    """The Klass attribute a question writes to, if any."""
    name = question.get("attribute")
    return klass.attributes.get(name) if name else None


def is_selection(question: dict, klass: Klass) -> bool:
    """Whether only a chosen option answers it: Button Questions and tree Data Attribute Questions."""
    attribute = attribute_of(question, klass)
    return question["type"] == "button" or (question["type"] == "attribute" and attribute.type == "tree")


def template(question: dict, klass: Klass, body: str | None = None) -> dict:
    """meta.template of the message that asks `question` (reference 11)."""
    body = body or question["prompt"]
    if question["type"] == "button":
        actions = [{"displayText": o["displayText"], "value": o["value"], "valueType": "text"}
                   for o in question["options"]]
        return {"templateType": "quick_replies", "body": body, "actions": actions}
    attribute = attribute_of(question, klass)
    if question["type"] == "attribute" and attribute.type == "tree":
        tree = {"children": _tree(attribute.tree["children"])}
        return {"templateType": "mll", "body": body, "actions": {"tree": tree}}
    return {"templateType": "text", "body": body}


def _tree(nodes: list[dict]) -> list[dict]:
    return [{"id": n["id"], "displayName": n.get("displayName", n["id"]), "children": _tree(n.get("children") or [])}
            for n in nodes]


def valid_values(question: dict, klass: Klass) -> list[str]:
    """The values a selection question accepts, in the order the customer sees them."""
    if question["type"] == "button":
        return [o["value"] for o in question["options"]]
    return [node_id for node_id, _ in _walk(attribute_of(question, klass).tree["children"], ())]


def _walk(nodes: list[dict], ancestors: tuple):
    """(node id, its ancestors nearest first) for every node, depth first."""
    for node in nodes:
        yield node["id"], ancestors
        yield from _walk(node.get("children") or [], (node["id"],) + ancestors)


# -- what a question accepts, and where it leads -----------------------------------------------

def selected_value(payload) -> str | None:
    """The option a sendMessage payload carries: a quick-reply value or a tree node id (a string)."""
    return payload if isinstance(payload, str) else None


def selection_fault(question: dict, klass: Klass, payload) -> str | None:
    """Why `payload` is not an option of `question` (None when it is one)."""
    value, valid = selected_value(payload), valid_values(question, klass)
    if value in valid:
        return None
    listed = f"valid values: {', '.join(valid)}"
    if isinstance(value, str) and value.lower() in valid:
        return f"tree values are lowercase: send {value.lower()!r}; {listed}"
    if value is None:   # a payload that is not a string: name its JSON type, never a Python repr
        return f"send the option's value as a string, not {_json_kind(payload)}; {listed}"
    return f"{json.dumps(value)} is not an option of question {question['id']}; {listed}"


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {dict: "an object", list: "an array", type(None): "null"}.get(type(value), "a value of another type")


def read_answer(attribute: Attribute | None, text: str):
    """(value, None) when `text` answers for `attribute` (converted to its type), else (None, hint)."""
    if attribute is None:
        return text, None
    value = text.strip() if attribute.type in ("num", "bool", "at", "url") else text
    if attribute.type == "num":
        try:
            number = float(value)
        except ValueError:
            return None, HINTS["num"]
        if not math.isfinite(number):
            return None, HINTS["num"]
        value = int(number) if number.is_integer() and "." not in value else number
    elif attribute.type == "bool":
        lowered = value.lower()
        if lowered not in TRUE_WORDS | FALSE_WORDS:
            return None, HINTS["bool"]
        value = lowered in TRUE_WORDS
    try:
        attribute.check(value, "/body")
    except ApiError as exc:
        return None, HINTS.get(attribute.type, f"That answer does not fit: {exc.detail}")
    return value, None


def next_step(question: dict, klass: Klass, value) -> str | None:
    """The id of what follows an answer: the option's or the branch's next, else the question's."""
    if question["type"] == "button":
        option = next(o for o in question["options"] if o["value"] == value)
        if option.get("next"):
            return option["next"]
    branches = question.get("branches") or {}
    if branches:
        ancestors = dict(_walk(attribute_of(question, klass).tree["children"], ()))
        for node in (value,) + ancestors.get(value, ()):
            if node in branches:
                return branches[node]
    return question.get("next")
