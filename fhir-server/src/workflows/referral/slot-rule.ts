import type { Appointment, ServiceRequest, Slot } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import type { WriteRule } from '../../hooks/write-rules.js';
import { readLocal } from './organisation.js';
import { REFERRAL_CODE, RESOURCE_SYSTEM, SNOMED } from './vocabulary.js';

/** Appointment statuses that hold their slots. */
const HOLDING = ['proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'checked-in', 'waitlist'];

export function isQuotaSlot(slot: Slot): boolean {
  return !!slot.serviceCategory?.some((c) => c.coding?.some((x) => x.system === RESOURCE_SYSTEM && x.code === 'quota'));
}

function holds(appointment: Appointment | undefined): string[] {
  return appointment && HOLDING.includes(appointment.status) ? (appointment.slot ?? []).flatMap((s) => (s.reference ? [s.reference] : [])) : [];
}

/**
 * A slot holds one appointment (unless it is marked overbooked), and a slot an organisation keeps
 * for referrals (配额模式, 绿色通道) is booked only for a referral. The slot row is locked while
 * the appointment is written, so two bookings of one slot are decided one after the other and the
 * second is refused — together with everything in its transaction (the referral's step to
 * `scheduled` among it).
 */
export const slotBookingRule: WriteRule = {
  name: 'referral-slot-booking',
  types: ['Appointment'],
  async check(ctx, q, { resource, previous }) {
    const appointment = resource as Appointment;
    const already = new Set(holds(previous as Appointment | undefined));
    const wanted = holds(appointment);
    for (const ref of wanted) {
      if (already.has(ref)) continue;
      const expression = `Appointment.slot[${(appointment.slot ?? []).findIndex((s) => s.reference === ref)}]`;
      const slot = await readLocal<Slot>(ctx, q, ref, 'Slot', true);
      if (!slot) throw new FhirError('referral.slot-taken', { slot: ref, status: 'not found' }, expression);
      if (!slot.overbooked) {
        if (slot.status !== 'free' && slot.status !== 'busy') throw new FhirError('referral.slot-taken', { slot: ref, status: slot.status }, expression);
        const others = await q.query<{ id: string }>(
          `SELECT s.id FROM search_reference s
             JOIN search_token st ON st.resource_type = 'Appointment' AND st.id = s.id AND st.param = 'status' AND st.value = ANY($3::text[])
            WHERE s.resource_type = 'Appointment' AND s.param = 'slot' AND s.target_type = 'Slot' AND s.target_id = $1 AND s.id <> $2
            LIMIT 1`,
          [slot.id, appointment.id ?? '', HOLDING],
        );
        if (others.length > 0) throw new FhirError('referral.slot-taken', { slot: ref, status: slot.status }, expression);
      }
      if (isQuotaSlot(slot)) {
        const requests = await Promise.all((appointment.basedOn ?? []).map((b) => readLocal<ServiceRequest>(ctx, q, b, 'ServiceRequest')));
        const forReferral = requests.some((r) => r?.category?.some((c) => c.coding?.some((x) => x.system === SNOMED && x.code === REFERRAL_CODE)));
        if (!forReferral) throw new FhirError('referral.slot-quota', { slot: ref }, expression);
      }
    }
  },
};
