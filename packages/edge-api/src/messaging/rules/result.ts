// Refusals as values. Every rule here answers `{ ok: true, … }` or a refusal whose `code` a caller
// can branch on and whose `message` can be shown to the person as it is: it says why, in plain
// words, and what to do instead when there is something to do.

export interface Refusal<Code extends string = string> {
  ok: false;
  code: Code;
  message: string;
}

export function refuse<Code extends string>(code: Code, message: string): Refusal<Code> {
  return { ok: false, code, message };
}
