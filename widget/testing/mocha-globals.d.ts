/**
 * The Mocha globals Web Test Runner provides to widget tests, declared here so that the browser
 * tsconfig checks the tests without pulling in @types/mocha.
 */
declare function describe(title: string, body: () => void): void;
declare function it(title: string, body: () => unknown): void;
declare function beforeEach(body: () => unknown): void;
declare function afterEach(body: () => unknown): void;
declare function before(body: () => unknown): void;
declare function after(body: () => unknown): void;
