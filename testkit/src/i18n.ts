import { afterEach, beforeEach } from 'vitest';
import { onMissingMessage } from '@campus/protocol/i18n';

/**
 * A translation id rendered without a message shows the user a bare id. In tests it is
 * a failure: every id `translate`/`bilingual` could not find while a test ran fails that
 * test (after it ran, so the test's own assertions report first). A test that renders a
 * missing id on purpose (the fallback itself) calls `allowMissingMessages()`.
 */
const seen: string[] = [];
let allowed = false;
let registered = false;

export function allowMissingMessages(): void {
  allowed = true;
}

/** Ids rendered without a message during the current test. */
export function missingMessages(): readonly string[] {
  return seen;
}

/** Hooks the check into the current vitest file (the setup file calls it once per file). */
export function failOnMissingMessages(): void {
  if (registered) return;
  registered = true;
  onMissingMessage((id) => {
    if (!seen.includes(id)) seen.push(id);
  });
  beforeEach(() => {
    seen.length = 0;
    allowed = false;
  });
  afterEach(() => {
    const missing = seen.splice(0);
    const wasAllowed = allowed;
    allowed = false;
    if (missing.length > 0 && !wasAllowed) {
      throw new Error(`missing translation id(s) rendered: ${missing.join(', ')} — add them with defineMessages (zh-CN and en)`);
    }
  });
}
