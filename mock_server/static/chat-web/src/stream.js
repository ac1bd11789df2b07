/* stream.js, engine part of widget.js and core.js: the engine's live events: the server-sent-events
 * stream, what arrives on it, the page's listeners.
 * Uses: K; E, K.TAG, E.request (sdk.js); E.sessionEndedElsewhere (session.js).
 * Defines for later parts: E.openStream, closeStream, receive, emit. */

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
