/**
 * Phone numbers were stored as written until protocol/phone made them canonical at every
 * entry point; a school that entered "+8613812345678" has guardians who now sign in as
 * "13812345678". This migration rewrites the mainland-mobile forms with a country code
 * (+86, 0086, 86) in the stored data to the canonical 11 digits, so those guardians keep
 * their children, prefs, push subscriptions, notices and threads. A row whose canonical
 * form already exists in the same table (the person had signed in both ways) is left as it
 * was rather than merged: nothing is overwritten or lost. One-time codes in flight are
 * dropped (they live minutes). Spaces and dashes never reached storage (the old check
 * refused them), so only the country code needs rewriting.
 */
const WITH_CODE = `'^(\\+86|0086|86)1[0-9]{10}$'`;
const canon = (col: string) => `substring(${col} from '(1[0-9]{10})$')`;

/** Tables that key or list people by phone, and the column. */
const PHONE_COLUMNS: ReadonlyArray<readonly [table: string, column: string]> = [
  ['guardian_accounts', 'phone'],
  ['parent_sessions', 'phone'],
  ['push_subscriptions', 'phone'],
  ['notices', 'phone'],
  ['staff_accounts', 'phone'],
  ['bus_requests', 'applicant_phone'],
  ['hs_leave_requests', 'applicant_phone'],
  ['hs_visit_requests', 'applicant_phone'],
  ['hs_notice_recipients', 'phone'],
  ['hs_threads', 'guardian_phone'],
  ['hs_form_answers', 'guardian_phone'],
  ['hs_health_declarations', 'guardian_phone'],
];

const columnSql = ([table, col]: readonly [string, string]) =>
  `UPDATE ${table} t SET ${col} = ${canon(`t.${col}`)} WHERE t.${col} ~ ${WITH_CODE} AND NOT EXISTS (SELECT 1 FROM ${table} o WHERE o.${col} = ${canon(`t.${col}`)});`;

export const PHONE_MIGRATION = {
  id: 42,
  name: 'phone numbers in canonical form (mainland mobiles without +86)',
  sql: [
    `UPDATE records SET data = jsonb_set(data, '{phone}', to_jsonb(${canon(`data->>'phone'`)})) WHERE jsonb_typeof(data->'phone') = 'string' AND data->>'phone' ~ ${WITH_CODE};`,
    `DELETE FROM otp_codes WHERE phone ~ ${WITH_CODE};`,
    `DELETE FROM staff_otp_codes WHERE phone ~ ${WITH_CODE};`,
    ...PHONE_COLUMNS.map(columnSql),
  ].join('\n'),
};
