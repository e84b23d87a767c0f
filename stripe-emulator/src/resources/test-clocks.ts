import { approximateIntervalSeconds } from '../billing-periods.ts';
import type { ApiRequest, Emulator } from '../emulator.ts';
import { invalidParam, invalidRequest } from '../errors.ts';
import { paginate } from '../expand.ts';
import { newId } from '../ids.ts';
import { requireCustomer, requireTestClock } from '../lookups.ts';
import type { CustomerRecord, SubscriptionRecord, TestClockRecord } from '../records.ts';
import { render, type StoredObject } from '../store.ts';

const TWO_YEARS = 2 * 366 * 86_400;
/** Stripe deletes a test clock and its objects 30 days after it is created. */
const LIFETIME = 30 * 86_400;

function create(req: ApiRequest): TestClockRecord {
  const { emu, params: p } = req;
  const frozenTime = p.integer('frozen_time', { required: true, min: 0 });
  const name = p.string('name') ?? null;
  if (name !== null && name.length > 300)
    throw invalidParam('name', 'The name must be at most 300 characters.');
  const customerId = p.string('customer');
  let customer: CustomerRecord | undefined;
  if (customerId) {
    customer = requireCustomer(emu, customerId, 'customer');
    if (customer.test_clock)
      throw invalidParam('customer', `The customer ${customerId} is already attached to a test clock.`);
  }
  const created = emu.now();
  const clock = {
    id: newId('clock'),
    object: 'test_helpers.test_clock',
    created,
    deletes_after: created + LIFETIME,
    frozen_time: frozenTime,
    livemode: false,
    name,
    status: 'ready',
    status_details: {},
  } as unknown as TestClockRecord;
  emu.store.put('test_clocks', clock);
  // Attaching an existing customer is permanent, as at Stripe (dahlia's `customer` parameter).
  if (customer) {
    customer.test_clock = clock.id;
    emu.store.changed();
  }
  emu.emitEvent('test_helpers.test_clock.created', clock, { request: req.eventRequest });
  return clock;
}

/** The latest time a clock may be moved to: two intervals of its shortest subscription, else two years. */
function advanceLimit(emu: Emulator, clock: TestClockRecord): number {
  let shortest = TWO_YEARS / 2;
  for (const sub of emu.store.collection<SubscriptionRecord>('subscriptions').values()) {
    if (sub.test_clock !== clock.id || sub.status === 'canceled' || sub.status === 'incomplete_expired')
      continue;
    for (const item of sub.items.data) {
      if (item.price.recurring)
        shortest = Math.min(shortest, approximateIntervalSeconds(item.price.recurring));
    }
  }
  return clock.frozen_time + 2 * shortest;
}

/**
 * Moves a clock forward and runs everything that falls due on its objects (renewals, retries,
 * period ends) before answering. The answer says `advancing`, as Stripe's does; the next retrieve
 * (and the `test_helpers.test_clock.ready` event) says `ready`.
 */
async function advance(req: ApiRequest): Promise<TestClockRecord> {
  const { emu, params: p } = req;
  const clock = requireTestClock(emu, req.path.id!);
  if (clock.status !== 'ready') {
    throw invalidRequest(
      `The test clock ${clock.id} is currently ${clock.status}; wait until it is ready before advancing it again.`,
      undefined,
      'test_clock_not_ready',
    );
  }
  const target = p.integer('frozen_time', { required: true, min: 0 });
  if (target <= clock.frozen_time) {
    throw invalidParam(
      'frozen_time',
      `The frozen_time ${target} must be after the test clock's current frozen time (${clock.frozen_time}).`,
    );
  }
  const limit = advanceLimit(emu, clock);
  if (target > limit) {
    throw invalidParam(
      'frozen_time',
      `Cannot advance the test clock beyond ${limit}: at most two intervals of the shortest subscription on it (two years when it has none).`,
    );
  }
  const from = clock.frozen_time;
  clock.status = 'advancing';
  clock.status_details = { advancing: { target_frozen_time: target } };
  emu.store.changed();
  const answer = render(clock);
  emu.emitEvent('test_helpers.test_clock.advancing', clock, { request: req.eventRequest });
  clock.frozen_time = target;
  try {
    await emu.runTimeListeners(clock.id, from, target);
  } catch (err) {
    clock.status = 'internal_failure';
    clock.status_details = {};
    emu.store.changed();
    emu.emitEvent('test_helpers.test_clock.internal_failure', clock, { request: null });
    throw err;
  }
  clock.status = 'ready';
  clock.status_details = {};
  emu.store.changed();
  emu.emitEvent('test_helpers.test_clock.ready', clock, { request: null });
  return answer;
}

/** Deleting a clock deletes the customers on it and their subscriptions and invoices, as Stripe does. */
function remove(req: ApiRequest): { id: string; object: string; deleted: true } {
  const { emu } = req;
  const clock = requireTestClock(emu, req.path.id!);
  const customers = [...emu.store.collection<CustomerRecord>('customers').values()].filter(
    (c) => c.test_clock === clock.id,
  );
  const customerIds = new Set(customers.map((c) => c.id));
  const invoiceIds = new Set<string>();
  for (const name of ['subscriptions', 'invoices'] as const) {
    for (const obj of [...emu.store.collection<StoredObject & { customer?: unknown }>(name).values()]) {
      if (typeof obj.customer !== 'string' || !customerIds.has(obj.customer)) continue;
      if (name === 'invoices') invoiceIds.add(obj.id);
      emu.store.delete(name, obj.id);
    }
  }
  for (const payment of [
    ...emu.store.collection<StoredObject & { invoice?: unknown }>('invoice_payments').values(),
  ]) {
    if (typeof payment.invoice === 'string' && invoiceIds.has(payment.invoice))
      emu.store.delete('invoice_payments', payment.id);
  }
  for (const c of customers) emu.store.delete('customers', c.id);
  emu.store.delete('test_clocks', clock.id);
  emu.emitEvent('test_helpers.test_clock.deleted', clock, { request: req.eventRequest });
  return { id: clock.id, object: 'test_helpers.test_clock', deleted: true };
}

/** `test_helpers/test_clocks`: create, retrieve, list, delete and advance. */
export function registerTestClocks(emu: Emulator): void {
  emu.route('post', '/v1/test_helpers/test_clocks', create);
  emu.route('get', '/v1/test_helpers/test_clocks', (req) =>
    paginate(
      [...req.emu.store.collection<TestClockRecord>('test_clocks').values()],
      req.params,
      '/v1/test_helpers/test_clocks',
    ),
  );
  emu.route('post', '/v1/test_helpers/test_clocks/:id/advance', advance);
  emu.route('get', '/v1/test_helpers/test_clocks/:id', (req) => requireTestClock(req.emu, req.path.id!));
  emu.route('delete', '/v1/test_helpers/test_clocks/:id', remove);
}
