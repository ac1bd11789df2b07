/* widget.js, last part of widget.js: window.Kustomer, the widget SDK (reference 2), defined
 * synchronously when the script tag runs.
 * Uses: K; K.ownScript, Engine, TAG, typeOf, announce, E.request (sdk.js); E.args, ready, requireId, warn,
 * answer (checks.js); E.start, stop (session.js); K.common, conversationShape, E.call (common.js);
 * K.WidgetUI and its mount, unmount, open, close, newThread, showConversation, showKb (ui*.js).
 * Defines: window.Kustomer (for the page); fires kustomerLoaded. */

(function () {
  if (window.Kustomer && window.Kustomer.__mock) return;  // loaded twice: keep the first
  var own = K.ownScript('widget.js');
  var engine = new K.Engine({ sdk: 'widget', global: 'Kustomer', startName: 'start', base: own.base, apiKey: own.apiKey });
  var ui = new K.WidgetUI(engine);
  var api = { __mock: true };
  K.common(api, engine);
  if (!own.apiKey) console.error(K.TAG + ' widget.js needs a data-kustomer-api-key attribute on its script tag');

  var START = { brandId: 'string', assistantId: 'string', hideChatIcon: 'boolean', lang: 'string',
    preferredView: 'string', zIndex: 'number', scheduleId: 'string' };

  api.start = function () {
    var call = engine.args('start', arguments, START, false);
    // Kustomer's loader queues a start made before the rest of the SDK (here: the page body) is there
    whenBodyReady(function () {
      engine.start(call.options, call.callback, function () { ui.mount(call.options); });
    });
  };

  api.stop = function (callback) {
    if (engine.phase === 'idle') {  // nothing to stop: the callback hears it, as every call before start does
      engine.ready('stop', callback);
      return;
    }
    engine.stop();
    ui.unmount();
    if (typeof callback === 'function') engine.answer('stop', callback);
  };

  api.open = function (callback) {
    if (!engine.ready('open', callback)) return;
    ui.open();
    engine.answer('open', callback);
  };

  api.close = function (callback) {
    if (!engine.ready('close', callback)) return;
    ui.close();
    engine.answer('close', callback);
  };

  api.createConversation = function () {
    var call = engine.args('createConversation', arguments,
      { message: 'string', assistantId: 'string', customAttributes: 'object', brandId: 'string', lang: 'string' }, false);
    if (!engine.ready('createConversation', call.callback)) return;
    var options = call.options;
    if (options.message === undefined || options.message === null) {
      // documented: without a message the widget opens a new thread and creates nothing yet
      ui.newThread({ assistantId: options.assistantId, customAttributes: options.customAttributes, brandId: options.brandId });
      engine.answer('createConversation', call.callback,
        { conversationId: null, createdAt: null, ended: false, isInAssistantMode: false, created: false });
      return;
    }
    engine.call('createConversation', call.callback, 'POST', '/c/v1/chat/sessions', options, K.conversationShape)
      .then(function (result) { if (!result.error) ui.showConversation(result.conversationId, true); });
  };

  api.openConversationById = function () {
    var given = arguments[0];
    var call = engine.args('openConversationById', arguments, { conversationId: 'string' }, true);
    if (!engine.ready('openConversationById', call.callback)) return;
    var id = call.options.conversationId;
    var wrong = typeof given === 'string' ? 'takes {conversationId}, not the id as a string' : undefined;
    if (!engine.requireId('openConversationById', call.callback, wrong ? null : id, 'conversationId', wrong, true)) return;
    engine.call('openConversationById', call.callback, 'GET', '/c/v1/chat/sessions/' + encodeURIComponent(id), undefined,
      function () { return null; })
      .then(function (result) { if (!result.error) ui.showConversation(id, true); });
  };

  api.getOpenConversations = function (callback) {
    if (typeof callback !== 'function') engine.warn('getOpenConversations', 'needs a callback to receive the conversations');
    if (!engine.ready('getOpenConversations', callback)) return;
    engine.call('getOpenConversations', callback, 'GET', '/c/v1/chat/sessions/open', undefined,
      function (data) { return data.conversations; });
  };

  function openKb(method, kind, id, callback) {
    if (callback !== undefined && typeof callback !== 'function') {
      engine.warn(method, 'the callback must be a function, not ' + K.typeOf(callback));
      callback = undefined;
    }
    if (!engine.ready(method, callback)) return;
    if (!engine.requireId(method, callback, id, kind + 'Id')) return;
    var path = kind === 'article' ? '/c/v1/kb/articles/' : '/c/v1/kb/categories/';
    engine.request('GET', path + encodeURIComponent(String(id || ''))).then(function (data) {
      ui.showKb(kind, data);
      engine.answer(method, callback, null);
    }, function (error) { engine.answer(method, callback, undefined, error); });
  }
  api.openKbArticle = function (articleId, callback) { openKb('openKbArticle', 'article', articleId, callback); };
  api.openKbCategory = function (categoryId, callback) { openKb('openKbCategory', 'category', categoryId, callback); };

  function whenBodyReady(fn) {
    if (document.body) fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }

  window.Kustomer = api;
  K.announce('kustomerLoaded');
})();
