/* journal.js, dashboard script after webhooks.js: the request journal tab: the newest calls, live (a
 * long poll of /__admin/requests?after=ID&wait=S), and a call's request and response, headers and
 * bodies, on click.
 * Uses: Dash.state, api, el, $ (api.js).
 * Defines for later scripts: Dash.loadJournal. */
(function () {
  'use strict';
  var Dash = window.Dash, el = Dash.el, $ = Dash.$, state = Dash.state;
  var SHOWN = 60, WAIT_SECONDS = 20, RETRY_MS = 2000;
  var run = 0, entries = [], total = 0, open = {};   // open: ids of the rows whose details are shown

  function filters() {
    var query = [], operation = $('journal-operation').value.trim();
    if (operation) query.push('operation=' + encodeURIComponent(operation));
    if ($('journal-this-org').checked && state.key) query.push('org=' + encodeURIComponent(state.key));
    return query;
  }

  /* The newest calls for the current filters; then follow new ones until the filters or the org change. */
  Dash.loadJournal = function () {
    var mine = ++run;
    return Dash.api('GET', '/__admin/requests?' + ['limit=' + SHOWN].concat(filters()).join('&')).then(function (data) {
      if (mine !== run) return;
      entries = data.requests; total = data.total;
      render();
      follow(mine, entries.length ? entries[entries.length - 1].id : 0);
    });
  };

  function follow(mine, after) {
    var query = ['after=' + after, 'wait=' + WAIT_SECONDS].concat(filters());
    Dash.api('GET', '/__admin/requests?' + query.join('&')).then(function (data) {
      if (mine !== run) return;
      if (data.requests.length) {
        entries = entries.concat(data.requests).slice(-SHOWN);
        total += data.requests.length;
        render();
      }
      follow(mine, data.requests.length ? data.requests[data.requests.length - 1].id : after);
    }, function () {
      if (mine === run) setTimeout(function () { follow(mine, after); }, RETRY_MS);   // the mock restarts, say
    });
  }

  function render() {
    var rows = $('journal-rows'), shown = [];
    entries.slice().reverse().forEach(function (entry) {
      shown.push(row(entry));
      if (open[entry.id]) shown.push(details(entry));
    });
    rows.replaceChildren.apply(rows, shown);
    $('journal-total').textContent = total > entries.length ? 'the newest ' + entries.length + ' of ' + total : total + ' calls';
  }

  function row(entry) {
    var status = entry.status === null ? 'dropped' : String(entry.status);
    var bad = entry.status === null || entry.status >= 400;
    return el('tr', { 'data-testid': 'journal-entry', 'data-operation': entry.operation || '', 'data-id': String(entry.id),
      'class': 'entry' + (bad ? ' bad' : '') + (open[entry.id] ? ' open' : ''), title: 'Show the request and the response',
      'aria-expanded': String(!!open[entry.id]), tabindex: '0',
      onclick: function () { toggle(entry.id); },
      onkeydown: function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(entry.id); } } }, [
      el('td', { text: (entry.time || '').slice(11, 23) }), el('td', { text: entry.operation || entry.path }),
      el('td', { 'data-testid': 'journal-status', text: status }), el('td', { text: String(entry.durationMs) }),
      el('td', { text: [entry.fault ? entry.fault + (entry.drop ? ' (' + entry.drop + ')' : '') : '',
        entry.stub ? 'stub ' + entry.stub : ''].filter(Boolean).join(' ') })]);
  }

  function toggle(id) {
    if (open[id]) delete open[id]; else open[id] = true;
    render();
  }

  function details(entry) {
    var query = Object.keys(entry.query || {}).map(function (k) { return k + '=' + entry.query[k]; }).join('&');
    var status = entry.status === null ? 'dropped (no answer)' : String(entry.status);
    return el('tr', { 'class': 'details', 'data-testid': 'journal-details' }, [el('td', { colspan: '5' }, [
      el('div', { 'class': 'exchange' }, [
        part('Request', entry.method + ' ' + entry.path + (query ? '?' + query : ''), entry.requestHeaders,
          entry.requestBody, 'request'),
        part('Response', status + ' · ' + entry.durationMs + ' ms', entry.responseHeaders, entry.responseBody, 'response')])])]);
  }

  function part(title, line, headers, body, name) {
    var names = Object.keys(headers || {});
    return el('section', { 'data-testid': 'journal-' + name }, [
      el('h4', { text: title }), el('div', { 'class': 'small', text: line }),
      el('pre', { 'class': 'headers', 'data-testid': 'journal-' + name + '-headers',
        text: names.length ? names.map(function (n) { return n + ': ' + headers[n]; }).join('\n') : '(no headers recorded)' }),
      el('pre', { 'class': 'body', 'data-testid': 'journal-' + name + '-body',
        text: body === null || body === undefined ? '(no body)' : typeof body === 'string' ? body : JSON.stringify(body, null, 2) })]);
  }
})();
