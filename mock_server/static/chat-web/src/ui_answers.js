/* ui_answers.js, UI part of widget.js: the widget UI's home tabs and its "Answers" tab: the brand's
 * knowledge base (search, categories, articles, shown as openKbArticle / openKbCategory show them).
 * Only when the brand has a KB.
 * Uses: K; K.TAG, E.request (sdk.js); U, U.el, clear, showHistory, showKb (ui.js).
 * Defines for later parts: U.tabs, showAnswers, searchAnswers, openAnswer. */

U.tabs = function (active) {
  var self = this, settings = this.engine.settings || {};
  if (!settings.knowledgeBaseId) return;
  var tab = function (name, label, show) {
    return self.el('button', { type: 'button', role: 'tab', 'class': 'tab', id: 'tab-' + name,
      'data-testid': 'tab-' + name, 'aria-selected': active === name ? 'true' : 'false',
      'aria-controls': 'home-body', text: label, onclick: function () { if (active !== name) show.call(self); } });
  };
  this.body.setAttribute('id', 'home-body');
  this.body.appendChild(this.el('div', { 'class': 'tabs', role: 'tablist', 'aria-label': 'Chat home' },
    [tab('messages', 'Messages', this.showHistory), tab('answers', 'Answers', this.showAnswers)]));
};

U.showAnswers = function () {
  var self = this;
  this.clear({ kind: 'answers' });
  this.tabs('answers');
  var input = this.el('input', { type: 'search', 'class': 'input', 'aria-label': 'Search answers',
    placeholder: 'Search for answers', 'data-testid': 'kb-search' });
  var results = this.el('ul', { 'class': 'kb-list', 'data-testid': 'kb-results', 'aria-label': 'Search results', hidden: true });
  var categories = this.el('ul', { 'class': 'kb-list', 'data-testid': 'kb-categories', 'aria-label': 'Categories' });
  this.body.appendChild(this.el('form', { 'class': 'kb-search', role: 'search', onsubmit: function (e) {
    e.preventDefault();
    self.searchAnswers(input.value.trim(), results);
  } }, [input, this.el('button', { type: 'submit', 'class': 'send', text: 'Search' })]));
  this.body.appendChild(results);
  this.body.appendChild(this.el('h3', { 'class': 'kb-heading', text: 'Browse by category' }));
  this.body.appendChild(categories);
  var view = this.view;
  this.engine.request('GET', '/c/v1/kb/categories').then(function (data) {
    if (self.view !== view) return;
    var all = data.categories || {};
    Object.keys(all).map(function (id) { return all[id]; })
      .filter(function (c) { return c.parent === data.rootCategory; })
      .forEach(function (c) {
        categories.appendChild(self.el('li', {}, [self.el('button', { type: 'button', 'class': 'link', text: c.title,
          onclick: function () { self.openAnswer('/c/v1/kb/categories/', 'category', c.id); } })]));
      });
  }, function (error) { categories.appendChild(self.el('li', { 'class': 'error', text: error.message })); });
};

U.searchAnswers = function (term, results) {
  var self = this, view = this.view;
  if (!term) return;
  this.engine.request('GET', '/c/v1/kb/search?term=' + encodeURIComponent(term)).then(function (data) {
    if (self.view !== view) return;
    while (results.firstChild) results.removeChild(results.firstChild);
    results.hidden = false;
    results.appendChild(self.el('li', { 'class': 'kb-heading', text: 'Results for \u201C' + term + '\u201D' }));
    var articles = data.articles || [];
    if (!articles.length) results.appendChild(self.el('li', { 'class': 'empty', text: 'No answers found for \u201C' + term + '\u201D' }));
    articles.forEach(function (a) {
      results.appendChild(self.el('li', {}, [self.el('button', { type: 'button', 'class': 'link', text: a.title,
        onclick: function () { self.openAnswer('/c/v1/kb/articles/', 'article', a.articleId || a.id); } })]));
    });
  }, function (error) { console.error(K.TAG + ' the search failed: ' + error.message); });
};

U.openAnswer = function (path, kind, id) {
  var self = this;
  this.engine.request('GET', path + encodeURIComponent(id)).then(function (data) {
    self.showKb(kind, data, 'answers');
  }, function (error) { console.error(K.TAG + ' the answer could not be opened: ' + error.message); });
};
