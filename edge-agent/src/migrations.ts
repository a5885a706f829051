import { SCHOOL_MIGRATIONS } from './school/migrations.js';
import { CORE_MIGRATIONS, type Migration } from './store/migrations.js';
import { DOMAINS } from './domains.js';

/**
 * Every migration of this build, in the order they are applied: the edge's core, the
 * school's shared facts, then each registered domain's own list (src/domains.ts).
 */
export const ALL_MIGRATIONS: readonly Migration[] = [...CORE_MIGRATIONS, ...SCHOOL_MIGRATIONS, ...DOMAINS.flatMap((d) => d.migrations)];
