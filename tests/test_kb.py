"""Knowledge base lookups (/c/v1/kb)."""
from __future__ import annotations

ARTICLE = "5f0c1a2b3c4d5e6f7a8b9d21"
CATEGORY = "5f0c1a2b3c4d5e6f7a8b9d11"


def test_categories_and_root(chat):
    body = chat.call("GET", "/c/v1/kb/categories").json
    assert body["rootCategory"] == "5f0c1a2b3c4d5e6f7a8b9d10"
    assert body["categories"][CATEGORY]["title"] == "Orders & Shipping"


def test_open_category_lists_its_articles(chat):
    body = chat.call("GET", f"/c/v1/kb/categories/{CATEGORY}").json
    assert [a["id"] for a in body["articles"]] == [ARTICLE, "5f0c1a2b3c4d5e6f7a8b9d22"]


def test_get_articles_and_article_by_id(chat):
    articles = chat.call("GET", f"/c/v1/kb/categories/{CATEGORY}/articles").json["articles"]
    assert articles[0]["articleId"] == ARTICLE
    article = chat.call("GET", f"/c/v1/kb/articles/{ARTICLE}").json
    assert article["title"] == "Where is my order?" and "<p>" in article["htmlBody"]


def test_search_articles(chat):
    found = chat.call("GET", "/c/v1/kb/search", query_string={"term": "refund"}).json["articles"]
    assert [a["articleId"] for a in found] == ["5f0c1a2b3c4d5e6f7a8b9d24"]
    assert chat.call("GET", "/c/v1/kb/search").json["errors"][0]["code"] == "missing_field"


def test_unknown_ids_are_404(chat):
    for path in (f"/c/v1/kb/articles/{'0' * 24}", f"/c/v1/kb/categories/{'0' * 24}",
                 f"/c/v1/kb/categories/{'0' * 24}/articles"):
        rv = chat.call("GET", path)
        assert rv.status_code == 404 and rv.json["errors"][0]["code"] == "not_found"
