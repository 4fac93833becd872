// edgeproxy's inspector page: plain JavaScript, no build step, no outside assets (docs/inspector.md).
// Reads /inspector/api/ (JSON) and /inspector/api/stream (Server-Sent Events) of the admin listener.
const TRIGGERS = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];
const state = { rows: [], selected: undefined, record: undefined };
const $ = (sel) => document.querySelector(sel);

/** createElement with attributes, properties (`.name`), listeners (`onclick`) and children. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k.startsWith('.')) el[k.slice(1)] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function ms(n) {
  if (n === undefined || n === null) return '';
  return n < 10 ? `${n.toFixed(2)} ms` : `${Math.round(n)} ms`;
}

function statusClass(s) {
  return `s${Math.floor(s / 100)}`;
}

function toast(text) {
  const t = h('div', { class: 'toast', role: 'status' }, text);
  document.body.append(t);
  setTimeout(() => t.remove(), 2500);
}

async function api(path, opts) {
  const res = await fetch(`api/${path}`, opts);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error ? `${body.error.code}: ${body.error.message}` : `${res.status} ${res.statusText}`);
  return body;
}

// ---- the list ----

function filters() {
  return {
    path: $('#f-path').value.trim().toLowerCase(),
    status: $('#f-status').value,
    xcache: $('#f-xcache').value.toLowerCase(),
    error: $('#f-error').checked,
  };
}

function passes(r, f) {
  if (f.path && !r.target.toLowerCase().includes(f.path)) return false;
  if (f.status && String(Math.floor(r.status / 100)) !== f.status) return false;
  if (f.xcache && (r.xCache || '').toLowerCase() !== f.xcache) return false;
  if (f.error && !r.hasError) return false;
  return true;
}

function rowFor(r, fresh) {
  const fns = r.functions.map((f) =>
    h('span', { class: f.ok ? 'fn' : 'fn bad', title: `${f.trigger}: ${f.functionId} ${f.ok ? 'ok' : 'failed'}` }, h('i', {}, f.trigger), ` ${f.functionId}`, h('span', { class: 'mark' }, f.ok ? '✓' : '✗')),
  );
  return h(
    'tr',
    { class: [fresh ? 'fresh' : '', state.selected === r.id ? 'selected' : ''].join(' ').trim() || undefined, 'data-id': r.id, onclick: () => select(r.id) },
    h('td', {}, r.method),
    h('td', { class: 'path', title: r.target }, r.target, r.replayOf ? h('span', { class: 'tag', title: `replay of #${r.replayOf}` }, ' replay') : null),
    h('td', { class: statusClass(r.status) }, r.status === 0 ? '—' : r.status),
    h('td', {}, r.xCache || ''),
    h('td', { class: 'num' }, ms(r.durationMs)),
    h('td', { class: 'fns' }, fns),
  );
}

function renderList() {
  const f = filters();
  const body = $('#list tbody');
  body.replaceChildren(...state.rows.filter((r) => passes(r, f)).map((r) => rowFor(r, false)));
  $('#empty').hidden = state.rows.length > 0;
}

function addRow(r) {
  state.rows.unshift(r);
  if (state.rows.length > 2000) state.rows.length = 2000;
  $('#empty').hidden = true;
  if (passes(r, filters())) $('#list tbody').prepend(rowFor(r, true));
}

async function loadList() {
  const { exchanges } = await api('exchanges');
  state.rows = exchanges;
  renderList();
}

function connect() {
  const live = $('#live');
  const es = new EventSource('api/stream');
  es.addEventListener('open', () => {
    live.textContent = 'live';
    live.classList.add('on');
  });
  es.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.classList.remove('on');
  });
  es.addEventListener('exchange', (e) => {
    const r = JSON.parse(e.data);
    if (!state.rows.some((x) => x.id === r.id)) addRow(r);
  });
  es.addEventListener('clear', () => {
    state.rows = [];
    renderList();
  });
}

// ---- the detail view ----

async function select(id) {
  state.selected = id;
  if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
  for (const tr of document.querySelectorAll('#list tbody tr')) tr.classList.toggle('selected', tr.dataset.id === id);
  const detail = $('#detail');
  try {
    const rec = await api(`exchanges/${encodeURIComponent(id)}`);
    state.record = rec;
    detail.replaceChildren(...renderDetail(rec).flat().filter((n) => n !== null && n !== undefined));
    detail.scrollTop = 0;
    // Each JSON view opens at its first highlighted line.
    for (const pre of detail.querySelectorAll('pre')) {
      const first = pre.querySelector('.diff-added, .diff-removed, .diff-changed');
      if (first) pre.scrollTop = Math.max(0, first.offsetTop - pre.offsetTop - 60);
    }
  } catch (e) {
    detail.replaceChildren(h('p', { class: 'error-box' }, String(e.message || e)));
  }
}

function headerTable(lines) {
  if (!lines || lines.length === 0) return h('p', { class: 'hint' }, '(none)');
  return h('table', { class: 'headers' }, lines.map(([n, v]) => h('tr', {}, h('td', {}, n), h('td', {}, v))));
}

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

function bodyView(b, label) {
  if (!b) return null;
  const size = b.size === undefined ? 'size unknown' : `${b.size} bytes`;
  const note = b.truncated ? ` — first ${b.encoding === 'base64' ? 'bytes (base64)' : 'part'} shown` : b.encoding === 'base64' ? ' — binary, base64' : '';
  return h('details', {}, h('summary', {}, `${label} (${size}${note})`), h('pre', {}, b.text));
}

function waterfall(rec) {
  const total = Math.max(rec.durationMs, ...rec.steps.map((s) => s.startMs + s.durationMs), 0.001);
  const kind = (s) => (s.outcome === 'error' ? 'error' : s.step === 'origin-fetch' ? 'origin' : s.step === 'cache-lookup' || s.step === 'cache-store' ? 'cache' : TRIGGERS.includes(s.step) ? 'function' : '');
  return h(
    'div',
    { class: 'waterfall' },
    rec.steps.map((s) => {
      const bar = h('div', { class: `wf-bar ${kind(s)}`, title: `${s.step}: ${ms(s.durationMs)} → ${s.outcome}` });
      bar.style.left = `${(s.startMs / total) * 100}%`;
      bar.style.width = `${Math.max((s.durationMs / total) * 100, 0.4)}%`;
      return h('div', { class: 'wf-row' }, h('span', {}, s.step), h('div', { class: 'wf-track' }, bar), h('span', { class: 'ms' }, ms(s.durationMs)));
    }),
    h('div', { class: 'wf-row' }, h('b', {}, 'total'), h('span'), h('span', { class: 'ms' }, ms(rec.durationMs))),
  );
}

/** Pretty JSON with the lines of changed headers and fields marked (`mark(path)` → class or undefined). */
function jsonView(value, mark) {
  const pre = h('pre', {});
  const put = (cls, text) => pre.append(cls ? h('span', { class: cls }, text) : document.createTextNode(text), '\n');
  const write = (v, path, indent, prefix, comma, inherited) => {
    const cls = inherited || mark(path);
    const pad = '  '.repeat(indent);
    if (v !== null && typeof v === 'object') {
      const entries = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
      const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
      if (entries.length === 0) return put(cls, `${pad}${prefix}${open}${close}${comma}`);
      put(cls, `${pad}${prefix}${open}`);
      entries.forEach(([k, x], i) => {
        write(x, [...path, k], indent + 1, Array.isArray(v) ? '' : `${JSON.stringify(k)}: `, i < entries.length - 1 ? ',' : '', cls);
      });
      return put(cls, `${pad}${close}${comma}`);
    }
    put(cls, `${pad}${prefix}${JSON.stringify(v)}${comma}`);
  };
  if (value === undefined) pre.append('(nothing)');
  else write(value, [], 0, '', '', undefined);
  return pre;
}

/** Where the request/response object sits in an event or result, so header paths can be matched. */
function objectPath(run, which) {
  if (which === 'result') return [];
  const lambda = run.kind === 'lambda@edge';
  const obj = run.trigger.endsWith('request') ? 'request' : 'response';
  return lambda ? ['Records', 0, 'cf', obj] : [obj];
}

function marker(run, which) {
  const d = run.diff;
  if (!d) return () => undefined;
  const base = objectPath(run, which);
  const byHeader = new Map(d.headers.map((c) => [c.name, c.kind]));
  const byCookie = new Map(d.cookies.map((c) => [c.name, c.kind]));
  const byField = new Set(d.fields.map((f) => f.field));
  const show = (kind) => {
    if (which === 'event' && kind === 'added') return undefined;
    if (which === 'result' && kind === 'removed') return undefined;
    return `diff-${kind}`;
  };
  return (path) => {
    if (path.length !== base.length + 1 && path.length !== base.length + 2) return undefined;
    for (let i = 0; i < base.length; i++) if (path[i] !== base[i]) return undefined;
    const rest = path.slice(base.length);
    if (d.kind === 'generated' && which === 'result') return rest.length === 1 ? 'diff-added' : undefined;
    if (rest.length === 2 && rest[0] === 'headers') {
      const k = byHeader.get(String(rest[1]).toLowerCase());
      return k ? show(k) : undefined;
    }
    if (rest.length === 2 && rest[0] === 'cookies') {
      const k = byCookie.get(String(rest[1]).toLowerCase());
      return k ? show(k) : undefined;
    }
    if (rest.length === 1 && byField.has(String(rest[0]))) return 'diff-changed';
    if (rest.length === 1 && rest[0] === 'body' && d.bodyReplaced) return 'diff-changed';
    return undefined;
  };
}

function changesTable(d) {
  if (!d) return null;
  const rows = [];
  const vals = (v) => (v === undefined ? '' : Array.isArray(v) ? v.join(' | ') : v);
  for (const f of d.fields) rows.push(h('tr', { class: 'diff-changed' }, h('td', { class: 'kind' }, 'changed'), h('td', {}, f.field), h('td', {}, vals(f.before)), h('td', {}, vals(f.after))));
  for (const c of d.headers) rows.push(h('tr', { class: `diff-${c.kind}`, 'data-header': c.name }, h('td', { class: 'kind' }, `header ${c.kind}`), h('td', {}, c.name), h('td', {}, vals(c.before)), h('td', {}, vals(c.after))));
  for (const c of d.cookies) rows.push(h('tr', { class: `diff-${c.kind}` }, h('td', { class: 'kind' }, `cookie ${c.kind}`), h('td', {}, c.name), h('td', {}, vals(c.before)), h('td', {}, vals(c.after))));
  if (d.bodyReplaced) rows.push(h('tr', { class: 'diff-changed' }, h('td', { class: 'kind' }, 'body'), h('td', {}, 'body'), h('td', {}, ''), h('td', {}, 'replaced')));
  const title = d.kind === 'generated' ? 'Generated a response (no origin fetch for it)' : 'What the function changed';
  if (rows.length === 0) return h('p', { class: 'hint' }, 'The result is the event unchanged.');
  return [h('h3', {}, title), h('table', { class: 'changes' }, h('tr', {}, h('th', {}, ''), h('th', {}, 'field'), h('th', {}, 'before'), h('th', {}, 'after')), rows)];
}

function functionCard(run) {
  const e = run.error;
  return h(
    'div',
    { class: run.ok ? 'card' : 'card failed', 'data-trigger': run.trigger },
    h(
      'header',
      {},
      h('b', {}, run.trigger),
      h('span', {}, run.functionId),
      h('span', { class: 'tag' }, run.kind === 'lambda@edge' ? `Lambda@Edge ${run.version || ''}` : `CloudFront Function ${run.version || ''}`),
      h('span', { class: run.ok ? 'tag ok' : 'tag err' }, run.ok ? 'ok' : 'error'),
      run.kind === 'lambda@edge' ? h('span', { class: 'tag' }, run.cold ? `cold start, Init Duration ${ms(run.initDurationMs)}` : 'warm') : null,
      h('span', { class: 'tag' }, `Duration ${ms(run.durationMs)}`),
    ),
    e ? h('div', { class: 'error-box' }, `${e.code} (${e.status})${e.field ? ` — field ${e.field}` : ''}\n${e.message}`) : null,
    run.staleCode ? h('div', { class: 'error-box stale' }, `Ran the previous code: the file's last save did not load.\n${run.staleCode}`) : null,
    changesTable(run.diff),
    h('div', { class: 'cols' }, h('div', {}, h('h3', {}, 'Event (exactly as received)'), jsonView(run.event, marker(run, 'event'))), h('div', {}, h('h3', {}, 'Result (exactly as returned)'), jsonView(run.result, marker(run, 'result')))),
    run.logs.length > 0 ? h('details', { open: true }, h('summary', {}, `Log lines (${run.logs.length})`), h('pre', { class: 'logs' }, run.logs.join('\n'))) : h('p', { class: 'hint' }, 'No log lines.'),
  );
}

function renderDetail(rec) {
  const out = [];
  out.push(h('p', { class: 'title' }, h('b', {}, rec.method), ' ', rec.target, ' → ', h('b', { class: statusClass(rec.status) }, rec.status || 'no response'), ` ${rec.xCache || ''} · ${ms(rec.durationMs)}`));
  out.push(
    h(
      'div',
      { class: 'buttons' },
      h('button', { id: 'replay', type: 'button', class: 'primary', onclick: () => replay(rec, undefined) }, 'Replay'),
      h('button', { id: 'replay-edit', type: 'button', onclick: () => editReplay(rec) }, 'Edit and replay…'),
      h('button', { id: 'curl', type: 'button', onclick: () => copyCurl(rec) }, 'Copy as curl'),
    ),
  );
  if (rec.replayOf) out.push(h('p', { class: 'hint' }, 'Replay of ', h('a', { href: `#${rec.replayOf}` }, `#${rec.replayOf}`)));
  if (rec.error) out.push(h('div', { class: 'error-box' }, `${rec.error.message}`));
  out.push(h('h2', {}, 'Timeline'), waterfall(rec));
  out.push(
    h('h2', {}, 'Viewer request'),
    kv([
      ['Request', `${rec.request.method} ${rec.request.target} HTTP/${rec.request.httpVersion}`],
      ['Client IP', rec.request.clientIp],
      ['X-Amz-Cf-Id', rec.requestId],
      ['Received', new Date(rec.startedAt).toLocaleString()],
    ]),
    headerTable(rec.request.headers),
    bodyView(rec.request.body, 'Body'),
  );
  const b = rec.behavior;
  out.push(h('h2', {}, 'Cache behavior'), kv([['Path pattern', b.pathPattern], ['Origin', b.originId], ['Cache policy', b.cachePolicy], ['Origin request policy', b.originRequestPolicy || '(none)'], ['Response headers policy', b.responseHeadersPolicy]]));
  const runs = [...rec.functionRuns].sort((x, y) => TRIGGERS.indexOf(x.trigger) - TRIGGERS.indexOf(y.trigger));
  out.push(h('h2', {}, 'Functions'));
  if (runs.length === 0) out.push(h('p', { class: 'hint' }, 'No function ran for this request.'));
  for (const run of runs) out.push(functionCard(run));
  if (rec.skipped.length > 0) out.push(h('h2', {}, 'Stages that did not run'), h('ul', { class: 'skipped' }, rec.skipped.map((s) => h('li', {}, h('b', {}, s.stage), ' — ', s.reason))));
  const c = rec.cache;
  out.push(h('h2', {}, 'Cache'));
  if (!c) out.push(h('p', { class: 'hint' }, 'The cache was not consulted.'));
  else {
    const k = c.keyParts;
    out.push(
      kv([
        ['Lookup', c.lookup],
        ['Cache key', c.key],
        ['Key: method, path', k ? `${k.method} ${k.uri}` : undefined],
        ['Key: query strings', k ? `${k.queryStrings}${k.querystring ? ` → ${k.querystring}` : ' → (none)'}` : undefined],
        ['Key: Accept-Encoding', k ? k.acceptEncoding || '(none)' : undefined],
        ['Key: headers', k?.headers.length ? k.headers.join('; ') : k ? '(none)' : undefined],
        ['Key: cookies', k?.cookies.length ? k.cookies.join('; ') : k ? '(none)' : undefined],
        ['TTL', c.ttl === undefined ? undefined : `${c.ttl} s`],
        ['TTL rule', c.ttlRule],
        ['Stored', c.stored ? 'yes' : 'no'],
        ['Why', c.storeReason],
      ]),
    );
  }
  const o = rec.origin;
  out.push(h('h2', {}, 'Origin'));
  if (!o) out.push(h('p', { class: 'hint' }, 'The origin was not contacted.'));
  else {
    out.push(
      kv([
        ['Request sent', `${o.method} ${o.url}`],
        ['Answer', o.status === undefined ? undefined : String(o.status)],
        ['Time to first byte', ms(o.ttfbMs)],
        ['Body size', o.bodySize === undefined ? undefined : `${o.bodySize} bytes`],
        ['Failed', o.error],
      ]),
      h('h3', {}, 'Headers sent'),
      headerTable(o.headers),
      h('h3', {}, 'Headers received (before origin-response)'),
      headerTable(o.responseHeaders),
    );
  }
  const r = rec.response;
  out.push(
    h('h2', {}, 'What the viewer got'),
    kv([
      ['Status', `${r.status} ${r.statusText}`],
      ['X-Cache', r.xCache],
      ['Complete', r.completed ? 'yes' : 'no (the connection closed early)'],
    ]),
    headerTable(r.headers),
    bodyView(r.body, 'Body'),
  );
  return out;
}

// ---- actions ----

async function replay(rec, edit) {
  try {
    const out = await api(`exchanges/${encodeURIComponent(rec.id)}/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(edit || {}) });
    if (!state.rows.some((x) => x.id === out.id)) await loadList();
    toast(`Replayed as #${out.id}: ${out.status}`);
    await select(out.id);
  } catch (e) {
    toast(`Replay failed: ${e.message || e}`);
  }
}

function editReplay(rec) {
  const dlg = $('#replay-dialog');
  $('#r-method').value = rec.request.method;
  $('#r-target').value = rec.request.target;
  $('#r-headers').value = rec.request.headers
    .filter(([n]) => n.toLowerCase() !== 'x-edgeproxy-replay-of')
    .map(([n, v]) => `${n}: ${v}`)
    .join('\n');
  $('#r-body').value = rec.request.body?.encoding === 'utf8' ? rec.request.body.text : '';
  dlg.onclose = () => {
    if (dlg.returnValue !== 'send') return;
    const headers = $('#r-headers')
      .value.split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((l) => {
        const i = l.indexOf(':');
        return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
      });
    const body = $('#r-body').value;
    replay(rec, { method: $('#r-method').value.trim().toUpperCase(), target: $('#r-target').value.trim(), headers, ...(body === '' ? {} : { body }) });
  };
  dlg.showModal();
}

function shellQuote(s) {
  return `'${String(s).replace(/'/g, "'\\''")}'`;
}

function curlOf(rec) {
  const req = rec.request;
  const host = (req.headers.find(([n]) => n.toLowerCase() === 'host') || [])[1] || location.host;
  const parts = ['curl', '-i'];
  if (req.method !== 'GET') parts.push('-X', req.method);
  parts.push(shellQuote(`http://${host}${req.target}`));
  for (const [n, v] of req.headers) {
    const lower = n.toLowerCase();
    if (lower === 'host' || lower === 'content-length' || lower === 'connection') continue;
    parts.push('-H', shellQuote(`${n}: ${v}`));
  }
  if (req.body?.encoding === 'utf8' && req.body.text !== '') parts.push('--data-binary', shellQuote(req.body.text));
  return parts.join(' ');
}

async function copyCurl(rec) {
  const text = curlOf(rec);
  try {
    await navigator.clipboard.writeText(text);
    toast('curl command copied');
  } catch {
    window.prompt('Copy the curl command:', text);
  }
}

async function clearAll() {
  await api('clear', { method: 'POST' });
  state.rows = [];
  state.selected = undefined;
  renderList();
  $('#detail').replaceChildren(h('p', { class: 'empty' }, 'Cleared. New requests appear as they are answered.'));
}

function start() {
  for (const id of ['#f-path', '#f-status', '#f-xcache', '#f-error']) $(id).addEventListener('input', renderList);
  $('#filters').addEventListener('submit', (e) => e.preventDefault());
  $('#clear').addEventListener('click', () => clearAll().catch((e) => toast(String(e.message || e))));
  window.addEventListener('hashchange', () => {
    const id = location.hash.slice(1);
    if (id && id !== state.selected) select(id);
  });
  loadList()
    .then(() => {
      const id = location.hash.slice(1);
      if (id) select(id);
    })
    .catch((e) => toast(`Could not load the list: ${e.message || e}`));
  connect();
}

window.edgeproxyInspector = { curlOf };
start();
