/**
 * Home-school (家校) tables: leave applications and their decisions, class deputies and
 * staff absences (who decides when the head teacher is away), and in-app alerts. Appended
 * to the cloud's migration list as one migration (db/migrations.ts).
 */
export const HOMESCHOOL_MIGRATION = {
  id: 6,
  name: 'home-school: leave applications, class deputies, staff absences, alerts',
  sql: `
CREATE TABLE hs_leave_requests (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  student_key text NOT NULL,
  class_id text NOT NULL DEFAULT '',
  -- leave (请假) | early_exit (离校)
  kind text NOT NULL,
  from_at bigint NOT NULL,
  until_at bigint NOT NULL,
  -- illness | personal | family | other
  reason_kind text NOT NULL,
  reason text NOT NULL DEFAULT '',
  collector text NOT NULL DEFAULT '',
  -- The guardian's phone (application) or the staff account (a leave recorded by a teacher).
  applicant_phone text,
  applicant_account text,
  applicant_name text NOT NULL,
  -- pending | approved | rejected | cancelled
  status text NOT NULL,
  decided_by text,
  decided_by_name text,
  decided_at bigint,
  decision_note text,
  -- The cloud record (kind leave) an approval wrote; it reaches the edges by the change feed.
  leave_key text,
  exited_at bigint,
  returned_at bigint,
  overdue_alerted_at bigint,
  created_at bigint NOT NULL
);
CREATE INDEX hs_leave_requests_class ON hs_leave_requests (school_id, class_id, status, created_at DESC);
CREATE INDEX hs_leave_requests_student ON hs_leave_requests (school_id, student_key, created_at DESC);
CREATE INDEX hs_leave_requests_open ON hs_leave_requests (until_at) WHERE status = 'approved' AND overdue_alerted_at IS NULL;
CREATE TABLE hs_class_deputies (
  school_id text NOT NULL REFERENCES schools(id),
  class_id text NOT NULL,
  account_id text NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
  PRIMARY KEY (school_id, class_id)
);
CREATE TABLE hs_staff_absences (
  account_id text PRIMARY KEY REFERENCES staff_accounts(id) ON DELETE CASCADE,
  from_at bigint NOT NULL,
  until_at bigint NOT NULL
);
CREATE TABLE hs_alerts (
  id bigserial PRIMARY KEY,
  school_id text NOT NULL,
  kind text NOT NULL,
  subject_id text NOT NULL,
  -- staff (an account id) | guardian (a phone number)
  recipient_type text NOT NULL,
  recipient text NOT NULL,
  text_zh text NOT NULL,
  text_en text NOT NULL,
  created_at bigint NOT NULL,
  read_at bigint,
  UNIQUE (kind, subject_id, recipient_type, recipient)
);
CREATE INDEX hs_alerts_recipient ON hs_alerts (recipient_type, recipient, id DESC);
`,
};

/** Entry and visit applications (入校申请/访客) and the passes their approval issued. */
export const HOMESCHOOL_VISITS_MIGRATION = {
  id: 7,
  name: 'home-school: visit applications and their passes',
  sql: `
CREATE TABLE hs_visit_requests (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  applicant_phone text NOT NULL,
  visitor_name text NOT NULL,
  host_key text NOT NULL,
  purpose text NOT NULL,
  from_at bigint NOT NULL,
  until_at bigint NOT NULL,
  -- pending | approved | rejected
  status text NOT NULL,
  decided_by text,
  decided_by_name text,
  decided_at bigint,
  decision_note text,
  -- The visitor_pass record's key (the pass number on the QR) and the signed QR text.
  pass_no integer,
  credential text,
  created_at bigint NOT NULL,
  UNIQUE (school_id, pass_no)
);
CREATE INDEX hs_visit_requests_school ON hs_visit_requests (school_id, status, from_at);
CREATE INDEX hs_visit_requests_applicant ON hs_visit_requests (applicant_phone, created_at DESC);
`,
};

/** Class roll call (班级点名): who the teacher marked present in the room, per class and school day. */
export const HOMESCHOOL_ROLLCALL_MIGRATION = {
  id: 8,
  name: 'home-school: class roll call marks',
  sql: `
CREATE TABLE hs_roll_marks (
  school_id text NOT NULL REFERENCES schools(id),
  class_id text NOT NULL,
  -- Midnight of the school day (school time zone), ms.
  day bigint NOT NULL,
  student_key text NOT NULL,
  present boolean NOT NULL,
  marked_by text NOT NULL,
  marked_at bigint NOT NULL,
  PRIMARY KEY (school_id, class_id, day, student_key)
);
`,
};
