/** Stripe's error envelope: the SDK throws if and only if a body has an `error` key, choosing the class by status. */
export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  request_log_url?: string;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }

  toJSON(): { error: StripeErrorBody } {
    return { error: this.body };
  }
}

export function invalidRequest(
  message: string,
  param?: string,
  code = 'parameter_invalid_empty',
): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', message, param, code });
}

export function missingParam(param: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'parameter_missing',
    message: `Missing required param: ${param}.`,
    param,
  });
}

export function invalidParam(param: string, message: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'parameter_invalid',
    message,
    param,
  });
}

/** An unknown id in the URL is a 404; an unknown id named by a parameter is a 400, as Stripe answers. */
export function resourceMissing(kind: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(param === 'id' ? 404 : 400, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${kind}: '${id}'`,
    param,
  });
}

export function cardError(
  message: string,
  code: string,
  declineCode?: string,
  extra?: Partial<StripeErrorBody>,
) {
  return new StripeApiError(402, {
    type: 'card_error',
    code,
    message,
    decline_code: declineCode,
    ...extra,
  });
}

export function apiError(message = 'An unknown error occurred (emulated fault).'): StripeApiError {
  return new StripeApiError(500, { type: 'api_error', message });
}
