import type { Params } from '@campus/protocol/i18n';
import { problem as rosterProblem, type RosterMessageId, type RosterProblem } from '@campus/protocol/roster/index';
import type { SheetMessageId } from '@campus/protocol/sheets/messages';
import '@campus/protocol/sheets/messages';

export type { RosterProblem };

/** A roster problem: protocol's roster texts, or why the edge's spreadsheet reader refused a file. */
export function problem(code: RosterMessageId | SheetMessageId, row: number | null, column: string | null, params: Params = {}): RosterProblem {
  return rosterProblem(code, row, column, params);
}
