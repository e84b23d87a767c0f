/** Single-file components, for TypeScript (the template is checked by Vite's build, not by tsc). */
declare module '*.vue' {
  import type { DefineComponent } from 'vue';

  const component: DefineComponent;
  export default component;
}
