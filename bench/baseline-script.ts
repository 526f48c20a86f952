/**
 * What the baseline server (bench/baseline-server.ts) replays: per route, the statements Passage
 * sent for one captured request, how their values change from request to request, and the
 * response it answered. Written by bench/baseline.ts, read by the baseline child.
 */

/** A statement parameter as JSON: plain JSON, or one of the per-request substitutions. */
export type ScriptValue =
  | null
  | boolean
  | number
  | string
  | ScriptValue[]
  | { $slot: string; plus?: number }
  | { $uuid: number }
  | { $time: number }
  /** A value an earlier statement of this request returned (e.g. the case of the referral being accepted). */
  | { $row: number; column: string }
  | { $seal: string; section: string; slot: string }
  /** The section as the rows returned it with the request's `data` merged (null clears), sealed as Passage seals it. */
  | { $merged: string; slot: string }
  | { $bytes: string };

export interface ScriptStatement {
  text: string;
  values: ScriptValue[];
}

/** A piece of the response body: literal text, or a per-request value (the same ones as the statements'). */
export type BodyPart = string | { $slot: string; plus?: number } | { $uuid: number } | { $time: number } | { $mergedWithVersion: string };

export interface ScriptRoute {
  name: string;
  method: string;
  /** Matched against the path and query; its named groups are slots (e.g. caseId). */
  pattern: string;
  /** Slots read from the JSON request body (field name → slot), e.g. version. */
  bodySlots?: Record<string, string>;
  /** The slot whose value names the case in a decrypted row's associated data. */
  caseSlot?: string;
  /** A section update: the section merged with the request's data is what is sealed and answered. */
  mergeSection?: string;
  statements: ScriptStatement[];
  status: number;
  contentType: string;
  body: BodyPart[];
}

export interface BaselineScript {
  jwtSecret: string;
  /** Encryption keys, newest first (id, base64 key): the same as the API's. */
  keys: Array<{ id: string; key: string }>;
  poolMax: number;
  routes: ScriptRoute[];
}
