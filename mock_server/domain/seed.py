"""Seed customers with past conversations, drawn from Faker and the org's generator."""
from __future__ import annotations

import threading
from datetime import timedelta

from faker import Faker

from .clock import iso
from .models import Conversation, Customer

_faker = Faker("en_US")
_faker_lock = threading.Lock()  # one shared instance, reseeded per org: building Faker costs ~12 ms


def seed_org(org, seed_spec: dict, seed_text: str) -> None:
    """Fill `org` with the seed customers, conversations and messages."""
    with _faker_lock:
        _faker.seed_instance(seed_text)
        for _ in range(int(seed_spec.get("customers", 0))):
            _seed_customer(org, seed_spec)


def _seed_customer(org, spec: dict) -> None:
    rng, now = org.rng, org.clock.now()
    max_age = int(spec.get("maxAgeDays", 30))
    first, last = _faker.first_name(), _faker.last_name()
    joined = now - timedelta(days=max_age, minutes=rng.randint(0, 1440))
    customer = Customer(id=org.new_id(), created_at=iso(joined), updated_at=iso(joined),
                        name=f"{first} {last}", email=f"{first}.{last}@{_faker.free_email_domain()}".lower(),
                        external_id=f"cust-{rng.randint(10000, 99999)}", anonymous=False,
                        custom={"loyaltyTierStr": rng.choice(["bronze", "silver", "gold"])})
    org.customers[customer.id] = customer
    low, high = spec.get("conversationsPerCustomer", [1, 2])
    for _ in range(rng.randint(low, high)):
        _seed_conversation(org, customer, spec, max_age)


def _seed_conversation(org, customer: Customer, spec: dict, max_age: int) -> None:
    rng = org.rng
    started = org.clock.now() - timedelta(days=rng.randint(0, max_age), minutes=rng.randint(0, 1440))
    conversation = Conversation(id=org.new_id(), customer_id=customer.id, brand_id=org.default_brand_id,
                                created_at=iso(started), updated_at=iso(started), last_message_at=iso(started),
                                title=_faker.sentence(nb_words=4).rstrip("."))
    org.conversations[conversation.id] = conversation
    org.messages[conversation.id] = []
    agent = rng.choice(org.users) if org.users else None
    low, high = spec.get("messagesPerConversation", [2, 4])
    moment = started
    for index in range(rng.randint(low, high)):
        moment += timedelta(minutes=rng.randint(1, 20))
        inbound = index % 2 == 0 or agent is None
        sent_by = ({"type": "customer", "id": customer.id, "displayName": customer.name} if inbound else
                   {"type": "user", "id": agent["id"], "displayName": agent["name"], "avatarUrl": None})
        org.record_message(conversation, body=_faker.sentence(nb_words=rng.randint(5, 14)),
                           direction="in" if inbound else "out", sent_by=sent_by, at=iso(moment), read=True)
    if rng.random() < 0.5:
        conversation.ended, conversation.ended_at, conversation.status = True, iso(moment), "done"
