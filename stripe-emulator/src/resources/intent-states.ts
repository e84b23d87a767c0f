/**
 * The rules PaymentIntents and SetupIntents share: which states may be confirmed or canceled, the
 * parameter the API version removed, and how a confirmation finds its payment method.
 */
import { isTestPaymentMethodToken } from '../cards.ts';
import type { Emulator } from '../emulator.ts';
import { invalidRequest, missingParam, resourceMissing } from '../errors.ts';
import type { ParamReader } from '../params.ts';
import type { PaymentMethodRecord } from '../records.ts';

/** The two intent objects, as Stripe names them in messages. */
export type IntentKind = 'PaymentIntent' | 'SetupIntent';

/** The slice of an intent these rules read. */
interface IntentState {
  status: string;
  payment_method: string | { id: string } | null;
}

const UNEXPECTED_STATE: Record<IntentKind, string> = {
  PaymentIntent: 'payment_intent_unexpected_state',
  SetupIntent: 'setup_intent_unexpected_state',
};

/** `payment_method_types` was removed in API version 2026-09-30.endive; Stripe refuses it with a hint. */
export function rejectPaymentMethodTypes(p: ParamReader, kind: IntentKind): void {
  if (p.has('payment_method_types')) {
    throw invalidRequest(
      `payment_method_types can no longer be set on ${kind}s (API version 2026-09-30.endive); use automatic_payment_methods or excluded_payment_method_types.`,
      'payment_method_types',
      'payment_method_types_no_longer_supported',
    );
  }
}

/** Only an intent still waiting for a method, a confirmation or an authentication can be confirmed. */
export function assertConfirmable(intent: IntentState, kind: IntentKind): void {
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(intent.status)) {
    throw invalidRequest(
      `This ${kind}'s status is ${intent.status}, so it cannot be confirmed.`,
      undefined,
      UNEXPECTED_STATE[kind],
    );
  }
}

/** A succeeded or canceled intent cannot be canceled. */
export function assertCancelable(intent: IntentState, kind: IntentKind): void {
  if (intent.status === 'succeeded' || intent.status === 'canceled') {
    throw invalidRequest(
      `You cannot cancel this ${kind} because it has a status of ${intent.status}.`,
      undefined,
      UNEXPECTED_STATE[kind],
    );
  }
}

/** The method a confirmation uses: the `payment_method` param, else the one already on the intent. */
export function confirmationMethodId(p: ParamReader, intent: IntentState): string {
  const id =
    p.string('payment_method') ??
    (typeof intent.payment_method === 'string' ? intent.payment_method : undefined);
  if (!id) throw missingParam('payment_method');
  return id;
}

/**
 * The saved method a `payment_method` param names, looked up without creating anything (so a later
 * validation error changes nothing); null when the param is absent or a test token (`pm_card_visa`).
 */
export function savedMethodParam(emu: Emulator, id: string | undefined): PaymentMethodRecord | null {
  if (!id || isTestPaymentMethodToken(id)) return null;
  const pm = emu.store.get<PaymentMethodRecord>('payment_methods', id);
  if (!pm) throw resourceMissing('PaymentMethod', id, 'payment_method');
  return pm;
}
