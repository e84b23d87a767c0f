/** What the emulator's hosted pages (checkout, portal) share: escaping, money, and the page frame. */

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}

/** An amount in the minor unit, formatted in its currency ($20.00, ¥500). */
export function money(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

/** The look every hosted page shares: the system's colours (light or dark) and framed sections. */
const BASE_STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
  body { margin: 0; background: Canvas; color: CanvasText; }
  section { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: .5rem; padding: 1rem 1.25rem; margin: 1rem 0; }
`;

/**
 * A whole hosted page: `body` (already escaped) in one `<main>`, the shared look plus the page's own
 * `style`, and an inline favicon, so a browser makes no request the emulator would answer with a 404.
 */
export function hostedPage(title: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${BASE_STYLE}${style}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}
