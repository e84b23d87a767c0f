/**
 * `npm run docs:webhooks`: writes the list of Stripe events a webhook endpoint must send into
 * README.md (between the `webhook-events` markers), from the server's own handler table, so the
 * list cannot drift from what the server handles. `--check` only reports a difference (exit 1).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HANDLED_WEBHOOK_EVENTS } from '../server/src/billing/webhook-events.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- webhook-events:start -->';
const END = '<!-- webhook-events:end -->';

/** The README section: one bullet per event, indented to sit inside the numbered list item. */
export function webhookEventsSection(indent = '   '): string {
  return HANDLED_WEBHOOK_EVENTS.map((type) => `${indent}- \`${type}\``).join('\n');
}

/** `readme` with the text between the markers replaced by the generated section. */
export function withWebhookEvents(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  const indent = /[ \t]*$/.exec(readme.slice(0, start))![0];
  return `${readme.slice(0, start + START.length)}\n${webhookEventsSection(indent)}\n${indent}${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = readFileSync(README, 'utf8');
  const next = withWebhookEvents(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error(
        'README.md: the webhook event list differs from the handler table; run npm run docs:webhooks',
      );
      process.exit(1);
    }
  } else if (next !== current) {
    writeFileSync(README, next);
    console.log('README.md: webhook event list updated');
  }
}
