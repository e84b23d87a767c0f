/** The first element of `host`'s shadow root with the CSS part `name`; throws when there is none. */
export function part<T extends HTMLElement = HTMLElement>(host: Element, name: string): T {
  const found = host.shadowRoot?.querySelector<T>(`[part~='${name}']`);
  if (!found)
    throw new Error(`<${host.localName}> has no [part~='${name}'] in: ${host.shadowRoot?.innerHTML}`);
  return found;
}

/** Whether `host`'s shadow root has an element with the CSS part `name`. */
export function hasPart(host: Element, name: string): boolean {
  return !!host.shadowRoot?.querySelector(`[part~='${name}']`);
}

/** Every element of `host`'s shadow root with the CSS part `name`. */
export function parts<T extends HTMLElement = HTMLElement>(host: Element, name: string): T[] {
  return [...(host.shadowRoot?.querySelectorAll<T>(`[part~='${name}']`) ?? [])];
}

/** The visible text of `host`'s card, whitespace collapsed. */
export function cardText(host: Element): string {
  return part(host, 'base').textContent!.replace(/\s+/g, ' ').trim();
}

/** Whether `host` is in custom state `state` (`:state(loading)` and so on). */
export function inState(host: Element, state: string): boolean {
  return host.matches(`:state(${state})`);
}
