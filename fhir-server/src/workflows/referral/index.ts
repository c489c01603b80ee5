import type { WriteRule } from '../../hooks/write-rules.js';
import { referralTaskRule } from './rule.js';
import { slotBookingRule } from './slot-rule.js';

/** The write rules of two-way referral (docs/workflows.md, "Two-way referral"). */
export const REFERRAL_RULES: readonly WriteRule[] = [referralTaskRule, slotBookingRule];
