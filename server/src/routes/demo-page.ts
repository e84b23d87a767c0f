/**
 * The demo host page served at `/` in emulator mode: plain HTML and a little script calling the
 * billing API with a token from `/demo/token`, standing in for a host app until it embeds the
 * widgets. Everything it shows comes from `/api/billing/summary` and `/transactions`.
 */
export function demoPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Billing demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
  section { border: 1px solid #d0d0d0; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
  button { font: inherit; padding: .4rem .9rem; margin: .2rem .4rem .2rem 0; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; }
  #message { min-height: 1.5em; font-weight: 600; }
  .muted { color: #555; }
</style>
</head>
<body>
<h1>Billing demo</h1>
<p class="muted">A host page on the local Stripe emulator. Pay with the test card 4242 4242 4242 4242.</p>
<p><label>User <input id="user" value="demo" autocomplete="off"></label> <button id="switch" type="button">Switch user</button></p>
<p id="message" role="status" aria-live="polite"></p>
<section aria-labelledby="balance-title">
  <h2 id="balance-title">Credits</h2>
  <p>Balance: <strong id="credits">…</strong></p>
  <button type="button" data-action="topup">Top up $25</button>
  <button type="button" data-action="setup">Set up a card</button>
  <span id="card" class="muted"></span>
</section>
<section aria-labelledby="subscription-title">
  <h2 id="subscription-title">Subscription</h2>
  <p id="subscription">…</p>
  <button type="button" data-action="subscribe">Subscribe</button>
  <button type="button" data-action="cancel">Cancel</button>
  <button type="button" data-action="resume">Resume</button>
  <button type="button" data-action="portal">Customer portal</button>
</section>
<section aria-labelledby="history-title">
  <h2 id="history-title">History</h2>
  <table><thead><tr><th>When</th><th>What</th><th>Amount</th><th>Balance</th></tr></thead><tbody id="history"></tbody></table>
</section>
<script type="module">
const api = '/api/billing';
const userInput = document.getElementById('user');
const message = document.getElementById('message');
userInput.value = localStorage.getItem('billing-demo-user') || 'demo';
let token = null;

async function getToken() {
  const res = await fetch('/demo/token?user=' + encodeURIComponent(userInput.value));
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ? body.error.message : 'Could not get a token');
  token = body.token;
}

async function call(method, path, body) {
  if (!token) await getToken();
  const res = await fetch(api + path, {
    method,
    headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await res.json();
  if (!res.ok) throw new Error(answer.error ? answer.error.message : 'HTTP ' + res.status);
  return answer;
}

function text(id, value) { document.getElementById(id).textContent = value; }

async function refresh() {
  const summary = await call('GET', '/summary');
  text('credits', summary.credits === null ? 'billing is off' : '$' + summary.credits);
  text('card', summary.has_payment_method ? 'A card is saved.' : 'No card saved yet.');
  const s = summary.subscription;
  const until = s.current_period_end ? new Date(s.current_period_end).toLocaleDateString() : '';
  text('subscription', {
    none: 'No subscription.',
    active: 'Active, renews on ' + until + '.',
    cancelling: 'Cancelled, ends on ' + until + '.',
    past_due: 'Past due: the last renewal failed. Update the card in the portal.',
    ended: 'Ended.',
  }[s.status] || s.status);
  const page = await call('GET', '/transactions?limit=20');
  const rows = document.getElementById('history');
  rows.replaceChildren(...page.data.map((entry) => {
    const tr = document.createElement('tr');
    for (const value of [new Date(entry.created_at).toLocaleString(), entry.description || entry.kind, entry.amount, entry.balance_after]) {
      const td = document.createElement('td');
      td.textContent = value;
      tr.append(td);
    }
    return tr;
  }));
}

const actions = {
  topup: () => call('POST', '/create-checkout-session', { amount: 25, return_url: location.origin + '/' }),
  setup: () => call('POST', '/create-customer-setup-session', { return_url: location.origin + '/' }),
  subscribe: () => call('POST', '/subscription-checkout-session', { return_url: location.origin + '/' }),
  cancel: () => call('POST', '/cancel-subscription'),
  resume: () => call('POST', '/resume-subscription'),
  portal: () => call('POST', '/portal-session', { return_url: location.origin + '/' }),
};

for (const button of document.querySelectorAll('button[data-action]')) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const answer = await actions[button.dataset.action]();
      if (answer.redirect_url) { location.assign(answer.redirect_url); return; }
      message.textContent = answer.message || 'Done.';
      await refresh();
    } catch (err) {
      message.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
}

document.getElementById('switch').addEventListener('click', async () => {
  localStorage.setItem('billing-demo-user', userInput.value);
  token = null;
  message.textContent = '';
  await refresh().catch((err) => { message.textContent = err.message; });
});

const params = new URLSearchParams(location.search);
const outcome = params.get('checkout') || params.get('setup');
if (outcome) {
  message.textContent = params.get('setup') ? 'Card saved.' : outcome === 'success' ? 'Payment received.' : 'Checkout cancelled.';
  history.replaceState(null, '', location.pathname);
}
refresh().catch((err) => { message.textContent = err.message; });
</script>
</body>
</html>
`;
}
