"""Knowledge base lookups of the chat API (/c/v1/kb): openKbArticle, openKbCategory and Core's."""
from __future__ import annotations

from flask import Blueprint, request

from ..schemas import chat_client as s
from ..schemas.common import shared
from .context import chat_session
from .docs import operation

bp = Blueprint("kb", __name__, url_prefix="/c/v1/kb")


@bp.get("/categories", endpoint="getCategories")
@operation(query=s.KbQuery, response=s.KbCategories, auth="chat")
def get_categories():
    """KustomerCore.getCategories(): {categories: {id: category}, rootCategory}."""
    shared(s.KbQuery).load(request.args)
    kb = chat_session().org.kb
    return {"categories": kb.categories, "rootCategory": kb.root_category}


@bp.get("/categories/<category_id>", endpoint="openKbCategory")
@operation(query=s.KbQuery, response=s.KbEntry, auth="chat")
def open_kb_category(category_id):
    """Kustomer.openKbCategory(categoryId): the category with its articles."""
    shared(s.KbQuery).load(request.args)
    return chat_session().org.kb.category(category_id)


@bp.get("/categories/<category_id>/articles", endpoint="getArticles")
@operation(query=s.KbQuery, response=s.KbArticles, auth="chat")
def get_articles(category_id):
    """KustomerCore.getArticles({categoryId}): {articles}."""
    shared(s.KbQuery).load(request.args)
    kb = chat_session().org.kb
    kb.category(category_id)
    return {"articles": [_article(a) for a in kb.articles_in(category_id)]}


@bp.get("/articles/<article_id>", endpoint="openKbArticle")
@operation(query=s.KbQuery, response=s.KbEntry, auth="chat")
def open_kb_article(article_id):
    """Kustomer.openKbArticle(articleId) and KustomerCore.getArticleById: the article."""
    shared(s.KbQuery).load(request.args)
    return _article(chat_session().org.kb.article(article_id))


@bp.get("/search", endpoint="searchArticles")
@operation(query=s.KbSearch, response=s.KbArticles, auth="chat")
def search_articles():
    """KustomerCore.searchArticles({term}): {articles}."""
    term = shared(s.KbSearch).load(request.args)["term"]
    return {"articles": [_article(a) for a in chat_session().org.kb.search(term)]}


def _article(article: dict) -> dict:
    return {"articleId": article["id"], **article}
