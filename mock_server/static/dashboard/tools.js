/* tools.js, dashboard script after conversations.js: org settings, fault rules and scenarios, SDK
 * warnings and the mock clock.
 * Uses: Dash.state, api, el, $, time, toast, fail (api.js); at run time Dash.loadJournal (journal.js)
 * and Dash.loadOrg (main.js).
 * Defines for later scripts: Dash.fillSettings, loadFaults, loadWarnings, loadClock, initTools (and
 * Dash.scenarios, clock: what it last loaded). */
(function () {
  'use strict';
  var Dash = window.Dash, el = Dash.el, $ = Dash.$, state = Dash.state;

  function orgPath(suffix) { return '/__admin/orgs/' + encodeURIComponent(state.key) + (suffix || ''); }
  function number(id) { var v = $(id).value.trim(); return v === '' ? null : Number(v); }

  // -- settings ------------------------------------------------------------------------------

  Dash.fillSettings = function (org) {
    var s = org.settings, select = $('setting-assistant');
    select.replaceChildren.apply(select, [el('option', { value: '', text: 'none (plain chats)' })].concat(
      org.assistants.map(function (a) { return el('option', { value: a.id, text: a.name + ' (' + a.firstQuestion.type + ')' }); })));
    $('setting-availability').value = s.availability;
    $('setting-delay').value = s.startDelayMs || 0;
    $('setting-allow-end').checked = s.allowEndConversation !== false;
    select.value = s.activeAssistant || '';
    $('availability-now').textContent = org.availability;
  };

  function saveSettings(event) {
    event.preventDefault();
    $('settings-status').textContent = '';
    Dash.api('PATCH', orgPath('/settings'), {
      availability: $('setting-availability').value, startDelayMs: number('setting-delay') || 0,
      allowEndConversation: $('setting-allow-end').checked, defaultAssistantId: $('setting-assistant').value || null
    }).then(function () {
      $('settings-status').textContent = 'Saved. A widget started from now on sees the new settings.';
      return Dash.loadOrg(true);
    }).catch(Dash.fail);
  }

  // -- faults --------------------------------------------------------------------------------

  function describeFault(rule) {
    var match = rule.match || {}, acts = [];
    if (rule.respond) acts.push(rule.respond.status + (rule.respond.code ? ' ' + rule.respond.code : ''));
    if (rule.delayMs) acts.push('delay ' + (typeof rule.delayMs === 'object' ? rule.delayMs.min + '–' + rule.delayMs.max : rule.delayMs) + ' ms');
    if (rule.drop) acts.push('drop ' + rule.drop);
    var where = [match.operation || 'any operation', match.method, match.path, match.org ? 'org ' + match.org : 'every org'];
    var limits = (rule.times ? rule.hits + '/' + rule.times + ' hits' : rule.hits + ' hits') +
      (rule.probability < 1 ? ', p=' + rule.probability : '') + (rule.expired ? ', expired' : '');
    return { where: where.filter(Boolean).join(' · '), acts: acts.join(', '), limits: limits };
  }

  Dash.loadFaults = function () {
    return Dash.api('GET', '/__admin/faults').then(function (data) {
      var list = $('faults');
      $('fault-count').textContent = data.faults.length ? String(data.faults.length) : '';
      list.replaceChildren.apply(list, data.faults.map(function (rule) {
        var d = describeFault(rule);
        return el('li', { 'class': 'fault' + (rule.expired ? ' expired' : ''), 'data-testid': 'fault', 'data-id': rule.id }, [
          el('div', { 'class': 'line' }, [el('strong', { text: rule.id + (rule.name ? ' ' + rule.name : '') }),
            el('button', { type: 'button', 'class': 'small', 'data-testid': 'fault-remove', text: 'Remove',
              onclick: function () { Dash.api('DELETE', '/__admin/faults/' + encodeURIComponent(rule.id)).then(Dash.loadFaults, Dash.fail); } })]),
          el('div', { 'class': 'small', text: d.where }),
          el('div', { 'class': 'small' }, [el('span', { 'class': 'act', text: d.acts }), ' · ' + d.limits])
        ]);
      }));
    });
  };

  function faultFromForm() {
    var rule = { match: {} }, status = number('fault-status'), delay = number('fault-delay'), times = number('fault-times');
    var operation = $('fault-operation').value.trim(), code = $('fault-code').value.trim(), probability = number('fault-probability');
    if (operation) rule.match.operation = operation;
    if ($('fault-this-org').checked) rule.match.org = state.key;
    if (status !== null) rule.respond = code ? { status: status, code: code } : { status: status };
    if (delay !== null) rule.delayMs = delay;
    if ($('fault-drop').value) rule.drop = $('fault-drop').value;
    if (times !== null) rule.times = times;
    if (probability !== null) rule.probability = probability;
    return rule;
  }

  function addFault(event) {
    event.preventDefault();
    $('fault-error').textContent = '';
    Dash.api('POST', '/__admin/faults', faultFromForm()).then(function (rule) {
      Dash.toast('Fault ' + rule.id + ' added');
      return Dash.loadFaults();
    }, function (error) { $('fault-error').textContent = (error.code ? error.code + ': ' : '') + error.message; });
  }

  function loadScenarios() {
    return Dash.api('GET', '/__admin/faults/scenarios').then(function (data) {
      var select = $('scenario-select');
      Dash.scenarios = data.scenarios;
      select.replaceChildren.apply(select, data.scenarios.map(function (s) { return el('option', { value: s.name, text: s.name }); }));
      showScenario();
    });
  }

  function showScenario() {
    var found = (Dash.scenarios || []).filter(function (s) { return s.name === $('scenario-select').value; })[0];
    $('scenario-description').textContent = found ? found.description || '' : '';
  }

  /* Operation names and drop kinds come from the OpenAPI document, so the form never lists a stale one. */
  function loadVocabulary() {
    return Dash.api('GET', '/__admin/openapi.json').then(function (spec) {
      var ids = [];
      Object.keys(spec.paths).forEach(function (path) {
        if (path.indexOf('/__admin') === 0) return;   // the control API is never faulted
        Object.keys(spec.paths[path]).forEach(function (method) { ids.push(spec.paths[path][method].operationId); });
      });
      var list = $('operations');
      list.replaceChildren.apply(list, ids.sort().map(function (id) { return el('option', { value: id }); }));
      var drop = ((spec.components.schemas.FaultRule || {}).properties || {}).drop || {};
      (drop.enum || []).filter(Boolean).forEach(function (kind) { $('fault-drop').appendChild(el('option', { value: kind, text: kind })); });
    });
  }

  // -- warnings (the journal is journal.js) ----------------------------------------------------

  Dash.loadWarnings = function () {
    if (!state.key) return Promise.resolve();
    return Dash.api('GET', orgPath('/sdk-warnings')).then(function (data) {
      var list = $('warnings');
      $('warning-count').textContent = data.total ? String(data.total) : '';
      list.replaceChildren.apply(list, data.warnings.slice().reverse().map(function (w) {
        return el('li', { 'data-testid': 'warning' }, [
          el('div', { 'class': 'line' }, [el('strong', { text: w.sdk + ': ' + w.method }), el('time', { text: Dash.time(w.time) })]),
          el('div', { text: w.reason }), w.pageUrl ? el('div', { 'class': 'small', text: w.pageUrl }) : null]);
      }));
    });
  };

  // -- the clock -----------------------------------------------------------------------------

  function showClock(clock) {
    $('clock-now').textContent = Dash.time(clock.now) + ' UTC';
    $('clock-mode').textContent = clock.frozen ? 'frozen' : 'running';
    $('clock-mode').className = 'pill ' + (clock.frozen ? 'frozen' : 'open');
    $('clock-freeze').disabled = clock.frozen;
    $('clock-resume').disabled = !clock.frozen && !clock.offsetSeconds;
    Dash.clock = clock;
  }

  Dash.loadClock = function () { return Dash.api('GET', '/__admin/clock').then(showClock); };

  function setClock(change) {
    return Dash.api('POST', '/__admin/clock', change).then(function (clock) {
      showClock(clock);
      return Dash.loadOrg(false);   // availability may follow business hours on the mock clock
    }).catch(Dash.fail);
  }

  Dash.initTools = function () {
    $('settings-form').addEventListener('submit', saveSettings);
    $('fault-form').addEventListener('submit', addFault);
    $('scenario-select').addEventListener('change', showScenario);
    $('scenario-load').addEventListener('click', function () {
      var name = $('scenario-select').value;
      if (!name) return;
      Dash.api('POST', '/__admin/faults/scenarios/' + encodeURIComponent(name)).then(function (data) {
        Dash.toast('Scenario ' + name + ': ' + data.faults.length + ' rule(s) added');
        return Dash.loadFaults();
      }).catch(Dash.fail);
    });
    $('faults-clear').addEventListener('click', function () {
      Dash.api('DELETE', '/__admin/faults').then(Dash.loadFaults, Dash.fail);
    });
    $('warnings-clear').addEventListener('click', function () {
      Dash.api('DELETE', orgPath('/sdk-warnings')).then(Dash.loadWarnings, Dash.fail);
    });
    $('journal-operation').addEventListener('input', function () { Dash.loadJournal().catch(Dash.fail); });
    $('journal-this-org').addEventListener('change', function () { Dash.loadJournal().catch(Dash.fail); });
    $('clock-freeze').addEventListener('click', function () { setClock({ freeze: 'now' }); });
    $('clock-advance').addEventListener('click', function () { setClock({ advanceSeconds: number('clock-seconds') || 0 }); });
    $('clock-resume').addEventListener('click', function () { setClock({ resume: true }); });
    return Promise.all([loadScenarios(), loadVocabulary()]);
  };
})();
