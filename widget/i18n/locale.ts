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

/** An element that follows the page's language: told when a `lang` attribute changes. */
export interface LangFollower {
  langChanged(): void;
}

const followers = new Set<LangFollower>();
let observer: MutationObserver | undefined;

/**
 * Tells `follower` whenever a `lang` attribute changes anywhere in the document (on `<html>` or
 * any element of the light DOM), as Web Awesome's elements follow `lang`: one observer for every
 * element of the page, watching from the first follower to the last. Answers the call that stops.
 */
export function followLang(follower: LangFollower): () => void {
  observer ??= new MutationObserver(() => {
    for (const f of followers) f.langChanged();
  });
  if (followers.size === 0) {
    observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['lang'],
      subtree: true,
    });
  }
  followers.add(follower);
  return () => {
    followers.delete(follower);
    if (followers.size === 0) observer!.disconnect();
  };
}
