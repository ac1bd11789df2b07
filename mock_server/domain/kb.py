"""Knowledge base lookups over the fixtures' categories and articles."""
from __future__ import annotations

from .errors import NotFound


class KnowledgeBase:
    """Categories and articles of one org."""

    def __init__(self, data: dict):
        self.id = data.get("id")
        self.root_category = data.get("rootCategory")
        self.categories = {c["id"]: c for c in data.get("categories", [])}
        self.articles = {a["id"]: a for a in data.get("articles", [])}

    def category(self, category_id: str) -> dict:
        """One category with its articles and subcategories, or NotFound."""
        category = self.categories.get(category_id)
        if category is None:
            raise NotFound(f"no knowledge base category {category_id}", parameter="categoryId")
        return {**category, "articles": self.articles_in(category_id),
                "subcategories": [c["id"] for c in self.categories.values() if c.get("parent") == category_id]}

    def article(self, article_id: str) -> dict:
        """One article, or NotFound."""
        article = self.articles.get(article_id)
        if article is None:
            raise NotFound(f"no knowledge base article {article_id}", parameter="articleId")
        return article

    def articles_in(self, category_id: str) -> list[dict]:
        """The articles of one category."""
        return [a for a in self.articles.values() if a.get("category") == category_id]

    def search(self, term: str) -> list[dict]:
        """Articles whose title or body contains `term`, case-insensitively."""
        needle = term.lower()
        return [a for a in self.articles.values()
                if needle in a.get("title", "").lower() or needle in a.get("htmlBody", "").lower()]
