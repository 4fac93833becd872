// The demo's single-page app: a client-side router for /app/*. The server side of the trick is the
// demo distribution's custom error response: the origin's 403 for a route that is no file becomes
// /app/index.html with status 200.
// No inline scripts or styles anywhere: security-headers.js sends a strict Content-Security-Policy.
'use strict';

const SHOWN_HEADERS = [
  'x-cache', 'age', 'cache-control', 'content-type', 'etag', 'last-modified', 'via', 'x-amz-cf-pop', 'x-amz-cf-id',
  'strict-transport-security', 'content-security-policy', 'x-content-type-options', 'x-frame-options',
  'x-xss-protection', 'referrer-policy',
];

const routes = {
  '/app/': renderHome,
  '/app/settings': renderSettings,
  '/app/edge': renderInspector,
};

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  return node;
}

function renderHome(view) {
  view.append(
    el('h2', 'Home'),
    el('p', 'You are at ' + location.pathname + '. Pick a route above; the address bar changes, the server is not asked.'),
  );
}

function renderSettings(view) {
  const label = el('label', ' Show timestamps in UTC');
  const box = el('input', undefined, { type: 'checkbox', id: 'utc' });
  box.checked = localStorage.getItem('utc') === '1';
  box.addEventListener('change', () => localStorage.setItem('utc', box.checked ? '1' : '0'));
  label.prepend(box);
  view.append(
    el('h2', 'Settings'),
    el('p', 'Reload this page: /app/settings has no file of its own at the origin, yet it loads.'),
    label,
    el('p', 'The edge inspector shows the origin\'s /api/time in the format chosen here.', { class: 'muted' }),
  );
}

async function renderInspector(view) {
  view.append(el('h2', 'Edge inspector'), el('p', 'Response headers of ' + location.pathname + ' and /api/time, as the edge delivered them:'));
  for (const url of [location.pathname, '/api/time']) {
    const table = el('table');
    table.append(headerRow('header', 'value', true));
    try {
      // no-store keeps the browser's own cache out of the way, so X-Cache and Age are the edge's.
      const res = await fetch(url, { cache: 'no-store' });
      table.append(headerRow('status', String(res.status)));
      for (const name of SHOWN_HEADERS) {
        const value = res.headers.get(name);
        if (value !== null) table.append(headerRow(name, value));
      }
      if (url === '/api/time') table.append(headerRow('origin time', formatTime((await res.json()).now)));
    } catch (err) {
      table.append(headerRow('error', String(err)));
    }
    view.append(el('h3', url), table);
  }
}

function formatTime(iso) {
  const date = new Date(iso);
  return localStorage.getItem('utc') === '1' ? date.toISOString() : date.toLocaleString();
}

function headerRow(name, value, isHead) {
  const row = el('tr');
  row.append(el(isHead ? 'th' : 'td', name), el(isHead ? 'th' : 'td', value));
  return row;
}

function renderUnknown(view) {
  view.append(
    el('h2', 'Not a route of this app'),
    el('p', 'The edge still served the app shell for ' + location.pathname + ' (status 200): deciding what is "not found" is up to the client here.'),
  );
}

function render() {
  const view = document.getElementById('view');
  view.replaceChildren();
  const path = location.pathname === '/app' ? '/app/' : location.pathname;
  const route = routes[path] || renderUnknown;
  Promise.resolve(route(view)).catch((err) => view.append(el('p', 'Error: ' + err)));
}

document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-route]') : null;
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  history.pushState(null, '', link.getAttribute('href'));
  render();
});
window.addEventListener('popstate', render);
render();
