// The Round Table dashboard: plain JavaScript, no framework. Everything from the bus is put
// on the page with textContent, never as HTML.
'use strict';

const state = { fleet: '', knights: new Map(), tasks: new Map(), spend: null, offsetMs: 0, traceId: null };
const MAX_TASKS = 1000, SHOWN = 50;
const FINISHED = new Set(['completed', 'failed', 'rejected', 'deadletter']);
const FAILED = new Set(['failed', 'rejected', 'deadletter']);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function cell(row, text, className) { const td = el('td', text, className); row.appendChild(td); return td; }

function badge(text) {
  const kind = { healthy: 'ok', completed: 'ok', degraded: 'warn', retrying: 'warn', queued: 'info', running: 'info',
                 unhealthy: 'bad', down: 'bad', offline: 'bad', failed: 'bad', rejected: 'bad', deadletter: 'bad' }[text] || '';
  return el('span', text === 'deadletter' ? 'dead letter' : text, 'badge ' + kind);
}

function now() { return Date.now() + state.offsetMs; }

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
  if (ms < 3600000) return Math.floor(ms / 60000) + ' m ' + Math.floor(ms % 60000 / 1000) + ' s';
  return Math.floor(ms / 3600000) + ' h ' + Math.floor(ms % 3600000 / 60000) + ' m';
}

function usd(value) { return value === undefined || value === null ? '–' : '$' + Number(value).toFixed(value < 1 ? 4 : 2); }

function fill(tableId, rows, columns, emptyText) {
  const body = document.querySelector('#' + tableId + ' tbody');
  const fresh = document.createElement('tbody');
  if (rows.length === 0) {
    const tr = el('tr', null, 'empty');
    const td = cell(tr, emptyText);
    td.colSpan = columns;
    fresh.appendChild(tr);
  }
  for (const row of rows) fresh.appendChild(row);
  body.replaceWith(fresh);
}

function renderKnights() {
  const rows = [...state.knights.values()].sort((a, b) => a.agent.localeCompare(b.agent)).map(k => {
    const tr = el('tr');
    tr.dataset.agent = k.agent;
    tr.dataset.status = k.status;
    cell(tr, k.agent, 'name');
    cell(tr, null, 'status').appendChild(badge(k.status));
    cell(tr, k.model || '–', 'model');
    cell(tr, (k.capabilities || []).join(', ') || '–', 'capabilities wrap');
    cell(tr, k.activeTasks, 'num');
    cell(tr, k.lag, 'num lag');
    cell(tr, k.lastHeartbeatMs ? duration(Math.max(0, now() - k.lastHeartbeatMs)) + ' ago' : '–', 'num heartbeat');
    cell(tr, k.downReason || (k.breaker && k.breaker !== 'closed' ? 'breaker ' + k.breaker : ''), 'note wrap');
    return tr;
  });
  document.getElementById('knight-count').textContent = state.knights.size ? String(state.knights.size) : '';
  fill('knights', rows, 8, 'no heartbeat seen yet');
}

function taskRow(t) {
  const tr = el('tr', null, 'clickable');
  tr.dataset.taskId = t.id;
  tr.dataset.status = t.status;
  tr.addEventListener('click', () => openTrace(t.id));
  cell(tr, t.task || '?', 'task');
  cell(tr, t.id.slice(0, 8), 'mono id').title = t.id;
  cell(tr, t.agent || '–', 'agent');
  return tr;
}

function sortedTasks(filter, key) {
  return [...state.tasks.values()].filter(filter).sort((a, b) => (b[key] || b.updated || 0) - (a[key] || a.updated || 0)).slice(0, SHOWN);
}

function renderTasks() {
  const inflight = sortedTasks(t => !FINISHED.has(t.status), 'requestedMs').map(t => {
    const tr = taskRow(t);
    cell(tr, null, 'status').appendChild(badge(t.status));
    cell(tr, t.attempts || 0, 'num attempts');
    const since = t.claimedMs || t.requestedMs;
    cell(tr, since ? duration(Math.max(0, now() - since)) : '–', 'num');
    return tr;
  });
  const results = sortedTasks(t => t.status === 'completed', 'finishedMs').map(t => {
    const tr = taskRow(t);
    cell(tr, duration(t.durationMs), 'num duration');
    cell(tr, t.attempts || 0, 'num attempts');
    cell(tr, t.tokens === undefined ? '–' : t.tokens, 'num tokens');
    cell(tr, usd(t.costUsd), 'num cost');
    cell(tr, t.summary, 'answer wrap');
    return tr;
  });
  const failures = sortedTasks(t => FAILED.has(t.status), 'finishedMs').map(t => {
    const tr = taskRow(t);
    cell(tr, null, 'status').appendChild(badge(t.status));
    cell(tr, t.attempts || 0, 'num attempts');
    cell(tr, t.error || '–', 'error mono');
    cell(tr, t.reason || '', 'reason wrap');
    return tr;
  });
  document.getElementById('inflight-count').textContent = inflight.length ? String(inflight.length) : '';
  document.getElementById('results-count').textContent = results.length ? String(results.length) : '';
  document.getElementById('failures-count').textContent = failures.length ? String(failures.length) : '';
  fill('inflight', inflight, 6, 'nothing in flight');
  fill('results', results, 8, 'no result yet');
  fill('failures', failures, 7, 'no failure');
}

function renderSpend() {
  const s = state.spend;
  document.getElementById('spend-total').textContent = s ? usd(s.totalUsd) : '–';
  document.getElementById('spend-day').textContent = s ? s.day + (s.source === 'redis' ? '' : ' (results seen since the dashboard started)') : '';
  const rows = (s ? s.knights : []).map(k => {
    const tr = el('tr');
    tr.dataset.agent = k.agent;
    cell(tr, k.agent);
    cell(tr, usd(k.usd), 'num');
    return tr;
  });
  fill('spend', rows, 2, 'nothing spent today');
}

let pending = false;
function render() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; renderKnights(); renderTasks(); renderSpend(); });
}

function keepTask(t) {
  state.tasks.set(t.id, t);
  if (state.tasks.size <= MAX_TASKS) return;
  const oldest = [...state.tasks.values()].sort((a, b) => a.updated - b.updated)[0];
  state.tasks.delete(oldest.id);
}

function applySnapshot(s) {
  state.fleet = s.fleet;
  state.offsetMs = s.serverTimeMs - Date.now();
  state.knights = new Map(s.knights.map(k => [k.agent, k]));
  state.tasks = new Map();
  for (const t of s.tasks.slice().reverse()) keepTask(t);
  state.spend = s.spend;
  document.getElementById('fleet').textContent = 'fleet ' + s.fleet;
  document.title = 'Round Table · ' + s.fleet;
  render();
}

function connect() {
  const status = document.getElementById('connection');
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => { status.textContent = 'live'; status.className = 'badge ok'; });
  source.addEventListener('error', () => { status.textContent = 'reconnecting'; status.className = 'badge warn'; });
  source.addEventListener('snapshot', e => applySnapshot(JSON.parse(e.data)));
  source.addEventListener('knight', e => { const k = JSON.parse(e.data); state.knights.set(k.agent, k); render(); });
  source.addEventListener('spend', e => { state.spend = JSON.parse(e.data); render(); });
  source.addEventListener('task', e => {
    const t = JSON.parse(e.data);
    keepTask(t);
    render();
    if (state.traceId && (t.id === state.traceId || t.parent === state.traceId)) refreshTrace();
  });
}

// The trace: one bar per span (queued, each attempt, each child task) on a shared time axis.
const ENDINGS = { 'task.result': 'completed', 'task.retrying': 'retrying', 'task.failed': 'failed',
                  'task.deadletter': 'deadletter', 'task.rejected': 'rejected' };
function attemptBar(e, start) {
  return { label: 'attempt ' + (e.attempt || '?') + ' · ' + (e.agent || '?'), start, kind: 'running', marks: [], attempt: e.attempt };
}
function spans(trace) {
  const out = [];
  const t = trace.task;
  const attempts = [];
  let open = null;
  for (const e of trace.events) {
    if (e.type === 'task.claimed') {
      if (open) attempts.push(Object.assign(open, { end: e.atMs }));
      open = attemptBar(e, e.atMs);
    } else if (e.type === 'task.progress' && open) {
      open.marks.push(e.atMs);
    } else if (open && e.type !== 'task.request') {
      attempts.push(Object.assign(open, { end: e.atMs, kind: ENDINGS[e.type] || 'running' }));
      open = null;
    } else if (ENDINGS[e.type] && !attempts.some(a => a.attempt === e.attempt)) {
      // A call answered within the bridge's CLAIM_NOTICE_AFTER has no task.claimed: its attempt
      // began when its result says the call did (durationMs), or, for a failure, at its end.
      const start = e.type === 'task.result' && t.durationMs != null ? e.atMs - t.durationMs : e.atMs;
      attempts.push(Object.assign(attemptBar(e, start), { end: e.atMs, kind: ENDINGS[e.type] }));
    }
  }
  if (open) attempts.push(Object.assign(open, { end: now() }));
  if (t.requestedMs && attempts.length) {
    const first = Math.min(...attempts.map(a => a.start));
    out.push({ label: 'queued', start: t.requestedMs, end: Math.max(t.requestedMs, first), kind: 'queued' });
  }
  out.push(...attempts);
  for (const c of trace.children) {
    const start = c.requestedMs || c.claimedMs;
    if (start) out.push({ label: '↳ ' + (c.task || c.id.slice(0, 8)) + ' · ' + (c.agent || '?'), start, end: c.finishedMs || now(), kind: c.status });
  }
  return out;
}

function renderTrace(trace) {
  const section = document.getElementById('trace');
  section.hidden = false;
  const t = trace.task;
  document.getElementById('trace-title').textContent = (t.task || '?') + ' · ' + t.id + ' · ' + t.status;
  const list = spans(trace);
  const starts = list.map(s => s.start).concat(trace.events.map(e => e.atMs));
  const ends = list.map(s => s.end).concat(trace.events.map(e => e.atMs));
  const t0 = Math.min(...starts), t1 = Math.max(...ends, t0 + 1);
  const pct = v => ((v - t0) / (t1 - t0) * 100).toFixed(3) + '%';
  const box = document.getElementById('waterfall');
  box.replaceChildren();
  for (const s of list) {
    const row = el('div', null, 'wf-row');
    row.dataset.kind = s.kind;
    row.appendChild(el('div', s.label + ' (' + duration(s.end - s.start) + ')', 'wf-label'));
    const track = el('div', null, 'wf-track');
    const bar = el('div', null, 'wf-bar ' + s.kind);
    bar.style.left = pct(s.start);
    bar.style.width = ((s.end - s.start) / (t1 - t0) * 100).toFixed(3) + '%';
    bar.title = s.kind + ', ' + duration(s.end - s.start);
    track.appendChild(bar);
    for (const m of s.marks || []) { const mark = el('div', null, 'wf-mark'); mark.style.left = pct(m); track.appendChild(mark); }
    row.appendChild(track);
    box.appendChild(row);
  }
  const axis = el('div', null, 'wf-axis');
  axis.appendChild(el('span', '0'));
  axis.appendChild(el('span', duration(t1 - t0)));
  box.appendChild(axis);
  const rows = trace.events.map(e => {
    const tr = el('tr');
    tr.dataset.type = e.type;
    cell(tr, '+' + duration(e.atMs - t0), 'num');
    cell(tr, e.type, 'mono');
    cell(tr, e.attempt || '', 'num');
    cell(tr, e.agent || '');
    cell(tr, e.text || '', 'wrap');
    return tr;
  });
  fill('trace-events', rows, 5, 'no event');
}

let traceTimer = null;
function refreshTrace() {
  if (traceTimer) return;
  traceTimer = setTimeout(() => { traceTimer = null; if (state.traceId) openTrace(state.traceId); }, 200);
}

async function openTrace(id) {
  state.traceId = id;
  const response = await fetch('/api/trace/' + encodeURIComponent(id));
  if (!response.ok || state.traceId !== id) return;
  renderTrace(await response.json());
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('trace-close').addEventListener('click', () => {
    state.traceId = null;
    document.getElementById('trace').hidden = true;
  });
  connect();
  setInterval(render, 1000);  // ages and running times
});
