import { bilingual, type Params } from '@campus/protocol/i18n/index';
import type { EnergyConfigErrorCode } from '@campus/protocol/energy/index';
// Registers the zh-CN/en texts of the codes below.
import '@campus/protocol/energy/index';

export interface ConfigIssue {
  code: EnergyConfigErrorCode;
  params: Params;
  text: { 'zh-CN': string; en: string };
}

export function issue(code: EnergyConfigErrorCode, params: Params): ConfigIssue {
  return { code, params, text: bilingual(`error.${code}`, params) };
}

/**
 * A meter, relay or map configuration a person must fix. Carries every problem
 * found (not just the first), each with its code and text in both languages.
 */
export class EnergyConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => i.text.en).join('; '));
    this.name = 'EnergyConfigError';
  }

  get code(): EnergyConfigErrorCode {
    return this.issues[0]!.code;
  }

  /** All problems, zh-CN first, one per line. */
  get text(): { 'zh-CN': string; en: string } {
    return {
      'zh-CN': this.issues.map((i) => i.text['zh-CN']).join('\n'),
      en: this.issues.map((i) => i.text.en).join('\n'),
    };
  }
}

export function configError(code: EnergyConfigErrorCode, params: Params): EnergyConfigError {
  return new EnergyConfigError([issue(code, params)]);
}
