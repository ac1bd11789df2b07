/* session.js, engine part of widget.js and core.js: the engine's session: start / init, stop, the
 * tracking token, restarting after an org reset, following a logout in another tab.
 * Uses: K; E, K.TAG, K.apiError, E.request, send, storageKey, storedToken, storeToken (sdk.js); E.warn,
 * answer (checks.js); at run time E.openStream, closeStream (stream.js).
 * Defines for later parts: E.start, flushStart, adopt, refreshUnread, stop, restart, sessionEndedElsewhere. */

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
  this.sessions++;
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
