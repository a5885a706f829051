/**
 * The one i18n mechanism for user-facing text: catalogues of message ids, each with
 * zh-CN (first, the default) and English, `{name}` placeholders. The edge, the cloud,
 * the PC agent and the panel all format through `translate`. Pure data and functions,
 * no Node APIs, so the browser bundle can import it.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export interface Message {
  'zh-CN': string;
  en: string;
}
export type Catalogue = Record<string, Message>;

const registry: Catalogue = {};

/** Adds messages to the shared registry. Ids are namespaced: "reason.access.granted". */
export function defineMessages<const C extends Catalogue>(catalogue: C): C {
  for (const [id, msg] of Object.entries(catalogue)) {
    const existing = registry[id];
    if (existing && (existing['zh-CN'] !== msg['zh-CN'] || existing.en !== msg.en)) {
      throw new Error(`i18n: message id "${id}" defined twice with different text`);
    }
    registry[id] = msg;
  }
  return catalogue;
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** Picks the best locale from an Accept-Language header or a stored preference. */
export function pickLocale(preference: string | undefined | null): Locale {
  if (!preference) return DEFAULT_LOCALE;
  for (const part of preference.split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return DEFAULT_LOCALE;
}

export type Params = Record<string, string | number | boolean | null | undefined>;

export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = params[key];
    return v === undefined || v === null ? whole : String(v);
  });
}

/** Is there a message with this id (in `catalogue` or the shared registry)? */
export function hasMessage(id: string, catalogue: Catalogue = registry): boolean {
  return (catalogue[id] ?? registry[id]) !== undefined;
}

type MissingMessageListener = (id: string) => void;
const missingListeners = new Set<MissingMessageListener>();

/**
 * Tells `listener` about every id rendered without a message (the user would see the bare
 * id). Tests use it to fail the test that renders a missing id; returns the unsubscribe.
 */
export function onMissingMessage(listener: MissingMessageListener): () => void {
  missingListeners.add(listener);
  return () => missingListeners.delete(listener);
}

/** Formats a message; an unknown id returns the id itself so nothing is silently blank. */
export function translate(locale: Locale, id: string, params?: Params, catalogue: Catalogue = registry): string {
  const msg = catalogue[id] ?? registry[id];
  if (!msg) {
    for (const l of missingListeners) l(id);
    return id;
  }
  return interpolate(msg[locale] ?? msg[DEFAULT_LOCALE], params);
}

/** Both languages at once, zh-CN first: used in logs, CLI errors and API error bodies. */
export function bilingual(id: string, params?: Params): { 'zh-CN': string; en: string } {
  return { 'zh-CN': translate('zh-CN', id, params), en: translate('en', id, params) };
}

export function allMessages(): Catalogue {
  return { ...registry };
}
