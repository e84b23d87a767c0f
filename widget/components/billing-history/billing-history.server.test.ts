import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { stack } from '../../testing/billing-stack.js';
import { hasPart, inState, part, parts } from '../../testing/dom.js';
import { until } from '../../testing/fake-billing-api.js';

describe('<billing-history> against the real server', () => {
  it('lists the ledger newest first and pages through it', async () => {
    const url = await stack.url();
    for (const [cents, description] of [
      [1000, 'First grant'],
      [200, 'Second grant'],
      [300, 'Third grant'],
    ] as const) {
      await stack.grant('historian', cents, description);
    }
    const el = await fixture(
      html`<billing-history api-base=${url} token=${await stack.token('historian')} page-size="2"></billing-history>`,
    );
    await until(() => inState(el, 'loaded'), 'the first page');
    const cells = () =>
      parts(el, 'row').map((row) => [...row.children].slice(1).map((cell) => cell.textContent));
    expect(cells()).to.deep.equal([
      ['Third grant', '+$3.00', '$15.00'],
      ['Second grant', '+$2.00', '$12.00'],
    ]);
    part(el, 'more').click();
    await until(() => parts(el, 'row').length === 3, 'the second page');
    expect(cells()[2]).to.deep.equal(['First grant', '+$10.00', '$10.00']);
    expect(hasPart(el, 'more')).to.equal(false);
    await expect(el).to.be.accessible();
  });
});
