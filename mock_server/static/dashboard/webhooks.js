/* webhooks.js, dashboard script after tools.js: the org's outbound webhooks and their delivery log,
 * with replay of any event.
 * Uses: Dash.state, api, el, $, toast, fail (api.js).
 * Defines for later scripts: Dash.loadWebhooks, initWebhooks (and Dash.webhookEvents). */
(function () {
  'use strict';
  var Dash = window.Dash, el = Dash.el, $ = Dash.$, state = Dash.state;

  function orgPath(suffix) { return '/__admin/orgs/' + encodeURIComponent(state.key) + suffix; }

  function webhookItem(hook) {
    var status = hook.enabled ? 'on' : 'off' + (hook.disabledReason ? ' (' + hook.disabledReason + ')' : '');
    return el('li', { 'data-testid': 'webhook', 'data-id': hook.id }, [
      el('div', { 'class': 'line' }, [el('strong', { text: hook.name }),
        el('button', { type: 'button', 'class': 'small', 'data-testid': 'webhook-remove', text: 'Delete',
          onclick: function () { Dash.api('DELETE', orgPath('/webhooks/' + hook.id)).then(Dash.loadWebhooks, Dash.fail); } })]),
      el('div', { 'class': 'small', text: hook.url }),
      el('div', { 'class': 'small', text: status + ' · ' + hook.events.length + ' event(s) · ' + hook.pending + ' pending' })]);
  }

  function deliveryRow(attempt) {
    var result = attempt.status !== null && attempt.status !== undefined ? String(attempt.status) : (attempt.error || attempt.outcome);
    return el('tr', { 'data-testid': 'delivery', 'data-event-id': attempt.eventId, 'data-outcome': attempt.outcome,
      'class': attempt.outcome === 'delivered' ? '' : 'bad', title: attempt.url }, [
      el('td', { text: (attempt.time || '').slice(11, 19) }),
      el('td', { text: attempt.event.replace('kustomer.', '') + (attempt.redelivery ? ' (replay)' : '') }),
      el('td', { text: '#' + attempt.attempt }),
      el('td', { 'data-testid': 'delivery-status', text: result }),
      el('td', { text: attempt.nextRetryAt ? attempt.nextRetryAt.slice(11, 19) : (attempt.fault || '') }),
      el('td', {}, [el('button', { type: 'button', 'class': 'small', 'data-testid': 'delivery-replay', text: 'Replay',
        onclick: function () { replay(attempt.eventId); } })])]);
  }

  function replay(eventId) {
    Dash.api('POST', orgPath('/webhooks/events/' + eventId + '/redeliver'), {}).then(function (answer) {
      Dash.toast('Event ' + eventId + ': ' + answer.queued + ' delivery(ies) queued');
      return Dash.loadWebhooks();
    }).catch(Dash.fail);
  }

  Dash.loadWebhooks = function () {
    if (!state.key) return Promise.resolve();
    var org = encodeURIComponent(state.key);
    return Promise.all([Dash.api('GET', '/__admin/webhooks?org=' + org),
      Dash.api('GET', '/__admin/webhooks/deliveries?limit=60&org=' + org)]).then(function (answers) {
      var hooks = answers[0].webhooks, log = answers[1], list = $('webhooks'), rows = $('delivery-rows');
      $('webhook-count').textContent = hooks.length ? String(hooks.length) : '';
      list.replaceChildren.apply(list, hooks.map(webhookItem));
      rows.replaceChildren.apply(rows, log.deliveries.slice().reverse().map(deliveryRow));
      $('delivery-total').textContent = log.total + ' attempt(s)';
    });
  };

  function addWebhook(event) {
    event.preventDefault();
    $('webhook-error').textContent = '';
    Dash.api('POST', orgPath('/webhooks'), { name: $('webhook-name').value.trim() || 'dashboard',
      url: $('webhook-url').value.trim(), events: Dash.webhookEvents }).then(function (hook) {
      Dash.toast('Webhook ' + hook.name + ' added; its token is ' + hook.token);
      return Dash.loadWebhooks();
    }, function (error) { $('webhook-error').textContent = (error.code ? error.code + ': ' : '') + error.message; });
  }

  Dash.initWebhooks = function () {
    $('webhook-form').addEventListener('submit', addWebhook);
    Dash.webhookEvents = ['customer', 'conversation', 'message', 'user', 'team', 'tag'].reduce(function (all, kind) {
      return all.concat(['kustomer.' + kind + '.create', 'kustomer.' + kind + '.update']);
    }, []);
  };
})();
