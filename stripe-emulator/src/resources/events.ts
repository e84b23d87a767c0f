import { API_VERSION, type Emulator, newWebhookSecret } from '../emulator.ts';
import { invalidParam, resourceMissing } from '../errors.ts';
import { createdInRange, paginate } from '../expand.ts';
import { newId } from '../ids.ts';
import type { EventRecord } from '../records.ts';
import type { WebhookEndpointRecord } from '../webhooks.ts';

/** How many event types one `events.list` may name. */
const MAX_TYPES = 20;

/** `events` (retrieve; list by `type`/`types[]`, `created` range and `delivery_success`) and `webhook_endpoints` (create answers the `whsec_` secret once). */
export function registerEvents(emu: Emulator): void {
  emu.route('get', '/v1/events/:id', (req) => {
    const event = req.emu.store.get<EventRecord>('events', req.path.id!);
    if (!event) throw resourceMissing('event', req.path.id!);
    return event;
  });
  emu.route('get', '/v1/events', (req) => {
    const type = req.params.string('type');
    const types = req.params.stringArray('types');
    // Stripe takes at most 20 (its reference for `types`: "an array of up to 20 strings").
    if (types && types.length > MAX_TYPES)
      throw invalidParam('types', `Invalid array: types can have at most ${MAX_TYPES} items.`);
    const matches = (t: string) => {
      if (type) return type.endsWith('.*') ? t.startsWith(type.slice(0, -1)) : t === type;
      return !types || types.includes(t);
    };
    const created = createdInRange(req.params);
    const delivered = req.params.boolean('delivery_success');
    const events = [...req.emu.store.collection<EventRecord>('events').values()].filter(
      (e) =>
        matches(e.type) &&
        created(e.created) &&
        (delivered === undefined || delivered === (e.pending_webhooks === 0 && !e._delivery_failed)),
    );
    return paginate(events, req.params, '/v1/events');
  });

  emu.route('post', '/v1/webhook_endpoints', (req) => {
    const p = req.params;
    const url = p.string('url', { required: true });
    if (!/^https?:\/\/[^\s]+$/.test(url)) throw invalidParam('url', `Invalid URL: ${url}`);
    const enabledEvents = p.stringArray('enabled_events');
    if (!enabledEvents?.length)
      throw invalidParam('enabled_events', 'Missing required param: enabled_events.');
    const secret = newWebhookSecret();
    const endpoint: WebhookEndpointRecord = {
      id: newId('we'),
      object: 'webhook_endpoint',
      api_version: p.string('api_version') ?? API_VERSION,
      application: null,
      created: req.emu.now(),
      description: p.string('description') ?? null,
      enabled_events: enabledEvents,
      livemode: false,
      metadata: p.metadata(),
      status: 'enabled',
      url,
      _secret: secret,
    };
    req.emu.store.put('webhook_endpoints', endpoint);
    return { ...endpoint, secret };
  });
  emu.route('get', '/v1/webhook_endpoints/:id', (req) => {
    const endpoint = req.emu.store.get<WebhookEndpointRecord>('webhook_endpoints', req.path.id!);
    if (!endpoint) throw resourceMissing('webhook_endpoint', req.path.id!);
    return endpoint;
  });
  emu.route('post', '/v1/webhook_endpoints/:id', (req) => {
    const endpoint = req.emu.store.get<WebhookEndpointRecord>('webhook_endpoints', req.path.id!);
    if (!endpoint) throw resourceMissing('webhook_endpoint', req.path.id!);
    const p = req.params;
    endpoint.url = p.string('url') ?? endpoint.url;
    endpoint.enabled_events = p.stringArray('enabled_events') ?? endpoint.enabled_events;
    const disabled = p.boolean('disabled');
    if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
    endpoint.metadata = p.metadata(endpoint.metadata as Record<string, string>);
    req.emu.store.changed();
    return endpoint;
  });
  emu.route('get', '/v1/webhook_endpoints', (req) =>
    paginate(
      [...req.emu.store.collection<WebhookEndpointRecord>('webhook_endpoints').values()],
      req.params,
      '/v1/webhook_endpoints',
    ),
  );
  emu.route('delete', '/v1/webhook_endpoints/:id', (req) => {
    const endpoint = req.emu.store.get<WebhookEndpointRecord>('webhook_endpoints', req.path.id!);
    if (!endpoint) throw resourceMissing('webhook_endpoint', req.path.id!);
    req.emu.store.delete('webhook_endpoints', endpoint.id);
    return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
  });
}
