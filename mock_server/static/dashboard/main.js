/* main.js, last dashboard script: start the dashboard: pick the org (from #org=KEY, or the first key
 * seen), stream it, poll the rest.
 * Uses: Dash.state, api, el, $, fail, OrgStream, initTokenDialog (api.js); Dash.loadConversations,
 * loadThread, refreshSoon, onOrgEvent, initThread, fillAgents (conversations.js); Dash.fillSettings,
 * loadFaults, loadWarnings, loadClock, initTools (tools.js); Dash.loadWebhooks, initWebhooks
 * (webhooks.js); Dash.loadJournal (journal.js).
 * Defines: Dash.loadKeys, loadOrg, watch (tools.js calls Dash.loadOrg at run time). */
(function () {
  'use strict';
  var Dash = window.Dash, el = Dash.el, $ = Dash.$, state = Dash.state;
  var POLL_MS = 2000;   // faults, warnings, clock and keys are not org events: they are polled (the journal follows itself)
  var stream = null;

  function keyFromHash() {
    var match = /(?:^#|&)org=([^&]*)/.exec(location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function setLive(status) {
    var labels = { live: 'live', retrying: 'reconnecting…', off: 'not connected' };
    $('live').textContent = labels[status] || status;
    $('live').setAttribute('data-state', status);
    if (status === 'live') Dash.refreshSoon();   // (re)connected: catch up on what happened meanwhile (a reset, say)
  }

  /* Every key seen: GET /__admin/orgs page by page, following `next`. */
  function keyPages(path, found) {
    return Dash.api('GET', path).then(function (data) {
      found = found.concat(data.orgs);
      return data.next ? keyPages(data.next, found) : found;
    });
  }

  Dash.loadKeys = function () {
    return keyPages('/__admin/orgs', []).then(function (orgs) {
      var data = { orgs: orgs };
      state.orgs = data.orgs;
      var select = $('org-select'), keys = data.orgs.map(function (o) { return o.key; });
      if (state.key && keys.indexOf(state.key) < 0) keys.push(state.key);   // watched before its first call
      select.replaceChildren.apply(select, keys.map(function (key) {
        var org = data.orgs.filter(function (o) { return o.key === key; })[0];
        var label = org && org.name !== key ? key + ' (' + org.name + ')' : key;
        return el('option', { value: key, text: label });
      }));
      if (state.key) select.value = state.key;
      return keys;
    });
  };

  /* The org's description: users (agents), assistants, settings. `form` refills the settings form. */
  Dash.loadOrg = function (form) {
    var key = state.key;
    return Dash.api('GET', '/__admin/orgs/' + encodeURIComponent(key)).then(function (org) {
      if (key !== state.key) return;
      state.org = org;
      Dash.fillAgents(org.users);
      if (form) Dash.fillSettings(org);
      else $('availability-now').textContent = org.availability;
      // a reset drops the org without an event on the old stream: the count tells the poll to catch up
      if (org.counts.conversations !== state.conversationTotal) Dash.refreshSoon();
    });
  };

  /* Which key /v1 and /v2.1 take for this org: the key itself, or a key of the same org with a server role. */
  function serverKeyOf(key) {
    var found = (state.orgs || []).filter(function (o) { return o.key === key; })[0];
    return found ? found.serverKey : key;
  }

  Dash.watch = function (key) {
    if (!key) return Promise.resolve();
    if (stream) stream.stop();
    state.key = key; state.selected = null; state.thread = null;
    if (keyFromHash() !== key) history.replaceState(null, '', '#org=' + encodeURIComponent(key));
    return Dash.loadOrg(true).then(Dash.loadKeys).then(function () {
      state.serverKey = serverKeyOf(key);
      stream = new Dash.OrgStream(key, Dash.onOrgEvent, setLive);
      return Promise.all([Dash.loadConversations(), Dash.loadThread(), Dash.loadWarnings(), Dash.loadJournal(),
        Dash.loadWebhooks()]);
    });
  };

  function poll() {
    var calls = [Dash.loadClock(), Dash.loadFaults(), Dash.loadWarnings(), Dash.loadKeys(), Dash.loadWebhooks()];
    if (state.key) calls.push(Dash.loadOrg(false));
    Promise.all(calls).catch(function () { /* shown on the next action; polling carries on */ })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  function initTabs() {
    var tabs = document.querySelectorAll('[role=tab]');
    function choose(tab) {
      Array.prototype.forEach.call(tabs, function (other) {
        var chosen = other === tab;
        other.setAttribute('aria-selected', String(chosen));
        $('tab-' + other.getAttribute('data-tab')).hidden = !chosen;
      });
    }
    Array.prototype.forEach.call(tabs, function (tab) {
      tab.addEventListener('click', function () { choose(tab); });
    });
    // #org=KEY&tab=faults opens on a tab, so a page (the demo's) can link straight to it
    var match = /(?:^#|&)tab=([a-z]+)/.exec(location.hash);
    var linked = match && document.querySelector('[role=tab][data-tab="' + match[1] + '"]');
    if (linked) choose(linked);
  }

  function initOrgForm() {
    $('org-select').addEventListener('change', function () { Dash.watch($('org-select').value).catch(Dash.fail); });
    $('conversations-more').addEventListener('click', Dash.moreConversations);
    $('org-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var key = $('org-key').value.trim();
      if (!key) return;
      $('org-key').value = '';
      Dash.watch(key).catch(Dash.fail);
    });
    window.addEventListener('hashchange', function () {
      var key = keyFromHash();
      if (key && key !== state.key) Dash.watch(key).catch(Dash.fail);
    });
  }

  function start() {
    Dash.initTokenDialog();
    initTabs();
    initOrgForm();
    Dash.initThread();
    Dash.initWebhooks();
    Dash.loadKeys().then(function (keys) {
      return Promise.all([Dash.initTools(), Dash.loadClock(), Dash.loadFaults()]).then(function () {
        var key = keyFromHash() || keys[keys.length - 1];
        if (key) return Dash.watch(key);
        $('thread-empty').textContent = 'No API key has called the mock yet. Open the demo page, or type a key above.';
      });
    }).catch(Dash.fail).then(function () {
      document.body.setAttribute('data-ready', 'true');
      setTimeout(poll, POLL_MS);
    });
  }

  start();
})();
