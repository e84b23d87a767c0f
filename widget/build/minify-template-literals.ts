/**
 * Shrinks the static text of `html` and `css` tagged templates in widget source, so the script-tag
 * bundle does not ship indentation. It only scans the code it is given (our own components): it
 * knows strings, templates and `${}` nesting, not regular expressions or comments inside templates.
 */
export function minifyTemplateLiterals(source: string): string {
  let out = '';
  let last = 0;
  const tag = /\b(html|css)`/g;
  for (let match = tag.exec(source); match; match = tag.exec(source)) {
    const start = match.index + match[0].length;
    const { text, end } = scanTemplate(source, start, match[1] as 'html' | 'css');
    out += source.slice(last, start) + text;
    last = end;
    tag.lastIndex = end;
  }
  return out + source.slice(last);
}

/** Reads a template from just after its opening backtick; returns its shrunk body and closing backtick. */
function scanTemplate(source: string, from: number, kind: 'html' | 'css' | 'plain') {
  let text = '';
  let chunk = '';
  let i = from;
  const flush = () => {
    text += kind === 'plain' ? chunk : kind === 'html' ? shrinkHtml(chunk) : shrinkCss(chunk);
    chunk = '';
  };
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      chunk += source.slice(i, i + 2);
      i += 2;
    } else if (c === '`') {
      flush();
      return { text: `${text}\``, end: i + 1 };
    } else if (c === '$' && source[i + 1] === '{') {
      flush();
      const expression = scanExpression(source, i + 2);
      text += `\${${expression.text}`;
      i = expression.end;
    } else {
      chunk += c;
      i++;
    }
  }
  throw new Error('Unterminated template literal');
}

/** Reads a `${…}` expression up to its closing brace, shrinking templates nested in it. */
function scanExpression(source: string, from: number) {
  let text = '';
  let depth = 0;
  let i = from;
  while (i < source.length) {
    const c = source[i];
    if (c === '}' && depth === 0) return { text: `${text}}`, end: i + 1 };
    if (c === '{') depth++;
    if (c === '}') depth--;
    if (c === "'" || c === '"') {
      const close = source.indexOf(c, i + 1);
      text += source.slice(i, close + 1);
      i = close + 1;
    } else if (c === '`') {
      const nested = /\b(html|css)$/.exec(text)?.[1] as 'html' | 'css' | undefined;
      const template = scanTemplate(source, i + 1, nested ?? 'plain');
      text += `\`${template.text}`;
      i = template.end;
    } else {
      text += c;
      i++;
    }
  }
  throw new Error('Unterminated template expression');
}

/** Whitespace runs become one space; whitespace between tags disappears. */
function shrinkHtml(chunk: string): string {
  return chunk.replace(/\s+/g, ' ').replace(/> </g, '><');
}

/** Whitespace disappears around braces, semicolons, commas and after colons; a last semicolon goes. */
function shrinkCss(chunk: string): string {
  return chunk
    .replace(/\s+/g, ' ')
    .replace(/ ?([{};,]) ?/g, '$1')
    .replace(/: /g, ':')
    .replace(/;}/g, '}')
    .trim();
}
