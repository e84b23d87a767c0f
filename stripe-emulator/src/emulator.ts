import { type ServerType, serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import type Stripe from 'stripe';
import { apiError, invalidRequest, StripeApiError } from './errors.ts';
import { expandPaths, type Includable, type Includables } from './expand.ts';
import { newId, randomToken } from './ids.ts';
import { ParamReader, type Params, parseForm } from './params.ts';
import { EmulatorStore, render, type StoredObject } from './store.ts';
import { endpointWants, WebhookDispatcher, type WebhookEndpointRecord } from './webhooks.ts';

export const API_VERSION = '2026-10-28.endive';

export interface EmulatorOptions {
  /** Where state is saved; without it the emulator keeps everything in memory. */
  dataDir?: string;
  /** Webhook endpoints that exist from the start (e.g. the billing server's), with fixed secrets. */
  webhooks?: Array<{ url: string; secret: string; enabled_events?: string[] }>;
  /** Delay before retry N (the last value repeats). Stripe backs off over hours; tests want milliseconds. */
  webhookRetryDelaysMs?: number[];
  webhookMaxAttempts?: number;
  webhookTimeoutMs?: number;
  /** Base URL of hosted pages when the emulator is behind another address; defaults to where it listens. */
  publicUrl?: string;
}

export interface Faults {
  /** The next N API calls answer 500 `api_error`. */
  failNext: number;
  latencyMs: number;
  /** Probability that a webhook delivery is sent twice. */
  duplicateRate: number;
  /** Deliver due webhooks in random order. */
  shuffle: boolean;
  /**
   * Give up on every delivery at once, as Stripe does after its retry window: each is recorded as
   * failed on its event (`events.list({delivery_success: false})`) and never sent again.
   */
  dropWebhooks: boolean;
}

/** One API call as a resource handler sees it. */
export interface ApiRequest {
  emu: Emulator;
  params: ParamReader;
  path: Record<string, string>;
  requestId: string;
  idempotencyKey: string | null;
  /** The `request` member of events caused by this call. */
  eventRequest: { id: string | null; idempotency_key: string | null };
}

/** The `request` of an event: the API call that caused it, or null for automatic work (renewals). */
export type EventRequest = ApiRequest['eventRequest'] | null;

export type ApiHandler = (req: ApiRequest) => unknown | Promise<unknown>;

/** Work the emulator does when its time moves (renewals, period ends); `clockId` null = objects on no test clock. */
export type TimeListener = (clockId: string | null, from: number, to: number) => void | Promise<void>;

/** Work another resource does when a customer is deleted, before it is gone (its subscriptions end). */
export type CustomerDeleteListener = (customerId: string, request: EventRequest) => void;

/** What the `/v1` guard and `json()` leave on a request's context for the route and the idempotency layer. */
interface EmulatorEnv {
  Variables: {
    requestId: string;
    stripeParams: Params;
    /** The JSON text answered, kept so saving it for idempotent replay needs no body clone. */
    stripeBody: string | undefined;
  };
}

interface IdempotencyRecord extends StoredObject {
  object: 'idempotency_record';
  method: string;
  path: string;
  params: string;
  status: number;
  body: string;
  created: number;
}

const IDEMPOTENCY = '_idempotency';
/** Stripe may prune keys once they are 24 hours old; the emulator does, so its state does not grow forever. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * A stateful local Stripe. Resource modules register their routes with `route()`; the official SDK,
 * pointed at `url`, works against it unchanged.
 */
export class Emulator {
  readonly store: EmulatorStore;
  readonly app = new Hono<EmulatorEnv>();
  readonly options: Required<Omit<EmulatorOptions, 'dataDir' | 'webhooks' | 'publicUrl'>> & EmulatorOptions;
  readonly faults: Faults = {
    failNext: 0,
    latencyMs: 0,
    duplicateRate: 0,
    shuffle: false,
    dropWebhooks: false,
  };
  readonly includables: Includables = new Map();
  readonly webhooks: WebhookDispatcher;
  private readonly timeListeners: TimeListener[] = [];
  private readonly customerDeleteListeners: CustomerDeleteListener[] = [];
  private readonly inFlightKeys = new Set<string>();
  private idempotencyPrunedAt = 0;
  private server: ServerType | undefined;
  private listenUrl = '';

  constructor(options: EmulatorOptions = {}) {
    this.options = {
      webhookRetryDelaysMs: [1000, 5000, 30_000, 120_000, 600_000, 3_600_000],
      webhookMaxAttempts: 12,
      webhookTimeoutMs: 10_000,
      ...options,
    };
    this.store = new EmulatorStore(options.dataDir);
    this.webhooks = new WebhookDispatcher(this);
    this.installConfiguredWebhooks();
    this.app.use('/v1/*', (c, next) => this.guard(c, next));
    this.app.onError((err, c) => this.errorResponse(c, err));
    this.app.notFound((c) =>
      this.errorResponse(
        c,
        new StripeApiError(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${c.req.method}: ${c.req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        }),
      ),
    );
  }

  /** The base URL the emulator answers on (hosted page links use it). */
  get url(): string {
    return this.options.publicUrl ?? this.listenUrl;
  }

  // ---- time -------------------------------------------------------------------------------

  /** Set while due work runs at its own time (billing-cycle.ts): the wall clock must not tick under it. */
  private pinnedNow: number | null = null;

  /** The emulator's own time, in Unix seconds: the wall clock moved by `/_emulator/advance`. */
  now(): number {
    return this.pinnedNow ?? Math.floor(Date.now() / 1000) + this.store.timeOffsetSeconds;
  }

  /** Runs `fn` with the emulator's own time held at `at`, so everything it creates carries `at`. */
  atOwnTime(at: number, fn: () => void): void {
    const saved = this.pinnedNow;
    this.pinnedNow = at;
    try {
      fn();
    } finally {
      this.pinnedNow = saved;
    }
  }

  /** The time of a test clock, or the emulator's own time for `null`. */
  timeOf(clockId: string | null | undefined): number {
    if (!clockId) return this.now();
    const clock = this.store.get<StoredObject & { frozen_time: number }>('test_clocks', clockId);
    return clock ? clock.frozen_time : this.now();
  }

  /** The time for objects of a customer: its test clock's time when it has one. */
  timeForCustomer(customerId: string | null | undefined): number {
    if (!customerId) return this.now();
    const customer = this.store.get<StoredObject & { test_clock?: string | null }>('customers', customerId);
    return this.timeOf(customer?.test_clock ?? null);
  }

  onTimeAdvance(listener: TimeListener): void {
    this.timeListeners.push(listener);
  }

  /** Moves time for objects on no test clock and runs what falls due (renewals, period ends). */
  async advance(seconds: number): Promise<void> {
    const from = this.now();
    this.store.timeOffsetSeconds += seconds;
    this.store.changed();
    await this.runTimeListeners(null, from, this.now());
  }

  async runTimeListeners(clockId: string | null, from: number, to: number): Promise<void> {
    for (const listener of this.timeListeners) await listener(clockId, from, to);
  }

  // ---- cascades ---------------------------------------------------------------------------

  /**
   * Registers work to do when a customer is deleted. Resources built on customers register here,
   * so `customers.ts` need not import them.
   */
  onCustomerDelete(listener: CustomerDeleteListener): void {
    this.customerDeleteListeners.push(listener);
  }

  /** Runs the customer-delete listeners, in registration order; `customers.ts` calls it before deleting. */
  runCustomerDeleteListeners(customerId: string, request: EventRequest): void {
    for (const listener of this.customerDeleteListeners) listener(customerId, request);
  }

  // ---- events -----------------------------------------------------------------------------

  /**
   * Records an event with a snapshot of `object` and queues its webhook deliveries.
   * `created` follows the object's customer's test clock when it has one.
   */
  emitEvent<T extends { object: string }>(
    type: string,
    object: T,
    opts: {
      previousAttributes?: Record<string, unknown>;
      request?: { id: string | null; idempotency_key: string | null } | null;
      customer?: string | null;
    } = {},
  ): Stripe.Event {
    const endpoints = [...this.store.collection<WebhookEndpointRecord>('webhook_endpoints').values()].filter(
      (e) => endpointWants(e, type),
    );
    const event = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: this.timeForCustomer(opts.customer),
      data: {
        object: render(object),
        ...(opts.previousAttributes ? { previous_attributes: opts.previousAttributes } : {}),
      },
      livemode: false,
      pending_webhooks: endpoints.length,
      request: opts.request ?? { id: null, idempotency_key: null },
      type,
      context: undefined,
    } as unknown as Stripe.Event;
    delete (event as { context?: unknown }).context;
    this.store.put('events', event as unknown as StoredObject);
    this.webhooks.enqueue(event);
    return event;
  }

  // ---- routing ----------------------------------------------------------------------------

  /** Marks `field` of objects of type `objectType` as includable (present only when expanded). */
  includable(objectType: string, field: string, compute: Includable): void {
    const fields = this.includables.get(objectType) ?? {};
    fields[field] = compute;
    this.includables.set(objectType, fields);
  }

  /** Registers a Stripe API route; the handler's answer is expanded per `expand[]` and sent as JSON. */
  route(method: 'get' | 'post' | 'delete', path: string, handler: ApiHandler): void {
    this.app.on(method.toUpperCase(), path, async (c) => {
      const requestId = c.get('requestId');
      const params = c.get('stripeParams');
      const reader = new ParamReader(params);
      const idempotencyKey = method === 'post' ? (c.req.header('idempotency-key') ?? null) : null;
      const run = async () => {
        const expand = reader.stringArray('expand') ?? [];
        const body = await handler({
          emu: this,
          params: reader,
          path: c.req.param() as Record<string, string>,
          requestId,
          idempotencyKey,
          eventRequest: { id: requestId, idempotency_key: idempotencyKey },
        });
        return expand.length ? expandPaths(render(body), expand, this.store, this.includables) : render(body);
      };
      // A refused write changes nothing; a declined card (402) keeps what Stripe keeps (the failed payment, its events).
      const out =
        method === 'get'
          ? await run()
          : await this.store.transaction(run, (err) => err instanceof StripeApiError && err.status === 402);
      return this.json(c, out, 200);
    });
  }

  /** Auth, faults, parameter parsing and idempotency for every `/v1` call. */
  private async guard(c: Context<EmulatorEnv>, next: () => Promise<void>): Promise<Response | undefined> {
    const requestId = newId('req');
    c.header('Request-Id', requestId);
    c.header('Stripe-Version', c.req.header('stripe-version') ?? API_VERSION);
    c.set('requestId', requestId);
    try {
      this.authenticate(c.req.header('authorization'));
      if (this.faults.failNext > 0) {
        this.faults.failNext -= 1;
        throw apiError();
      }
      const method = c.req.method;
      const text = method === 'POST' ? await c.req.text() : new URL(c.req.url).search.slice(1);
      if (method === 'POST' && text && /^\s*[[{]/.test(text)) {
        throw invalidRequest(
          'Invalid request: the body must be form-encoded (application/x-www-form-urlencoded).',
        );
      }
      const params = parseForm(text);
      c.set('stripeParams', params);
      const key = method === 'POST' ? c.req.header('idempotency-key') : undefined;
      // The latency fault slows execution itself, so a request is in flight (and holds its key) meanwhile.
      const execute = async () => {
        if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
        await next();
      };
      if (!key) {
        await execute();
        return;
      }
      return await this.idempotent(c, key, params, execute);
    } catch (err) {
      return this.errorResponse(c, err);
    }
  }

  private async idempotent(c: Context<EmulatorEnv>, key: string, params: Params, next: () => Promise<void>) {
    if (key.length > 255)
      throw invalidRequest('Idempotency-Key must be at most 255 characters.', 'idempotency_key');
    const path = new URL(c.req.url).pathname;
    const paramsText = JSON.stringify(params);
    let saved = this.store.get<IdempotencyRecord>(IDEMPOTENCY, key);
    if (saved && saved.created <= this.now() - IDEMPOTENCY_TTL_SECONDS) {
      this.store.delete(IDEMPOTENCY, key);
      saved = undefined;
    }
    if (saved) {
      if (saved.path !== path || saved.method !== c.req.method || saved.params !== paramsText) {
        throw new StripeApiError(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      }
      return new Response(saved.body, {
        status: saved.status,
        headers: {
          'content-type': 'application/json',
          'request-id': c.res.headers.get('request-id') ?? newId('req'),
          'idempotent-replayed': 'true',
          'idempotency-key': key,
        },
      });
    }
    if (this.inFlightKeys.has(key)) {
      throw new StripeApiError(409, {
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
        message:
          'There is currently another in-progress request using this Stripe API key and idempotency key.',
      });
    }
    this.inFlightKeys.add(key);
    try {
      await next();
      const res = c.res;
      const body = c.get('stripeBody') ?? (await res.clone().text());
      // Validation failures (400 before execution) are not saved, as at Stripe; anything else is.
      if (res.status !== 400) {
        this.pruneIdempotencyRecords();
        this.store.put<IdempotencyRecord>(IDEMPOTENCY, {
          id: key,
          object: 'idempotency_record',
          method: c.req.method,
          path,
          params: paramsText,
          status: res.status,
          body,
          created: this.now(),
        });
      }
      c.header('Idempotency-Key', key);
      return undefined;
    } finally {
      this.inFlightKeys.delete(key);
    }
  }

  /** Drops records older than a day, at most once per (emulated) hour since it scans them all. */
  private pruneIdempotencyRecords(): void {
    const now = this.now();
    if (now - this.idempotencyPrunedAt < 3600) return;
    this.idempotencyPrunedAt = now;
    const records = this.store.collection<IdempotencyRecord>(IDEMPOTENCY);
    for (const [key, record] of records) {
      if (record.created <= now - IDEMPOTENCY_TTL_SECONDS) records.delete(key);
    }
    this.store.changed();
  }

  private authenticate(header: string | undefined): void {
    let key: string | undefined;
    if (header?.startsWith('Bearer ')) key = header.slice(7).trim();
    else if (header?.startsWith('Basic '))
      key = Buffer.from(header.slice(6), 'base64').toString().split(':')[0];
    if (!key) {
      throw new StripeApiError(401, {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    }
    if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) {
      throw new StripeApiError(401, {
        type: 'invalid_request_error',
        code: 'api_key_invalid',
        message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
      });
    }
  }

  /** A JSON answer whose text is kept on the context, so saving it for idempotent replay needs no body clone. */
  private json(c: Context<EmulatorEnv>, value: unknown, status: number): Response {
    const text = JSON.stringify(value);
    c.set('stripeBody', text);
    return c.body(text, status as 200, { 'content-type': 'application/json' });
  }

  errorResponse(c: Context<EmulatorEnv>, err: unknown): Response {
    if (err instanceof StripeApiError) return this.json(c, err.toJSON(), err.status);
    console.error('[stripe-emulator] internal error', err);
    return this.json(c, apiError('The emulator failed to handle this request.').toJSON(), 500);
  }

  // ---- lifecycle --------------------------------------------------------------------------

  private installConfiguredWebhooks(): void {
    for (const [i, w] of (this.options.webhooks ?? []).entries()) {
      const id = `we_configured_${i}`;
      const existing = this.store.get<WebhookEndpointRecord>('webhook_endpoints', id);
      const endpoint: WebhookEndpointRecord = {
        id,
        object: 'webhook_endpoint',
        api_version: API_VERSION,
        application: null,
        created: existing?.created ?? this.now(),
        description: 'Configured at emulator start',
        enabled_events: w.enabled_events ?? ['*'],
        livemode: false,
        metadata: {},
        status: 'enabled',
        url: w.url,
        _secret: w.secret,
      };
      this.store.put('webhook_endpoints', endpoint);
    }
  }

  /** Forgets every object and pending delivery, keeping the configured webhook endpoints. */
  reset(): void {
    this.store.reset();
    this.faults.failNext = 0;
    this.faults.latencyMs = 0;
    this.faults.duplicateRate = 0;
    this.faults.shuffle = false;
    this.faults.dropWebhooks = false;
    this.installConfiguredWebhooks();
  }

  async listen(port = 12111, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => {
      this.server = serve({ fetch: this.app.fetch, port, hostname: host }, (info) => {
        this.listenUrl = `http://${host}:${info.port}`;
        resolve();
      });
    });
    this.webhooks.start();
    return this.url;
  }

  get port(): number {
    return Number(new URL(this.listenUrl).port);
  }

  async close(): Promise<void> {
    await this.webhooks.close();
    this.store.flush();
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
    }
  }
}

/** A secret Stripe would show once: `whsec_…`. */
export function newWebhookSecret(): string {
  return `whsec_${randomToken(32)}`;
}
