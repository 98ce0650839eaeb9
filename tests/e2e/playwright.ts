// The few playwright-core calls the end-to-end test makes, typed here: playwright-core itself is
// installed in the e2e tools cache (scripts/e2e-tools.sh), not in the project's node_modules.
import { createRequire } from "node:module";
import { join } from "node:path";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Locator {
  first(): Locator;
  nth(index: number): Locator;
  filter(options: { hasText?: string | RegExp }): Locator;
  locator(selector: string): Locator;
  count(): Promise<number>;
  click(options?: { position?: { x: number; y: number }; timeout?: number }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  hover(options?: { timeout?: number }): Promise<void>;
  boundingBox(): Promise<Box | null>;
  getAttribute(name: string): Promise<string | null>;
  innerText(options?: { timeout?: number }): Promise<string>;
  waitFor(options?: { state?: "attached" | "detached" | "visible" | "hidden"; timeout?: number }): Promise<void>;
}

export interface Keyboard {
  press(key: string): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
}

export interface Mouse {
  move(x: number, y: number, options?: { steps?: number }): Promise<void>;
  click(x: number, y: number): Promise<void>;
}

export interface Page {
  goto(url: string, options?: { timeout?: number; waitUntil?: string }): Promise<unknown>;
  locator(selector: string): Locator;
  waitForSelector(selector: string, options?: { state?: string; timeout?: number }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  screenshot(options: { path: string; clip?: Box; fullPage?: boolean }): Promise<unknown>;
  on(event: "console", listener: (message: { type(): string; text(): string }) => void): void;
  keyboard: Keyboard;
  mouse: Mouse;
}

export interface BrowserContext {
  pages(): Page[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface Chromium {
  launchPersistentContext(
    userDataDir: string,
    options: { executablePath: string; headless: boolean; viewport: { width: number; height: number }; args: string[] },
  ): Promise<BrowserContext>;
}

export function loadChromium(tools: string): Chromium {
  const require = createRequire(join(tools, "drv", "package.json"));
  return (require("playwright-core") as { chromium: Chromium }).chromium;
}
