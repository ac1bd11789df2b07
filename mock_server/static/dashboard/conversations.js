/* conversations.js, dashboard script after api.js: conversations of the watched org, live, and the
 * thread view: read, reply as an agent, type, end, re-open.
 * Uses: Dash.state, api, el, $, time, fail (api.js).
 * Defines for later scripts: Dash.loadConversations, select, refreshSoon, onOrgEvent, loadThread,
 * initThread, fillAgents. */
(function () {
  'use strict';
  var Dash = window.Dash, el = Dash.el, $ = Dash.$, state = Dash.state;
  var ROLES = { user: 'agent', bot: 'assistant', customer: 'customer' };
  var refreshTimer = null;

  function customerName(conversation) {
    var customer = conversation.customer || {};
    return customer.name || customer.email || 'Anonymous customer';
  }

  function attributeChips(custom) {
    return Object.keys(custom || {}).map(function (name) {
      return el('span', { 'class': 'chip', 'data-testid': 'attribute', text: name + ': ' + JSON.stringify(custom[name]) });
    });
  }

  function statusPill(conversation) {
    var ended = conversation.ended;
    return el('span', { 'class': 'pill ' + (ended ? 'ended' : 'open'), 'data-testid': 'conversation-status',
      text: ended ? 'ended' : conversation.status });
  }

  function assistantPill(conversation) {
    if (!conversation.assistant) return null;
    return el('span', { 'class': 'pill assistant' + (conversation.isInAssistantMode ? ' active' : ''),
      'data-testid': 'assistant-state',
      text: (conversation.assistantName || 'assistant') + ': ' + conversation.assistant.status });
  }

  function conversationItem(conversation) {
    var selected = conversation.conversationId === state.selected;
    var unread = conversation.unread ? el('span', { 'class': 'badge', 'data-testid': 'unread',
      title: 'messages the customer has not read', text: String(conversation.unread) }) : null;
    return el('li', { 'class': 'conversation' + (selected ? ' selected' : '') + (conversation.ended ? ' is-ended' : ''),
      'data-testid': 'conversation', 'data-id': conversation.conversationId, tabindex: '0',
      onclick: function () { Dash.select(conversation.conversationId); },
      onkeydown: function (event) { if (event.key === 'Enter') Dash.select(conversation.conversationId); } }, [
      el('div', { 'class': 'line' }, [el('strong', { 'class': 'title', text: conversation.title || conversation.preview || '(no message yet)' }), unread]),
      el('div', { 'class': 'line small' }, [el('span', { text: customerName(conversation) }), statusPill(conversation), assistantPill(conversation)]),
      el('div', { 'class': 'preview', text: conversation.preview }),
      el('div', { 'class': 'chips' }, attributeChips(conversation.customAttributes)),
      el('time', { text: Dash.time(conversation.lastMessageAt) })
    ]);
  }

  /* Touch only the entries that changed: a list redrawn under the pointer would swallow clicks. */
  var drawn = {};   // conversationId -> {signature, node}
  function patchList(list, conversations) {
    var next = {};
    conversations.forEach(function (conversation, index) {
      var id = conversation.conversationId, signature = JSON.stringify(conversation), old = drawn[id];
      var node = old && old.signature === signature ? old.node : conversationItem(conversation);
      node.classList.toggle('selected', id === state.selected);
      next[id] = { signature: signature, node: node };
      var here = list.children[index];
      if (here !== node) list.insertBefore(node, here || null);
    });
    while (list.children.length > conversations.length) list.removeChild(list.lastChild);
    drawn = next;
  }

  /* The pages shown so far (GET .../conversations?page=N), asked one after another; "More" shows one more. */
  var pagesShown = 1;
  function conversationPages(key, page, found) {
    var path = '/__admin/orgs/' + encodeURIComponent(key) + '/conversations?page=' + page;
    return Dash.api('GET', path).then(function (data) {
      found.rows = found.rows.concat(data.conversations);
      found.total = data.total; found.more = Boolean(data.next);
      return found.more && page < pagesShown ? conversationPages(key, page + 1, found) : found;
    });
  }

  Dash.loadConversations = function () {
    if (!state.key) return Promise.resolve();
    var key = state.key;
    if (key !== state.listedKey) { pagesShown = 1; state.listedKey = key; }
    return conversationPages(key, 1, { rows: [] }).then(function (found) {
      if (key !== state.key) return;
      state.conversations = found.rows;
      state.conversationTotal = found.total;
      patchList($('conversations'), found.rows);
      $('conversation-count').textContent = String(found.total);
      $('conversations-more').hidden = !found.more;
    });
  };

  Dash.moreConversations = function () {
    pagesShown += 1;
    return Dash.loadConversations().catch(Dash.fail);
  };

  Dash.select = function (conversationId) {
    if (state.selected !== conversationId) state.thread = null;   // never the conversation shown before
    state.selected = conversationId;
    $('typing-toggle').checked = false;
    $('customer-typing').hidden = true;
    $('thread-error').textContent = '';
    Array.prototype.forEach.call(document.querySelectorAll('.conversation'), function (item) {
      item.classList.toggle('selected', item.getAttribute('data-id') === conversationId);
    });
    return Dash.loadThread();
  };

  /* Everything changes on events: reload once per burst. */
  Dash.refreshSoon = function () {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      Dash.loadConversations().then(Dash.loadThread).catch(Dash.fail);
    }, 120);
  };

  Dash.onOrgEvent = function (name, payload) {
    if (name === 'onCustomerTypingActivity' || name === 'onAgentTypingActivity') {
      if (name === 'onCustomerTypingActivity' && payload.conversationId === state.selected) {
        $('customer-typing').hidden = !payload.typing;
      }
      return;
    }
    Dash.refreshSoon();
  };

  function tree(nodes) {
    return el('ul', { 'class': 'tree' }, (nodes || []).map(function (node) {
      return el('li', { 'data-node-id': node.id }, [el('span', { 'class': 'chip', text: node.displayName + ' (' + node.id + ')' }),
        node.children && node.children.length ? tree(node.children) : null]);
    }));
  }

  function template(meta) {
    var tpl = meta && meta.template;
    if (!tpl || tpl.templateType === 'text') return null;
    var shown = tpl.templateType === 'quick_replies'
      ? el('div', { 'class': 'chips' }, (tpl.actions || []).map(function (action) {
        return el('span', { 'class': 'chip reply-option', text: action.displayText + ' → ' + action.value });
      }))
      : tpl.templateType === 'mll' ? tree(((tpl.actions || {}).tree || {}).children) : null;
    return el('div', { 'class': 'template', 'data-testid': 'template', 'data-template': tpl.templateType },
      [el('span', { 'class': 'template-type', text: tpl.templateType === 'mll' ? 'tree' : tpl.templateType.replace('_', ' ') }), shown]);
  }

  function messageItem(message) {
    var sender = message.sentBy || {};
    var role = ROLES[sender.type] || sender.type || (message.direction === 'in' ? 'customer' : 'team');
    var payload = message.meta && message.meta.payload;
    return el('li', { 'class': 'message dir-' + message.direction, 'data-testid': 'message', 'data-direction': message.direction }, [
      el('div', { 'class': 'who' }, [
        el('strong', { 'data-testid': 'message-sender', text: sender.displayName || role }),
        el('span', { 'class': 'role', text: role }),
        el('time', { text: Dash.time(message.createdAt) }),
        message.direction === 'out' ? el('span', { 'class': 'read', text: message.read ? 'read' : 'unread' }) : null
      ]),
      el('div', { 'class': 'body', 'data-testid': 'message-body', text: message.body }),
      payload !== undefined && payload !== null ? el('div', { 'class': 'payload', text: 'selected: ' + payload }) : null,
      (message.attachments || []).length ? el('div', { 'class': 'payload' }, message.attachments.map(function (a) {
        return a.url ? el('a', { href: a.url, target: '_blank', rel: 'noopener', 'data-testid': 'message-attachment',
          text: a.name + ' ' }) : el('span', { text: a.name + ' ' });
      })) : null,
      template(message.meta)
    ]);
  }

  function facts(list, entries) {
    list.replaceChildren();
    if (!entries.length) list.appendChild(el('dd', { 'class': 'hint', text: 'none' }));
    entries.forEach(function (pair) {
      list.appendChild(el('dt', { text: pair[0] }));
      list.appendChild(el('dd', { text: typeof pair[1] === 'string' ? pair[1] : JSON.stringify(pair[1]) }));
    });
  }

  Dash.loadThread = function () {
    var id = state.selected, key = state.key;
    $('thread-empty').hidden = !!id;
    $('thread-view').hidden = !id;
    if (!id) return Promise.resolve();
    return Dash.api('GET', '/__admin/orgs/' + encodeURIComponent(key) + '/conversations/' + encodeURIComponent(id))
      .then(function (data) {
        if (id !== state.selected || key !== state.key) return;
        var c = data.conversation, list = $('messages');
        state.thread = c;
        $('thread-title').textContent = c.title || '(untitled)';
        var csat = c.satisfactionLevel;
        $('thread-meta').textContent = customerName(c) + ' · ' + (c.ended ? 'ended ' + Dash.time(c.endedAt) : c.status) +
          ' · ' + c.messageCount + (c.messageCount === 1 ? ' message · ' : ' messages · ') +
          (csat ? 'survey ' + csat.status + (csat.rating ? ' ' + csat.rating : '') + ' · ' : '') + c.conversationId;
        facts($('thread-attributes'), Object.keys(c.customAttributes || {}).map(function (k) { return [k, c.customAttributes[k]]; }));
        var a = c.assistant;
        facts($('thread-assistant'), a ? [['name', c.assistantName || a.id], ['status', a.status],
          ['question', a.questionId || '—'], ['answers', a.answers || {}]] : []);
        $('end-button').disabled = c.ended;
        $('reopen-button').disabled = !c.ended;
        var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
        list.replaceChildren.apply(list, data.messages.map(messageItem));
        if (atBottom || list.dataset.shown !== id) list.scrollTop = list.scrollHeight;
        list.dataset.shown = id;
      }, function (error) {
        if (error.status === 404) { state.selected = null; return Dash.loadThread(); }
        throw error;
      });
  };

  /* The selected conversation, loaded: an agent's action taken while it loads waits for it (it used to do
   * nothing, and a reply right after a click went nowhere). */
  function threadReady() {
    var id = state.selected, c = state.thread;
    if (c && c.conversationId === id) return Promise.resolve(c);
    return Dash.loadThread().then(function () {
      // another conversation picked meanwhile: the action was meant for this one, which is not loaded
      return state.thread && state.thread.conversationId === id ? state.thread : null;
    });
  }

  /* An agent's call about conversation `c` (the one the action was taken on, whatever is picked since). */
  function agentCall(c, path, extra) {
    var body = Object.assign({ customerId: c.customerId, from: $('agent-select').value, session: c.conversationId }, extra);
    return Dash.api('POST', path, body);
  }

  /* An agent's file through POST /v2.1/chat/attachments, as JSON (base64): the dashboard's one JSON helper. */
  function upload(file) {
    if (!file) return Promise.resolve(null);
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(',')[1] || ''); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    }).then(function (data) {
      return Dash.api('POST', '/v2.1/chat/attachments', { name: file.name, contentType: file.type, data: data });
    });
  }

  function threadFailure(error) {
    $('thread-error').textContent = (error.code ? error.code + ': ' : '') + error.message;
  }

  Dash.initThread = function () {
    $('reply-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var text = $('reply-body').value.trim(), file = $('reply-file').files[0];
      if ((!text && !file) || !state.selected) return;
      $('thread-error').textContent = '';
      var thread;
      threadReady().then(function (ready) {
        if (!ready) throw new Error('the conversation changed or is no longer there: nothing was sent');
        thread = ready;
        return upload(file);
      }).then(function (uploaded) {
        var message = text ? { body: text } : {};
        if (uploaded) message.attachments = [{ id: uploaded.id }];
        return agentCall(thread, '/v2.1/chat/outbound/messages', message);
      }).then(function () {
        $('reply-body').value = '';
        $('reply-file').value = '';
        if ($('typing-toggle').checked) {
          $('typing-toggle').checked = false;
          return agentCall(thread, '/v2.1/chat/outbound/typing', { typing: false });
        }
      }).then(Dash.refreshSoon, threadFailure);
    });
    $('reply-body').addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); $('reply-form').requestSubmit(); }
    });
    $('typing-toggle').addEventListener('change', function () {
      if (!state.selected) return;
      threadReady().then(function (thread) {
        if (thread) return agentCall(thread, '/v2.1/chat/outbound/typing', { typing: $('typing-toggle').checked });
      }).catch(threadFailure);
    });
    $('end-button').addEventListener('click', function () { patchConversation({ ended: true }); });
    $('reopen-button').addEventListener('click', function () { patchConversation({ ended: false, status: 'open' }); });
  };

  function patchConversation(change) {
    if (!state.selected) return;
    $('thread-error').textContent = '';
    threadReady().then(function (thread) {
      if (thread) return Dash.api('PATCH', '/v1/conversations/' + encodeURIComponent(thread.conversationId), change);
    }).then(Dash.refreshSoon, threadFailure);
  }

  Dash.fillAgents = function (users) {
    var select = $('agent-select'), current = select.value;
    select.replaceChildren.apply(select, users.map(function (user) {
      return el('option', { value: user.id, text: user.name + (user.email ? ' <' + user.email + '>' : '') });
    }));
    if (current && users.some(function (u) { return u.id === current; })) select.value = current;
  };
})();
