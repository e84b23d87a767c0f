import type { StorybookConfig } from '@storybook/web-components-vite';

/** Storybook for the billing elements: one stories file per element, built offline in seconds. */
const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  addons: [],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
};

export default config;
