/* core.js, last part of core.js: window.KustomerCore, the headless Core SDK (reference 3), for pages
 * that build their own UI.
 * Uses: K; K.ownScript, Engine, TAG, announce, E.upload (sdk.js); E.args, ready, requireId, answer
 * (checks.js); E.start (session.js); K.common, conversationShape, E.call (common.js).
 * Defines: window.KustomerCore (for the page); fires kustomerCoreLoaded. */

(function () {
  if (window.KustomerCore && window.KustomerCore.__mock) return;
  var own = K.ownScript('core.js');
  var engine = new K.Engine({ sdk: 'core', global: 'KustomerCore', startName: 'init', base: own.base, apiKey: own.apiKey });
  var api = { __mock: true };
  K.common(api, engine);
  if (!own.apiKey) console.error(K.TAG + ' core.js needs a data-kustomer-api-key attribute on its script tag');

  function path(id) { return '/c/v1/chat/sessions/' + encodeURIComponent(id || ''); }

  /* A Core method: options checked, the before-init rule, one request, the answer to the callback. */
  function method(name, allowed, required, request) {
    // the id the path needs (conversationId, categoryId, articleId): checked before anything is sent
    var id = ['conversationId', 'categoryId', 'articleId', 'satisfactionId'].filter(function (n) { return allowed[n]; })[0];
    api[name] = function () {
      var call = engine.args(name, arguments, allowed, required);
      if (!engine.ready(name, call.callback)) return;
      if (id && !engine.requireId(name, call.callback, call.options[id], id, undefined, true)) return;
      request(call.options, call.callback);
    };
  }

  api.init = function () {
    var call = engine.args('init', arguments,
      { brandId: 'string', assistantId: 'string', scheduleId: 'string', lang: 'string', enableUrlUnfurling: 'boolean' }, false);
    engine.start(call.options, call.callback);
  };

  api.getChatSettings = function () {
    if (!engine.ready('getChatSettings')) return {};
    return Object.assign({}, engine.settings);
  };

  method('createConversation', { title: 'string', brand: 'string', assistant: 'string', lang: 'string',
    customAttributes: 'object' }, true, function (options, callback) {
    var body = Object.assign({}, options);
    if (!body.title) body.title = 'Chat';  // Core documents a title; a session needs one to be created
    engine.call('createConversation', callback, 'POST', '/c/v1/chat/sessions', body, K.conversationShape);
  });

  method('sendMessage', { conversationId: 'string', body: 'string', payload: 'any', attachments: 'array',
    lastDeflection: 'object', isInAssistantMode: 'boolean', initAssistantPayload: 'object', lang: 'string' }, true,
  function (options, callback) {
    var body = Object.assign({}, options);
    delete body.conversationId;
    // The SDK takes {file} items (browser Files): each is uploaded first, then the message names the uploads
    var items = Array.isArray(body.attachments) ? body.attachments : [];
    Promise.all(items.map(uploadItem)).then(function (uploaded) {
      if (items.length) body.attachments = uploaded;
      engine.call('sendMessage', callback, 'POST', path(options.conversationId) + '/messages', body);
    }, function (error) { engine.answer('sendMessage', callback, undefined, error); });
  });

  function uploadItem(item) {
    var file = item && item.file;
    if (typeof Blob === 'undefined' || !(file instanceof Blob)) return Promise.resolve(item);
    return engine.upload(file).then(function (uploaded) { return { id: uploaded.id }; });
  }

  method('getConversations', { page: 'number', pageSize: 'number' }, false, function (options, callback) {
    var query = '?page=' + (options.page || 1) + '&pageSize=' + (options.pageSize || 100);
    engine.call('getConversations', callback, 'GET', '/c/v1/chat/sessions' + query);
  });

  method('getMessages', { conversationId: 'string', page: 'number', pageSize: 'number' }, true, function (options, callback) {
    engine.call('getMessages', callback, 'GET', path(options.conversationId) + '/messages');
  });

  method('markRead', { conversationId: 'string', messageIds: 'array' }, true, function (options, callback) {
    engine.call('markRead', callback, 'POST', path(options.conversationId) + '/read', { messageIds: options.messageIds || [] });
  });

  method('endConversation', { conversationId: 'string' }, true, function (options, callback) {
    engine.call('endConversation', callback, 'POST', path(options.conversationId) + '/end', {});
  });

  method('submitSatisfactionForm', { satisfactionId: 'string', rating: 'number', answers: 'array',
    submittedAt: 'string' }, true, function (options, callback) {
    var body = { submittedAt: options.submittedAt };   // required: a missing one is the API's 400, as at Kustomer
    if (options.rating !== undefined) body.rating = options.rating;
    if (options.answers !== undefined) body.answers = options.answers;
    engine.call('submitSatisfactionForm', callback, 'PUT',
      '/c/v1/chat/satisfaction-responses/' + encodeURIComponent(options.satisfactionId), body);
  });

  method('initAssistant', { assistant: 'string', lang: 'string' }, true, function (options, callback) {
    var id = options.assistant || engine.assistantId || '';
    var body = options.lang ? { lang: options.lang } : {};
    engine.call('initAssistant', callback, 'POST', '/c/v1/chat/assistants/' + encodeURIComponent(id) + '/init', body);
  });

  method('sendTypingActivity', { conversationId: 'string', typing: 'boolean' }, true, function (options, callback) {
    engine.call('sendTypingActivity', callback, 'POST', path(options.conversationId) + '/typing', { typing: !!options.typing });
  });

  method('sendPresenceActivity', { presence: 'string' }, true, function (options, callback) {
    // presence only shows to agents in Kustomer; the mock keeps nothing of it
    engine.answer('sendPresenceActivity', callback, { presence: options.presence });
  });

  function kb(name, allowed, url) {
    method(name, Object.assign({ knowledgeBaseId: 'string', lang: 'string' }, allowed), true, function (options, callback) {
      var query = [];
      if (options.lang) query.push('lang=' + encodeURIComponent(options.lang));
      if (options.knowledgeBaseId) query.push('knowledgeBaseId=' + encodeURIComponent(options.knowledgeBaseId));
      if (options.term !== undefined) query.push('term=' + encodeURIComponent(options.term));
      engine.call(name, callback, 'GET', url(options) + (query.length ? '?' + query.join('&') : ''));
    });
  }
  kb('getCategories', {}, function () { return '/c/v1/kb/categories'; });
  kb('getArticles', { categoryId: 'string' }, function (o) { return '/c/v1/kb/categories/' + encodeURIComponent(o.categoryId || '') + '/articles'; });
  kb('searchArticles', { term: 'string' }, function () { return '/c/v1/kb/search'; });
  kb('getArticleById', { articleId: 'string' }, function (o) { return '/c/v1/kb/articles/' + encodeURIComponent(o.articleId || ''); });

  window.KustomerCore = api;
  K.announce('kustomerCoreLoaded');
})();
