import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StripeApiError } from '../errors.ts';
import { EmulatorStore, type StoredObject } from '../store.ts';

type Customer = StoredObject & { name: string; metadata: Record<string, string> };

function customer(id: string, name: string): Customer {
  return { id, object: 'customer', name, metadata: {} };
}

const keepNothing = () => false;

test('a failed transaction puts back in-place changes, creations, deletions (in order) and the time offset', async () => {
  const store = new EmulatorStore();
  for (const id of ['cus_a', 'cus_b', 'cus_c']) store.put('customers', customer(id, id));
  const a = store.get<Customer>('customers', 'cus_a')!;
  await assert.rejects(
    store.transaction(async () => {
      const live = store.get<Customer>('customers', 'cus_a')!;
      live.name = 'changed';
      live.metadata.plan = 'pro';
      store.delete('customers', 'cus_b');
      store.put('customers', customer('cus_new', 'new'));
      store.timeOffsetSeconds += 3600;
      throw new StripeApiError(400, { type: 'invalid_request_error', message: 'refused' });
    }, keepNothing),
    /refused/,
  );
  assert.deepEqual([...store.collection('customers').keys()], ['cus_a', 'cus_b', 'cus_c']);
  assert.equal(store.get<Customer>('customers', 'cus_a'), a, 'restored in place: references stay valid');
  assert.deepEqual(a, customer('cus_a', 'cus_a'));
  assert.equal(store.timeOffsetSeconds, 0);
});

test('a transaction that succeeds, or fails with an error it keeps, changes the store', async () => {
  const store = new EmulatorStore();
  await store.transaction(async () => store.put('customers', customer('cus_ok', 'ok')), keepNothing);
  await assert.rejects(
    store.transaction(
      async () => {
        store.put('payment_intents', { id: 'pi_declined', object: 'payment_intent' });
        throw new StripeApiError(402, { type: 'card_error', message: 'declined' });
      },
      (err) => err instanceof StripeApiError && err.status === 402,
    ),
  );
  assert.ok(store.get('customers', 'cus_ok'));
  assert.ok(store.get('payment_intents', 'pi_declined'), 'a kept error keeps its changes');
});

test('work started outside the transaction is not rolled back with it', async () => {
  const store = new EmulatorStore();
  let background: Promise<void> = Promise.resolve();
  await assert.rejects(
    store.transaction(async () => {
      background = store.outsideTransaction(
        () =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              store.put('customers', customer('cus_background', 'background'));
              resolve();
            }, 5),
          ),
      );
      await background;
      store.put('customers', customer('cus_inside', 'inside'));
      throw new Error('crash');
    }, keepNothing),
    /crash/,
  );
  await background;
  assert.ok(store.get('customers', 'cus_background'));
  assert.equal(store.get('customers', 'cus_inside'), undefined);
});

test('a nested transaction joins the outer one', async () => {
  const store = new EmulatorStore();
  await assert.rejects(
    store.transaction(async () => {
      await store.transaction(
        async () => store.put('customers', customer('cus_inner', 'inner')),
        keepNothing,
      );
      throw new Error('outer fails');
    }, keepNothing),
  );
  assert.equal(store.get('customers', 'cus_inner'), undefined);
});
