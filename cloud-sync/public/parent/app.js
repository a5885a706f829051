/* global document, window, Notification, CSS, location */
// The parent web app: plain modern JS, no build step. Texts come from the cloud's
// i18n catalogue (/api/parent/messages), zh-CN first.
const $ = (id) => document.getElementById(id);
const locale = navigator.language && navigator.language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
let T = {};
const t = (id, params = {}) => (T[id] || id).replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
let token = localStorage.getItem('campus.parent.token');

async function api(method, path, body) {
  const res = await fetch(`/api/parent${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && token) {
    token = null;
    localStorage.removeItem('campus.parent.token');
    show('signin');
    $('signin-msg').textContent = t('parent.error.session');
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw Object.assign(new Error((json && json.error && json.error.message && json.error.message[locale]) || res.statusText), { status: res.status });
  return json;
}

function show(view) {
  $('signin').hidden = view !== 'signin';
  $('home').hidden = view !== 'home';
  $('signout').hidden = view !== 'home';
}

const fmt = (ms, timeZone) => new Date(ms).toLocaleString(locale, { timeZone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function entryLabel(e) {
  if (e.type === 'attendance.late') return [t('parent.timeline.late'), 'late'];
  if (e.type === 'attendance.absent') return [t('parent.timeline.absent'), 'late'];
  return e.direction === 'out' ? [t('parent.timeline.out'), 'out'] : [t('parent.timeline.in'), 'in'];
}

const clock = (ms, timeZone) => new Date(ms).toLocaleTimeString(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The bus card of one child: shown only while the child's trip runs (the cloud says nothing otherwise). */
function renderBus(box, c, v) {
  box.replaceChildren();
  box.hidden = !v.running;
  if (!v.running) return;
  box.append(el('h3', {}, t('parent.bus.title', { route: v.trip.routeName, plate: v.vehicle.plate || '-' })));
  box.append(el('p', { class: 'bus-child' }, v.child.onBoard ? t('parent.bus.on_board') : t('parent.bus.waiting', { stop: v.child.stopName || '-' })));
  const target = v.target;
  let eta;
  if (!v.position) eta = t('parent.bus.no_position');
  else if (target && target.seconds === 0 && target.distanceM === 0) eta = t('parent.bus.at_stop', { stop: target.stopName });
  else if (target && target.etaAt) eta = t('parent.bus.eta', { stop: target.stopName, time: clock(target.etaAt, c.timezone), minutes: Math.max(1, Math.round(target.seconds / 60)) });
  else eta = t('parent.bus.no_position');
  box.append(el('p', { class: 'bus-eta' }, eta));
  if (v.position) box.append(el('p', { class: 'muted bus-updated' }, t('parent.bus.updated', { time: new Date(v.position.at).toLocaleTimeString(locale, { timeZone: c.timezone, hourCycle: 'h23' }) })));
  if (v.stale) box.append(el('p', { class: 'late bus-stale' }, t('parent.bus.stale')));
  // Route schematic: stops in the order of this trip, the bus between the last reached stop and the next.
  const ol = el('ol', { class: 'bus-stops' });
  let marked = false;
  v.stops.forEach((s, i) => {
    const li = el('li', { 'data-stop': s.id, class: s.reached ? 'reached' : '' }, s.name);
    if (s.etaAt && !s.reached) li.append(el('span', { class: 'muted' }, ` ${clock(s.etaAt, c.timezone)}`));
    if (s.id === (v.child.onBoard ? '' : v.child.stopId)) li.classList.add('mine');
    ol.append(li);
    const next = v.stops[i + 1];
    if (!marked && v.position && s.reached && (!next || !next.reached)) {
      ol.append(el('li', { class: 'bus-here' }, '● ' + t('parent.bus.here')));
      marked = true;
    }
  });
  box.append(ol);
}

let busTimer = null;
async function pollBuses(children) {
  for (const c of children) {
    const box = document.querySelector(`[data-bus="${CSS.escape(c.schoolId + '/' + c.studentKey)}"]`);
    if (!box) continue;
    try {
      renderBus(box, c, await api('GET', `/children/${encodeURIComponent(c.schoolId)}/${encodeURIComponent(c.studentKey)}/bus`));
    } catch {
      /* keep the last view; the next poll tries again */
    }
  }
}
function startBusPolling(children) {
  if (busTimer) clearInterval(busTimer);
  pollBuses(children);
  // Live while the app is open: a poll every few seconds (the bus reports every second or so).
  busTimer = setInterval(() => {
    if (!token || document.hidden) return;
    pollBuses(children);
  }, BUS_POLL_MS);
}
const BUS_POLL_MS = Number(new URLSearchParams(location.search).get('busPollMs')) || 5000;

async function loadHome() {
  const me = await api('GET', '/me');
  const box = $('children');
  box.replaceChildren();
  if (me.children.length === 0) box.append(el('p', { class: 'muted' }, t('parent.children.none')));
  for (const c of me.children) {
    const card = el('div', { class: 'card' }, el('strong', {}, c.name), el('span', { class: 'muted' }, ` ${c.schoolName} ${c.classId || ''} · ${c.relation}`));
    const bus = el('div', { class: 'bus-card', 'data-bus': `${c.schoolId}/${c.studentKey}` });
    bus.hidden = true;
    card.append(bus);
    const list = el('ul', { class: 'list' });
    const { entries } = await api('GET', `/children/${encodeURIComponent(c.schoolId)}/${encodeURIComponent(c.studentKey)}/timeline?limit=20`);
    if (entries.length === 0) list.append(el('li', { class: 'muted' }, t('parent.timeline.empty')));
    for (const e of entries) {
      const [label, cls] = entryLabel(e);
      // "入校（东门）×3": repeats the cloud folded into one entry (count), at the first one's time.
      const what = e.gate ? t('parent.timeline.at_gate', { what: label, gate: e.gate }) : label;
      const times = e.count > 1 ? el('span', { class: 'muted', title: t('parent.timeline.folded', { count: e.count }) }, t('parent.timeline.times', { count: e.count })) : '';
      list.append(el('li', { 'data-count': String(e.count || 1) }, el('span', { class: cls }, what), times, ` ${fmt(e.occurredAt, c.timezone)}`));
    }
    card.append(el('h3', {}, t('parent.timeline.title')), list);
    box.append(card);
  }
  startBusPolling(me.children);
  const { notices } = await api('GET', '/notices?limit=50');
  const ul = $('notices');
  ul.replaceChildren();
  // The text itself says when it happened and that it came late.
  for (const n of notices) ul.append(el('li', n.late ? { class: 'late-notice' } : {}, n.text[locale]));
  const prefs = await api('GET', '/preferences');
  const f = $('prefs');
  for (const k of ['entry', 'exit', 'late', 'absence']) f.elements[k].checked = prefs.kinds[k];
  f.elements.bus.checked = prefs.kinds.board && prefs.kinds.alight;
  f.elements.sms.checked = prefs.channels.sms;
  f.elements.quietStart.value = prefs.quietHours ? prefs.quietHours.start : '';
  f.elements.quietEnd.value = prefs.quietHours ? prefs.quietHours.end : '';
}

function urlB64ToBytes(s) {
  const b = atob((s + '='.repeat((4 - (s.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

async function enablePush() {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return void ($('push-msg').textContent = t('parent.push.unsupported'));
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return void ($('push-msg').textContent = t('parent.push.denied'));
  const reg = await navigator.serviceWorker.register('/parent/sw.js', { scope: '/parent/' });
  const { publicKey } = await api('GET', '/push/vapid-key');
  const sub = (await reg.pushManager.getSubscription()) || (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlB64ToBytes(publicKey) }));
  await api('POST', '/push/subscriptions', sub.toJSON());
  $('push-msg').textContent = t('parent.push.enabled');
}

async function main() {
  T = await (await fetch(`/api/parent/messages?locale=${locale}`)).json();
  document.documentElement.lang = locale;
  document.title = t('parent.app.title');
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/parent/sw.js', { scope: '/parent/' }).catch(() => undefined);

  $('otp-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/otp', { phone: $('phone').value.trim() });
      $('signin-msg').textContent = t('parent.signin.code_sent');
    } catch (err) {
      $('signin-msg').textContent = err.message;
    }
  });
  $('code-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const s = await api('POST', '/session', { phone: $('phone').value.trim(), code: $('code').value.trim() });
      token = s.token;
      localStorage.setItem('campus.parent.token', token);
      show('home');
      await loadHome();
    } catch {
      $('signin-msg').textContent = t('parent.signin.failed');
    }
  });
  $('signout').addEventListener('click', async () => {
    await api('DELETE', '/session').catch(() => undefined);
    token = null;
    localStorage.removeItem('campus.parent.token');
    if (busTimer) clearInterval(busTimer);
    show('signin');
  });
  $('push').addEventListener('click', () => enablePush().catch((e) => ($('push-msg').textContent = e.message)));
  $('prefs').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    const quiet = f.quietStart.value && f.quietEnd.value ? { start: f.quietStart.value, end: f.quietEnd.value } : null;
    await api('PUT', '/preferences', {
      kinds: { entry: f.entry.checked, exit: f.exit.checked, late: f.late.checked, absence: f.absence.checked, board: f.bus.checked, alight: f.bus.checked },
      quietHours: quiet,
      channels: { webpush: true, wechat: true, sms: f.sms.checked },
      locale,
    });
    $('prefs-msg').textContent = t('parent.prefs.saved');
  });

  if (token) {
    show('home');
    loadHome().catch(() => undefined);
  } else show('signin');
}

main().catch(() => ($('signin-msg').textContent = t('parent.error.network')));
