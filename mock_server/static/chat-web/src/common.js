/* common.js, last engine part of widget.js and core.js: the methods both SDKs have, built on the
 * engine, and the answer shapes both SDKs give.
 * Uses: K; E, K.EVENTS, K.typeOf, E.request, storeToken (sdk.js); E.warn, ready, args, requireId, answer
 * (checks.js); E.adopt, refreshUnread (session.js); E.openStream, closeStream, emit (stream.js).
 * Defines for later parts: K.common (adds the shared methods to a global), K.conversationShape; E.call. */

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
