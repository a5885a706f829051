import { translate, type Catalogue, type Locale, type Params } from '@campus/protocol/i18n';

/** What the panel logs for an id no catalogue knows; the Playwright tests fail on it. */
export const MISSING_MESSAGE = 'i18n: missing message id';

/**
 * A missing id would show as the id itself ("panel.access.direction.sideways"). In tests
 * (vitest sets MODE=test) it throws, so the test that renders it fails; in the browser it
 * logs an error, which the panel's Playwright tests collect and fail on.
 */
export function reportMissingMessage(id: string): void {
  const message = `${MISSING_MESSAGE} "${id}"`;
  if (import.meta.env?.MODE === 'test') throw new Error(message);
  console.error(message);
}

/** The one way the panel formats its own strings: protocol's `translate`, refusing unknown ids. */
export function panelTranslate(locale: Locale, id: string, params?: Params, catalogue?: Catalogue): string {
  const text = translate(locale, id, params, catalogue);
  if (text === id) reportMissingMessage(id);
  return text;
}
