import type { Context } from 'hono';
import { ApiError } from '../errors.ts';

/**
 * Reads a JSON object body. An empty body is `{}` (every field optional); malformed JSON or a
 * body that is not an object is a 400.
 */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
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
