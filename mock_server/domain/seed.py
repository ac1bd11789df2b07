"""Seed customers with past support threads: templates from the fixtures, filled by Faker and the org's generator."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .clock import iso
from .klasses import merge_attributes
from .models import Conversation, Customer

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

_faker = None   # made on the first seed: importing Faker is a third of the boot
_faker_lock = threading.Lock()  # one shared instance, reseeded per org: building Faker costs ~12 ms
FALLBACK_THREAD = {"title": "Question about my order {order}",
                   "lines": ["Hi, I have a question about my order {order}.", "Hi {first}, happy to help!"]}


def seed_org(org: Org, seed_spec: dict, seed_text: str, threads: dict | None = None) -> None:
    """Fill `org` with the seed customers, conversations and messages."""
    global _faker
    with _faker_lock:
        if _faker is None:
            from faker import Faker
            _faker = Faker("en_US")
        _faker.seed_instance(seed_text)
        for _ in range(int(seed_spec.get("customers", 0))):
            _seed_customer(org, seed_spec, threads or {})


def _seed_customer(org: Org, spec: dict, threads: dict) -> None:
    rng, now = org.rng, org.clock.now()
    max_age = int(spec.get("maxAgeDays", 30))
    first, last = _faker.first_name(), _faker.last_name()
    joined = iso(now - timedelta(days=max_age, minutes=rng.randint(0, 1440)))
    customer = Customer(id=org.new_id(joined), created_at=joined, updated_at=joined,
                        name=f"{first} {last}", email=f"{first}.{last}@{_faker.free_email_domain()}".lower(),
                        external_id=f"cust-{rng.randint(10000, 99999)}", anonymous=False,
                        custom={"loyaltyTierStr": rng.choice(["bronze", "silver", "gold"])})
    org.customers[customer.id] = customer
    low, high = spec.get("conversationsPerCustomer", [1, 2])
    templates = threads.get("templates") or [FALLBACK_THREAD]
    count = rng.randint(low, high)
    # one customer does not write about the same thing twice (unless there are fewer stories than threads)
    chosen = rng.sample(templates, min(count, len(templates))) + [rng.choice(templates)
                                                                   for _ in range(count - len(templates))]
    for template in chosen:
        _seed_conversation(org, customer, spec, max_age, threads, template)


def _placeholders(org: Org, customer: Customer, agent: dict | None, started: datetime, threads: dict) -> dict:
    """The values one thread's template is filled with, all drawn from the seed."""
    rng = org.rng
    day = started - timedelta(days=rng.randint(2, 9))
    return {"first": customer.name.split()[0], "agent": (agent or {}).get("name", "the team").split()[0],
            "order": f"A-{rng.randint(10000, 99999)}", "item": rng.choice(threads.get("items") or ["an item"]),
            "amount": f"${rng.randint(19, 349)}.{rng.choice(['00', '49', '95', '99'])}",
            "date": f"{day:%A}, {day:%B} {day.day}", "days": str(rng.randint(2, 9)),
            "carrier": rng.choice(threads.get("carriers") or ["the carrier"]), "last4": _faker.numerify("####")}


def _seed_conversation(org: Org, customer: Customer, spec: dict, max_age: int, threads: dict, template: dict) -> None:
    rng = org.rng
    started = org.clock.now() - timedelta(days=rng.randint(0, max_age), minutes=rng.randint(0, 1440))
    agent = rng.choice(org.users) if org.users else None
    values = _placeholders(org, customer, agent, started, threads)
    custom = {name: str(value).format(**values) for name, value in (template.get("attributes") or {}).items()}
    conversation = Conversation(id=org.new_id(iso(started)), customer_id=customer.id, brand_id=org.default_brand_id,
                                created_at=iso(started), updated_at=iso(started), last_message_at=iso(started),
                                title=template["title"].format(**values),
                                custom=merge_attributes({}, org.klasses["conversation"].validate(custom)))
    org.conversations[conversation.id] = conversation
    org.messages[conversation.id] = []
    low, high = spec.get("messagesPerConversation", [2, 4])
    lines = template["lines"][:max(2, rng.randint(low, high))]
    moment = started
    for index, line in enumerate(lines):
        moment += timedelta(minutes=rng.randint(1, 20))
        inbound = index % 2 == 0 or agent is None
        sent_by = ({"type": "customer", "id": customer.id, "displayName": customer.name} if inbound else
                   {"type": "user", "id": agent["id"], "displayName": agent["name"], "avatarUrl": None})
        org.record_message(conversation, body=line.format(**values), direction="in" if inbound else "out",
                           sent_by=sent_by, at=iso(moment), read=True)
    if len(lines) % 2 == 0 and agent is not None:  # the agent had the last word: the thread is done
        conversation.ended, conversation.ended_at, conversation.status = True, iso(moment), "done"
