/**
 * Setup for every test file (vitest.config.ts `setupFiles`): a test that renders a
 * translation id without a message fails.
 */
import { failOnMissingMessages } from './i18n.js';

failOnMissingMessages();
