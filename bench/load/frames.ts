/**
 * Hot-path classification of server frames without JSON.parse: the load generator only needs the
 * frame type and the ref to match a reply to its request.
 *
 *   Livery (docs/protocol.md):  [2,"r",ref,vid,…]  [2,"d",vid,…]  [2,"x",ref,vid,code,msg]
 *   Phoenix channels v2 (LiveViewJS): ["join","ref","lv:…","phx_reply",{…}]  [null,null,"lv:…","diff",{…}]
 */

export const KIND_REPLY = 1;
export const KIND_PUSH = 2;
export const KIND_ERROR = 3;
export const KIND_OTHER = 0;

export interface Classified {
  kind: number;
  ref: number;
}

/** Reused result object: classification runs once per received frame. */
const out: Classified = { kind: KIND_OTHER, ref: 0 };

function digitsAt(s: string, at: number): number {
  let n = 0;
  for (let i = at; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return n;
}

/** Assumes compact JSON (no spaces), which every server under test emits. */
export function classifyLivery(frame: string): Classified {
  out.ref = 0;
  // `[2,"r",` — the type letter sits at index 4.
  const t = frame.charCodeAt(4);
  if (t === 114 /* r */) {
    out.kind = KIND_REPLY;
    out.ref = digitsAt(frame, 7);
  } else if (t === 100 /* d */) {
    out.kind = KIND_PUSH;
  } else if (t === 120 /* x */) {
    out.kind = KIND_ERROR;
    out.ref = digitsAt(frame, 7);
  } else {
    out.kind = KIND_OTHER;
  }
  return out;
}

export function classifyPhoenix(frame: string): Classified {
  out.ref = 0;
  if (frame.startsWith('[null')) {
    out.kind = frame.includes('"diff"') ? KIND_PUSH : KIND_OTHER;
    return out;
  }
  // ["<joinRef>","<ref>",…
  const second = frame.indexOf('","', 2);
  if (second < 0) {
    out.kind = KIND_OTHER;
    return out;
  }
  out.ref = digitsAt(frame, second + 3);
  out.kind = frame.includes('"status":"ok"') ? KIND_REPLY : KIND_ERROR;
  return out;
}

/** Livery: the diff of a reply or push frame, parsed (join replies only: not a hot path). */
export function liveryDiff(frame: string): Record<string, unknown> | null {
  const arr = JSON.parse(frame) as unknown[];
  const diff = arr[1] === 'r' ? arr[4] : arr[1] === 'd' ? arr[3] : undefined;
  return diff !== null && typeof diff === 'object' ? (diff as Record<string, unknown>) : null;
}

/** Livery: code and message of an `x` frame. */
export function liveryError(frame: string): string {
  try {
    const arr = JSON.parse(frame) as unknown[];
    return `${String(arr[4])}: ${String(arr[5])}`;
  } catch {
    return frame.slice(0, 120);
  }
}

export function decodeHtmlAttr(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The value of attribute `name` on the first element that carries it, HTML-decoded. */
export function attrValue(html: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(html);
  return m === null ? null : decodeHtmlAttr(m[1]);
}
