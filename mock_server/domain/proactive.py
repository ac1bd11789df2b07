"""Proactive chat: a message shown in an identified customer's widget, with no conversation until they answer."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .directory import user_sender
from .errors import ApiError, MissingField, NotFound
from .models import Conversation, Customer

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

MAX_BODY_CHARS = 1000
EVENT = "__proactive"   # the widget's own event: Kustomer documents no listener for it


class CustomerNotIdentified(ApiError):
    """Proactive chat for an anonymous customer: Kustomer shows it only to authenticated ones."""
    status, code, title = 409, "customer_not_identified", "Customer not identified"


def find_customer(org: Org, customer_id: str | None = None, email: str | None = None,
                  external_id: str | None = None) -> Customer:
    """The customer a trigger names by id, email or externalId."""
    if customer_id:
        return org.customer(customer_id)
    if not (email or external_id):
        raise MissingField("name the customer: customerId, email or externalId", pointer="/customerId")
    found = next((c for c in org.customers.values() if (email and c.email == email.lower())
                  or (external_id and c.external_id == external_id)), None)
    if found is None:
        raise NotFound(f"no customer with {'email ' + email if email else 'externalId ' + str(external_id)}",
                       pointer="/email" if email else "/externalId")
    return found


def trigger(org: Org, customer: Customer, body: str, user_id: str | None = None) -> dict:
    """Show `body` in the customer's open widgets; it waits there until they answer or dismiss it."""
    if customer.anonymous:
        raise CustomerNotIdentified("proactive chat reaches logged-in customers only (Kustomer.login first)",
                                    pointer="/customerId")
    sender = user_sender(org.agent(user_id)) if user_id else {
        "type": "user", "id": None, "displayName": org.settings.get("teamName") or org.name, "avatarUrl": None}
    with org.writing("proactive") as waiting:
        now = org.now()
        message = {"proactiveId": org.new_id(now), "body": body, "sentBy": sender, "createdAt": now}
        waiting[customer.id] = message   # one at a time: a newer one replaces an unanswered one
    org.events.emit(EVENT, message, customer.id)
    return message


def take(org: Org, customer_id: str, proactive_id: str) -> dict:
    """The customer's waiting proactive message, consumed by the conversation their answer opens."""
    with org.writing("proactive") as waiting:
        found = waiting.get(customer_id)
        if found is None or found["proactiveId"] != proactive_id:
            raise NotFound(f"no proactive message {proactive_id} waits for this customer", pointer="/proactiveId")
        return waiting.pop(customer_id)


def deliver(org: Org, conversation: Conversation, message: dict) -> None:
    """The proactive message as the conversation's first message, from whoever sent it."""
    org.record_message(conversation, body=message["body"], direction="out", sent_by=message["sentBy"],
                       meta={"proactive": True}, read=True)
