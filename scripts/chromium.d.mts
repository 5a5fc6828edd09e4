// Types of scripts/chromium.mjs, for the TypeScript browser tests.
import type { Browser } from 'playwright-core';

export declare const chromiumPath: string;
export declare const chromiumArgs: string[];
export declare function launchChromium(extraArgs?: string[]): Promise<Browser>;
