/* global document, window, Notification, CSS, location */
// The home-school app for guardians, teachers and staff: plain modern JS, no build step
// (it also runs in WeChat's in-app browser: no feature without a fallback). Texts come
// from the cloud's i18n catalogue (/api/parent/messages), zh-CN first. One sign-in by
// phone and code opens every identity of the number (guardian token, staff cookie); a
// person who is both switches role with the buttons under the header.
import { healthHome, healthStaff, initHealth, passQr } from './health.js';
import { busRequests } from './bus-requests.js';

const $ = (id) => document.getElementById(id);
const locale = navigator.language && navigator.language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
let T = {};
const t = (id, params = {}) => (T[id] || id).replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
let token = localStorage.getItem('campus.parent.token');
/** The staff session (cookie, HttpOnly) as GET /api/staff/session describes it: account, schools, CSRF token. */
let staff = null;
let role = localStorage.getItem('campus.app.role') || 'guardian';
let children = [];

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

async function staffApi(method, path, body) {
  const headers = { 'content-type': 'application/json' };
  if (method !== 'GET' && staff) headers['x-csrf-token'] = staff.csrfToken;
  const res = await fetch(`/api/staff${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw Object.assign(new Error((json && json.error && json.error.message && json.error.message[locale]) || res.statusText), { status: res.status });
  return json;
}

function show(view) {
  const signedIn = view !== 'signin';
  $('signin').hidden = signedIn;
  $('home').hidden = view !== 'home';
  $('staff').hidden = view !== 'staff';
  $('signout').hidden = !signedIn;
  $('roles').hidden = !(signedIn && token && staff);
  $('role-guardian').setAttribute('aria-pressed', String(view === 'home'));
  $('role-staff').setAttribute('aria-pressed', String(view === 'staff'));
}

/** Shows the chosen role's view (guardian if the person has no staff identity, and the other way round). */
async function enter(wanted) {
  role = wanted === 'staff' ? (staff ? 'staff' : 'guardian') : token ? 'guardian' : 'staff';
  if (!token && !staff) return show('signin');
  localStorage.setItem('campus.app.role', role);
  show(role === 'staff' ? 'staff' : 'home');
  if (role === 'staff') await loadStaff();
  else await loadHome();
}

// ---- times: forms read and show the school's clock (Asia/Shanghai), whatever the phone's zone ----
function zoneOffset(ms, timeZone) {
  try {
    const p = {};
    for (const x of new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms)) p[x.type] = x.value;
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
  } catch {
    return -new Date(ms).getTimezoneOffset() * 60_000;
  }
}
/** "2026-12-05T14:30" (or "2026-12-05 14:30" where the browser has no datetime-local) in the school's zone → ms. */
function parseLocal(value, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})/.exec(String(value).trim());
  if (!m) return NaN;
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  return guess - zoneOffset(guess, timeZone);
}
function toLocalInput(ms, timeZone) {
  return new Date(ms + zoneOffset(ms, timeZone)).toISOString().slice(0, 16);
}
const SCHOOL_TZ = () => (children[0] && children[0].timezone) || (staff && staff.schools[0] && staff.schools[0].timezone) || 'Asia/Shanghai';
function prefillTimes(form) {
  const tz = SCHOOL_TZ();
  const now = Date.now();
  if (!form.elements.from.value) form.elements.from.value = toLocalInput(now, tz);
  if (!form.elements.until.value) form.elements.until.value = toLocalInput(now + 2 * 3600_000, tz);
}
function leaveInput(form) {
  const f = form.elements;
  const tz = SCHOOL_TZ();
  return { kind: f.kind.value, from: parseLocal(f.from.value, tz), until: parseLocal(f.until.value, tz), reasonKind: f.reasonKind.value, reason: f.reason.value.trim(), collector: f.collector.value.trim() };
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

function requestItem(r, timeZone, actions) {
  const when = `${fmt(r.from, timeZone)} – ${fmt(r.until, timeZone)}`;
  const li = el('li', { 'data-id': r.id, class: r.overdue ? 'overdue' : '' },
    el('strong', {}, `${r.studentName} `),
    el('span', { class: `status status-${r.status}` }, t(`home.status.${r.status}`)),
    el('div', {}, `${t(`parent.home.kind_${r.kind}`)} · ${t(`parent.home.reason_${r.reasonKind}`)}${r.reason ? '：' + r.reason : ''}`),
    el('div', { class: 'muted' }, `${when}${r.collector ? ' · ' + t('parent.home.collector') + '：' + r.collector : ''}`),
  );
  const gate = [];
  if (r.exitedAt) gate.push(t('parent.home.exited', { time: fmt(r.exitedAt, timeZone) }));
  if (r.returnedAt) gate.push(t('parent.home.returned', { time: fmt(r.returnedAt, timeZone) }));
  if (gate.length) li.append(el('div', { class: 'muted gate' }, gate.join(' · ')));
  if (r.decisionNote) li.append(el('div', { class: 'muted' }, r.decisionNote));
  if (actions) li.append(actions);
  return li;
}

function alertList(ul, alerts) {
  ul.replaceChildren();
  if (alerts.length === 0) ul.append(el('li', { class: 'muted' }, t('parent.home.none')));
  for (const a of alerts) ul.append(el('li', { class: 'overdue' }, a.text[locale]));
}

async function loadLeaves() {
  const tz = SCHOOL_TZ();
  const { requests } = await homeApi('GET', '/guardian/requests');
  const ul = $('my-requests');
  ul.replaceChildren();
  if (requests.length === 0) ul.append(el('li', { class: 'muted' }, t('parent.home.none')));
  for (const r of requests) ul.append(requestItem(r, tz));
  alertList($('alerts'), (await homeApi('GET', '/guardian/alerts')).alerts);
}

function visitItem(v, timeZone, actions) {
  const li = el('li', { 'data-id': v.id },
    el('strong', {}, `${v.visitorName} → ${v.hostName} `),
    el('span', { class: `status status-${v.status}` }, t(`home.status.${v.status}`)),
    el('div', {}, v.purpose),
    el('div', { class: 'muted' }, `${fmt(v.from, timeZone)} – ${fmt(v.until, timeZone)}`),
  );
  // The signed pass the gate reads; shown as text to type or scan from a printed copy.
  if (v.credential) li.append(el('div', { class: 'muted' }, t('parent.home.pass_no', { no: v.passNo })), passQr(v), el('code', { class: 'credential' }, v.credential));
  if (actions) li.append(actions);
  return li;
}

async function loadVisits() {
  const tz = SCHOOL_TZ();
  const { visits } = await homeApi('GET', '/guardian/visits');
  const ul = $('my-visits');
  ul.replaceChildren();
  if (visits.length === 0) ul.append(el('li', { class: 'muted' }, t('parent.home.none')));
  for (const v of visits) ul.append(visitItem(v, tz));
}

async function homeApi(method, path, body) {
  return api(method, `/../home${path}`, body);
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

/**
 * The one-time pickup code (接送码) for each pickup person record naming this guardian,
 * only while the child has a bus assignment: big digits and a countdown to the next code
 * (the cloud computes it; the bus box also takes the previous step's code).
 */
let pickupTimer = null;
function renderPickup(box, v) {
  box.replaceChildren();
  box.hidden = !v || !v.assigned || v.codes.length === 0;
  if (box.hidden) return;
  const skew = Date.now() - v.now;
  for (const c of v.codes) {
    const left = el('p', { class: 'muted pickup-countdown', 'data-next': String(c.next + skew) });
    box.append(el('h3', {}, t('parent.pickup.title', { name: c.name, relation: c.relation })), el('p', { class: 'pickup-code-digits', 'data-key': c.key }, c.code), left, el('p', { class: 'muted' }, t('parent.pickup.hint')));
  }
  tickPickup();
}
function tickPickup() {
  let due = false;
  for (const p of document.querySelectorAll('.pickup-countdown')) {
    const seconds = Math.max(0, Math.ceil((Number(p.dataset.next) - Date.now()) / 1000));
    p.textContent = t('parent.pickup.countdown', { seconds });
    if (seconds === 0) due = true;
  }
  return due;
}
async function loadPickup(c) {
  const box = document.querySelector(`[data-pickup="${CSS.escape(c.schoolId + '/' + c.studentKey)}"]`);
  if (!box) return;
  try {
    const v = await api('GET', `/children/${encodeURIComponent(c.schoolId)}/${encodeURIComponent(c.studentKey)}/pickup-code`);
    renderPickup(box, v);
  } catch {
    /* keep the last view; the next refresh tries again */
  }
}
function startPickupCodes(kids) {
  if (pickupTimer) clearInterval(pickupTimer);
  for (const c of kids) void loadPickup(c);
  let last = Date.now();
  pickupTimer = setInterval(() => {
    // A new code when the step ends, and every minute anyway (an assignment or a record may change).
    if (tickPickup() || Date.now() - last > 60_000) {
      last = Date.now();
      for (const c of kids) void loadPickup(c);
    }
  }, 1000);
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
/**
 * Live while the app is open: one server-sent-events stream per child (the cloud pushes the
 * card whenever the bus reports, through whichever cloud process). A child whose stream is
 * down is polled every BUS_POLL_MS until it is back; every card is re-read now and then
 * anyway, so "position is old" shows even when the bus has gone quiet.
 */
let busStreams = [];
function stopBus() {
  if (busTimer) clearInterval(busTimer);
  busTimer = null;
  if (pickupTimer) clearInterval(pickupTimer);
  pickupTimer = null;
  for (const a of busStreams) a.abort();
  busStreams = [];
}
function streamBus(c) {
  const abort = new AbortController();
  busStreams.push(abort);
  const url = `/api/parent/children/${encodeURIComponent(c.schoolId)}/${encodeURIComponent(c.studentKey)}/bus/live`;
  (async () => {
    while (!abort.signal.aborted && token) {
      try {
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: abort.signal });
        if (res.status === 401 || res.status === 404) return; // signed out, or not this guardian's child any more
        if (!res.ok || !res.body) throw new Error(String(res.status));
        c.live = true;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (!/^event: update$/m.test(frame)) continue;
            const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            const box = document.querySelector(`[data-bus="${CSS.escape(c.schoolId + '/' + c.studentKey)}"]`);
            if (box && data) renderBus(box, c, JSON.parse(data));
          }
        }
      } catch {
        /* cut or refused: poll meanwhile, reconnect shortly */
      }
      c.live = false;
      if (abort.signal.aborted) return;
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
}
function startBusPolling(children) {
  stopBus();
  pollBuses(children);
  for (const c of children) streamBus(c);
  let ticks = 0;
  busTimer = setInterval(() => {
    if (!token || document.hidden) return;
    ticks++;
    const all = ticks * BUS_POLL_MS >= 30_000;
    if (all) ticks = 0;
    pollBuses(all ? children : children.filter((c) => !c.live));
  }, BUS_POLL_MS);
}
/** The bus requests section (bus-requests.js), wired once. */
let busReq = null;
const BUS_POLL_MS = Number(new URLSearchParams(location.search).get('busPollMs')) || 5000;

/** Messages, notices, class information and forms: a module of their own, loaded when a role opens. */
const messagesModule = (kind) => import('./home-messages.js').then((m) => m[kind]({ homeApi, staffApi, t, el, locale, staff, token: () => token, fmt: (ms) => fmt(ms, SCHOOL_TZ()) })).catch((err) => console.error(err));

async function loadHome() {
  const me = await api('GET', '/me');
  children = me.children;
  const messages = messagesModule('guardian');
  const sel = $('leave-form').elements.child;
  sel.replaceChildren(...me.children.map((c) => el('option', { value: `${c.schoolId}|${c.studentKey}` }, `${c.name}${c.classId ? '（' + c.classId + '）' : ''}`)));
  prefillTimes($('leave-form'));
  prefillTimes($('visit-form'));
  await loadLeaves();
  await loadVisits();
  await busReq.load().catch((err) => ($('busreq-msg').textContent = err.message));
  const box = $('children');
  box.replaceChildren();
  if (me.children.length === 0) box.append(el('p', { class: 'muted' }, t('parent.children.none')));
  for (const c of me.children) {
    const card = el('div', { class: 'card' }, el('strong', {}, c.name), el('span', { class: 'muted' }, ` ${c.schoolName} ${c.classId || ''} · ${c.relation}`));
    const bus = el('div', { class: 'bus-card', 'data-bus': `${c.schoolId}/${c.studentKey}` });
    bus.hidden = true;
    card.append(bus);
    const pickup = el('div', { class: 'pickup-card', 'data-pickup': `${c.schoolId}/${c.studentKey}` });
    pickup.hidden = true;
    card.append(pickup);
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
  startPickupCodes(me.children);
  await healthHome($('health-home'));
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
  await messages;
}

async function loadStaff() {
  const schoolId = staff.account.schoolId || (staff.schools[0] && staff.schools[0].id);
  const tz = SCHOOL_TZ();
  prefillTimes($('record-form'));
  if (!$('roll-form').elements.classId.value && staff.account.classes && staff.account.classes[0]) $('roll-form').elements.classId.value = staff.account.classes[0];
  alertList($('staff-alerts'), (await staffApi('GET', '/home/alerts')).alerts);
  if (!schoolId) return;
  await messagesModule('staff');
  const base = `/schools/${encodeURIComponent(schoolId)}`;
  // Health first: a nurse has no leave lists (their calls are refused below).
  await healthStaff($('health-staff'), schoolId, staff.account).catch((err) => $('health-staff').replaceChildren(el('p', { class: 'flag' }, err.message)));
  const pending = $('pending');
  pending.replaceChildren();
  const open = (await staffApi('GET', `${base}/leave-requests?status=pending`)).requests;
  if (open.length === 0) pending.append(el('li', { class: 'muted' }, t('parent.home.none')));
  for (const r of open) {
    const approve = el('button', { type: 'button', class: 'approve' }, t('parent.home.approve'));
    const reject = el('button', { type: 'button', class: 'reject' }, t('parent.home.reject'));
    const msg = el('span', { role: 'status' });
    const decide = async (yes) => {
      approve.disabled = reject.disabled = true;
      try {
        await staffApi('POST', `${base}/leave-requests/${encodeURIComponent(r.id)}/decision`, { approve: yes });
        msg.textContent = t('parent.home.decided');
        await loadStaff();
      } catch (err) {
        msg.textContent = err.message;
        approve.disabled = reject.disabled = false;
      }
    };
    approve.addEventListener('click', () => decide(true));
    reject.addEventListener('click', () => decide(false));
    pending.append(requestItem(r, tz, el('div', { class: 'actions' }, approve, reject, msg)));
  }
  const pv = $('pending-visits');
  pv.replaceChildren();
  const openVisits = (await staffApi('GET', `${base}/visit-requests?status=pending`)).visits;
  if (openVisits.length === 0) pv.append(el('li', { class: 'muted' }, t('parent.home.none')));
  for (const v of openVisits) {
    const approve = el('button', { type: 'button', class: 'approve' }, t('parent.home.approve'));
    const reject = el('button', { type: 'button', class: 'reject' }, t('parent.home.reject'));
    const msg = el('span', { role: 'status' });
    const decide = async (yes) => {
      approve.disabled = reject.disabled = true;
      try {
        await staffApi('POST', `${base}/visit-requests/${encodeURIComponent(v.id)}/decision`, { approve: yes });
        await loadStaff();
      } catch (err) {
        msg.textContent = err.message;
        approve.disabled = reject.disabled = false;
      }
    };
    approve.addEventListener('click', () => decide(true));
    reject.addEventListener('click', () => decide(false));
    pv.append(visitItem(v, tz, el('div', { class: 'actions' }, approve, reject, msg)));
  }
  const recent = $('class-requests');
  recent.replaceChildren();
  const all = (await staffApi('GET', `${base}/leave-requests?limit=30`)).requests.filter((r) => r.status !== 'pending');
  if (all.length === 0) recent.append(el('li', { class: 'muted' }, t('parent.home.none')));
  for (const r of all) recent.append(requestItem(r, tz));
  const stats = $('stats');
  stats.replaceChildren();
  try {
    const { counts } = await staffApi('GET', `${base}/leave-stats?from=${Date.now() - 30 * 86_400_000}&until=${Date.now() + 86_400_000}`);
    if (counts.length === 0) stats.append(el('li', { class: 'muted' }, t('parent.home.none')));
    for (const c of counts) stats.append(el('li', {}, `${c.classId || '—'} · ${t(`parent.home.reason_${c.reasonKind}`)}：${c.count}`));
  } catch {
    stats.append(el('li', { class: 'muted' }, t('parent.home.none')));
  }
}

/** The staff session behind the cookie, if any. */
async function loadStaffSession() {
  try {
    staff = await staffApi('GET', '/session');
  } catch {
    staff = null;
  }
}

function urlB64ToBytes(s) {
  const b = atob((s + '='.repeat((4 - (s.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

/**
 * Push notices on this phone for every role signed in here: a guardian's notices about the
 * children and a staff member's (work orders dispatched, escalations, bus alarms). One
 * browser subscription, stored with each identity; the cloud uses one VAPID key for both.
 */
async function enablePush(msg) {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return void (msg.textContent = t('parent.push.unsupported'));
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return void (msg.textContent = t('parent.push.denied'));
  const reg = await navigator.serviceWorker.register('/parent/sw.js', { scope: '/parent/' });
  const publicKey = token ? (await api('GET', '/push/vapid-key')).publicKey : (await staffApi('GET', '/session/push-subscriptions')).vapidPublicKey;
  const sub = (await reg.pushManager.getSubscription()) || (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlB64ToBytes(publicKey) }));
  const json = sub.toJSON();
  if (token) await api('POST', '/push/subscriptions', json);
  if (staff) await staffApi('PUT', '/session/push-subscriptions', { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } });
  msg.textContent = t('parent.push.enabled');
}

async function main() {
  T = await (await fetch(`/api/parent/messages?locale=${locale}`)).json();
  initHealth({ api, homeApi, staffApi, el, t, locale, fmt: (ms) => fmt(ms, SCHOOL_TZ()), token: () => token });
  // (the page title names the app for every role)
  document.documentElement.lang = locale;
  document.title = t('parent.home.app_title');
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  busReq = busRequests({ api, t, el, locale, children: () => children });
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/parent/sw.js', { scope: '/parent/' }).catch(() => undefined);

  $('otp-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await homeApi('POST', '/code', { phone: $('phone').value.trim() });
      $('signin-msg').textContent = t('parent.signin.code_sent');
    } catch (err) {
      $('signin-msg').textContent = err.message;
    }
  });
  $('code-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let s;
    try {
      s = await homeApi('POST', '/session', { phone: $('phone').value.trim(), code: $('code').value.trim() });
    } catch {
      $('signin-msg').textContent = t('parent.signin.failed');
      return;
    }
    token = s.guardian ? s.guardian.token : null;
    if (token) localStorage.setItem('campus.parent.token', token);
    if (s.staff) await loadStaffSession();
    await enter(role).catch((err) => ($('signin-msg').textContent = err.message));
  });
  $('staff-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    try {
      staff = await staffApi('POST', '/session', { username: f.username.value.trim(), password: f.password.value });
    } catch (err) {
      $('signin-msg').textContent = err.message;
      return;
    }
    f.password.value = '';
    // A teacher who is also a guardian gets the guardian role too, without a code.
    try {
      const g = await staffApi('POST', '/home/guardian-session');
      token = g.token;
      localStorage.setItem('campus.parent.token', token);
    } catch {
      /* no guardian identity: staff only */
    }
    await enter('staff');
  });
  for (const b of document.querySelectorAll('#roles button')) b.addEventListener('click', () => enter(b.dataset.role).catch(() => undefined));
  $('leave-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const [schoolId, studentKey] = ev.target.elements.child.value.split('|');
    try {
      await homeApi('POST', '/guardian/requests', { schoolId, studentKey, ...leaveInput(ev.target) });
      $('leave-msg').textContent = t('parent.home.submitted');
      await loadLeaves();
    } catch (err) {
      $('leave-msg').textContent = err.message;
    }
  });
  $('visit-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    const tz = SCHOOL_TZ();
    const schoolId = children[0] && children[0].schoolId;
    try {
      await homeApi('POST', '/guardian/visits', { schoolId, hostKey: f.hostKey.value.trim(), purpose: f.purpose.value.trim(), from: parseLocal(f.from.value, tz), until: parseLocal(f.until.value, tz) });
      $('visit-msg').textContent = t('parent.home.visit_submitted');
      await loadVisits();
    } catch (err) {
      $('visit-msg').textContent = err.message;
    }
  });
  const rollPath = () => `/schools/${encodeURIComponent(staff.account.schoolId || staff.schools[0].id)}/classes/${encodeURIComponent($('roll-form').elements.classId.value.trim())}/roll-call`;
  const showRoll = (students, flagged = []) => {
    const ul = $('roll');
    ul.replaceChildren();
    for (const s of students) {
      const box = el('input', { type: 'checkbox', name: 'present', value: s.studentKey });
      box.checked = s.present === true;
      const flag = flagged.find((f) => f.studentKey === s.studentKey);
      ul.append(el('li', { 'data-student': s.studentKey, class: flag ? 'overdue' : '' }, el('label', {}, box, ` ${s.name} `, el('span', { class: `gate gate-${s.gate}` }, t(`parent.home.gate_${s.gate}`)), flag ? el('div', { class: 'flag' }, t(`parent.home.flag_${flag.kind}`)) : '')));
    }
  };
  $('roll-load').addEventListener('click', async () => {
    try {
      showRoll((await staffApi('GET', rollPath())).students);
      $('roll-msg').textContent = '';
    } catch (err) {
      $('roll-msg').textContent = err.message;
    }
  });
  $('roll-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const present = [...document.querySelectorAll('#roll input[name=present]')].filter((b) => b.checked).map((b) => b.value);
    try {
      const r = await staffApi('PUT', rollPath(), { present });
      showRoll(r.students, r.flagged);
      $('roll-msg').textContent = t('parent.home.roll_done', { count: r.flagged.length });
    } catch (err) {
      $('roll-msg').textContent = err.message;
    }
  });
  $('record-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const schoolId = staff.account.schoolId || staff.schools[0].id;
    try {
      await staffApi('POST', `/schools/${encodeURIComponent(schoolId)}/leave-requests`, { studentKey: ev.target.elements.studentKey.value.trim(), ...leaveInput(ev.target) });
      $('record-msg').textContent = t('parent.home.recorded');
      await loadStaff();
    } catch (err) {
      $('record-msg').textContent = err.message;
    }
  });
  $('signout').addEventListener('click', async () => {
    if (token) await api('DELETE', '/session').catch(() => undefined);
    if (staff) await staffApi('DELETE', '/session').catch(() => undefined);
    token = null;
    staff = null;
    localStorage.removeItem('campus.parent.token');
    stopBus();
    show('signin');
  });
  for (const [button, msg] of [['push', 'push-msg'], ['staff-push', 'staff-push-msg']]) {
    $(button).addEventListener('click', () => enablePush($(msg)).catch((e) => ($(msg).textContent = e.message)));
  }
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

  await loadStaffSession();
  if (token || staff) await enter(role).catch(() => undefined);
  else show('signin');
}

main().catch(() => ($('signin-msg').textContent = t('parent.error.network')));
