/* checks.js, engine part of widget.js and core.js: the engine's checks of the host page: integration
 * warnings, the before-start rule, callbacks and argument checks.
 * Uses: K; E, K.TAG, K.apiError, K.isObject, K.typeOf, K.later (sdk.js).
 * Defines for later parts: K.NULL_ON_ERROR; E.warn, ready, refuseFailed, answer, requireId, args, options. */

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
