// Types of scripts/chromium.mjs, for the TypeScript browser tests.
import type { Browser } from 'playwright-core';

export declare function launchChromium(extraArgs?: string[]): Promise<Browser>;
