import { bilingual, type Params } from '@campus/protocol/i18n';
import type { RosterProblemView } from '@campus/protocol/access/index';
import type { AccessMessageId } from '../messages.js';
import type { SheetMessageId } from '../../sheets/messages.js';
import '../messages.js';
import '../../sheets/messages.js';

export type RosterProblem = RosterProblemView;

export function problem(code: AccessMessageId | SheetMessageId, row: number | null, column: string | null, params: Params = {}): RosterProblem {
  return { row, column, code, message: bilingual(code, { row: row ?? '', column: column ?? '', ...params }) };
}
