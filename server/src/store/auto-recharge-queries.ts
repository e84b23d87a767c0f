import type { ReadQuery } from './queries.ts';
import type {
  AutoRechargeAttempt,
  AutoRechargeAttemptStatus,
  AutoRechargeSettings,
  AutoRechargeState,
} from './records.ts';
import { integer, oneOf, text, textOrNull } from './rows.ts';
import { type SqlRow, sqlOneRow } from './sql.ts';

/** The reads of auto-recharge (migration 007), with their row decoders. */

const STATES: readonly AutoRechargeState[] = ['idle', 'charging', 'failed', 'action_required'];
const ATTEMPT_STATUSES: readonly AutoRechargeAttemptStatus[] = [
  'charging',
  'succeeded',
  'failed',
  'action_required',
  'canceled',
];

/** A `state` column's value, checked. */
export function autoRechargeStateOf(value: unknown): AutoRechargeState {
  return oneOf(value, STATES, 'auto_recharge_settings.state');
}

const SETTINGS_COLUMNS =
  's.account_id, s.enabled, s.threshold_cents, s.amount_cents, s.monthly_cap_cents, s.state, s.attempt_id, s.last_error_code, s.last_error_message, s.updated_at';

function settingsOf(row: SqlRow): AutoRechargeSettings {
  return {
    accountId: text(row[0], 'auto_recharge_settings.account_id'),
    enabled: integer(row[1], 'auto_recharge_settings.enabled') === 1,
    thresholdCents: integer(row[2], 'auto_recharge_settings.threshold_cents'),
    amountCents: integer(row[3], 'auto_recharge_settings.amount_cents'),
    monthlyCapCents: integer(row[4], 'auto_recharge_settings.monthly_cap_cents'),
    state: oneOf(row[5], STATES, 'auto_recharge_settings.state'),
    attemptId: textOrNull(row[6], 'auto_recharge_settings.attempt_id'),
    lastErrorCode: textOrNull(row[7], 'auto_recharge_settings.last_error_code'),
    lastErrorMessage: textOrNull(row[8], 'auto_recharge_settings.last_error_message'),
    updatedAt: text(row[9], 'auto_recharge_settings.updated_at'),
  };
}

/** The account's settings and what succeeded charges add up to in `month` (UTC `YYYY-MM`). */
export const autoRechargeView = (
  accountId: string,
  month: string,
): ReadQuery<{ settings: AutoRechargeSettings | null; chargedThisMonthCents: number }> => ({
  statement: {
    sql: `SELECT ${SETTINGS_COLUMNS},
       (SELECT COALESCE(SUM(amount_cents), 0) FROM auto_recharge_attempts
        WHERE account_id = :account AND month = :month AND status = 'succeeded')
     FROM (SELECT 1) AS one LEFT JOIN auto_recharge_settings AS s ON s.account_id = :account`,
    args: { account: accountId, month },
    oneRow: true,
  },
  decode: (result) => {
    const row = result.rows[0]!;
    return {
      settings: row[0] === null || row[0] === undefined ? null : settingsOf(row),
      chargedThisMonthCents: integer(row[10], 'auto_recharge.charged_this_month'),
    };
  },
});

const ATTEMPT_COLUMNS = 'id, account_id, amount_cents, status, month, payment_intent_id, created_at';

function attemptOf(row: SqlRow): AutoRechargeAttempt {
  return {
    id: text(row[0], 'auto_recharge_attempts.id'),
    accountId: text(row[1], 'auto_recharge_attempts.account_id'),
    amountCents: integer(row[2], 'auto_recharge_attempts.amount_cents'),
    status: oneOf(row[3], ATTEMPT_STATUSES, 'auto_recharge_attempts.status'),
    month: text(row[4], 'auto_recharge_attempts.month'),
    paymentIntentId: textOrNull(row[5], 'auto_recharge_attempts.payment_intent_id'),
    createdAt: text(row[6], 'auto_recharge_attempts.created_at'),
  };
}

export const autoRechargeAttempt = (id: string): ReadQuery<AutoRechargeAttempt | null> => ({
  statement: sqlOneRow(`SELECT ${ATTEMPT_COLUMNS} FROM auto_recharge_attempts WHERE id = ?`, id),
  decode: (result) => (result.rows[0] ? attemptOf(result.rows[0]) : null),
});
