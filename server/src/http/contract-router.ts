import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';

/**
 * Today's error codes for a field the schema refused, so clients that switch on `code` keep
 * working: most fields are `invalid_<field>`; these few had names of their own.
 */
const FIELD_CODES: Record<string, string> = {
  user_id: 'invalid_account',
  account_id: 'invalid_account',
  plan: 'unknown_plan',
  description: 'invalid_field',
};

/**
 * A router whose routes come from the contract (`contract/routes.ts`): `app.openapi(route, …)`
 * validates params, query and body before the handler runs and records the route for
 * `/api/billing/openapi.json`. A refusal is the API's error envelope: 400 with the first problem's
 * field and a code the clients already know.
 */
export function contractRouter<E extends AppEnv = AppEnv>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const field = issue?.path[0];
      if (field === undefined) {
        throw new ApiError(400, 'invalid_body', 'The request body must be a JSON object.');
      }
      const name = String(field);
      throw new ApiError(400, FIELD_CODES[name] ?? `invalid_${name}`, messageFor(name, issue), name);
    },
  });
}

/** One sentence naming the field and what it must be (zod's wording is for developers). */
function messageFor(
  field: string,
  issue: { code: string; expected?: unknown; message: string } | undefined,
): string {
  if (issue?.code === 'invalid_type' && /received undefined/.test(issue.message))
    return `${field} is required.`;
  if (issue?.code === 'invalid_type') {
    if (issue.expected === 'number') return `${field} must be a JSON number.`;
    if (issue.expected === 'string') return `${field} must be a string.`;
    return `${field} has the wrong type.`;
  }
  if (issue?.code === 'too_big') return `${field} is too long.`;
  if (issue?.code === 'too_small') return `${field} is too short.`;
  if (issue?.code === 'invalid_value') return `${field} is not one of the allowed values.`;
  return `${field} is not valid.`;
}
