/* global document, Image, FileReader */
// The guardian's bus requests in the home-school app: a stop (or a stop change, from a date or
// for one day) and pickup persons with a photo, for the guardian's own children; the list
// shows each request's status and the transport manager's decision. Plain JS, no build step.

/** A photo from the camera or album, shrunk on the phone to at most 320 px (JPEG): small enough for the upload limit. */
function shrinkPhoto(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new Error('read'));
    reader.onload = () => {
      const img = new Image();
      img.onerror = () => reject(new Error('decode'));
      img.onload = () => {
        const scale = Math.min(1, 320 / Math.max(img.width, img.height));
        const canvas = document.createElement('canvas');
        canvas.width = Math.max(1, Math.round(img.width * scale));
        canvas.height = Math.max(1, Math.round(img.height * scale));
        canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
        let q = 0.85;
        let url = canvas.toDataURL('image/jpeg', q);
        // 40 KB decoded is the cloud's limit: lower the quality until it fits.
        while (url.length > 52_000 && q > 0.3) url = canvas.toDataURL('image/jpeg', (q -= 0.15));
        resolve(url);
      };
      img.src = String(reader.result);
    };
    reader.readAsDataURL(file);
  });
}

/**
 * Wires the form and the list. `ctx`: { api(method, path, body), t(id, params), el(tag, attrs, ...children), locale, children() }.
 * Returns `load()`, called when the home view (re)loads.
 */
export function busRequests(ctx) {
  const { api, t, el } = ctx;
  const form = document.getElementById('busreq-form');
  const f = form.elements;
  const msg = document.getElementById('busreq-msg');
  let options = { routes: [], current: [] };
  let photo = null;

  const child = () => {
    const [schoolId, studentKey] = String(f.child.value).split('|');
    return { schoolId, studentKey };
  };
  const direction = (d) => t(d === 'afternoon' ? 'parent.busreq.afternoon' : 'parent.busreq.morning');
  const routeName = (id) => (options.routes.find((r) => r.id === id) || { name: id }).name;
  const stopName = (routeId, stopId) => {
    const r = options.routes.find((x) => x.id === routeId);
    const s = r && r.stops.find((x) => x.id === stopId);
    return s ? s.name : stopId;
  };
  const fillStops = () => {
    const r = options.routes.find((x) => x.id === f.routeId.value);
    const dir = f.direction.value;
    f.stopId.replaceChildren(...(r ? r.stops : []).map((s) => el('option', { value: s.id }, `${s.name}${(dir === 'afternoon' ? s.afternoonAt : s.morningAt) ? ' ' + (dir === 'afternoon' ? s.afternoonAt : s.morningAt) : ''}`)));
  };
  const showCurrent = () => {
    const cur = options.current.find((c) => c.direction === f.direction.value);
    document.getElementById('busreq-current').textContent = cur ? t('parent.busreq.current', { direction: direction(cur.direction), route: routeName(cur.routeId), stop: stopName(cur.routeId, cur.stopId) }) : '';
    if (cur) {
      f.routeId.value = cur.routeId;
      fillStops();
    }
  };
  const loadOptions = async () => {
    const { schoolId, studentKey } = child();
    if (!schoolId) return;
    options = await api('GET', `/children/${encodeURIComponent(schoolId)}/${encodeURIComponent(studentKey)}/bus-options`);
    f.routeId.replaceChildren(...options.routes.map((r) => el('option', { value: r.id }, r.name)));
    fillStops();
    showCurrent();
  };
  const showKind = () => {
    const stop = f.kind.value === 'stop';
    document.getElementById('busreq-stop').hidden = !stop;
    document.getElementById('busreq-pickup').hidden = stop;
  };

  const item = (r) => {
    const d = r.detail;
    const what =
      r.kind === 'stop'
        ? t(d.oneDay ? 'parent.busreq.stop_line_one_day' : 'parent.busreq.stop_line', { direction: direction(d.direction), route: d.routeName, stop: d.stopName, from: d.from })
        : t('parent.busreq.pickup_line', { name: d.name, relation: d.relation });
    const li = el('li', { 'data-id': r.id }, el('strong', {}, `${r.studentName} `), el('span', { class: `status status-${r.status}` }, t(`parent.busreq.status.${r.status}`)), el('div', {}, what));
    if (r.outcome && r.outcome.stopName) li.append(el('div', { class: 'outcome' }, t('parent.busreq.outcome', { route: r.outcome.routeName, stop: r.outcome.stopName, from: r.outcome.from })));
    if (r.decisionNote) li.append(el('div', { class: 'muted decision' }, t('parent.busreq.reason', { note: r.decisionNote })));
    if (r.status === 'pending') {
      const b = el('button', { type: 'button', class: 'reject cancel' }, t('parent.busreq.cancel'));
      b.addEventListener('click', async () => {
        try {
          await api('POST', `/bus-requests/${encodeURIComponent(r.id)}/cancel`);
          await load();
        } catch (err) {
          msg.textContent = err.message;
        }
      });
      li.append(el('div', { class: 'actions' }, b));
    }
    return li;
  };

  async function load() {
    const kids = ctx.children();
    const keep = f.child.value;
    f.child.replaceChildren(...kids.map((c) => el('option', { value: `${c.schoolId}|${c.studentKey}` }, `${c.name}${c.classId ? '（' + c.classId + '）' : ''}`)));
    if (keep && kids.some((c) => `${c.schoolId}|${c.studentKey}` === keep)) f.child.value = keep;
    if (!f.from.value) {
      // Tomorrow in the school's zone: the earliest day a change can usually still reach the bus.
      const tz = (kids[0] && kids[0].timezone) || 'Asia/Shanghai';
      f.from.value = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now() + 86_400_000);
    }
    await loadOptions().catch((err) => (msg.textContent = err.message));
    const { requests } = await api('GET', '/bus-requests');
    // A school without buses: no bus section at all (unless there is history to show).
    document.getElementById('busreq-section').hidden = options.routes.length === 0 && requests.length === 0;
    const ul = document.getElementById('my-busreqs');
    ul.replaceChildren();
    if (requests.length === 0) ul.append(el('li', { class: 'muted' }, t('parent.home.none')));
    for (const r of requests) ul.append(item(r));
  }

  f.kind.addEventListener('change', showKind);
  f.child.addEventListener('change', () => void loadOptions().catch((err) => (msg.textContent = err.message)));
  f.routeId.addEventListener('change', fillStops);
  f.direction.addEventListener('change', () => {
    fillStops();
    showCurrent();
  });
  f.photo.addEventListener('change', async () => {
    photo = null;
    const preview = document.getElementById('busreq-preview');
    preview.hidden = true;
    const file = f.photo.files && f.photo.files[0];
    if (!file) return;
    try {
      photo = await shrinkPhoto(file);
      preview.src = photo;
      preview.hidden = false;
    } catch {
      msg.textContent = t('parent.busreq.photo_bad');
    }
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const { schoolId, studentKey } = child();
    const note = f.note.value.trim();
    let body;
    if (f.kind.value === 'stop') {
      body = { kind: 'stop', schoolId, studentKey, direction: f.direction.value, routeId: f.routeId.value, stopId: f.stopId.value, from: f.from.value, oneDay: f.oneDay.checked, note };
    } else {
      if (!f.name.value.trim() || !f.relation.value.trim()) {
        msg.textContent = t('parent.busreq.need_name');
        return;
      }
      body = { kind: 'pickup_person', schoolId, studentKey, name: f.name.value.trim(), relation: f.relation.value.trim(), note };
      if (f.phone.value.trim()) body.phone = f.phone.value.trim();
      if (photo) body.photo = photo;
    }
    try {
      await api('POST', '/bus-requests', body);
      msg.textContent = t('parent.busreq.submitted');
      f.note.value = '';
      await load();
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  showKind();
  return { load };
}
