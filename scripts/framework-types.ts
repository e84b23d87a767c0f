/**
 * `npm run build:framework-types` (part of `npm run build`, after the analyzer): writes the React
 * JSX types and Vue's `GlobalComponents` for every billing element from custom-elements.json, to
 * dist/types/react.d.ts and dist/types/vue.d.ts (the package's `billing-widgets/react` and
 * `billing-widgets/vue`), each with an empty module beside it so a bare runtime import is harmless.
 *
 * Props come from the manifest (attributes, public writable fields, events); their types are the
 * element class's own (`BillingTopup['presets']`), and each event's type is the one the elements
 * add to the global event map, so nothing here repeats a type written in widget/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = `${root}dist/types/`;
/** The module that exports every element class, as the manifest names it. */
const ENTRY_MODULE = 'widget/index.ts';
const PACKAGE = 'billing-widgets';

interface Documented {
  name: string;
  description?: string;
}

/** One element as the generated types need it. */
interface ElementTypes {
  tag: string;
  className: string;
  summary?: string;
  /** HTML attributes and the field each one sets. */
  attributes: Array<Documented & { fieldName?: string }>;
  /** Public writable fields, attribute-backed or not (React 19 and Vue set them as properties). */
  fields: Documented[];
  events: Documented[];
}

/** The subset of the custom elements manifest schema read here. */
interface Manifest {
  modules: Array<{
    path: string;
    exports?: Array<{ name: string }>;
    declarations?: Array<{
      name: string;
      tagName?: string;
      customElement?: boolean;
      summary?: string;
      description?: string;
      attributes?: Array<Documented & { fieldName?: string }>;
      members?: Array<Documented & { kind: string; static?: boolean; readonly?: boolean; privacy?: string }>;
      events?: Documented[];
    }>;
  }>;
}

/** Every custom element in the manifest; each class must be exported by the package entry. */
function readElements(manifest: Manifest): ElementTypes[] {
  const exported = new Set(
    manifest.modules.find((m) => m.path === ENTRY_MODULE)?.exports?.map((e) => e.name) ?? [],
  );
  const elements: ElementTypes[] = [];
  for (const module of manifest.modules) {
    for (const declaration of module.declarations ?? []) {
      if (!declaration.customElement || !declaration.tagName) continue;
      if (!exported.has(declaration.name)) {
        throw new Error(`<${declaration.tagName}> (${declaration.name}) is not exported by ${ENTRY_MODULE}`);
      }
      elements.push({
        tag: declaration.tagName,
        className: declaration.name,
        summary: declaration.summary ?? declaration.description,
        attributes: declaration.attributes ?? [],
        fields: (declaration.members ?? []).filter(
          (m) =>
            m.kind === 'field' &&
            !m.static &&
            !m.readonly &&
            (m.privacy ?? 'public') === 'public' &&
            !m.name.startsWith('#'),
        ),
        events: (declaration.events ?? []).filter((e) => e.name),
      });
    }
  }
  return elements.sort((a, b) => a.tag.localeCompare(b.tag));
}

const HEADER =
  '// Generated from custom-elements.json by scripts/framework-types.ts (npm run build); do not edit.';

/** The event an element fires under a name: the global event map's entry, which widget/events/ fills. */
const EVENT_FOR = `/** The event a billing element fires under \`Name\`, as the elements declare it in the global event map. */
type EventFor<Name extends string> = Name extends keyof GlobalEventHandlersEventMap
  ? GlobalEventHandlersEventMap[Name]
  : Event;`;

function jsDoc(text: string | undefined, indent: string): string {
  if (!text) return '';
  const lines = text.replaceAll('*/', '*\\/').split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

const quoted = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);

function importElements(elements: ElementTypes[]): string {
  return `import type { ${elements.map((e) => e.className).join(', ')} } from '${PACKAGE}';`;
}

/**
 * React 19 JSX: attributes by their HTML names, properties without an attribute by their field
 * names (React sets a prop as a property when the element has one), and `on<event-name>` listeners.
 */
function reactTypes(elements: ElementTypes[]): string {
  const interfaces = elements.map((element) => {
    const { className } = element;
    const props: string[] = [];
    const own = new Set<string>();
    for (const attribute of element.attributes) {
      own.add(attribute.name);
      const type = attribute.fieldName ? `${className}['${attribute.fieldName}']` : 'string';
      props.push(`${jsDoc(attribute.description, '  ')}  ${quoted(attribute.name)}?: ${type};`);
    }
    const backed = new Set(element.attributes.map((a) => a.fieldName));
    for (const field of element.fields) {
      if (backed.has(field.name) || own.has(field.name)) continue;
      own.add(field.name);
      props.push(`${jsDoc(field.description, '  ')}  ${quoted(field.name)}?: ${className}['${field.name}'];`);
    }
    for (const event of element.events) {
      const prop = `on${event.name}`;
      own.add(prop);
      props.push(
        `${jsDoc(event.description, '  ')}  ${quoted(prop)}?: (event: EventFor<'${event.name}'>) => void;`,
      );
    }
    const omitted = [...own].map((name) => `'${name}'`).join(' | ') || 'never';
    return `${jsDoc(`\`<${element.tag}>\`: ${element.summary ?? className}`, '')}export interface ${className}Props
  extends Omit<DetailedHTMLProps<HTMLAttributes<${className}>, ${className}>, ${omitted}> {
${props.join('\n')}
}`;
  });
  const intrinsic = elements.map((e) => `      '${e.tag}': ${e.className}Props;`).join('\n');
  return `${HEADER}
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
${importElements(elements)}

${EVENT_FOR}

${interfaces.join('\n\n')}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
${intrinsic}
    }
  }
}
`;
}

/**
 * Vue: each element as a component type whose `$props` are its public writable fields (Vue binds
 * `api-base` to `apiBase`) and whose `$emit` lists its events: vue-tsc checks a template's bindings
 * against `$props` and its `@event` listeners against `$emit`, for custom elements as for components.
 */
function vueTypes(elements: ElementTypes[]): string {
  const components = elements.map((element) => {
    const fields = element.fields.map((f) => `'${f.name}'`).join(' | ') || 'never';
    const events = element.events.map((e) => `'${e.name}'`).join(' | ') || 'never';
    return `${jsDoc(`\`<${element.tag}>\`: ${element.summary ?? element.className}`, '    ')}    '${element.tag}': BillingElementComponent<${element.className}, ${fields}, ${events}>;`;
  });
  return `${HEADER}
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
${importElements(elements)}

${EVENT_FOR}

/**
 * A billing element as Vue's template type checker sees it. \`$props\` and \`$emit\` exist only for
 * that checker; they are not on the element.
 */
type BillingElementComponent<E extends HTMLElement, Props extends keyof E, Events extends string> = new () => E & {
  /** @deprecated For template type checking only; not a property of the element. */
  $props: HTMLAttributes & Partial<Pick<E, Props>> & PublicProps;
  /** @deprecated For template type checking only; not a method of the element. */
  $emit: EmitFn<{ [Name in Events]: (event: EventFor<Name>) => void }>;
};

declare module 'vue' {
  interface GlobalComponents {
${components.join('\n')}
  }
}
`;
}

const manifest = JSON.parse(readFileSync(`${root}custom-elements.json`, 'utf8')) as Manifest;
const elements = readElements(manifest);
mkdirSync(OUT_DIR, { recursive: true });
for (const [name, types] of [
  ['react', reactTypes(elements)],
  ['vue', vueTypes(elements)],
] as const) {
  writeFileSync(`${OUT_DIR}${name}.d.ts`, types);
  writeFileSync(`${OUT_DIR}${name}.js`, `${HEADER}\n// Types only: see ${name}.d.ts.\nexport {};\n`);
}
console.log(`dist/types: React and Vue types for ${elements.map((e) => `<${e.tag}>`).join(' ')}`);
