/* global document */
// Home-school messages in the app (loaded lazily by app.js once a role is open):
// announcements with read receipts, one-to-one messages with the child's teachers, class
// information, 接龙 forms. Every text from the server is shown as text (textContent),
// never as markup; files are fetched with the session and shown as blobs.

/** The section of this module inside a view, made once (with its stylesheet). */
function section(parentId, id) {
  if (!document.getElementById('home-messages-css')) {
    const link = document.createElement('link');
    link.id = 'home-messages-css';
    link.rel = 'stylesheet';
    link.href = 'home-messages.css';
    document.head.append(link);
  }
  let s = document.getElementById(id);
  if (!s) {
    s = document.createElement('div');
    s.id = id;
    const parent = document.getElementById(parentId);
    parent.insertBefore(s, parent.firstChild);
  }
  s.replaceChildren();
  return s;
}

async function blobOf(url, headers) {
  const res = await fetch(url, { headers, credentials: 'same-origin' });
  if (!res.ok) throw new Error(res.statusText);
  return res.blob();
}

function fileViews(c, files, urlOf, headers) {
  const box = c.el('div', { class: 'notice-files' });
  for (const f of files) {
    if (f.kind === 'image') {
      const img = c.el('img', { alt: f.name, class: 'notice-image', 'data-file': f.id });
      box.append(img);
      blobOf(urlOf(f), headers).then((b) => (img.src = URL.createObjectURL(b))).catch(() => undefined);
    } else {
      const btn = c.el('button', { type: 'button', class: 'link', 'data-file': f.id }, `${c.t('parent.msg.download')} ${f.name}`);
      btn.addEventListener('click', async () => {
        const a = c.el('a', { href: URL.createObjectURL(await blobOf(urlOf(f), headers)), download: f.name });
        a.click();
      });
      box.append(btn);
    }
  }
  return box;
}

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

// ---------------- guardian ----------------

export async function guardian(c) {
  const root = section('home', 'msg-guardian');
  const auth = { authorization: `Bearer ${c.token()}` };
  const notices = c.el('ul', { id: 'msg-notices', class: 'list' });
  const info = c.el('div', { id: 'msg-class-info' });
  const threads = c.el('ul', { id: 'msg-threads', class: 'list' });
  const forms = c.el('div', { id: 'msg-forms' });
  root.append(c.el('h2', {}, c.t('parent.msg.notices')), notices, c.el('h2', {}, c.t('parent.msg.forms')), forms, c.el('h2', {}, c.t('parent.msg.threads')), threads, c.el('h2', {}, c.t('parent.msg.teachers')), info);

  const fileUrl = (n) => (f) => `/api/home/guardian/notices/${encodeURIComponent(n.id)}/files/${encodeURIComponent(f.id)}`;
  const loadNotices = async () => {
    const list = (await c.homeApi('GET', '/guardian/notices')).notices;
    notices.replaceChildren();
    if (list.length === 0) notices.append(c.el('li', { class: 'muted' }, c.t('parent.home.none')));
    for (const n of list) {
      const badge = c.el('span', { class: n.readAt ? 'status status-approved' : 'status status-pending' }, c.t(n.readAt ? 'parent.msg.read' : 'parent.msg.unread'));
      const open = c.el('button', { type: 'button', class: 'open-notice' }, c.t('parent.msg.open'));
      const li = c.el('li', { 'data-notice': n.id }, c.el('strong', {}, `${n.title} `), badge, c.el('div', { class: 'muted' }, `${n.authorName} · ${c.fmt(n.publishedAt || n.createdAt)}`), open);
      open.addEventListener('click', async () => {
        const full = await c.homeApi('GET', `/guardian/notices/${encodeURIComponent(n.id)}`);
        badge.className = 'status status-approved';
        badge.textContent = c.t('parent.msg.read');
        open.remove();
        li.append(c.el('p', { class: 'notice-body' }, full.body), fileViews(c, full.files, fileUrl(full), auth));
      });
      notices.append(li);
    }
  };

  const writeForm = (child, teacher) => {
    const area = c.el('textarea', { name: 'body', maxlength: '2000', required: '', rows: '3' });
    const msg = c.el('span', { role: 'status' });
    const f = c.el('form', { class: 'card form write-teacher', 'data-teacher': teacher.accountId }, c.el('label', {}, c.el('span', {}, c.t('parent.msg.message')), area), c.el('button', { type: 'submit' }, c.t('parent.msg.send')), msg);
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await c.homeApi('POST', '/guardian/messages', { schoolId: child.schoolId, studentKey: child.studentKey, teacherId: teacher.accountId, body: area.value });
        area.value = '';
        msg.textContent = c.t('parent.msg.sent');
        await loadThreads();
      } catch (err) {
        msg.textContent = err.message;
      }
    });
    return f;
  };

  const loadInfo = async () => {
    const kids = (await c.homeApi('GET', '/guardian/class-info')).children;
    info.replaceChildren();
    for (const k of kids) {
      const card = c.el('div', { class: 'card', 'data-child': k.studentKey }, c.el('strong', {}, `${k.name}（${k.classId}）`));
      const ul = c.el('ul', { class: 'list teachers' });
      for (const tc of k.teachers) {
        const write = c.el('button', { type: 'button', class: 'write' }, c.t('parent.msg.write'));
        const li = c.el('li', { 'data-teacher': tc.accountId }, `${tc.name}${tc.headTeacher ? '（' + c.t('parent.msg.head_teacher') + '）' : ''} ${tc.subjects.join('、')} `, write);
        write.addEventListener('click', () => {
          write.remove();
          li.append(writeForm(k, tc));
        });
        ul.append(li);
      }
      card.append(ul);
      if (k.timetable.length) {
        const rows = new Map();
        for (const p of k.timetable) (rows.get(p.period) || rows.set(p.period, new Map()).get(p.period)).set(p.weekday, p.subject);
        const days = [...new Set(k.timetable.map((p) => p.weekday))].sort();
        const table = c.el('table', { class: 'timetable' }, c.el('tr', {}, c.el('th', {}, ''), ...days.map((d) => c.el('th', {}, c.t('parent.msg.weekday', { day: c.locale === 'en' ? d : WEEKDAYS[d - 1] })))));
        for (const [period, byDay] of [...rows].sort((a, b) => a[0] - b[0])) table.append(c.el('tr', {}, c.el('th', {}, c.t('parent.msg.period', { period })), ...days.map((d) => c.el('td', {}, byDay.get(d) || ''))));
        card.append(c.el('h3', {}, c.t('parent.msg.timetable')), table);
      }
      if (k.rules) card.append(c.el('h3', {}, c.t('parent.msg.rules')), c.el('p', { class: 'rules' }, k.rules));
      info.append(card);
    }
  };

  const loadThreads = async () => {
    const list = (await c.homeApi('GET', '/guardian/threads')).threads;
    threads.replaceChildren();
    if (list.length === 0) threads.append(c.el('li', { class: 'muted' }, c.t('parent.home.none')));
    for (const th of list) {
      const li = c.el('li', { 'data-thread': th.id }, c.el('strong', {}, `${th.teacherName} · ${th.studentName} `), th.unread ? c.el('span', { class: 'status status-pending' }, String(th.unread)) : '', c.el('div', { class: 'muted last' }, th.lastBody));
      li.addEventListener('click', async () => {
        if (li.querySelector('.messages')) return;
        const full = await c.homeApi('GET', `/guardian/threads/${encodeURIComponent(th.id)}`);
        li.append(c.el('ul', { class: 'messages' }, ...full.messages.map((m) => c.el('li', { class: `from-${m.sender}` }, c.el('span', { class: 'muted' }, `${m.sender === 'guardian' ? c.t('parent.msg.me') : th.teacherName} ${c.fmt(m.createdAt)}`), c.el('div', {}, m.body)))));
        li.append(writeForm({ schoolId: th.schoolId, studentKey: th.studentKey }, { accountId: th.teacherId }));
      });
      threads.append(li);
    }
  };

  const loadForms = async () => {
    const list = (await c.homeApi('GET', '/guardian/forms')).forms;
    forms.replaceChildren();
    if (list.length === 0) forms.append(c.el('p', { class: 'muted' }, c.t('parent.home.none')));
    for (const fm of list) {
      const msg = c.el('span', { role: 'status' }, fm.answeredAt ? c.t('parent.msg.answered') : '');
      const form = c.el('form', { class: 'card form answer-form', 'data-form': fm.id, 'data-child': fm.studentKey }, c.el('strong', {}, fm.title), c.el('div', { class: 'muted' }, c.t('parent.msg.for_child', { name: fm.studentName }) + (fm.deadline ? ' · ' + c.t('parent.msg.deadline', { time: c.fmt(fm.deadline) }) : '')));
      if (fm.description) form.append(c.el('p', {}, fm.description));
      const prev = fm.answers || {};
      for (const fd of fm.fields) {
        let input;
        if (fd.type === 'yesno' || fd.type === 'choice') {
          const opts = fd.type === 'yesno' ? [['true', c.t('home.msg.yes')], ['false', c.t('home.msg.no')]] : fd.options.map((o) => [o, o]);
          input = c.el('select', { name: fd.id }, c.el('option', { value: '' }, '—'), ...opts.map(([v, l]) => c.el('option', { value: v }, l)));
          if (prev[fd.id] !== undefined && prev[fd.id] !== null) input.value = String(prev[fd.id]);
        } else if (fd.type === 'multi') {
          input = c.el('span', { class: 'multi' }, ...fd.options.map((o) => {
            const box = c.el('input', { type: 'checkbox', name: fd.id, value: o });
            box.checked = Array.isArray(prev[fd.id]) && prev[fd.id].includes(o);
            return c.el('label', {}, box, o);
          }));
        } else {
          input = c.el('input', { name: fd.id, type: fd.type === 'number' ? 'number' : 'text', maxlength: '500' });
          if (prev[fd.id] !== undefined && prev[fd.id] !== null) input.value = String(prev[fd.id]);
        }
        form.append(c.el('label', {}, c.el('span', {}, fd.label + (fd.required ? ' *' : '')), input));
      }
      form.append(c.el('button', { type: 'submit' }, c.t('parent.msg.answer')), msg);
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const answers = {};
        for (const fd of fm.fields) {
          if (fd.type === 'multi') answers[fd.id] = [...form.querySelectorAll(`input[name="${fd.id}"]:checked`)].map((b) => b.value);
          else {
            const v = form.elements[fd.id].value.trim();
            answers[fd.id] = v === '' ? null : fd.type === 'yesno' ? v === 'true' : fd.type === 'number' ? Number(v) : v;
          }
        }
        try {
          await c.homeApi('POST', `/guardian/forms/${encodeURIComponent(fm.id)}/answers`, { studentKey: fm.studentKey, answers });
          msg.textContent = c.t('parent.msg.answered');
        } catch (err) {
          msg.textContent = err.message;
        }
      });
      forms.append(form);
    }
  };

  await Promise.all([loadNotices(), loadInfo(), loadThreads(), loadForms()]);
}

// ---------------- staff ----------------

export async function staff(c) {
  const root = section('staff', 'msg-staff');
  const schoolId = c.staff.account.schoolId || (c.staff.schools[0] && c.staff.schools[0].id);
  if (!schoolId) return;
  const base = `/schools/${encodeURIComponent(schoolId)}`;
  const myClass = (c.staff.account.classes && c.staff.account.classes[0]) || '';
  const csrf = { 'x-csrf-token': c.staff.csrfToken };

  // post an announcement
  const post = c.el('form', { id: 'notice-form', class: 'card form' },
    c.el('label', {}, c.el('span', {}, c.t('parent.msg.scope')), c.el('select', { name: 'scope' }, ...['class', 'grade', 'school'].map((s) => c.el('option', { value: s }, c.t(`home.msg.scope.${s}`))))),
    c.el('label', {}, c.el('span', {}, c.t('parent.msg.target')), c.el('input', { name: 'target', maxlength: '64', value: myClass })),
    c.el('label', {}, c.el('span', {}, c.t('parent.msg.title')), c.el('input', { name: 'title', required: '', maxlength: '100' })),
    c.el('label', {}, c.el('span', {}, c.t('parent.msg.body')), c.el('textarea', { name: 'body', rows: '4', maxlength: '5000' })),
    c.el('label', {}, c.el('span', {}, c.t('parent.msg.images')), c.el('input', { name: 'images', type: 'file', accept: 'image/jpeg,image/png,image/gif,image/webp', multiple: '' })),
    c.el('label', {}, c.el('span', {}, c.t('parent.msg.files')), c.el('input', { name: 'files', type: 'file', multiple: '' })),
    c.el('button', { type: 'submit' }, c.t('parent.msg.publish')),
    c.el('span', { id: 'notice-msg', role: 'status' }),
  );
  const mine = c.el('ul', { id: 'my-notices', class: 'list' });
  const inbox = c.el('ul', { id: 'inbox', class: 'list' });
  const formNew = c.el('form', { id: 'form-new', class: 'card form' },
    c.el('label', {}, c.el('span', {}, c.t('parent.home.class')), c.el('input', { name: 'classId', required: '', maxlength: '64', value: myClass })),
    c.el('label', {}, c.el('span', {}, c.t('parent.msg.title')), c.el('input', { name: 'title', required: '', maxlength: '100' })),
    c.el('label', {}, c.el('span', {}, c.t('parent.msg.form_fields')), c.el('textarea', { name: 'fields', rows: '3', required: '' })),
    c.el('button', { type: 'submit' }, c.t('parent.msg.form_create')),
    c.el('span', { id: 'form-new-msg', role: 'status' }),
  );
  const classForms = c.el('ul', { id: 'class-forms', class: 'list' });
  root.append(
    c.el('h2', {}, c.t('parent.msg.post_title')), post,
    c.el('h2', {}, c.t('parent.msg.my_notices')), mine,
    c.el('h2', {}, c.t('parent.msg.inbox')), inbox,
    c.el('h2', {}, c.t('parent.msg.form_new')), formNew,
    c.el('h2', {}, c.t('parent.msg.class_forms')), classForms,
  );

  const upload = async (noticeId, kind, file) => {
    const res = await fetch(`/api/staff${base}/home/notices/${encodeURIComponent(noticeId)}/files?kind=${kind}&name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/octet-stream', ...csrf },
      body: file,
    });
    if (!res.ok) {
      const j = await res.json().catch(() => null);
      throw new Error((j && j.error && j.error.message[c.locale]) || res.statusText);
    }
  };
  post.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = post.elements;
    const out = document.getElementById('notice-msg');
    let draft = null;
    try {
      draft = (await c.staffApi('POST', `${base}/home/notices`, { scope: f.scope.value, target: f.target.value.trim(), title: f.title.value.trim(), body: f.body.value, publish: false })).notice.id;
      for (const file of f.images.files) await upload(draft, 'image', file);
      for (const file of f.files.files) await upload(draft, 'file', file);
      const p = await c.staffApi('POST', `${base}/home/notices/${encodeURIComponent(draft)}/publish`);
      draft = null;
      out.textContent = c.t('parent.msg.published', { count: p.recipients });
      f.title.value = '';
      f.body.value = '';
      f.images.value = '';
      f.files.value = '';
      await loadMine();
    } catch (err) {
      out.textContent = err.message;
      // A refused file (or no one to reach): the draft goes; the form keeps what was typed.
      if (draft) await c.staffApi('DELETE', `${base}/home/notices/${encodeURIComponent(draft)}`).catch(() => undefined);
    }
  });

  const loadMine = async () => {
    const list = (await c.staffApi('GET', `${base}/home/notices`)).notices;
    mine.replaceChildren();
    if (list.length === 0) mine.append(c.el('li', { class: 'muted' }, c.t('parent.home.none')));
    for (const n of list) {
      const msg = c.el('span', { role: 'status', class: 'remind-msg' }, n.remindedAt ? c.t('parent.msg.reminded', { count: n.remindedCount, time: c.fmt(n.remindedAt) }) : '');
      const unreadBtn = c.el('button', { type: 'button', class: 'unread-list' }, c.t('parent.msg.unread_list'));
      const remind = c.el('button', { type: 'button', class: 'remind' }, c.t('parent.msg.remind'));
      remind.disabled = !!n.remindedAt || n.read >= n.recipients;
      const who = c.el('ul', { class: 'list unread' });
      const li = c.el('li', { 'data-notice': n.id }, c.el('strong', {}, `${n.title} `), c.el('span', { class: 'read-count' }, c.t('parent.msg.read_count', { read: n.read, total: n.recipients })), c.el('p', { class: 'notice-body' }, n.body));
      li.append(fileViews(c, n.files, (f) => `/api/staff${base}/home/notices/${encodeURIComponent(n.id)}/files/${encodeURIComponent(f.id)}`, {}), c.el('div', { class: 'actions' }, unreadBtn, remind, msg), who);
      unreadBtn.addEventListener('click', async () => {
        const r = await c.staffApi('GET', `${base}/home/notices/${encodeURIComponent(n.id)}/receipts`);
        who.replaceChildren(...(r.unread.length ? r.unread.map((u) => c.el('li', {}, `${u.guardianName} · ${u.students}`)) : [c.el('li', { class: 'muted' }, c.t('parent.home.none'))]));
      });
      remind.addEventListener('click', async () => {
        remind.disabled = true;
        try {
          const r = await c.staffApi('POST', `${base}/home/notices/${encodeURIComponent(n.id)}/remind`);
          msg.textContent = c.t('parent.msg.reminded', { count: r.reminded, time: c.fmt(r.remindedAt) });
        } catch (err) {
          msg.textContent = err.message;
        }
      });
      mine.append(li);
    }
  };

  const loadInbox = async () => {
    const list = (await c.staffApi('GET', '/home/threads')).threads;
    inbox.replaceChildren();
    if (list.length === 0) inbox.append(c.el('li', { class: 'muted' }, c.t('parent.home.none')));
    for (const th of list) {
      const li = c.el('li', { 'data-thread': th.id }, c.el('strong', {}, `${th.studentName}（${th.classId}）· ${th.guardianName}${th.relation ? '（' + th.relation + '）' : ''} `), th.unread ? c.el('span', { class: 'status status-pending' }, String(th.unread)) : '', c.el('div', { class: 'muted last' }, th.lastBody));
      const openBtn = c.el('button', { type: 'button', class: 'open-thread' }, c.t('parent.msg.open'));
      li.append(openBtn);
      openBtn.addEventListener('click', async () => {
        openBtn.remove();
        const full = await c.staffApi('GET', `/home/threads/${encodeURIComponent(th.id)}`);
        const msgs = c.el('ul', { class: 'messages' }, ...full.messages.map((m) => c.el('li', { class: `from-${m.sender}` }, c.el('span', { class: 'muted' }, `${m.sender === 'staff' ? c.t('parent.msg.me') : th.guardianName} ${c.fmt(m.createdAt)}`), c.el('div', {}, m.body))));
        const area = c.el('textarea', { name: 'body', rows: '2', maxlength: '2000', required: '' });
        const status = c.el('span', { role: 'status' });
        const form = c.el('form', { class: 'form reply-form' }, area, c.el('button', { type: 'submit' }, c.t('parent.msg.reply')), status);
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          try {
            const m = await c.staffApi('POST', `/home/threads/${encodeURIComponent(th.id)}/messages`, { body: area.value });
            msgs.append(c.el('li', { class: 'from-staff' }, c.el('span', { class: 'muted' }, `${c.t('parent.msg.me')} ${c.fmt(m.createdAt)}`), c.el('div', {}, m.body)));
            area.value = '';
            status.textContent = c.t('parent.msg.sent');
          } catch (err) {
            status.textContent = err.message;
          }
        });
        li.append(msgs, form);
      });
      inbox.append(li);
    }
  };

  /** "名称" → text; "名称?" → yes/no; "名称:A/B/C" → one of the options. */
  const parseFields = (text) =>
    text.split('\n').map((l) => l.trim()).filter(Boolean).map((l, i) => {
      const m = /^(.+?)[:：](.+)$/.exec(l);
      if (m) return { id: `f${i + 1}`, label: m[1].trim(), type: 'choice', options: m[2].split(/[/／]/).map((o) => o.trim()).filter(Boolean) };
      if (/[?？]$/.test(l)) return { id: `f${i + 1}`, label: l.slice(0, -1).trim(), type: 'yesno' };
      return { id: `f${i + 1}`, label: l, type: 'text' };
    });
  formNew.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = formNew.elements;
    const out = document.getElementById('form-new-msg');
    try {
      await c.staffApi('POST', `${base}/classes/${encodeURIComponent(f.classId.value.trim())}/forms`, { title: f.title.value.trim(), fields: parseFields(f.fields.value) });
      out.textContent = c.t('parent.msg.form_created');
      f.title.value = '';
      f.fields.value = '';
      await loadForms();
    } catch (err) {
      out.textContent = err.message;
    }
  });

  const loadForms = async () => {
    const classId = formNew.elements.classId.value.trim();
    classForms.replaceChildren();
    if (!classId) return;
    const path = `${base}/classes/${encodeURIComponent(classId)}/forms`;
    let list = [];
    try {
      list = (await c.staffApi('GET', path)).forms;
    } catch {
      /* not a class of this teacher */
    }
    if (list.length === 0) classForms.append(c.el('li', { class: 'muted' }, c.t('parent.home.none')));
    for (const fm of list) {
      const show = c.el('button', { type: 'button', class: 'show-answers' }, c.t('parent.msg.form_answers', { answered: fm.answered, total: fm.total }));
      const li = c.el('li', { 'data-form': fm.id }, c.el('strong', {}, `${fm.title} `), show, c.el('a', { href: `/api/staff${path}/${encodeURIComponent(fm.id)}/export`, class: 'export', download: `${fm.title}.csv` }, c.t('parent.msg.export')));
      show.addEventListener('click', async () => {
        const a = await c.staffApi('GET', `${path}/${encodeURIComponent(fm.id)}`);
        const table = c.el('table', { class: 'answers' }, c.el('tr', {}, c.el('th', {}, c.t('home.msg.export.student')), ...a.form.fields.map((f) => c.el('th', {}, f.label))));
        const cell = (v) => (v === null || v === undefined ? '' : typeof v === 'boolean' ? c.t(v ? 'home.msg.yes' : 'home.msg.no') : Array.isArray(v) ? v.join('、') : String(v));
        for (const r of a.rows) table.append(c.el('tr', { 'data-student': r.studentKey, class: r.answered ? '' : 'overdue' }, c.el('td', {}, r.name), ...a.form.fields.map((f) => c.el('td', {}, r.answers ? cell(r.answers[f.id]) : c.t('parent.msg.not_answered')))));
        li.querySelector('table')?.remove();
        li.querySelector('.not-answered')?.remove();
        li.append(table, c.el('p', { class: 'not-answered' }, `${c.t('parent.msg.not_answered')}：${a.notAnswered.map((x) => x.name).join('、') || c.t('parent.home.none')}`));
      });
      classForms.append(li);
    }
  };
  formNew.elements.classId.addEventListener('change', () => loadForms().catch(() => undefined));

  await Promise.all([loadMine(), loadInbox(), loadForms()]);
}
