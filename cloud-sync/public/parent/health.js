/* global document, CSS */
// Health, medical notes, PIPL export and the visitor pass QR of the home-school app
// (plain modern JS, no build step, like app.js). app.js calls initHealth once with its
// helpers, then healthHome / healthStaff when a role's view loads.
let X = null;

const SYMPTOMS = ['fever', 'cough', 'sore_throat', 'runny_nose', 'diarrhea', 'vomiting', 'rash', 'headache', 'fatigue', 'other'];
const BLOOD = ['', 'A', 'B', 'AB', 'O', 'A-', 'B-', 'AB-', 'O-', 'unknown'];

/** ctx: { api, homeApi, staffApi, el, t, locale, fmt, token() } */
export function initHealth(ctx) {
  X = ctx;
}

const enc = encodeURIComponent;

function field(label, input) {
  return X.el('label', {}, X.el('span', {}, label), input);
}

function symptomBoxes(name) {
  const box = X.el('fieldset', { class: 'symptoms' }, X.el('legend', {}, X.t('parent.health.symptoms')));
  for (const s of SYMPTOMS) box.append(X.el('label', { class: 'inline' }, X.el('input', { type: 'checkbox', name, value: s }), ` ${X.t(`parent.health.symptom_${s}`)}`));
  return box;
}

function entryText(e) {
  const sym = e.symptoms.map((s) => X.t(`parent.health.symptom_${s}`)).join('、');
  return `${e.temperature.toFixed(1)}°C${sym ? ' · ' + sym : ''}${e.note ? ' · ' + e.note : ''}`;
}

/** The pass QR of an approved visit: fetched with the guardian's token, shown as an image. */
export function passQr(v) {
  const img = X.el('img', { class: 'pass-qr', alt: X.t('parent.pass.qr_alt'), 'data-pass': String(v.passNo) });
  fetch(`/api/home/guardian/visits/${enc(v.id)}/qr.svg`, { headers: { authorization: `Bearer ${X.token()}` } })
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
    .then((svg) => {
      img.src = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    })
    .catch(() => img.remove());
  return img;
}

// ---- guardian ----

export async function healthHome(box) {
  box.replaceChildren();
  const { children } = await X.homeApi('GET', '/guardian/health');
  for (const c of children) {
    const card = X.el('div', { class: 'card health-child', 'data-student': c.studentKey }, X.el('h3', {}, `${c.name} · ${X.t('parent.health.title')}`));
    if (c.required) card.append(X.el('p', { class: 'flag required' }, X.t('parent.health.required')));
    card.append(X.el('p', { class: 'muted declared-state' }, c.declaration ? X.t('parent.health.declared', { time: X.fmt(c.declaration.at) }) + ' · ' + entryText(c.declaration) : X.t('parent.health.not_declared')));
    if (c.check) card.append(X.el('p', { class: 'muted' }, `${X.t('parent.health.check')}：${entryText(c.check)}`));
    const temp = X.el('input', { name: 'temperature', type: 'number', step: '0.1', min: '34', max: '43', required: '', inputmode: 'decimal' });
    const note = X.el('input', { name: 'note', maxlength: '200' });
    const msg = X.el('span', { role: 'status' });
    const form = X.el('form', { class: 'form declare-form' }, field(X.t('parent.health.temperature'), temp), symptomBoxes('symptom'), field(X.t('parent.health.note'), note), X.el('button', { type: 'submit' }, X.t('parent.health.declare')), msg);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const symptoms = [...form.querySelectorAll('input[name=symptom]:checked')].map((i) => i.value);
        await X.homeApi('POST', '/guardian/health/declarations', { schoolId: c.schoolId, studentKey: c.studentKey, temperature: Number(temp.value), symptoms, note: note.value });
        await healthHome(box);
      } catch (err) {
        msg.textContent = err.message;
      }
    });
    card.append(form);
    card.append(await medicalCard(c));
    const exp = X.el('button', { type: 'button', class: 'export' }, X.t('parent.pipl.export'));
    exp.addEventListener('click', async () => {
      const data = await X.homeApi('GET', `/guardian/children/${enc(c.schoolId)}/${enc(c.studentKey)}/export`);
      const a = X.el('a', { href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })), download: `child-data-${c.studentKey}.json` });
      document.body.append(a);
      a.click();
      a.remove();
    });
    card.append(exp);
    box.append(card);
  }
}

async function medicalCard(c) {
  const m = await X.homeApi('GET', `/guardian/children/${enc(c.schoolId)}/${enc(c.studentKey)}/medical`);
  const n = m.notes || { history: '', bloodType: '', allergies: '', specialNeeds: '', taboos: '' };
  const text = (name, value, max) => X.el('input', { name, value, maxlength: String(max) });
  const blood = X.el('select', { name: 'bloodType' }, ...BLOOD.map((b) => X.el('option', b === n.bloodType ? { value: b, selected: '' } : { value: b }, b || '—')));
  const consent = X.el('input', { type: 'checkbox', name: 'consent', required: '' });
  const msg = X.el('span', { role: 'status' });
  const form = X.el('form', { class: 'form medical-form' },
    field(X.t('parent.medical.history'), text('history', n.history, 1000)),
    field(X.t('parent.medical.blood_type'), blood),
    field(X.t('parent.medical.allergies'), text('allergies', n.allergies, 500)),
    field(X.t('parent.medical.special_needs'), text('specialNeeds', n.specialNeeds, 500)),
    field(X.t('parent.medical.taboos'), text('taboos', n.taboos, 500)),
    X.el('label', { class: 'inline' }, consent, ` ${X.t('parent.medical.consent')}`),
    X.el('button', { type: 'submit' }, X.t('parent.medical.save')),
    msg,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    try {
      await X.homeApi('PUT', `/guardian/children/${enc(c.schoolId)}/${enc(c.studentKey)}/medical`, {
        history: f.history.value, bloodType: f.bloodType.value, allergies: f.allergies.value, specialNeeds: f.specialNeeds.value, taboos: f.taboos.value, consent: f.consent.checked,
      });
      msg.textContent = X.t('parent.medical.saved');
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  const reads = X.el('ul', { class: 'list medical-reads' });
  if (m.reads.length === 0) reads.append(X.el('li', { class: 'muted' }, X.t('parent.home.none')));
  for (const r of m.reads) reads.append(X.el('li', {}, X.t('parent.medical.read_line', { time: X.fmt(r.readAt), name: r.readerName, role: r.readerRoleText[X.locale] || r.readerRole, reason: r.reason })));
  return X.el('details', { class: 'medical' }, X.el('summary', {}, X.t('parent.medical.title')), form, X.el('h4', {}, X.t('parent.medical.reads_title')), reads);
}

// ---- staff ----

export async function healthStaff(box, schoolId, account) {
  box.replaceChildren();
  const base = `/schools/${enc(schoolId)}`;
  const roles = account.roles || [];
  // Morning check of a class.
  const classId = X.el('input', { name: 'classId', maxlength: '64', value: (account.classes && account.classes[0]) || '' });
  const list = X.el('ul', { class: 'list health-list' });
  const msg = X.el('span', { role: 'status' });
  const load = X.el('button', { type: 'button', class: 'health-load' }, X.t('parent.home.roll_load'));
  const form = X.el('form', { class: 'card form health-checks' }, field(X.t('parent.home.class'), classId), load, list, X.el('button', { type: 'submit' }, X.t('parent.health.save_checks')), msg);
  load.addEventListener('click', async () => {
    list.replaceChildren();
    try {
      const r = await X.staffApi('GET', `${base}/classes/${enc(classId.value)}/health`);
      for (const s of r.students) {
        const temp = X.el('input', { type: 'number', step: '0.1', min: '34', max: '43', inputmode: 'decimal', 'data-student': s.studentKey, value: s.check ? String(s.check.temperature) : '' });
        const sym = X.el('select', { 'data-symptom': s.studentKey }, X.el('option', { value: '' }, '—'), ...SYMPTOMS.map((x) => X.el('option', s.check && s.check.symptoms[0] === x ? { value: x, selected: '' } : { value: x }, X.t(`parent.health.symptom_${x}`))));
        const decl = s.declaration ? `${X.t('parent.health.title')}：${entryText(s.declaration)}` : X.t('parent.health.not_declared');
        list.append(X.el('li', { 'data-student': s.studentKey, class: s.check && s.check.unwell ? 'overdue' : '' }, X.el('strong', {}, s.name), X.el('div', { class: 'muted' }, decl), temp, sym));
      }
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const checks = [...list.querySelectorAll('input[data-student]')].filter((i) => i.value !== '').map((i) => {
      const s = list.querySelector(`select[data-symptom="${CSS.escape(i.dataset.student)}"]`);
      return { studentKey: i.dataset.student, temperature: Number(i.value), symptoms: s && s.value ? [s.value] : [] };
    });
    try {
      const r = await X.staffApi('PUT', `${base}/classes/${enc(classId.value)}/health-checks`, { checks });
      msg.textContent = X.t('parent.health.saved', { count: r.stored, unwell: r.unwell.length });
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  box.append(X.el('h2', {}, X.t('parent.health.checks_title')), form);
  // The health office's roll-up.
  if (roles.some((r) => ['school_admin', 'office', 'nurse', 'head_teacher'].includes(r))) {
    const sum = await X.staffApi('GET', `${base}/health/summary`);
    const cols = ['students', 'checked', 'declared', 'fever', 'unwell'];
    const head = X.el('tr', {}, X.el('th', {}, X.t('parent.health.col_class')), ...cols.map((c) => X.el('th', {}, X.t(`parent.health.col_${c}`))));
    const rows = [...sum.classes.map((c) => [c.classId, c]), [X.t('parent.health.summary_title'), sum.school]].map(([name, c]) => X.el('tr', {}, X.el('td', {}, name), ...cols.map((k) => X.el('td', {}, String(c[k])))));
    box.append(X.el('h2', {}, X.t('parent.health.summary_title')), X.el('table', { class: 'card health-summary' }, head, ...rows));
    if (roles.includes('nurse') || roles.includes('school_admin')) {
      const toggle = X.el('button', { type: 'button', class: 'policy' }, X.t(sum.required ? 'parent.health.require_off' : 'parent.health.require_on'));
      toggle.addEventListener('click', async () => {
        await X.staffApi('PUT', `${base}/health/policy`, { requireDeclaration: !sum.required });
        await healthStaff(box, schoolId, account);
      });
      box.append(toggle);
    }
  }
  // Opening a student's medical notes: a reason, recorded and shown to the guardian.
  if (roles.some((r) => ['nurse', 'head_teacher', 'teacher'].includes(r))) {
    const key = X.el('input', { name: 'studentKey', required: '', pattern: '[A-Za-z0-9_.:-]{1,128}' });
    const reason = X.el('input', { name: 'reason', maxlength: '200' });
    const out = X.el('div', { class: 'medical-notes' });
    const f = X.el('form', { class: 'card form medical-open' }, field(X.t('parent.home.student_key'), key), field(X.t('parent.medical.reason'), reason), X.el('button', { type: 'submit' }, X.t('parent.medical.open')), out);
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      out.replaceChildren();
      try {
        const r = await X.staffApi('POST', `${base}/students/${enc(key.value)}/medical/read`, { reason: reason.value });
        if (!r.notes) out.append(X.el('p', { class: 'muted' }, X.t('parent.medical.none')));
        else
          for (const [k, label] of [['history', 'history'], ['bloodType', 'blood_type'], ['allergies', 'allergies'], ['specialNeeds', 'special_needs'], ['taboos', 'taboos']])
            out.append(X.el('p', { 'data-field': k }, X.el('strong', {}, `${X.t(`parent.medical.${label}`)}：`), r.notes[k] || '—'));
      } catch (err) {
        out.append(X.el('p', { class: 'flag' }, err.message));
      }
    });
    box.append(X.el('h2', {}, X.t('parent.medical.open_title')), f);
  }
}
