import type { Context } from 'hono';
import { ApiError } from '../errors.ts';

// application/json, or a structured +json type, with any parameters (charset).
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads a JSON object body. An empty body is `{}` (every field optional); a body sent as anything
 * but JSON is a 415 (a form post from another site must not be read as JSON); malformed JSON or a
 * body that is not an object is a 400.
 */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  if (!JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '')) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'Send the request body as JSON with "Content-Type: application/json".',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(400, 'invalid_body', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** An optional string field: absent/null → undefined; otherwise a string of at most `max` characters. */
export function optionalText(body: Record<string, unknown>, field: string, max = 500): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw new ApiError(
      400,
      'invalid_field',
      `${field} must be a string of at most ${max} characters.`,
      field,
    );
  }
  return value;
}
