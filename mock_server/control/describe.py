"""How an org describes itself to tools (GET /__admin/orgs/KEY)."""
from __future__ import annotations

from ..domain.settings import describe_settings


def first_question_type(assistant: dict) -> str | None:
    """text, button or attribute: the type of an assistant's first question."""
    questions = assistant.get("questions") or []
    return questions[0].get("type") if questions else None


def describe_org(org, key: str) -> dict:
    """The org's brands, settings, assistants, Klasses, users and chat secret."""
    return {
        "key": key, "name": org.name, "roles": list(org.roles.get(key, ())),
        "brands": org.brands, "settings": describe_settings(org), "availability": org.availability(),
        "assistants": [{"id": a["id"], "name": a.get("name"),
                        "firstQuestion": {"type": first_question_type(a)}} for a in org.assistants],
        "klasses": {**{name: klass.describe() for name, klass in org.klasses.items()},
                    **{name: klass.rules.describe() for name, klass in org.custom_klasses.items()}},
        "users": [{"id": u["id"], "name": u.get("name"), "email": u.get("email")} for u in org.users],
        "chatSecret": org.chat_secret,
        "knowledgeBase": {"id": org.kb.id, "rootCategory": org.kb.root_category,
                          "categories": list(org.kb.categories), "articles": list(org.kb.articles)},
        "counts": {"customers": len(org.customers), "conversations": len(org.conversations),
                   "messages": sum(len(m) for m in org.messages.values())},
    }
