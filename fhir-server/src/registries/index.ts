import type { WriteRule } from '../hooks/write-rules.js';
import { REVIEW_RULE } from './cancer/review.js';
import { SUBMIT_RULE } from './cancer/submit.js';
import { FOLLOW_UP_RULE } from './chronic/follow-up.js';
import { DEATH_LINKAGE_RULE } from './death.js';

/** The registries' write rules (docs/registries.md), one spread line in WRITE_RULES. */
export const REGISTRY_RULES: readonly WriteRule[] = [SUBMIT_RULE, REVIEW_RULE, DEATH_LINKAGE_RULE, FOLLOW_UP_RULE];
