/* ui_thread.js, UI part of widget.js: the widget UI's thread: a draft or a conversation, its messages,
 * the composer, assistant choices.
 * Uses: K; K.TAG, E.request, upload (sdk.js); U, U.el, clear, open (ui.js); at run time U.showSurvey
 * (ui_survey.js).
 * Defines for later parts: U.threadFrame, newThread, showConversation, greet, setEnded, endChat, append,
 * laterThan, offerLast, clearChoices, offerChoices, treeLevel, choose, submit, sendFailed, clearSendError,
 * attachmentView, attach, failed, send, typingActivity, markRead. */

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
  this.fileInput = this.el('input', { type: 'file', hidden: true, 'data-testid': 'file-input', 'aria-label': 'Choose a file',
    accept: 'image/*,video/*,application/pdf', onchange: function () { self.attach(self.fileInput); } });
  var attach = this.el('button', { type: 'button', 'class': 'attach', 'aria-label': 'Attach a file', 'data-testid': 'attach',
    onclick: function () { self.fileInput.click(); } });
  // a paperclip drawn inline, like the launcher's bubble: no icon font to fetch
  attach.innerHTML = '<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" ' +
    'aria-hidden="true"><path d="M21 11.5l-8.5 8.5a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7.5"/></svg>';
  this.composer = this.el('form', { 'class': 'composer', 'data-testid': 'composer',
    onsubmit: function (e) { e.preventDefault(); self.submit(); } },
  [this.fileInput, attach, this.input, this.el('button', { type: 'submit', 'class': 'send', 'data-testid': 'send', 'aria-label': 'Send message',
    text: 'Send' })]);
  this.endedNote = this.el('div', { 'class': 'ended-note', 'data-testid': 'ended', hidden: true,
    text: 'This conversation has ended.' });
  // Kustomer's widget lets the customer end a chat when the org allows it (closableChat)
  this.endButton = this.el('button', { type: 'button', 'class': 'link end-chat', 'data-testid': 'end-chat', hidden: true,
    text: 'End chat', onclick: function () { self.endChat(); } });
  [this.messages, this.typing, this.choices, this.endedNote, this.endButton, this.composer].forEach(function (el) {
    self.body.appendChild(el);
  });
};

U.newThread = function (draft) {
  var self = this;
  if (!this.frame) return;
  this.threadFrame({ kind: 'draft', draft: draft || {} });
  var view = this.view;
  this.open();
  if (view.draft.proactive) {   // the proactive message opens the thread, instead of the greeting
    var opening = view.draft.proactive;
    this.append({ direction: 'out', body: opening.body, sentBy: opening.sentBy });
    return;
  }
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
  this.endButton.hidden = !!ended || !(this.engine.settings || {}).closableChat;
  if (ended) this.clearChoices();
};

U.endChat = function () {
  var self = this, view = this.view;
  this.engine.request('POST', '/c/v1/chat/sessions/' + encodeURIComponent(view.id) + '/end', {})
    .then(function () { if (self.view === view) self.setEnded(true); }, function (error) { self.failed(view, error); });
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
    m.body || !(m.attachments || []).length ? this.el('div', { 'class': 'bubble', text: m.body || ((m.meta || {}).template || {}).body || '' }) : null]
    .concat((m.attachments || []).map(this.attachmentView, this)));
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
  this.clearSendError();
  this.send(text, undefined, undefined, undefined, true);
};

/* A typed message that failed goes back into the input (unless the customer typed anew) with a Retry. */
U.sendFailed = function (error, body, typed) {
  var self = this;
  this.clearSendError();
  if (typed && !this.input.value) this.input.value = body;
  var retry = typed ? this.el('button', { type: 'button', 'class': 'retry', 'data-testid': 'retry', text: 'Retry',
    onclick: function () { self.submit(); } }) : null;
  this.sendError = this.el('li', { 'class': 'error', role: 'alert', 'data-testid': 'send-error',
    'data-code': error.code }, [this.el('span', { text: 'Not sent: ' + error.message + ' (' + error.code + ') ' }),
    retry]);
  this.messages.appendChild(this.sendError);
};

U.clearSendError = function () {
  if (this.sendError && this.sendError.parentNode) this.sendError.parentNode.removeChild(this.sendError);
  this.sendError = null;
};

/* An attachment in a bubble: images shown, other files linked, both from the URL the message carries. */
U.attachmentView = function (a) {
  var image = /^image\//.test(a.contentType || '') && a.url;
  return this.el('div', { 'class': 'bubble attachment', 'data-testid': 'attachment' }, [image
    ? this.el('img', { src: a.url, alt: a.name, 'class': 'attachment-image' })
    : this.el('a', { href: a.url || null, target: '_blank', rel: 'noopener', text: a.name || 'attachment' })]);
};

/* A chosen file: uploaded, then sent as a message naming the upload (in a draft, the conversation first). */
U.attach = function (input) {
  var self = this, file = input.files && input.files[0], view = this.view;
  input.value = '';
  if (!file) return;
  this.engine.upload(file).then(function (uploaded) {
    if (self.view === view) self.send('', undefined, [{ id: uploaded.id }], file.name);
  }, function (error) { self.failed(view, error); });
};

/* A send that failed, shown in the thread; `typed` text goes back into the input with a Retry. */
U.failed = function (view, error, body, typed) {
  console.error(K.TAG + ' sending failed: ' + error.message);
  if (this.view === view) this.sendFailed(error, body, typed);
};

U.send = function (body, payload, attachments, title, typed) {
  var self = this, engine = this.engine, view = this.view;
  var fail = function (error) { self.failed(view, error, body, typed); };
  if (view.kind === 'draft') {
    var draft = view.draft, create;
    if (attachments) {
      create = { title: title || 'Attachment' };   // a file opens the conversation as Core does: by title
      if (draft.assistantId) create.assistant = draft.assistantId;
    } else if (payload === undefined) {
      create = { message: body };
      if (draft.assistantId) create.assistantId = draft.assistantId;
    } else {
      // a button answers the assistant's question: the session is made for that assistant, then answered
      create = { title: body, assistant: view.assistant };
    }
    if (draft.customAttributes) create.customAttributes = draft.customAttributes;
    if (draft.proactive) create.proactiveId = draft.proactive.proactiveId;
    if (draft.brandId) create.brandId = draft.brandId;
    engine.request('POST', '/c/v1/chat/sessions', create).then(function (c) {
      if (payload === undefined && !attachments) return c;
      var first = attachments ? { attachments: attachments } : { body: body, payload: payload };
      return engine.request('POST', '/c/v1/chat/sessions/' + c.conversationId + '/messages', first)
        .then(function () { return c; });
    }).then(function (c) { if (self.view === view) self.showConversation(c.conversationId, false); }, fail);
    return;
  }
  var message = attachments ? { attachments: attachments } : { body: body };
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
