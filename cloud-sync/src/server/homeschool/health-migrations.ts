/**
 * Health (晨检/健康申报), medical notes (特殊病史) and their audited reads, and the SMS
 * state of home-school alerts. Ids 26–28 are reserved for these (db/migrations.ts).
 */
export const HEALTH_MIGRATIONS = [
  {
    id: 26,
    name: 'home-school: morning checks, guardian health declarations, sealed medical notes and their read audit',
    sql: `
CREATE TABLE hs_health_checks (
  school_id text NOT NULL REFERENCES schools(id),
  -- Midnight of the school day (school time zone), ms.
  day bigint NOT NULL,
  student_key text NOT NULL,
  class_id text NOT NULL,
  -- Tenths of a degree Celsius (365 = 36.5 °C).
  temp_tenths integer NOT NULL,
  symptoms jsonb NOT NULL,
  note text NOT NULL DEFAULT '',
  checked_by text NOT NULL,
  checked_by_name text NOT NULL,
  checked_at bigint NOT NULL,
  PRIMARY KEY (school_id, day, student_key)
);
CREATE INDEX hs_health_checks_class ON hs_health_checks (school_id, class_id, day);
CREATE TABLE hs_health_declarations (
  school_id text NOT NULL REFERENCES schools(id),
  day bigint NOT NULL,
  student_key text NOT NULL,
  class_id text NOT NULL,
  temp_tenths integer NOT NULL,
  symptoms jsonb NOT NULL,
  note text NOT NULL DEFAULT '',
  guardian_phone text NOT NULL,
  guardian_name text NOT NULL,
  declared_at bigint NOT NULL,
  PRIMARY KEY (school_id, day, student_key)
);
CREATE INDEX hs_health_declarations_class ON hs_health_declarations (school_id, class_id, day);
-- One row per child: the notes themselves sealed (AES-256-GCM, key outside the database).
CREATE TABLE hs_medical_notes (
  school_id text NOT NULL REFERENCES schools(id),
  student_key text NOT NULL,
  sealed text NOT NULL,
  -- guardian (a phone number) | staff (an account id): who entered it; a guardian's entry records consent.
  entered_by_type text NOT NULL,
  entered_by text NOT NULL,
  entered_by_name text NOT NULL,
  consent_at bigint,
  updated_at bigint NOT NULL,
  PRIMARY KEY (school_id, student_key)
);
CREATE TABLE hs_medical_reads (
  id bigserial PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  student_key text NOT NULL,
  reader_account text NOT NULL,
  reader_name text NOT NULL,
  reader_role text NOT NULL,
  reason text NOT NULL,
  read_at bigint NOT NULL
);
CREATE INDEX hs_medical_reads_student ON hs_medical_reads (school_id, student_key, id DESC);
-- Alerts also go out by SMS, once: when it was sent (or given up on), and the outcome.
ALTER TABLE hs_alerts ADD COLUMN sms_at bigint;
ALTER TABLE hs_alerts ADD COLUMN sms_status text;
CREATE INDEX hs_alerts_sms ON hs_alerts (id) WHERE sms_at IS NULL;
`,
  },
];
