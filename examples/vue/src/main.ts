import 'billing-widgets';
// The elements in Vue's GlobalComponents, generated from custom-elements.json by `npm run build`.
import type {} from 'billing-widgets/vue';
import { createApp } from 'vue';
import App from './App.vue';

createApp(App).mount('#app');
