/* The widget UI's thread: a draft or a conversation, its messages, the composer, assistant choices. */

/* -- a thread ------------------------------------------------------------------------------------ */

U.threadFrame = function (view) {
  var self = this;
  this.clear(view);
  this.survey = this.surveyBox = null;
  this.messages = this.el('ol', { 'class': 'messages', 'data-testid': 'messages', 'aria-live': 'polite' });
  this.choices = this.el('div', { 'class': 'choices', 'data-testid': 'choices' });
  this.typing = this.el('div', { 'class': 'typing', 'data-testid': 'typing', hidden: true });
  this.input = this.el('textarea', { 'class': 'input', rows: '1', placeholder: 'Type a message\u2026',
    'aria-label': 'Message', 'data-testid': 'composer-input',
    onkeydown: function (e) { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); self.submit(); } },
    oninput: function () { self.typingActivity(); } });
  this.composer = this.el('form', { 'class': 'composer', 'data-testid': 'composer',
    onsubmit: function (e) { e.preventDefault(); self.submit(); } },
  [this.input, this.el('button', { type: 'submit', 'class': 'send', 'data-testid': 'send', 'aria-label': 'Send message',
    text: 'Send' })]);
  this.endedNote = this.el('div', { 'class': 'ended-note', 'data-testid': 'ended', hidden: true,
    text: 'This conversation has ended.' });
  [this.messages, this.typing, this.choices, this.endedNote, this.composer].forEach(function (el) { self.body.appendChild(el); });
};

U.newThread = function (draft) {
  var self = this;
  if (!this.frame) return;
  this.threadFrame({ kind: 'draft', draft: draft || {} });
  var view = this.view;
  this.open();
  var assistant = view.draft.assistantId || this.engine.assistantId;
  if (!assistant) { this.greet(); return; }   // an assistant greets with its own messages
  view.assistant = assistant;
  this.engine.request('POST', '/c/v1/chat/assistants/' + encodeURIComponent(assistant) + '/init', {}).then(function (data) {
    if (self.view !== view) return;
    var initial = data.initialMessages || [];
    initial.forEach(function (m) {
      var template = (m.meta || {}).template || {};
      self.append({ direction: 'out', body: template.body || '', meta: m.meta,
        sentBy: { displayName: (data.attributes || {}).publicName || 'Assistant', type: 'bot' } });
    });
    if (initial.length) self.offerChoices(initial[initial.length - 1]);
  }, function (error) { console.error(K.TAG + ' the assistant could not start: ' + error.message); });
};

U.showConversation = function (id, openPanel) {
  var self = this;
  if (!this.frame) return;
  this.threadFrame({ kind: 'thread', id: id });
  var view = this.view;
  if (openPanel) this.open();
  this.engine.request('GET', '/c/v1/chat/sessions/' + encodeURIComponent(id)).then(function (conversation) {
    if (self.view !== view) return;
    view.conversation = conversation;
    if (!conversation.assistantId) self.greet();
    self.setEnded(conversation.ended);
    return self.engine.request('GET', '/c/v1/chat/sessions/' + encodeURIComponent(id) + '/messages');
  }).then(function (data) {
    if (!data || self.view !== view) return;
    (data.messages || []).forEach(function (m) { self.append(m); });
    self.offerLast(data.messages || []);
    self.showSurvey(data.satisfaction);
    if (self.isOpen) self.markRead(id);
  }, function (error) {
    if (self.view === view) self.messages.appendChild(self.el('li', { 'class': 'error', text: error.message }));
  });
};

/* The org's greeting as the first bubble of a thread, as Kustomer's widget shows it (not a message). */
U.greet = function () {
  var settings = this.engine.settings || {};
  if (!settings.greeting || this.messages.querySelector('[data-testid=greeting]')) return;
  this.messages.insertBefore(this.el('li', { 'class': 'message out greeting-bubble', 'data-testid': 'greeting' }, [
    this.el('div', { 'class': 'author', text: settings.teamName || 'Support' }),
    this.el('div', { 'class': 'bubble', text: settings.greeting })]), this.messages.firstChild);
};

U.setEnded = function (ended) {
  if (!this.view || this.view.kind !== 'thread') return;
  this.view.ended = !!ended;
  this.composer.hidden = !!ended;
  this.endedNote.hidden = !ended;
  if (ended) this.clearChoices();
};

U.append = function (m) {
  if (m.messageId) {
    if (this.shown[m.messageId]) return;
    this.shown[m.messageId] = true;
  }
  var who = m.direction === 'in' ? 'customer' : ((m.sentBy || {}).type === 'user' ? 'agent' : 'agent bot');
  if ((m.sentBy || {}).type === 'user') who = 'agent';
  var name = m.direction === 'in' ? null : ((m.sentBy || {}).displayName || 'Support');
  var item = this.el('li', { 'class': 'message ' + (m.direction === 'in' ? 'in' : 'out'), 'data-direction': m.direction,
    'data-message-id': m.messageId || null, 'data-created-at': m.createdAt || null, 'data-who': who }, [
    name ? this.el('div', { 'class': 'author', text: name }) : null,
    this.el('div', { 'class': 'bubble', text: m.body || ((m.meta || {}).template || {}).body || '' })]);
  this.messages.insertBefore(item, this.laterThan(m));
  this.messages.scrollTop = this.messages.scrollHeight;
  // the agent stops typing when their message lands; the customer's own messages leave it shown
  if (this.typing && m.direction !== 'in') this.typing.hidden = true;
};

/* The first message on screen that sorts after `m` by (createdAt, id), Kustomer's order: a live
 * message that lands before the history has loaded still shows in its place. */
U.laterThan = function (m) {
  if (!m.createdAt || !m.messageId) return null;
  var items = this.messages.querySelectorAll('li[data-created-at]');
  for (var i = 0; i < items.length; i++) {
    var at = items[i].getAttribute('data-created-at'), id = items[i].getAttribute('data-message-id') || '';
    if (at > m.createdAt || (at === m.createdAt && id > m.messageId)) return items[i];
  }
  return null;
};

U.offerLast = function (messages) {
  var last = messages[messages.length - 1];
  var conversation = this.view.conversation || {};
  if (last && last.direction === 'out' && !conversation.ended) this.offerChoices(last);
};

U.clearChoices = function () {
  if (!this.choices) return;
  while (this.choices.firstChild) this.choices.removeChild(this.choices.firstChild);
};

/* quick_replies as buttons; an mll tree as nested choices, one level at a time (reference 11). */
U.offerChoices = function (message) {
  var self = this, template = (message.meta || {}).template || {};
  this.clearChoices();
  if (template.templateType === 'quick_replies') {
    (template.actions || []).forEach(function (action) {
      self.choices.appendChild(self.el('button', { type: 'button', 'class': 'choice', 'data-value': action.value,
        text: action.displayText, onclick: function () { self.choose(action.displayText, action.value); } }));
    });
  } else if (template.templateType === 'mll') {
    this.treeLevel(((template.actions || {}).tree || {}).children || [], []);
  }
};

U.treeLevel = function (nodes, trail) {
  var self = this;
  this.clearChoices();
  if (trail.length) {
    this.choices.appendChild(this.el('button', { type: 'button', 'class': 'choice tree-back', text: '\u2039 ' +
      trail.map(function (n) { return n.displayName; }).join(' / '),
    onclick: function () { self.treeLevel(trail.length > 1 ? trail[trail.length - 2].children : self.treeRoot, trail.slice(0, -1)); } }));
  } else {
    this.treeRoot = nodes;
  }
  nodes.forEach(function (node) {
    var leaf = !(node.children && node.children.length);
    self.choices.appendChild(self.el('button', { type: 'button', 'class': 'choice' + (leaf ? '' : ' branch'),
      'data-node-id': node.id, text: node.displayName + (leaf ? '' : ' \u203A'),
      onclick: function () {
        if (leaf) self.choose(node.displayName, node.id);
        else self.treeLevel(node.children, trail.concat([node]));
      } }));
  });
};

/* A choice is sent as sendMessage({body, payload}); in a draft it first makes the conversation. */
U.choose = function (body, payload) {
  this.clearChoices();
  this.send(body, payload);
};

U.submit = function () {
  var text = this.input.value.trim();
  if (!text) return;
  this.input.value = '';
  this.send(text, undefined);
};

U.send = function (body, payload) {
  var self = this, engine = this.engine, view = this.view;
  var fail = function (error) {
    console.error(K.TAG + ' sending failed: ' + error.message);
    if (self.view === view) self.messages.appendChild(self.el('li', { 'class': 'error', text: error.message }));
  };
  if (view.kind === 'draft') {
    var draft = view.draft, create;
    if (payload === undefined) {
      create = { message: body };
      if (draft.assistantId) create.assistantId = draft.assistantId;
    } else {
      // a button answers the assistant's question: the session is made for that assistant, then answered
      create = { title: body, assistant: view.assistant };
    }
    if (draft.customAttributes) create.customAttributes = draft.customAttributes;
    if (draft.brandId) create.brandId = draft.brandId;
    engine.request('POST', '/c/v1/chat/sessions', create).then(function (c) {
      if (payload === undefined) return c;
      return engine.request('POST', '/c/v1/chat/sessions/' + c.conversationId + '/messages',
        { body: body, payload: payload }).then(function () { return c; });
    }).then(function (c) { if (self.view === view) self.showConversation(c.conversationId, false); }, fail);
    return;
  }
  var message = { body: body };
  if (payload !== undefined) message.payload = payload;
  engine.request('POST', '/c/v1/chat/sessions/' + view.id + '/messages', message).then(function (m) {
    if (self.view === view) self.append(m);
  }, fail);
};

U.typingActivity = function () {
  var view = this.view, now = Date.now();
  if (!view || view.kind !== 'thread' || now - this.typingSent < 3000) return;
  this.typingSent = now;
  this.engine.request('POST', '/c/v1/chat/sessions/' + view.id + '/typing', { typing: true }).catch(function () {});
};

U.markRead = function (id, force) {
  if (!force && !(this.engine.unread.conversations[id] > 0)) return;
  this.engine.request('POST', '/c/v1/chat/sessions/' + id + '/read', { messageIds: [] }).catch(function () {});
};
