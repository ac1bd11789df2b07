/* ui.js, first UI part of widget.js (after the engine): the widget UI: launcher, panel, history, thread,
 * composer, assistant choices, KB, in an iframe with Kustomer's id (kustomer-ui-sdk-iframe), so host
 * pages and test suites can find it, and no style crosses between page and widget. The UI is drawn by
 * this script into the iframe's document.
 * This file: the frame, launcher, panel, history, KB and live events; ui_thread.js the thread.
 * Uses: K; Shared.el (shared.js); K.TAG, E.request, the engine's hooks (sdk.js); E.emit (stream.js);
 * at run time the U methods of ui_thread.js, ui_survey.js, ui_answers.js and ui_proactive.js.
 * Defines for later parts: U (= K.WidgetUI.prototype), CLOSED, OPEN (frame sizes); K.FRAME_ID,
 * WidgetUI, shortTime; U.el, mount, unmount, build, visible, layout, open, close, renderBadge, clear,
 * showHistory, historyItem, showKb, onEvent. */

K.FRAME_ID = 'kustomer-ui-sdk-iframe';
var CLOSED = { width: '96px', height: '96px' };
var OPEN = { width: 'min(400px, 100vw)', height: 'min(660px, 100vh)' };

K.WidgetUI = function (engine) {
  this.engine = engine;
  this.frame = null;
  this.view = null;       // {kind: 'history'|'thread'|'draft'|'kb', ...}
  this.shown = {};        // messageId -> true, in the thread on screen
  this.typingSent = 0;
  engine.hooks.push(this.onEvent.bind(this));
};

var U = K.WidgetUI.prototype;

U.el = function (tag, attrs, children) { return Shared.el(this.doc, tag, attrs, children); };

U.mount = function (options) {
  this.unmount();
  this.options = options || {};
  var frame = document.createElement('iframe');
  frame.id = K.FRAME_ID;
  frame.title = 'Chat';
  frame.setAttribute('allowtransparency', 'true');
  var style = frame.style;
  style.position = 'fixed'; style.right = '0'; style.bottom = '0'; style.border = '0'; style.margin = '0';
  style.padding = '0'; style.background = 'transparent'; style.colorScheme = 'normal';
  style.zIndex = String(this.options.zIndex || 2147483000);
  document.body.appendChild(frame);
  this.frame = frame;
  var doc = this.doc = frame.contentDocument;
  doc.open();
  doc.write('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chat</title>' +
    '<link rel="stylesheet" href="' + this.engine.base + '/chat-web/ui/widget.css"></head><body></body></html>');
  doc.close();
  this.build();
  this.isOpen = false;
  this.layout();
};

U.unmount = function () {
  if (this.frame && this.frame.parentNode) this.frame.parentNode.removeChild(this.frame);
  this.frame = null;
  this.view = null;
  this.proactive = this.teaser = null;
};

U.build = function () {
  var self = this, settings = this.engine.settings || {};
  var badge = this.el('span', { 'class': 'badge', 'data-testid': 'unread-badge', hidden: true });
  this.launcher = this.el('button', { 'class': 'launcher', type: 'button', 'aria-label': 'Open chat',
    'data-testid': 'launcher', onclick: function () { if (self.isOpen) self.close(); else self.open(); } },
  [this.el('span', { 'class': 'launcher-icon', 'aria-hidden': 'true' }), badge]);
  // a chat bubble drawn inline: no icon font or image to fetch
  this.launcher.firstChild.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" fill="currentColor">' +
    '<path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
  this.badge = badge;
  this.title = this.el('div', { 'class': 'title', text: settings.teamName || 'Chat' });
  this.back = this.el('button', { 'class': 'back', type: 'button', 'aria-label': 'Back', text: '\u2039',
    onclick: function () { if ((self.view || {}).from === 'answers') self.showAnswers(); else self.showHistory(); } });
  this.body = this.el('main', { 'class': 'body' });
  this.banner = this.el('div', { 'class': 'banner', 'data-testid': 'availability-banner', hidden: true });
  this.panel = this.el('section', { 'class': 'panel', 'data-testid': 'panel', hidden: true, role: 'dialog',
    'aria-label': settings.teamName || 'Chat' }, [
    this.el('header', { 'class': 'header' }, [this.back, this.title,
      this.el('button', { 'class': 'close', type: 'button', 'aria-label': 'Close chat', 'data-testid': 'close',
        text: '\u00D7', onclick: function () { self.close(); } })]),
    this.banner, this.body]);
  this.doc.body.appendChild(this.el('div', { 'class': 'root' }, [this.panel, this.launcher]));
  this.renderBadge();
};

/* Availability as Kustomer shows it: disabled and hidden show nothing, offline shows the widget with a notice. */
U.visible = function () {
  var availability = this.engine.availability;
  return availability !== 'disabled' && availability !== 'hidden';
};

U.layout = function () {
  if (!this.frame) return;
  var style = this.frame.style, size = this.isOpen ? OPEN : (this.teaserSize() || CLOSED);
  var show = this.visible() && (this.isOpen || !this.options.hideChatIcon);
  style.display = show ? 'block' : 'none';
  style.width = size.width; style.height = size.height;
  this.panel.hidden = !this.isOpen;
  this.launcher.hidden = !!this.options.hideChatIcon;
  this.launcher.setAttribute('aria-expanded', this.isOpen ? 'true' : 'false');
  this.launcher.setAttribute('aria-label', this.isOpen ? 'Minimize chat' : 'Open chat');
  var offline = this.engine.availability === 'offline';
  this.banner.hidden = !offline;
  this.banner.textContent = offline ? 'We\u2019re away right now. Leave a message and we\u2019ll get back to you.' : '';
};

U.open = function () {
  if (!this.frame) return;
  if (!this.visible()) {
    console.warn(K.TAG + ' chat is ' + this.engine.availability + ': the widget stays hidden, as Kustomer\'s does');
    return;
  }
  // opened while a proactive message waits: the panel opens on it (the frame never keeps the teaser's size)
  if (this.proactive && !this.isOpen) { this.answerProactive(); return; }
  var wasOpen = this.isOpen;
  this.isOpen = true;
  this.layout();
  if (!this.view) this.showHistory();
  else if (this.view.kind === 'thread') this.markRead(this.view.id);
  if (!wasOpen) this.engine.emit('onOpen', null);
};

U.close = function () {
  if (!this.frame || !this.isOpen) return;
  this.isOpen = false;
  this.layout();
  this.engine.emit('onClose', null);
};

U.renderBadge = function () {
  if (!this.badge) return;
  var total = this.engine.unread.total || 0;
  this.badge.hidden = total === 0;
  this.badge.textContent = total > 99 ? '99+' : String(total);
};

U.clear = function (view) {
  this.view = view;
  this.shown = {};
  while (this.body.firstChild) this.body.removeChild(this.body.firstChild);
  this.back.hidden = view.kind === 'history' || view.kind === 'answers';
  this.body.removeAttribute('id');
};

/* -- history --------------------------------------------------------------------------------- */

U.showHistory = function () {
  var self = this, settings = this.engine.settings || {};
  this.clear({ kind: 'history' });
  var list = this.el('ul', { 'class': 'history', 'data-testid': 'history', 'aria-label': 'Conversations' });
  this.tabs('messages');
  this.body.appendChild(this.el('div', { 'class': 'greeting', text: settings.greeting || 'Hi! How can we help?' }));
  this.body.appendChild(this.el('button', { 'class': 'primary new', type: 'button', 'data-testid': 'new-conversation',
    'aria-label': 'New conversation', text: 'New conversation', onclick: function () { self.newThread({}); } }));
  this.body.appendChild(list);
  var view = this.view;
  this.engine.request('GET', '/c/v1/chat/sessions?page=1&pageSize=100').then(function (data) {
    if (self.view !== view) return;
    (data.conversations || []).forEach(function (c) { list.appendChild(self.historyItem(c)); });
    if (!(data.conversations || []).length) list.appendChild(self.el('li', { 'class': 'empty', text: 'No conversations yet' }));
  }, function (error) { list.appendChild(self.el('li', { 'class': 'error', text: error.message })); });
};

U.historyItem = function (c) {
  var self = this, unread = this.engine.unread.conversations[c.conversationId] || 0;
  return this.el('li', {}, [this.el('button', { type: 'button', 'class': 'conversation' + (c.ended ? ' ended' : ''),
    'data-conversation-id': c.conversationId, onclick: function () { self.showConversation(c.conversationId); } }, [
    this.el('span', { 'class': 'preview', text: c.preview || c.title || 'Conversation' }),
    this.el('span', { 'class': 'meta', text: (c.ended ? 'Ended \u00B7 ' : '') + K.shortTime(c.lastMessageAt) }),
    unread ? this.el('span', { 'class': 'count', text: String(unread) }) : null])]);
};

K.shortTime = function (iso) {
  if (!iso) return '';
  var d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
};

/* -- knowledge base --------------------------------------------------------------------------------- */

U.showKb = function (kind, data, from) {
  var self = this;
  if (!this.frame) return;
  this.clear({ kind: 'kb', item: data, from: from });
  this.open();
  var box = this.el('article', { 'class': 'kb', 'data-testid': 'kb-' + kind });
  box.appendChild(this.el('h2', { text: data.title || data.name || '' }));
  if (kind === 'article') {
    var content = this.el('div', { 'class': 'kb-body' });
    // the article body is the org's own HTML from the fixtures, shown like Kustomer shows it
    content.innerHTML = data.htmlBody || data.body || '';
    box.appendChild(content);
  } else {
    var list = this.el('ul', { 'class': 'kb-list' });
    (data.articles || []).forEach(function (article) {
      var id = article.articleId || article.id;
      list.appendChild(self.el('li', {}, [self.el('button', { type: 'button', 'class': 'link', text: article.title,
        onclick: function () { self.engine.request('GET', '/c/v1/kb/articles/' + id).then(function (a) { self.showKb('article', a, from); }); } })]));
    });
    box.appendChild(list);
  }
  this.body.appendChild(box);
};

/* -- live events ---------------------------------------------------------------------------------------- */

U.onEvent = function (name, payload) {
  if (!this.frame) return;
  var view = this.view || {}, here = payload && view.kind === 'thread' && payload.conversationId === view.id;
  if (name === 'onUnread') this.renderBadge();
  if (name === '__proactive') this.onProactive(payload);
  if (name === '__session') { this.renderBadge(); if (this.isOpen) this.showHistory(); else this.view = null; }
  if (name === 'onConversationCreate' && view.kind === 'history') this.showHistory();
  if (!here) return;
  if (name === 'onMessageReceived' || name === 'onMessageSent') {
    this.append(payload);
    if (name === 'onMessageReceived') {
      if (payload.direction === 'out') this.offerChoices(payload);
      if (this.isOpen && payload.direction === 'out') this.markRead(view.id, true);  // seen as it arrives
    }
  } else if (name === 'onAgentTypingActivity') {
    var who = (payload.user || {}).displayName || 'An agent';
    this.typing.hidden = !payload.typing;
    this.typing.textContent = payload.typing ? who + ' is typing\u2026' : '';
  } else if (name === 'onConversationEnded') {
    this.setEnded(true);
  } else if (name === 'onConversationUnended') {
    this.setEnded(false);
    if (this.surveyBox) this.surveyBox.hidden = true;   // an unanswered survey is canceled by the reopen
  } else if (name === 'onSatisfactionReceived') {
    this.showSurvey(payload);
  } else if (name === 'onAssistantEnded') {
    this.clearChoices();
  }
};
