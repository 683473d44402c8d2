// The live ticker: history from the REST API, then every new record from the WebSocket stream.
// Plain browser JavaScript, no build step.
(function () {
  'use strict';
  var WINDOW_MS = 6 * 3600 * 1000;
  var MINUTE = 60000;
  var points = []; // [{ t: bucket start ms, v: close }], oldest first, one per minute
  var $ = function (id) { return document.getElementById(id); };

  function fmt(n, digits) { return n === null || n === undefined ? '—' : Number(n).toFixed(digits); }
  function pct(n) { return fmt(n * 100, 2) + ' %'; }

  function streamUrl() {
    var configured = document.querySelector('meta[name="stream-url"]').getAttribute('content');
    if (configured && configured.indexOf('__') !== 0) return configured;
    var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    return scheme + location.hostname + ':8090/stream/syi/live';
  }

  function setStatus(state, text) { var s = $('status'); s.dataset.state = state; s.textContent = text; }

  function showRecord(r) {
    var value = $('syi-value');
    value.textContent = fmt(r.value, 4);
    value.dataset.ts = String(r.ts);
    value.classList.add('flash');
    setTimeout(function () { value.classList.remove('flash'); }, 400);
    $('rpl-value').textContent = r.rpl === null ? '—' : (r.rpl >= 0 ? '+' : '') + fmt(r.rpl, 4);
    $('tbill-value').textContent = fmt(r.tbillRate, 2);
    $('mode-value').textContent = r.mode + ' · ' + r.eligible;
    $('updated-at').textContent = 'as of ' + new Date(r.ts).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
    var body = $('constituents');
    while (body.firstChild) body.removeChild(body.firstChild);
    (r.constituents || []).forEach(function (c) {
      var tr = document.createElement('tr');
      [c.symbol, pct(c.weight), fmt(c.ray, 3) + ' %', fmt(c.apyEff, 3) + ' %', fmt(c.pegScore, 4), fmt(c.liquidityScore, 4), fmt(c.price, 5)]
        .forEach(function (text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); });
      body.appendChild(tr);
    });
    addPoint(r.ts, r.value);
  }

  function addPoint(ts, v) {
    var t = ts - (ts % MINUTE);
    var last = points[points.length - 1];
    if (last && last.t === t) last.v = v;
    else if (!last || t > last.t) points.push({ t: t, v: v });
    while (points.length && points[0].t < t - WINDOW_MS) points.shift();
    drawChart();
  }

  function drawChart() {
    if (points.length === 0) return;
    var min = Infinity, max = -Infinity;
    points.forEach(function (p) { min = Math.min(min, p.v); max = Math.max(max, p.v); });
    var span = max - min || 1e-9, t0 = points[0].t, t1 = points[points.length - 1].t, dt = t1 - t0 || 1;
    $('chart-line').setAttribute('points', points.map(function (p) {
      return ((p.t - t0) / dt * 800).toFixed(1) + ',' + (210 - (p.v - min) / span * 200).toFixed(1);
    }).join(' '));
    $('chart-min').textContent = 'min ' + fmt(min, 4);
    $('chart-max').textContent = 'max ' + fmt(max, 4);
    $('chart-range').textContent = Math.round(dt / MINUTE) + ' min';
  }

  function loadHistory() {
    var from = Date.now() - WINDOW_MS;
    return fetch('/api/index/history?interval=1m&from=' + from).then(function (res) {
      if (!res.ok) return;
      return res.json().then(function (h) {
        var live = points;
        points = h.points.map(function (p) { return { t: p.bucket, v: p.close }; });
        live.forEach(function (p) { addPoint(p.t, p.v); });
        drawChart();
      });
    }).catch(function () { /* the live stream still fills the chart */ });
  }

  function loadLatest() {
    return fetch('/api/index/latest').then(function (res) { return res.ok ? res.json().then(showRecord) : null; }).catch(function () {});
  }

  // The auditor recomputes every published record from its inputs: say how far it got.
  function showAudit(a) {
    var line = $('verified');
    if (!a.available) {
      line.dataset.state = 'unknown';
      line.textContent = 'Independent check: not available';
      return;
    }
    var through = a.verifiedThrough === null ? 'nothing yet' : new Date(a.verifiedThrough).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
    line.dataset.state = a.mismatchSeen ? 'mismatch' : 'ok';
    line.textContent = 'Independently recomputed from its inputs through ' + through + ' · ' +
      (a.mismatchSeen ? a.mismatched + ' record(s) did not recompute, the last at ' + new Date(a.lastMismatchTs).toISOString() : 'no mismatch seen');
  }

  function loadAudit() {
    return fetch('/api/index/audit').then(function (res) { return res.ok ? res.json().then(showAudit) : null; }).catch(function () {});
  }

  // The SYI as the keeper published it on-chain (latestRoundData of the SYI feed), and its age.
  var onchain = null;
  function ago(seconds) {
    if (seconds < 90) return Math.max(0, Math.round(seconds)) + ' s ago';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min ago';
    return (seconds / 3600).toFixed(1) + ' h ago';
  }
  function showOnchain() {
    if (!onchain) return;
    var value = $('onchain-value');
    value.textContent = fmt(onchain.value, 4);
    value.dataset.round = onchain.roundId;
    var dev = onchain.deviationFromLatestBps === null ? '' : ' · ' + (onchain.deviationFromLatestBps >= 0 ? '+' : '') + fmt(onchain.deviationFromLatestBps, 2) + ' bp vs latest';
    $('onchain-age').textContent = 'round ' + onchain.roundId + ' · updated ' + ago(Date.now() / 1000 - onchain.updatedAt) + dev;
  }
  function loadOnchain() {
    return fetch('/api/index/onchain').then(function (res) {
      if (!res.ok) return;
      return res.json().then(function (o) { onchain = o; showOnchain(); });
    }).catch(function () {});
  }

  var retryMs = 500;
  function connect() {
    var ws = new WebSocket(streamUrl());
    ws.onopen = function () { retryMs = 500; setStatus('live', 'live'); };
    ws.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === 'syi') showRecord(message);
    };
    ws.onclose = function () {
      setStatus('reconnecting', 'reconnecting…');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    };
  }

  loadLatest();
  loadHistory();
  connect();
  loadAudit();
  setInterval(loadAudit, 5000);
  loadOnchain();
  setInterval(loadOnchain, 5000);
  setInterval(showOnchain, 1000);
})();
