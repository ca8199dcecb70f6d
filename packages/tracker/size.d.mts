export interface Size {
  min: number;
  gzip: number;
}

export interface BuiltSizes {
  entry: string;
  chunk: string;
  /** `Cache-Control` per file. */
  files: Record<string, string>;
  core: Size;
  fingerprint: Size;
  total: Size;
}

export declare const BUDGETS: Readonly<{ core: number; total: number }>;
export declare function sizeOf(code: string | Uint8Array): Size;
export declare function builtSizes(dist: string): BuiltSizes;
