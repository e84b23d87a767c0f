import { expect } from '@open-wc/testing';
import { minifyTemplateLiterals } from './minify-template-literals.js';

describe('minifyTemplateLiterals', () => {
  it('shrinks html and css templates, nested ones included, and leaves the rest alone', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the strings are source code under test
    const source = [
      'const a = `  keep   this  `;',
      'const b = html`<p>\n    ${x ? html`<b>\n  ${y}  </b>` : "a  b"}\n  </p>\n  <i>${z} · ${w}</i>`;',
      'const c = css`\n  :host {\n    display: block;\n  }\n  a, b > c { color: red; }\n`;',
    ].join('\n');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the strings are source code under test
    expect(minifyTemplateLiterals(source)).to.equal(
      [
        'const a = `  keep   this  `;',
        'const b = html`<p> ${x ? html`<b> ${y} </b>` : "a  b"} </p><i>${z} · ${w}</i>`;',
        'const c = css`:host{display:block}a,b > c{color:red}`;',
      ].join('\n'),
    );
  });

  it('refuses an unterminated template rather than emitting broken code', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the string is source code under test
    expect(() => minifyTemplateLiterals('html`<p>${a}')).to.throw('Unterminated');
  });
});
