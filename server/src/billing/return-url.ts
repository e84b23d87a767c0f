import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';

const MAX_RETURN_URL_LENGTH = 2048;

/**
 * Where Stripe's redirect finally lands. Only the allow-listed origins (the same list as CORS) are
 * accepted, so the billing server can never be used as an open redirect; without one the user
 * goes back to the first allowed origin.
 */
export function resolveReturnUrl(config: Config, input: unknown): string {
  if (input === undefined || input === null || input === '') {
    const origin = config.allowedOrigins[0];
    if (!origin) throw new ApiError(400, 'invalid_return_url', 'return_url is required.', 'return_url');
    return `${origin}/`;
  }
  if (typeof input !== 'string' || input.length > MAX_RETURN_URL_LENGTH) {
    throw new ApiError(
      400,
      'invalid_return_url',
      `return_url must be a URL of at most ${MAX_RETURN_URL_LENGTH} characters.`,
      'return_url',
    );
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new ApiError(400, 'invalid_return_url', 'return_url must be an absolute URL.', 'return_url');
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    !config.allowedOrigins.includes(url.origin)
  ) {
    throw new ApiError(
      400,
      'invalid_return_url',
      `return_url must be on an allowed origin (${config.allowedOrigins.join(', ')}).`,
      'return_url',
    );
  }
  return url.href;
}

/** The return URL with the outcome the widgets look for (`checkout=success`, `setup=success`, …). */
export function withOutcome(returnUrl: string, key: 'checkout' | 'setup', value: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set(key, value);
  return url.href;
}
