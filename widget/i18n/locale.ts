/** The nearest `lang` at or above `element`, looking through shadow roots; `en` when there is none or it is invalid. */
export function localeOf(element: Element): string {
  let node: Node | undefined = element;
  while (node) {
    const lang = (node as HTMLElement).lang;
    if (lang) {
      try {
        return Intl.getCanonicalLocales(lang)[0];
      } catch {
        break;
      }
    }
    node = node.parentNode ?? (node as ShadowRoot).host;
  }
  return 'en';
}
