/* sdk.js, first engine part of widget.js and core.js: the engine they share (HTTP calls, the session,
 * live events, listeners, the before-start rule, the integration warnings). The parts of a bundle run in
 * order in one strict-mode closure (api/assets.py, order in bundles.json) and share its `var K = {}`.
 * This file: the namespace, the engine's state and its HTTP calls; checks.js, session.js, stream.js and
 * common.js add the rest.
 * Uses: K (the closure's); Shared.errorItem (shared.js). At run time E.request calls E.restart (session.js).
 * Defines for later parts: E (= K.Engine.prototype); K.EVENTS, TAG, ownScript, isObject, typeOf, later,
 * announce, apiError, Engine; E.storageKey, storedToken, storeToken, request, send, upload. */

K.EVENTS = ['onOpen', 'onClose', 'onUnread', 'onConversationCreate', 'onConversationEnded',
  'onConversationUnended', 'onAssistantEnded', 'onMessageReceived', 'onMessageSent', 'onAgentTypingActivity',
  'onLogin', 'onLogout', 'onSatisfactionReceived'];
K.TAG = '[kustomer-mock]';

/* The script tag that loaded us: the API base is its origin, the key its data-kustomer-api-key. */
K.ownScript = function (file) {
  var el = document.currentScript;
  if (!el || !el.src || el.src.indexOf('/chat-web/' + file) < 0) {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) {
      if (all[i].src && all[i].src.indexOf('/chat-web/' + file) >= 0) { el = all[i]; break; }
    }
  }
  var src = el ? el.src : '';
  return {
    base: src ? src.slice(0, src.indexOf('/chat-web/')) : '',
    apiKey: el ? el.getAttribute('data-kustomer-api-key') : null
  };
};

K.isObject = function (v) { return v !== null && typeof v === 'object' && !Array.isArray(v); };
K.typeOf = function (v) { return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v; };
K.later = function (fn) { setTimeout(fn, 0); };

/* Fire the loaded event (kustomerLoaded / kustomerCoreLoaded) once the page's own scripts after the
 * tag have run, so a listener added before the tag or by a later script (Kustomer's own sample) hears
 * it. A bare next tick is not enough: the parser may run timers between two script tags. */
K.announce = function (name) {
  function fire() {
    K.later(function () {
      try { window.dispatchEvent(new Event(name)); } catch (e) { /* very old browsers */ }
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fire);
  else fire();
};

/* A real Error carrying the API's status, code, title and source (reference 1). */
K.apiError = function (status, item) {
  item = item || {};
  var error = new Error(item.detail || item.title || ('HTTP ' + status));
  error.status = item.status || status;
  error.code = item.code || 'http_error';
  error.title = item.title || error.message;
  error.source = item.source;
  error.detail = item.detail;
  if (item.meta) error.meta = item.meta;
  return error;
};

K.Engine = function (config) {
  this.sdk = config.sdk;               // 'widget' or 'core'
  this.global = config.global;         // 'Kustomer' or 'KustomerCore'
  this.startName = config.startName;   // 'start' or 'init'
  this.base = config.base;
  this.apiKey = config.apiKey;
  this.phase = 'idle';                 // idle -> starting -> started (or failed); stop() -> stopped
  this.generation = 0;                 // bumps on every start/stop so late answers of an old session are dropped
  this.sessions = 0;                   // bumps on every session adopted (start, restart, another tab's logout)
  this.listeners = {};
  this.unread = { total: 0, conversations: {} };
  this.settings = {};
  this.availability = 'none';
  this.lastEventId = null;
  this.pendingStart = [];
  this.hooks = [];                     // the UI's event hooks
  this.warnings = [];
};

var E = K.Engine.prototype;

E.storageKey = function () { return 'kustomer-mock:' + this.apiKey + ':trackingToken'; };
E.storedToken = function () {
  try { return window.localStorage.getItem(this.storageKey()); } catch (e) { return null; }
};
E.storeToken = function (token) {
  try {
    if (token) window.localStorage.setItem(this.storageKey(), token);
    else window.localStorage.removeItem(this.storageKey());
  } catch (e) { /* storage may be off (private mode): the session then lasts one page */ }
};

/* One call to the mock; resolves the parsed body, rejects a real Error. A 401 not_started after a
 * successful start means the mock forgot the token (an org reset): start again and retry once. */
E.request = function (method, path, body, withToken) {
  var self = this, generation = this.generation, sessions = this.sessions;
  return this.send(method, path, body, withToken).catch(function (error) {
    if (error.code !== 'not_started' || self.phase !== 'started' || generation !== self.generation ||
        withToken === false) throw error;
    // refused for a session another call's restart has replaced since: a second restart would make a
    // second customer and move the stream away from the first one's conversations; the new token is enough
    // (the session, not the token, is compared: a reset org draws the same first token again)
    if (self.sessions !== sessions && !self.restarting) return self.send(method, path, body, withToken);
    return self.restart().then(function () { return self.send(method, path, body, withToken); });
  });
};

/* One HTTP exchange, no retry. */
E.send = function (method, path, body, withToken) {
  var headers = { 'Authorization': 'Bearer ' + this.apiKey };
  if (withToken !== false && this.token) headers['x-kustomer-tracking-token'] = this.token;
  var init = { method: method, headers: headers };
  if (typeof FormData !== 'undefined' && body instanceof FormData) init.body = body;   // an upload: multipart
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  return fetch(this.base + path, init).then(function (answer) {
    return answer.text().then(function (text) {
      var data;
      try { data = text ? JSON.parse(text) : {}; } catch (e) {
        throw K.apiError(answer.status, { code: 'invalid_response', title: 'Malformed response',
          detail: 'The server answered a body that is not JSON (HTTP ' + answer.status + ')' });
      }
      if (!answer.ok) throw K.apiError(answer.status, Shared.errorItem(data));
      return data;
    });
  }, function (failure) {
    // fetch rejects with a TypeError and no answer when CORS refuses the page, as when the mock is down
    var hint = path.indexOf('/c/') === 0 ? ' (is the mock running at ' + this.base + '? It may be refusing this ' +
      'page\'s origin ' + window.location.origin + ': see --cors-origins)' : '';
    throw K.apiError(0, { status: 0, code: 'network_error', title: 'Network error',
      detail: 'The request to ' + path + ' failed: ' + (failure && failure.message) + hint });
  }.bind(this));
};

/* Upload one File or Blob (POST /c/v1/chat/attachments); resolves {id, name, contentType, contentLength, url}. */
E.upload = function (file) {
  var form = new FormData();
  form.append('file', file, file.name || 'file');
  return this.request('POST', '/c/v1/chat/attachments', form);
};
