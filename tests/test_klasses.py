"""Custom attributes checked against the Klass, through createConversation and describeCustomer."""
from __future__ import annotations

import pytest

from mock_server.domain.errors import InvalidAttribute
from mock_server.testing.appcalls import org_of


@pytest.mark.parametrize(("attributes", "status", "code"), [
    ({"orderNumberStr": "A-1"}, 201, None),
    ({"orderNumberStr": "x" * 1024}, 201, None),
    ({"orderNumberStr": "x" * 1025}, 400, "value_too_long"),
    ({"orderNumberStr": 12}, 400, "invalid_attribute"),
    ({"issueDetailsTxt": "line one\nline two"}, 201, None),
    ({"issueDetailsTxt": ["a"]}, 400, "invalid_attribute"),
    ({"orderTotalNum": 10}, 201, None),
    ({"orderTotalNum": 10.5}, 201, None),
    ({"orderTotalNum": "ten"}, 400, "invalid_attribute"),
    ({"orderTotalNum": True}, 400, "invalid_attribute"),
    ({"giftBool": False}, 201, None),
    ({"giftBool": "false"}, 400, "invalid_attribute"),
    ({"deliveredAt": "2026-11-25T09:41:12.345Z"}, 201, None),
    ({"deliveredAt": "yesterday"}, 400, "invalid_attribute"),
    ({"receiptUrl": "https://acme.example/r/1"}, 201, None),
    ({"receiptUrl": "acme.example/r/1"}, 400, "invalid_attribute"),
    ({"issueTypeTree": "shipping"}, 201, None),
    ({"issueTypeTree": "shipping.late"}, 201, None),
    ({"issueTypeTree": "Shipping"}, 400, "invalid_attribute"),   # tree values are lowercase
    ({"issueTypeTree": "nowhere"}, 400, "invalid_attribute"),
    ({"orderNumberStr": None}, 201, None),                        # null clears
    ({"noSuchAttr": "x"}, 400, "unknown_attribute"),
    ({"loyaltyTierStr": "gold"}, 400, "unknown_attribute"),      # a Customer attribute
])
def test_conversation_attributes_are_checked(chat, attributes, status, code):
    rv = chat.create_conversation(message="hi", customAttributes=attributes)
    assert rv.status_code == status, rv.json
    if code:
        error = rv.json["errors"][0]
        assert error["code"] == code
        assert error["source"]["pointer"] == f"/customAttributes/{next(iter(attributes))}"


@pytest.mark.parametrize(("attributes", "status", "code"), [
    ({"loyaltyTierStr": "gold"}, 200, None),
    ({"lifetimeValueNum": "lots"}, 400, "invalid_attribute"),
    ({"preferredCategoryTree": "apparel.shoes"}, 200, None),
    ({"preferredCategoryTree": "Apparel"}, 400, "invalid_attribute"),
    ({"orderNumberStr": "A-1"}, 400, "unknown_attribute"),
])
def test_customer_attributes_are_checked(chat, attributes, status, code):
    rv = chat.call("PATCH", "/c/v1/customers/current", json={"customAttributes": attributes})
    assert rv.status_code == status, rv.json
    if code:
        assert rv.json["errors"][0]["code"] == code


def test_unknown_attribute_names_the_attribute_and_the_klass(chat):
    error = chat.create_conversation(message="hi", customAttributes={"fooStr": "x"}).json["errors"][0]
    assert error["detail"] == "fooStr is not an attribute of the Conversation Klass"


def test_null_clears_a_value(chat):
    cid = chat.new_conversation(customAttributes={"orderNumberStr": "A-1", "giftBool": True})
    rv = chat.call("PATCH", f"/c/v1/chat/sessions/{cid}", json={"customAttributes": {"giftBool": None}})
    assert rv.json["customAttributes"] == {"orderNumberStr": "A-1"}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_num_attribute_must_be_finite(app, chat, value):
    # JSON bodies cannot carry these (the strict reader refuses them); state files and fixtures could
    klass = org_of(app, chat.key).klasses["conversation"]
    with pytest.raises(InvalidAttribute) as caught:
        klass.validate({"orderTotalNum": value})
    assert caught.value.pointer == "/customAttributes/orderTotalNum"
