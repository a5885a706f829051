/**
 * Home-school messages (家校消息): announcements with their files, recipients and read
 * receipts; one-to-one threads between a guardian and a teacher of the child; class
 * information (teachers and subjects, timetable) and school rules. Appended to the
 * cloud's migration list (db/migrations.ts).
 */
export const HOMESCHOOL_MESSAGES_MIGRATION = {
  id: 23,
  name: 'home-school: announcements, read receipts, one-to-one messages, class information',
  sql: `
CREATE TABLE hs_notices (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  -- school | grade | class
  scope text NOT NULL,
  -- '' (school), the grade's class-id prefix ("三年级"), or the class id
  target text NOT NULL DEFAULT '',
  title text NOT NULL,
  body text NOT NULL,
  author_account text NOT NULL,
  author_name text NOT NULL,
  created_at bigint NOT NULL,
  -- NULL while a draft (files are being attached); recipients are fixed when published
  published_at bigint,
  recipients integer NOT NULL DEFAULT 0,
  -- The one reminder to those who have not read: when, by whom, to how many
  reminded_at bigint,
  reminded_by text,
  reminded_count integer
);
CREATE INDEX hs_notices_school ON hs_notices (school_id, created_at DESC);
CREATE TABLE hs_notice_files (
  id text PRIMARY KEY,
  notice_id text NOT NULL REFERENCES hs_notices(id) ON DELETE CASCADE,
  -- image | file
  kind text NOT NULL,
  name text NOT NULL,
  -- Detected from the content (never the uploader's claim)
  mime text NOT NULL,
  size integer NOT NULL,
  sha256 text NOT NULL,
  content bytea NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX hs_notice_files_notice ON hs_notice_files (notice_id);
CREATE TABLE hs_notice_recipients (
  notice_id text NOT NULL REFERENCES hs_notices(id) ON DELETE CASCADE,
  phone text NOT NULL,
  guardian_name text NOT NULL,
  -- The guardian's children the notice reached ("王小一（三年级1班）"), and their keys
  students text NOT NULL,
  student_keys text[] NOT NULL,
  read_at bigint,
  reminded_at bigint,
  PRIMARY KEY (notice_id, phone)
);
CREATE INDEX hs_notice_recipients_phone ON hs_notice_recipients (phone);
CREATE TABLE hs_threads (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  student_key text NOT NULL,
  teacher_account text NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
  guardian_phone text NOT NULL,
  guardian_name text NOT NULL,
  created_at bigint NOT NULL,
  last_at bigint NOT NULL,
  UNIQUE (school_id, student_key, teacher_account, guardian_phone)
);
CREATE INDEX hs_threads_teacher ON hs_threads (teacher_account, last_at DESC);
CREATE INDEX hs_threads_guardian ON hs_threads (guardian_phone, last_at DESC);
CREATE TABLE hs_thread_messages (
  id bigserial PRIMARY KEY,
  thread_id text NOT NULL REFERENCES hs_threads(id) ON DELETE CASCADE,
  -- guardian | staff
  sender text NOT NULL,
  body text NOT NULL,
  created_at bigint NOT NULL,
  read_at bigint
);
CREATE INDEX hs_thread_messages_thread ON hs_thread_messages (thread_id, id);
CREATE TABLE hs_class_teachers (
  school_id text NOT NULL REFERENCES schools(id),
  class_id text NOT NULL,
  account_id text NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
  subject text NOT NULL,
  PRIMARY KEY (school_id, class_id, account_id, subject)
);
CREATE TABLE hs_timetable (
  school_id text NOT NULL REFERENCES schools(id),
  class_id text NOT NULL,
  weekday smallint NOT NULL,
  period smallint NOT NULL,
  subject text NOT NULL,
  PRIMARY KEY (school_id, class_id, weekday, period)
);
CREATE TABLE hs_school_rules (
  school_id text PRIMARY KEY REFERENCES schools(id),
  body text NOT NULL,
  updated_at bigint NOT NULL
);
`,
};

/** 接龙-style forms (sign-up, reply slip) for a class, answered per child. */
export const HOMESCHOOL_FORMS_MIGRATION = {
  id: 24,
  name: 'home-school: class forms (接龙) and their answers per child',
  sql: `
CREATE TABLE hs_forms (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  class_id text NOT NULL,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  -- [{ id, label, type: text | number | choice | multi | yesno, options?, required }]
  fields jsonb NOT NULL,
  author_account text NOT NULL,
  author_name text NOT NULL,
  deadline bigint,
  created_at bigint NOT NULL
);
CREATE INDEX hs_forms_class ON hs_forms (school_id, class_id, created_at DESC);
CREATE TABLE hs_form_answers (
  form_id text NOT NULL REFERENCES hs_forms(id) ON DELETE CASCADE,
  student_key text NOT NULL,
  guardian_phone text NOT NULL,
  guardian_name text NOT NULL,
  answers jsonb NOT NULL,
  answered_at bigint NOT NULL,
  PRIMARY KEY (form_id, student_key)
);
`,
};
