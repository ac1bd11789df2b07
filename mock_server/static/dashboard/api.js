/* api.js, the dashboard's first own script (index.html loads them in order, each adds to window.Dash;
 * main.js starts it): the dashboard's only way to the mock: the documented control API (/__admin), /v1
 * and /v2.1. Nothing here is private to the dashboard: a script can make every call it makes.
 * Uses: Shared.el, Shared.errorItem (shared.js, the widget's; the script tag before this one).
 * Defines for later scripts: window.Dash and on it state, token, api, askToken, initTokenDialog,
 * OrgStream, el (the DOM builder), $, time, toast, fail. */
(function () {
  'use strict';
  var Dash = window.Dash = window.Dash || {};
  var TOKEN_KEY = 'kustomer-mock:admin-token';   // sessionStorage: this tab only, gone when it closes
  var waitingForToken = [];

  Dash.state = { key: null, serverKey: null, org: null, conversations: [], selected: null };

  Dash.token = function () { return sessionStorage.getItem(TOKEN_KEY); };

  function headersFor(path, body) {
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (path.indexOf('/__admin') === 0) {
      if (Dash.token()) headers.Authorization = 'Bearer ' + Dash.token();
    } else if (Dash.state.serverKey) {
      headers.Authorization = 'Bearer ' + Dash.state.serverKey;   // /v1 and /v2.1 take the org's key
    }
    return headers;
  }

  /* One call; answers the JSON body, or throws an Error carrying the envelope's status, code and detail. */
  Dash.api = function (method, path, body) {
    return fetch(path, { method: method, headers: headersFor(path, body),
      body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          if (response.ok) return data;
          var item = Shared.errorItem(data) || { status: response.status, code: 'http_' + response.status };
          var error = new Error(item.detail || item.title || item.code);
          error.status = item.status || response.status;
          error.code = item.code;
          if (item.code === 'admin_token_required' || item.code === 'admin_token_invalid') {
            return Dash.askToken(item).then(function () { return Dash.api(method, path, body); });
          }
          throw error;
        });
      });
  };

  /* Ask for the admin token once; every call that needed it is retried when it is given. */
  Dash.askToken = function (item) {
    var dialog = document.getElementById('token-dialog');
    if (item && item.code === 'admin_token_invalid') {
      sessionStorage.removeItem(TOKEN_KEY);
      document.getElementById('token-reason').textContent = 'That token does not match the one the mock was started with. Try again.';
    }
    return new Promise(function (resolve) {
      waitingForToken.push(resolve);
      if (!dialog.open) dialog.showModal();
    });
  };

  Dash.initTokenDialog = function () {
    var dialog = document.getElementById('token-dialog');
    document.getElementById('token-form').addEventListener('submit', function () {
      sessionStorage.setItem(TOKEN_KEY, document.getElementById('token-input').value.trim());
      var waiting = waitingForToken.splice(0);
      waiting.forEach(function (resolve) { resolve(); });
    });
    dialog.addEventListener('cancel', function (event) { event.preventDefault(); });
  };

  /* The org's live events (GET /__admin/orgs/KEY/events). Read with fetch, not EventSource, so the
   * admin token travels in the Authorization header and never in a URL. Reconnects with Last-Event-ID. */
  Dash.OrgStream = function (key, onEvent, onState) {
    this.key = key; this.onEvent = onEvent; this.onState = onState;
    this.lastId = null; this.retryMs = 1000; this.stopped = false; this.controller = null;
    this.connect();
  };

  Dash.OrgStream.prototype.connect = function () {
    if (this.stopped) return;
    var self = this;
    var headers = headersFor('/__admin');
    headers.Accept = 'text/event-stream';
    if (this.lastId !== null) headers['Last-Event-ID'] = this.lastId;
    this.controller = new AbortController();
    fetch('/__admin/orgs/' + encodeURIComponent(this.key) + '/events', { headers: headers, signal: this.controller.signal })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          return response.json().then(function (data) { return Dash.askToken(data.errors[0]); });
        }
        if (!response.ok || !response.body) throw new Error('stream answered ' + response.status);
        self.onState('live');
        return self.read(response.body.getReader());
      })
      .catch(function () { if (!self.stopped) self.onState('retrying'); })
      .then(function () {
        if (!self.stopped) setTimeout(function () { self.connect(); }, self.retryMs);
      });
  };

  Dash.OrgStream.prototype.read = function (reader) {
    var self = this, decoder = new TextDecoder(), buffer = '';
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        var frames = buffer.split('\n\n');
        buffer = frames.pop();
        frames.forEach(function (frame) { self.frame(frame); });
        return pump();
      });
    }
    return pump();
  };

  Dash.OrgStream.prototype.frame = function (text) {
    var id = null, data = '';
    text.split('\n').forEach(function (line) {
      if (line.indexOf('id: ') === 0) id = line.slice(4);
      else if (line.indexOf('data: ') === 0) data += line.slice(6);
      else if (line.indexOf('retry: ') === 0) this.retryMs = parseInt(line.slice(7), 10) || this.retryMs;
    }, this);
    if (id !== null) this.lastId = id;
    if (!data) return;
    var event = JSON.parse(data);
    if (event.name !== '__stream') this.onEvent(event.name, event.payload || {});
  };

  Dash.OrgStream.prototype.stop = function () {
    this.stopped = true;
    if (this.controller) this.controller.abort();
  };

  /* Small DOM helpers shared by the other scripts. */
  Dash.el = function (tag, attrs, children) { return Shared.el(document, tag, attrs, children); };

  Dash.$ = function (id) { return document.getElementById(id); };

  Dash.time = function (iso) { return iso ? iso.replace('T', ' ').slice(0, 19) : ''; };

  Dash.toast = function (text, isError) {
    var toast = Dash.$('toast');
    toast.textContent = text;
    toast.className = 'toast' + (isError ? ' bad' : '');
    toast.hidden = false;
    clearTimeout(Dash.toastTimer);
    Dash.toastTimer = setTimeout(function () { toast.hidden = true; }, 4000);
  };

  Dash.fail = function (error) {
    Dash.toast((error.code ? error.code + ': ' : '') + error.message, true);
  };
})();
