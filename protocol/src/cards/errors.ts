import { bilingual, type Params } from '../i18n/index.js';
import './messages.js';
import type { CardMessageId } from './messages.js';

/** One problem, with where it is and both texts, for CLI output and API bodies. */
export interface CardIssue {
  code: CardMessageId;
  params: Params;
  message: { 'zh-CN': string; en: string };
}

export function cardIssue(code: CardMessageId, params: Params = {}): CardIssue {
  return { code, params, message: bilingual(code, params) };
}

/** Thrown by card tooling; `issues` lists every problem found (a font missing many glyphs, ...). */
export class CardToolError extends Error {
  readonly code: CardMessageId;
  readonly params: Params;
  readonly texts: { 'zh-CN': string; en: string };

  constructor(
    code: CardMessageId,
    params: Params = {},
    readonly issues: CardIssue[] = [],
  ) {
    const texts = bilingual(code, params);
    super(`${texts['zh-CN']} / ${texts.en}`);
    this.name = 'CardToolError';
    this.code = code;
    this.params = params;
    this.texts = texts;
  }
}
