import { RetryLaterError } from '../errors.ts';

/**
 * A cap on request bodies being received at the same moment on one route. A body is held in
 * memory until it is complete, so without a cap a few hundred clients that announce a large body
 * and stall would make the server hold all of them at once. Past the cap the route answers 503
 * with `Retry-After` (Stripe retries webhooks); bodies already complete are not counted.
 */
export class BodyGate {
  private receiving = 0;

  constructor(readonly max: number) {}

  async read<T>(receive: () => Promise<T>): Promise<T> {
    if (this.receiving >= this.max) {
      throw new RetryLaterError(503, 'busy', 'Too many requests are being received; retry shortly.', 1);
    }
    this.receiving += 1;
    try {
      return await receive();
    } finally {
      this.receiving -= 1;
    }
  }
}
