import qs from 'qs';
import { invalidParam, invalidRequest, missingParam } from './errors.ts';

/** Form or query parameters as the SDK sends them: nested by brackets, every leaf a string. */
export type Params = Record<string, unknown>;

const badPercent = /%(?![0-9a-fA-F]{2})/;

/** Parses `a[b][0][c]=x` form text; malformed percent-encoding is a 400, as Stripe answers. */
export function parseForm(text: string): Params {
  if (!text) return {};
  if (badPercent.test(text)) throw invalidRequest('Invalid request: the body is not valid form encoding.');
  try {
    return qs.parse(text, {
      depth: 20,
      arrayLimit: 1000,
      parameterLimit: 10000,
      allowPrototypes: false,
    }) as Params;
  } catch {
    throw invalidRequest('Invalid request: the body is not valid form encoding.');
  }
}

/** Reads typed values out of a Params object; `path` names the param in errors (`line_items[0][price]`). */
export class ParamReader {
  constructor(
    readonly params: Params,
    readonly path = '',
  ) {}

  private name(key: string): string {
    return this.path ? `${this.path}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.params[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.params[key];
  }

  string(key: string): string | undefined;
  string(key: string, opts: { required: true }): string;
  string(key: string, opts?: { required?: boolean }): string | undefined {
    const v = this.params[key];
    if (v === undefined || v === '') {
      if (opts?.required) throw missingParam(this.name(key));
      return undefined;
    }
    if (typeof v !== 'string')
      throw invalidParam(this.name(key), `Invalid string: ${this.name(key)} must be a string.`);
    return v;
  }

  /** A nullable string: `''` (how the SDK sends null) answers null. */
  nullableString(key: string): string | null | undefined {
    const v = this.params[key];
    if (v === '') return null;
    return this.string(key);
  }

  enum<T extends string>(key: string, values: readonly T[]): T | undefined;
  enum<T extends string>(key: string, values: readonly T[], opts: { required: true }): T;
  enum<T extends string>(key: string, values: readonly T[], opts?: { required?: boolean }): T | undefined {
    const v = opts?.required ? this.string(key, { required: true }) : this.string(key);
    if (v === undefined) return undefined;
    if (!values.includes(v as T)) {
      throw invalidParam(this.name(key), `Invalid ${this.name(key)}: must be one of ${values.join(', ')}`);
    }
    return v as T;
  }

  integer(key: string): number | undefined;
  integer(key: string, opts: { required: true; min?: number; max?: number }): number;
  integer(key: string, opts?: { required?: boolean; min?: number; max?: number }): number | undefined {
    const v = opts?.required ? this.string(key, { required: true }) : this.string(key);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw invalidParam(this.name(key), `Invalid integer: ${v}`);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw invalidParam(this.name(key), `Invalid integer: ${v}`);
    if (opts?.min !== undefined && n < opts.min) {
      throw invalidParam(this.name(key), `This value must be greater than or equal to ${opts.min}.`);
    }
    if (opts?.max !== undefined && n > opts.max) {
      throw invalidParam(this.name(key), `This value must be less than or equal to ${opts.max}.`);
    }
    return n;
  }

  boolean(key: string): boolean | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false') throw invalidParam(this.name(key), `Invalid boolean: ${v}`);
    return v === 'true';
  }

  /** A nested hash; `''` unsets (answers null). */
  object(key: string): ParamReader | null | undefined;
  object(key: string, opts: { required: true }): ParamReader;
  object(key: string, opts?: { required?: boolean }): ParamReader | null | undefined {
    const v = this.params[key];
    if (v === undefined) {
      if (opts?.required) throw missingParam(this.name(key));
      return undefined;
    }
    if (v === '') {
      if (opts?.required) throw missingParam(this.name(key));
      return null;
    }
    if (typeof v !== 'object' || Array.isArray(v)) {
      throw invalidParam(this.name(key), `Invalid object: ${this.name(key)} must be a hash.`);
    }
    return new ParamReader(v as Params, this.name(key));
  }

  /** An indexed array (`a[0]=…`); qs turns it into an array, or an object with numeric keys past its limit. */
  array(key: string): ParamReader[] | undefined;
  array(key: string, opts: { required: true }): ParamReader[];
  array(key: string, opts?: { required?: boolean }): ParamReader[] | undefined {
    const v = this.params[key];
    if (v === undefined || v === '') {
      if (opts?.required) throw missingParam(this.name(key));
      return undefined;
    }
    const items = Array.isArray(v) ? v : typeof v === 'object' && v ? Object.values(v) : undefined;
    if (!items) throw invalidParam(this.name(key), `Invalid array: ${this.name(key)} must be an array.`);
    return items.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw invalidParam(
          `${this.name(key)}[${i}]`,
          `Invalid object: ${this.name(key)}[${i}] must be a hash.`,
        );
      }
      return new ParamReader(item as Params, `${this.name(key)}[${i}]`);
    });
  }

  /** An array of strings (`expand[0]=a`). */
  stringArray(key: string): string[] | undefined {
    const v = this.params[key];
    if (v === undefined || v === '') return undefined;
    const items = Array.isArray(v) ? v : typeof v === 'object' && v ? Object.values(v) : [v];
    return items.map((item, i) => {
      if (typeof item !== 'string') throw invalidParam(`${this.name(key)}[${i}]`, 'Invalid string.');
      return item;
    });
  }

  /** Metadata: a hash of strings; `''` for a key deletes it, `''` for the whole hash clears it. */
  metadata(current: Record<string, string> = {}, key = 'metadata'): Record<string, string> {
    const v = this.params[key];
    if (v === undefined) return current;
    if (v === '') return {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      throw invalidParam(this.name(key), 'Invalid hash: metadata must be a hash of strings.');
    }
    const out = { ...current };
    for (const [k, val] of Object.entries(v as Params)) {
      if (typeof val !== 'string')
        throw invalidParam(`${this.name(key)}[${k}]`, 'Metadata values must be strings.');
      if (val === '') delete out[k];
      else out[k] = val;
    }
    return out;
  }
}
