import type { ApiRequest, Emulator } from '../emulator.ts';
import { invalidParam, invalidRequest, resourceMissing } from '../errors.ts';
import { newId } from '../ids.ts';
import { requireCustomer } from '../lookups.ts';
import { registerPortalPage } from '../pages/portal-page.ts';
import type { PortalSessionRecord } from '../records.ts';

/** The configuration every session uses unless one is named: Stripe's default (cancel at period end). */
export const DEFAULT_PORTAL_CONFIGURATION = 'bpc_emulator_default';

const KNOWN_PARAMS = ['customer', 'return_url', 'configuration', 'locale', 'on_behalf_of', 'expand'];

/** The hosted page of a portal session, where its customer manages cards, invoices and subscriptions. */
export function portalUrl(emu: Emulator, sessionId: string): string {
  return `${emu.url}/p/session/${sessionId}`;
}

function create(req: ApiRequest): PortalSessionRecord {
  const { emu, params: p } = req;
  for (const key of Object.keys(p.params)) {
    if (key === 'flow_data') {
      throw invalidRequest(
        'flow_data is not supported by the emulator: the portal page offers every action itself.',
        'flow_data',
        'parameter_unknown',
      );
    }
    if (!KNOWN_PARAMS.includes(key))
      throw invalidRequest(`Received unknown parameter: ${key}`, key, 'parameter_unknown');
  }
  const customer = requireCustomer(emu, p.string('customer', { required: true }), 'customer');
  const returnUrl = p.string('return_url') ?? null;
  if (returnUrl !== null && !isHttpUrl(returnUrl))
    throw invalidParam('return_url', `Not a valid URL: ${returnUrl}`);
  const configuration = p.string('configuration') ?? DEFAULT_PORTAL_CONFIGURATION;
  if (!/^bpc_[A-Za-z0-9_]+$/.test(configuration))
    throw resourceMissing('billing_portal.configuration', configuration, 'configuration');
  const locale = p.string('locale') ?? null;
  if (locale !== null && !/^(auto|[a-z]{2}(-[A-Za-z]{2,4})?)$/.test(locale))
    throw invalidParam('locale', `Invalid locale: ${locale}`);
  const id = newId('bps');
  const session = {
    id,
    object: 'billing_portal.session',
    configuration,
    created: emu.timeForCustomer(customer.id),
    customer: customer.id,
    customer_account: null,
    flow: null,
    livemode: false,
    locale,
    on_behalf_of: p.string('on_behalf_of') ?? null,
    return_url: returnUrl,
    url: portalUrl(emu, id),
  } as unknown as PortalSessionRecord;
  emu.store.put('billing_portal_sessions', session);
  return session;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `billing_portal/sessions` (create only, as at Stripe) and the hosted portal page at each session's `url`. */
export function registerBillingPortal(emu: Emulator): void {
  emu.route('post', '/v1/billing_portal/sessions', create);
  registerPortalPage(emu);
}
