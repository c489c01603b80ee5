/**
 * The few browser globals that code handed to `page.evaluate` touches. This workspace compiles for
 * Node without the DOM library; the functions run in Chromium, where these are the real ones.
 */
export interface PageElement {
  getAttribute(name: string): string | null;
  addEventListener(type: string, listener: () => void, options?: { once?: boolean }): void;
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
}

export interface PageCanvas extends PageElement {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { drawImage(source: PageCanvas, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

export interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  createElement(tag: 'canvas'): PageCanvas & { width: number; height: number };
  dispatchEvent(event: unknown): boolean;
}
