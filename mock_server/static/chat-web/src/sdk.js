/* The engine shared by widget.js and core.js: HTTP calls, the session, live events, listeners,
 * the before-start rule and the integration warnings. Parts of one bundle share `K`. */

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
  var self = this, generation = this.generation;
  return this.send(method, path, body, withToken).catch(function (error) {
    if (error.code !== 'not_started' || self.phase !== 'started' || generation !== self.generation ||
        withToken === false) throw error;
    return self.restart().then(function () { return self.send(method, path, body, withToken); });
  });
};

/* The mock no longer knows our token: a new start (without it), its token adopted, the stream reopened.
 * Calls that fail together share one restart. */
E.restart = function () {
  var self = this, generation = this.generation;
  if (this.restarting) return this.restarting;
  console.warn(K.TAG + ' the mock no longer knows this tracking token (was the org reset?): starting again');
  var body = {};
  ['brandId', 'assistantId', 'lang'].forEach(function (name) {
    if (self.startOptions && self.startOptions[name]) body[name] = self.startOptions[name];
  });
  this.restarting = this.send('POST', '/c/v1/tracking/tokens', body, false).then(function (data) {
    if (generation !== self.generation) throw K.apiError(401, { status: 401, code: 'not_started',
      title: 'Not started', detail: self.global + '.stop() was called while the session restarted' });
    self.lastEventId = null;   // a reset org numbers its events from the start again
    self.unread = { total: 0, conversations: {} };
    self.adopt(data);
    self.openStream();
    self.hooks.forEach(function (hook) { hook('__session', null); });
  });
  this.restarting.then(function () { self.restarting = null; }, function () { self.restarting = null; });
  return this.restarting;
};

/* One HTTP exchange, no retry. */
E.send = function (method, path, body, withToken) {
  var headers = { 'Authorization': 'Bearer ' + this.apiKey };
  if (withToken !== false && this.token) headers['x-kustomer-tracking-token'] = this.token;
  var init = { method: method, headers: headers };
  if (body !== undefined) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  return fetch(this.base + path, init).then(function (answer) {
    return answer.text().then(function (text) {
      var data;
      try { data = text ? JSON.parse(text) : {}; } catch (e) {
        throw K.apiError(answer.status, { code: 'invalid_response', title: 'Malformed response',
          detail: 'The server answered a body that is not JSON (HTTP ' + answer.status + ')' });
      }
      if (!answer.ok) throw K.apiError(answer.status, (data.errors || [])[0]);
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

/* Report a misuse by the host page: to the console and to the mock (operation sdkWarning). */
E.warn = function (method, reason) {
  var line = K.TAG + ' ' + this.global + '.' + method + ': ' + reason;
  this.warnings.push({ method: method, reason: reason });
  console.warn(line);
  if (!this.apiKey) return;
  var headers = { 'Authorization': 'Bearer ' + this.apiKey, 'Content-Type': 'application/json' };
  if (this.token) headers['x-kustomer-tracking-token'] = this.token;
  try {
    fetch(this.base + '/c/v1/diagnostics', { method: 'POST', headers: headers, keepalive: true,
      body: JSON.stringify({ method: method, reason: reason, pageUrl: String(window.location.href), sdk: this.sdk })
    }).catch(function () { /* diagnostics never break the page */ });
  } catch (e) { /* idem */ }
};

/* The before-start rule: false (and the callback gets not_started) unless start has finished. */
E.ready = function (method, callback) {
  if (this.phase === 'started') return true;
  if (this.phase === 'failed') return this.refuseFailed(method, callback);
  var when = this.phase === 'starting' ? 'while ' + this.global + '.' + this.startName + '() was still running'
    : this.phase === 'stopped' ? 'after ' + this.global + '.stop()' : 'before ' + this.global + '.' + this.startName + '()';
  var message = this.global + '.' + method + '() was called ' + when + ': call it from the ' + this.startName +
    ' callback, e.g. ' + this.global + '.' + this.startName + '({}, function () { ' + this.global + '.' + method + '(...); })';
  var error = K.apiError(401, { status: 401, code: 'not_started', title: 'Not started', detail: message });
  console.error(K.TAG + ' ' + message);
  this.warn(method, 'called before ' + this.startName + ' finished (' + when.replace(this.global + '.', '') + ')');
  if (typeof callback === 'function') this.answer(method, callback, undefined, error);
  return false;
};

/* Methods whose documented callback is function (null, error) on failure, not (undefined, error). */
K.NULL_ON_ERROR = { openConversationById: true, openKbArticle: true, openKbCategory: true };

/* After a failed start: start_failed, with the cause, instead of a misleading not_started. */
E.refuseFailed = function (method, callback) {
  var cause = this.startError || {};
  var message = this.global + '.' + method + '() was called after ' + this.global + '.' + this.startName +
    '() failed (' + (cause.code || 'error') + ': ' + cause.message + '); ' + this.startName + ' again once the cause is fixed';
  var error = K.apiError(cause.status || 0, { status: cause.status || 0, code: 'start_failed', title: 'Start failed',
    detail: message });
  error.cause = cause;
  console.error(K.TAG + ' ' + message);
  this.warn(method, 'called after ' + this.startName + ' failed (' + (cause.code || 'error') + ')');
  if (typeof callback === 'function') this.answer(method, callback, undefined, error);
  return false;
};

/* Answer a callback later, never letting the page's exception break the SDK. */
E.answer = function (method, callback, response, error) {
  var self = this;
  if (error && K.NULL_ON_ERROR[method]) response = null;
  if (typeof callback !== 'function') {
    if (error) {
      console.error(K.TAG + ' ' + this.global + '.' + method + ' failed: ' + error.message);
      if (method === 'createConversation') {
        this.warn(method, 'failed (' + error.code + ') and no callback was given to see the error');
      }
    }
    return;
  }
  K.later(function () {
    try { callback(response, error); } catch (e) {
      console.error(K.TAG + ' the ' + self.global + '.' + method + ' callback threw', e);
    }
  });
};

/* A required id: a non-empty string, or the call sends nothing and the callback gets missing_field /
 * invalid_field with source.pointer, as the API would answer (never a request to an empty path). */
E.requireId = function (method, callback, value, name, given, typeChecked) {
  if (typeof value === 'string' && value) return true;
  var missing = value === undefined || value === null || value === '';
  var reason = missing ? name + ' is required' : name + ' must be a non-empty string, not ' + K.typeOf(value);
  if (given) reason = given;   // a wrong options argument: engine.args has warned already
  var error = K.apiError(400, { status: 400, code: missing && !given ? 'missing_field' : 'invalid_field',
    title: missing && !given ? 'Missing field' : 'Invalid field', detail: this.global + '.' + method + ': ' + reason,
    source: { pointer: '/' + name } });
  if (!given && (missing || !typeChecked)) this.warn(method, reason);  // engine.options warned of a wrong type
  this.answer(method, callback, undefined, error);
  return false;
};

/* Split (options?, callback?) and report wrong types and unknown option names. */
E.args = function (method, args, allowed, optionsRequired) {
  var options = args[0], callback = args[1];
  if (typeof options === 'function' && callback === undefined) { callback = options; options = undefined; }
  if (options === undefined || options === null) {
    if (optionsRequired) this.warn(method, 'options are required (' + Object.keys(allowed).join(', ') + ')');
    options = {};
  } else if (!K.isObject(options)) {
    this.warn(method, 'options must be an object, not ' + K.typeOf(options));
    options = {};
  }
  if (callback !== undefined && typeof callback !== 'function') {
    this.warn(method, 'the callback must be a function, not ' + K.typeOf(callback));
    callback = undefined;
  }
  return { options: this.options(method, options, allowed), callback: callback };
};

E.options = function (method, options, allowed) {
  var clean = {}, self = this;
  Object.keys(options).forEach(function (name) {
    if (!Object.prototype.hasOwnProperty.call(allowed, name)) {
      self.warn(method, 'unknown option "' + name + '" (known: ' + Object.keys(allowed).join(', ') + ')');
      return;
    }
    var want = allowed[name], value = options[name];
    if (value !== undefined && value !== null && want !== 'any' && K.typeOf(value) !== want) {
      self.warn(method, 'option "' + name + '" must be ' + want + ', not ' + K.typeOf(value));
    }
    clean[name] = value;
  });
  return clean;
};

/* start / init: a tracking token (reusing the one this browser keeps), settings, counts, live events. */
E.start = function (options, callback, onReady) {
  var self = this;
  if (this.phase === 'starting' || this.phase === 'started') {
    this.warn(this.startName, this.startName + ' was called twice; the second call is ignored');
    if (this.phase === 'started') this.answer(this.startName, callback, this.startResponse);
    else this.pendingStart.push(callback);
    return;
  }
  this.phase = 'starting';
  var generation = ++this.generation;
  this.pendingStart = [callback];
  this.startOptions = options;
  this.token = this.storedToken();
  var body = {};
  ['brandId', 'assistantId', 'lang'].forEach(function (name) { if (options[name]) body[name] = options[name]; });
  this.request('POST', '/c/v1/tracking/tokens', body).then(function (data) {
    if (generation !== self.generation) return null;
    self.adopt(data);
    return self.refreshUnread().then(function () { return data; });
  }).then(function (data) {
    if (!data || generation !== self.generation) return;
    self.openStream();
    self.phase = 'started';
    self.startResponse = self.sdk === 'core' ? { settings: self.settings } : undefined;
    if (onReady) onReady(data);
    self.flushStart(self.startResponse, undefined);
  }, function (error) {
    if (generation !== self.generation) return;
    self.phase = 'failed';
    self.startError = error;
    console.error(K.TAG + ' ' + self.global + '.' + self.startName + ' failed: ' + error.message);
    self.flushStart(undefined, error);
  });
};

E.flushStart = function (response, error) {
  var waiting = this.pendingStart, self = this;
  this.pendingStart = [];
  waiting.forEach(function (callback) { self.answer(self.startName, callback, response, error); });
};

E.adopt = function (data) {
  this.token = data.trackingToken;
  this.customerId = data.customerId;
  this.storeToken(this.token);
  this.settings = data.settings || {};
  this.availability = data.availability || 'none';
  this.brandId = data.brandId;
  this.assistantId = data.assistantId;
  if (this.lastEventId === null && typeof data.lastEventId === 'number') this.lastEventId = data.lastEventId;
};

E.refreshUnread = function () {
  var self = this;
  return this.request('GET', '/c/v1/chat/unread').then(function (counts) {
    self.unread = { total: counts.total || 0, conversations: counts.conversations || {} };
  }, function () { /* the counts stay as they were; the stream corrects them */ });
};

E.stop = function () {
  this.generation++;
  this.phase = 'stopped';
  this.closeStream();
  this.listeners = {};
  var waiting = this.pendingStart;
  this.pendingStart = [];
  var error = K.apiError(401, { status: 401, code: 'not_started', title: 'Not started',
    detail: this.global + '.stop() was called before ' + this.startName + ' finished' });
  var self = this;
  waiting.forEach(function (callback) { self.answer(self.startName, callback, undefined, error); });
};

/* -- live events ------------------------------------------------------------------------------ */

E.openStream = function () {
  this.closeStream();
  if (typeof EventSource === 'undefined') return;
  var self = this, generation = this.generation;
  var url = this.base + '/c/v1/events?key=' + encodeURIComponent(this.apiKey) +
    '&token=' + encodeURIComponent(this.token);
  if (this.lastEventId !== null) url += '&lastEventId=' + this.lastEventId;
  var source = new EventSource(url);
  this.stream = source;
  source.onmessage = function (message) {
    if (generation !== self.generation || source !== self.stream) return;
    var id = Number(message.lastEventId), event;
    try { event = JSON.parse(message.data); } catch (e) { return; }
    if (self.lastEventId !== null && id <= self.lastEventId) return;  // never twice
    self.lastEventId = id;
    if (event.name !== '__stream') self.receive(event.name, event.payload);
  };
  source.onerror = function () {
    if (source !== self.stream || source.readyState !== 2) return;  // 2 = CLOSED: the browser gave up
    self.reconnect = setTimeout(function () {
      if (generation !== self.generation || source !== self.stream) return;
      // a refused stream may mean a forgotten token: one call finds out (and restarts the session,
      // which opens a new stream); otherwise the same stream is opened again
      var reopen = function () { if (generation === self.generation && source === self.stream) self.openStream(); };
      self.request('GET', '/c/v1/chat/unread').then(reopen, reopen);
    }, 2000);
  };
};

E.closeStream = function () {
  if (this.reconnect) clearTimeout(this.reconnect);
  if (this.stream) this.stream.close();
  this.stream = null;
};

E.receive = function (name, payload) {
  if (name === 'onLogout') {
    if (this.loggingOut) return;        // this tab's logout reports it once, from its own answer
    this.sessionEndedElsewhere();
  }
  if (name === 'onUnread' && payload) {
    this.unread = { total: payload.total || 0, conversations: payload.conversations || {} };
  }
  this.hooks.forEach(function (hook) { hook(name, payload); });
  this.emit(name, payload);
};

E.emit = function (name, payload) {
  var self = this;
  (this.listeners[name] || []).slice().forEach(function (listener) {
    try { listener(payload, undefined); } catch (e) {
      console.error(K.TAG + ' a ' + name + ' listener of ' + self.global + ' threw', e);
    }
  });
};

/* Another tab logged out: that tab starts the new anonymous session and stores its token; this tab
 * waits for it (the storage event on the token key) so both tabs stay one customer. Only when no new
 * token comes (the other tab was closed mid-logout) does this tab start a session of its own. */
E.sessionEndedElsewhere = function () {
  var self = this, generation = this.generation, old = this.token, key = this.storageKey(), settled = false, timer;
  this.closeStream();  // the old session is over: its stream would only retry a token that is gone
  function settle(token) {
    if (settled) return;
    settled = true;
    window.removeEventListener('storage', onStorage);
    clearTimeout(timer);
    if (generation !== self.generation) return;
    self.token = token || null;
    self.request('POST', '/c/v1/tracking/tokens', {}, !!token).then(function (data) {
      if (generation !== self.generation) return;
      self.adopt(data);
      self.openStream();
      return self.refreshUnread();
    }).then(function () { self.hooks.forEach(function (hook) { hook('__session', null); }); },
      function (error) { console.error(K.TAG + ' could not follow the logout of another tab: ' + error.message); });
  }
  function onStorage(event) {
    if (event.key === key && event.newValue && event.newValue !== old) settle(event.newValue);
  }
  window.addEventListener('storage', onStorage);
  var stored = this.storedToken();
  if (stored && stored !== old) { settle(stored); return; }   // the other tab was quicker than its event
  timer = setTimeout(function () {
    var now = self.storedToken();
    settle(now && now !== old ? now : null);
  }, 3000);
};

/* -- methods both SDKs have -------------------------------------------------------------------- */

K.common = function (api, engine) {
  var global = engine.global;

  api.addListener = function (event, listener) {
    if (typeof event !== 'string') engine.warn('addListener', 'the event name must be a string, not ' + K.typeOf(event));
    if (typeof listener !== 'function') {
      engine.warn('addListener', 'the listener must be a function, not ' + K.typeOf(listener));
      return;
    }
    // the listener is an event handler, not a callback: it never gets the not_started error
    if (!engine.ready('addListener')) return;
    if (K.EVENTS.indexOf(event) < 0) engine.warn('addListener', 'unknown event "' + event + '" (known: ' + K.EVENTS.join(', ') + ')');
    (engine.listeners[event] = engine.listeners[event] || []).push(listener);
  };

  api.removeListener = function (event, listener) {
    if (!engine.ready('removeListener')) return;
    var list = engine.listeners[event] || [], at = list.indexOf(listener);
    if (at < 0) {
      engine.warn('removeListener', 'this function was never added as a "' + event +
        '" listener (removeListener needs the same function reference that addListener got)');
      return;
    }
    list.splice(at, 1);
  };

  api.isChatAvailable = function () {
    if (!engine.ready('isChatAvailable')) return { availability: 'none' };
    return { availability: engine.availability };
  };

  api.getUnreadCount = function () {
    if (!engine.ready('getUnreadCount')) return { total: 0, conversations: {} };
    return { total: engine.unread.total, conversations: Object.assign({}, engine.unread.conversations) };
  };

  api.describeCustomer = function () {
    var call = engine.args('describeCustomer', arguments, { attributes: 'object', customAttributes: 'object' }, true);
    if (!engine.ready('describeCustomer', call.callback)) return;
    var attributes = Object.assign({}, call.options.attributes || {});
    [['emails', 'sharedEmails'], ['phones', 'sharedPhones'], ['socials', 'sharedSocials']].forEach(function (pair) {
      if (attributes[pair[0]] === undefined) return;
      engine.warn('describeCustomer', 'attributes.' + pair[0] + ' is an older name: use attributes.' + pair[1]);
      if (attributes[pair[1]] === undefined) attributes[pair[1]] = attributes[pair[0]];
      delete attributes[pair[0]];
    });
    var body = { attributes: attributes };
    if (call.options.customAttributes) body.customAttributes = call.options.customAttributes;
    engine.call('describeCustomer', call.callback, 'PATCH', '/c/v1/customers/current', body);
  };

  api.describeConversation = function () {
    var call = engine.args('describeConversation', arguments, { conversationId: 'string', customAttributes: 'object' }, true);
    if (!engine.ready('describeConversation', call.callback)) return;
    var id = call.options.conversationId;
    if (!engine.requireId('describeConversation', call.callback, id, 'conversationId', undefined, true)) return;
    engine.call('describeConversation', call.callback, 'PATCH', '/c/v1/chat/sessions/' + encodeURIComponent(id || ''),
      { customAttributes: call.options.customAttributes || {} });
  };

  api.login = function () {
    var call = engine.args('login', arguments, { jwtToken: 'string', brandId: 'string', assistantId: 'string' }, true);
    if (!engine.ready('login', call.callback)) return;
    engine.request('POST', '/c/v1/identity', call.options).then(function (answer) {
      engine.customerId = answer.customerId;
      engine.openStream();  // the token now stands for the identified customer: its onLogin is next
      return engine.refreshUnread().then(function () {
        engine.hooks.forEach(function (hook) { hook('__session', null); });
        engine.answer('login', call.callback, answer);
      });
    }, function (error) { engine.answer('login', call.callback, undefined, error); });
  };

  api.logout = function (callback) {
    if (!engine.ready('logout', callback)) return;
    engine.loggingOut = true;
    engine.request('DELETE', '/c/v1/identity').then(function (answer) {
      engine.closeStream();
      engine.storeToken(null);
      engine.token = null;
      engine.emit('onLogout', answer);
      return engine.request('POST', '/c/v1/tracking/tokens', {}).then(function (data) {
        engine.adopt(data);
        engine.unread = { total: 0, conversations: {} };
        engine.openStream();
        engine.loggingOut = false;
        engine.hooks.forEach(function (hook) { hook('__session', null); });
        engine.answer('logout', callback, answer);
      });
    }).catch(function (error) {
      engine.loggingOut = false;
      engine.answer('logout', callback, undefined, error);
    });
  };

  api.isLoggedIn = function () {
    var call = engine.args('isLoggedIn', arguments, { email: 'string', externalId: 'string' }, true);
    if (!engine.ready('isLoggedIn', call.callback)) return;
    var query = [];
    if (call.options.email) query.push('email=' + encodeURIComponent(call.options.email));
    if (call.options.externalId) query.push('externalId=' + encodeURIComponent(call.options.externalId));
    engine.request('GET', '/c/v1/identity' + (query.length ? '?' + query.join('&') : '')).then(function (answer) {
      engine.answer('isLoggedIn', call.callback, !!answer.loggedIn);
    }, function (error) { engine.answer('isLoggedIn', call.callback, undefined, error); });
  };

  return global;
};

/* A call whose answer goes to the callback as it is. */
E.call = function (method, callback, verb, path, body, shape) {
  var self = this;
  return this.request(verb, path, body).then(function (data) {
    var response = shape ? shape(data) : data;
    self.answer(method, callback, response);
    return data;
  }, function (error) {
    self.answer(method, callback, undefined, error);
    throw error;
  }).catch(function (error) { return { error: error }; });
};

/* {conversationId, createdAt, ended, isInAssistantMode}: createConversation's documented answer. */
K.conversationShape = function (data) {
  return { conversationId: data.conversationId, createdAt: data.createdAt, ended: data.ended,
    isInAssistantMode: data.isInAssistantMode };
};
