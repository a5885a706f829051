import type { Locale } from '@campus/protocol/i18n';
import { panelTranslate } from '../i18n/translate';
import type { ApiError } from './client';
import '../i18n/messages';

/** The edge refused the request because of what was typed (edge-agent/src/http/errors.ts). */
export const INVALID_REQUEST = 'request.invalid';
/** A write to records the cloud owns, refused by an edge that syncs with a cloud (409). */
export const CLOUD_OWNED = 'sync.cloud_owned';

/**
 * The request fields the edge refused, as dotted paths ("reason", "gates.0"), from the
 * issues a `request.invalid` answer lists in its details. Empty for any other error.
 */
export function refusedFields(err: ApiError): string[] {
  if (err.code !== INVALID_REQUEST || !Array.isArray(err.details)) return [];
  const paths = err.details.flatMap((issue: unknown) => {
    const path = (issue as { path?: unknown } | null)?.path;
    return typeof path === 'string' ? [path] : [];
  });
  return [...new Set(paths)];
}

/**
 * What a form shows for a refusal, in the user's language. The edge's own sentence is
 * specific for every rule it checks (unknown student, window too long, cloud-owned); for
 * a refused field the edge can only quote its schema, in English, so the form names the
 * fields by their labels instead. `labels` maps a request field (its first path segment)
 * to the label the form shows.
 */
export function formErrorText(err: ApiError, locale: Locale, labels: Readonly<Record<string, string>> = {}): string {
  const named = refusedFields(err)
    .map((path) => labels[path.split('.')[0]!])
    .filter((label): label is string => label !== undefined);
  if (named.length > 0) return panelTranslate(locale, 'panel.error.fields', { fields: [...new Set(named)].join(locale === 'zh-CN' ? '、' : ', ') });
  return err.text[locale];
}
