import type { RosterProblemView } from '../access/api.js';
import { bilingual, type Params } from '../i18n/index.js';
import './messages.js';

export type RosterProblem = RosterProblemView;

/** One problem of a roster file, its text in both languages (`code` is a message id: roster's or a host's reader's). */
export function problem(code: string, row: number | null, column: string | null, params: Params = {}): RosterProblem {
  return { row, column, code, message: bilingual(code, { row: row ?? '', column: column ?? '', ...params }) };
}
