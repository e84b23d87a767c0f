import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, Frame, FrameLocator, Page } from 'playwright-core';
import { launchChromium, openPage, WIDTHS } from '../browser.ts';
import { expectCount, expectText, expectVisible } from '../eventually.ts';
import {
  balance,
  billingSessionStatuses,
  creditsOf,
  newUser,
  openDemoPage,
  payOnCheckoutPage,
  toasts,
} from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** Screenshots of the on-page dialog and the card on file, for a person to look at (never in the repo). */
const SHOTS = process.env.EMBEDDED_SHOTS ?? '/tmp/shots-embedded';

/** The page's address and every navigation of its main frame: on-page payment must cause none. */
function watchNavigation(page: Page) {
  const start = page.url();
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });
  return () => {
    assert.equal(page.url(), start);
    assert.deepEqual(navigations, []);
  };
}

/** Stripe's on-page form: the frame the Stripe.js stand-in mounts in the dialog. */
function checkoutFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="Secure checkout"]');
}

/** Types a card into the on-page form, as a person would, and submits it. */
const payInFrame = (page: Page, card: string) => payOnCheckoutPage(checkoutFrame(page), card);

/** Runs axe in `frame` (the page, or the checkout frame); answers the violations, with their targets. */
async function axeViolations(frame: Page | Frame): Promise<string[]> {
  await frame.addScriptTag({ path: AXE });
  // The checkout frame is another origin: it is checked on its own (iframes: false here).
  return frame.evaluate(`axe.run(document, { iframes: false }).then((result) =>
    result.violations.map((v) => v.id + ': ' + JSON.stringify(v.nodes.map((n) => n.target))))`);
}

const openEmbedded = (page: Page, user: string) => openDemoPage(page, stack, user, 'embedded');

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

describe('paying on the page (checkout-mode="embedded")', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  for (const width of WIDTHS) {
    test(`a top-up with 4242 typed in the on-page form credits $25.00; the page never navigates (${width} px)`, async () => {
      const { page, assertClean, close } = await openPage(browser, width);
      try {
        const user = newUser('embedded');
        await openEmbedded(page, user);
        const unmoved = watchNavigation(page);
        const topup = page.locator('billing-topup');
        await topup.getByRole('button', { name: '$25.00', exact: true }).click();
        const clicked = performance.now();
        await topup.getByRole('button', { name: 'Add $25.00' }).click();
        await expectVisible(checkoutFrame(page).getByLabel('Card number'));
        const clickToCard = Math.round(performance.now() - clicked);
        console.log(
          JSON.stringify({
            figure: 'embedded_click_to_card_field_ms',
            width,
            value: clickToCard,
            unit: 'ms',
          }),
        );
        const dialog = page.locator('billing-topup dialog[open]');
        await expectText(dialog.locator('h2'), 'Add credits');
        await expectText(checkoutFrame(page).locator('[data-testid=total]'), '$25.00');
        await shoot(page, `dialog-topup-${width}-light`);
        assert.deepEqual(await axeViolations(page), []);
        const frame = page.frames().find((f) => f.url().includes('/c/embedded/'))!;
        assert.deepEqual(await axeViolations(frame), []);

        await payInFrame(page, '4242 4242 4242 4242');
        await expectText(balance(page), '$25.00');
        await expectCount(page.locator('billing-topup dialog'), 0);
        await expectText(toasts(page), 'Payment received. ×');
        await expectText(page.locator('billing-history [part~=row]'), /\+\$25\.00 \$25\.00$/);
        assert.equal(await creditsOf(stack, user), '25.00');
        assert.deepEqual(await billingSessionStatuses(stack, user), ['completed']);
        // One refresh, one toast.
        await page.waitForTimeout(500);
        await expectCount(toasts(page), 1);
        unmoved();
        assertClean();
      } finally {
        await close();
      }
    });
  }

  test('a declined card shows the decline inside the dialog and credits nothing', async () => {
    const { page, assertClean, close } = await openPage(browser, 360);
    try {
      const user = newUser('embedded-decline');
      await openEmbedded(page, user);
      const unmoved = watchNavigation(page);
      const topup = page.locator('billing-topup');
      await topup.getByRole('button', { name: '$10.00', exact: true }).click();
      await topup.getByRole('button', { name: 'Add $10.00' }).click();
      await payInFrame(page, '4000 0000 0000 0002');
      await expectText(checkoutFrame(page).getByRole('alert'), /declined/i);
      await expectVisible(page.locator('billing-topup dialog[open]'));
      await shoot(page, 'dialog-declined-360-light');
      assert.equal(await creditsOf(stack, user), '0.00');
      // Escape reaches the dialog from the page's own controls (a key pressed inside Stripe's frame
      // stays in the frame): from the dialog's close button.
      await page.locator('billing-topup dialog [part~=close]').focus();
      await page.keyboard.press('Escape');
      await expectCount(page.locator('billing-topup dialog'), 0);
      await expectText(toasts(page), 'Checkout cancelled. ×');
      assert.equal(await creditsOf(stack, user), '0.00');
      unmoved();
      assertClean([/HTTP 402: POST .*\/c\/embedded\//]);
    } finally {
      await close();
    }
  });

  test('closing the dialog credits nothing, and the session can no longer be paid', async () => {
    const { page, assertClean, close } = await openPage(browser, 1280, 'dark');
    try {
      const user = newUser('embedded-close');
      await openEmbedded(page, user);
      const topup = page.locator('billing-topup');
      await topup.getByRole('button', { name: '$50.00', exact: true }).click();
      await topup.getByRole('button', { name: 'Add $50.00' }).click();
      await expectVisible(checkoutFrame(page).getByLabel('Card number'));
      await shoot(page, 'dialog-topup-1280-dark');
      const src = await page.locator('iframe[title="Secure checkout"]').getAttribute('src');
      assert.deepEqual(await billingSessionStatuses(stack, user), ['in_progress']);
      await page.locator('billing-topup dialog').getByRole('button', { name: 'Close' }).click();
      await expectCount(page.locator('billing-topup dialog'), 0);
      await expectText(toasts(page), 'Checkout cancelled. ×');
      assert.deepEqual(await billingSessionStatuses(stack, user), ['cancelled']);
      // The frame's form, posted as if the dialog were still open: the session is expired.
      const late = await fetch(src!, {
        method: 'POST',
        body: new URLSearchParams({
          number: '4242424242424242',
          expiry: '12 / 34',
          cvc: '123',
          email: 'a@b.test',
        }),
      });
      assert.equal(late.status, 410);
      assert.equal(await creditsOf(stack, user), '0.00');
      assertClean();
    } finally {
      await close();
    }
  });

  test('subscribes on the page, and saves a card inside the setup modal; the card on file shows', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      for (const width of WIDTHS) {
        const { page, assertClean, close } = await openPage(browser, width, scheme);
        try {
          const user = newUser('embedded-card');
          await openEmbedded(page, user);
          const unmoved = watchNavigation(page);
          await page.locator('billing-subscription').getByRole('button', { name: 'Subscribe' }).click();
          await expectText(page.locator('billing-subscription dialog[open] h2'), 'Subscription');
          await payInFrame(page, '4242 4242 4242 4242');
          await expectText(page.locator('billing-subscription [part~=status]'), /^Pro · Renews on /);
          await expectText(page.locator('#card-on-file'), 'Visa •••• 4242, expires 12/34');

          await page.getByRole('button', { name: 'Replace' }).click();
          const modal = page.locator('setup-payment-modal');
          await expectText(modal.locator('[part~=card-on-file]'), 'Visa •••• 4242, expires 12/34');
          await expectText(modal.locator('h2'), 'Payment method');
          await shoot(page, `card-on-file-modal-${width}-${scheme}`);
          await modal.getByRole('button', { name: 'Replace' }).click();
          await expectVisible(checkoutFrame(page).getByLabel('Card number'));
          // The card is collected inside the modal itself: one dialog, Stripe's frame in it.
          await expectCount(page.locator('dialog[open]'), 1);
          await expectCount(modal.locator('dialog[open] iframe[title="Secure checkout"]'), 1);
          await shoot(page, `dialog-setup-modal-${width}-${scheme}`);
          await payInFrame(page, '5555 5555 5555 4444');
          await expectCount(page.locator('dialog[open]'), 0);
          await expectText(toasts(page), 'Card saved. ×');
          await expectText(page.locator('#card-on-file'), 'Mastercard •••• 4444, expires 12/34');
          await page.locator('#card-on-file').scrollIntoViewIfNeeded();
          await shoot(page, `card-on-file-${width}-${scheme}`);
          unmoved();
          assertClean();
        } finally {
          await close();
        }
      }
    }
  });

  test('keyboard only: Tab stays in the dialog, Escape closes it, focus goes back to the button', async () => {
    const { page, assertClean, close } = await openPage(browser, 1280);
    try {
      const user = newUser('embedded-keys');
      await openEmbedded(page, user);
      const topup = page.locator('billing-topup');
      await topup.getByRole('button', { name: '$10.00', exact: true }).focus();
      await page.keyboard.press('Enter');
      const submit = topup.getByRole('button', { name: 'Add $10.00' });
      await submit.focus();
      await page.keyboard.press('Enter');
      await expectVisible(checkoutFrame(page).getByLabel('Card number'));
      // Tab after Tab lands in the dialog (its close button or Stripe's frame), never behind it;
      // past the last control Chromium may hand focus to the browser itself, never to the page.
      const where = () =>
        page.evaluate(`(() => {
          let active = document.activeElement;
          while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
          if (!document.hasFocus()) return 'browser';
          if (active?.localName === 'iframe') return 'frame';
          return active?.closest('dialog') ? active.getAttribute('part') ?? 'dialog' : active?.localName ?? 'none';
        })()`) as Promise<string>;
      const seen: string[] = [];
      for (let i = 0; i < 24; i++) {
        await page.keyboard.press('Tab');
        seen.push(await where());
      }
      assert.ok(
        seen.every((place) => ['close', 'frame', 'browser'].includes(place)),
        `Tab went to: ${seen.join(', ')}`,
      );
      assert.ok(seen.includes('close') && seen.includes('frame'), `Tab went to: ${seen.join(', ')}`);
      // The card number typed from the keyboard, inside the frame.
      const cardField = checkoutFrame(page).getByLabel('Card number');
      await cardField.focus();
      await page.keyboard.type('4242 4242 4242 4242');
      assert.equal(await cardField.inputValue(), '4242 4242 4242 4242');
      // Back to the dialog's own control (Shift+Tab out of the frame), then Escape.
      for (let i = 0; i < 30 && (await where()) !== 'close'; i++) await page.keyboard.press('Shift+Tab');
      assert.equal(await where(), 'close');
      await page.keyboard.press('Escape');
      await expectCount(page.locator('billing-topup dialog'), 0);
      await expectText(toasts(page), 'Checkout cancelled. ×');
      // Focus is back on the button that started it.
      assert.equal(
        await submit.evaluate(
          (button: { getRootNode(): { activeElement?: unknown } }) =>
            button.getRootNode().activeElement === button,
        ),
        true,
      );
      assert.equal(await creditsOf(stack, user), '0.00');
      assertClean();
    } finally {
      await close();
    }
  });
});
