import { bilingual, type Params } from '../i18n/index.js';
import type { SheetMessageId } from './messages.js';
import './messages.js';

/** A spreadsheet refused or unreadable, with its reason in both languages. */
export class SheetError extends Error {
  readonly text: { 'zh-CN': string; en: string };
  constructor(
    readonly code: SheetMessageId,
    readonly params: Params = {},
  ) {
    const text = bilingual(code, params);
    super(`${text['zh-CN']} / ${text.en}`);
    this.name = 'SheetError';
    this.text = text;
  }
}
