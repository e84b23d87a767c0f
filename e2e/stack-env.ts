import type { StackInfo } from './stack.ts';

/** The variables e2e/run.ts hands to the flows, by the `StackInfo` field each fills. */
export const STACK_VARIABLES: Record<keyof StackInfo, string> = {
  billingUrl: 'E2E_BILLING_URL',
  emulatorUrl: 'E2E_EMULATOR_URL',
  hostUrl: 'E2E_HOST_URL',
  dataDir: 'E2E_DATA_DIR',
  apiKey: 'E2E_API_KEY',
  jwtSecret: 'E2E_JWT_SECRET',
};

/** The running stack, as e2e/run.ts describes it; a flow started any other way stops with how to run it. */
export function stackFromEnv(): StackInfo {
  const entries = Object.entries(STACK_VARIABLES).map(([field, variable]) => {
    const value = process.env[variable];
    if (!value)
      throw new Error(`${variable} is not set: run the end-to-end flows with \`npm run test:e2e\`.`);
    return [field, value];
  });
  return Object.fromEntries(entries) as StackInfo;
}
