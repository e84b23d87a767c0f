import { expect } from '@open-wc/testing';
import { minifyTemplateLiterals } from './minify-template-literals.js';

/** Source text under test, written with `#{` for `${` so it stays a plain string here. */
function code(...lines: string[]): string {
  return lines.join('\n').replaceAll('#{', '${');
}

describe('minifyTemplateLiterals', () => {
  it('shrinks html and css templates, nested ones included, and leaves the rest alone', () => {
    const source = code(
      'const a = `  keep   this  `;',
      'const b = html`<p>\n    #{x ? html`<b>\n  #{y}  </b>` : "a  b"}\n  </p>\n  <i>#{z} · #{w}</i>`;',
      'const c = css`\n  :host {\n    display: block;\n  }\n  a, b > c { color: red; }\n`;',
    );
    expect(minifyTemplateLiterals(source)).to.equal(
      code(
        'const a = `  keep   this  `;',
        'const b = html`<p> #{x ? html`<b> #{y} </b>` : "a  b"} </p><i>#{z} · #{w}</i>`;',
        'const c = css`:host{display:block}a,b > c{color:red}`;',
      ),
    );
  });

  it('refuses an unterminated template rather than emitting broken code', () => {
    expect(() => minifyTemplateLiterals(code('html`<p>#{a}'))).to.throw('Unterminated');
  });
});
