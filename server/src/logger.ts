/** Structured log sink: one JSON object per line. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

// Field names that could carry a credential or card data; their values never reach a log line.
const SECRET_FIELD = /authorization|token|secret|password|api[_-]?key|card|cvc|signature|cookie/i;

// Field names repeat on every request; remember the verdict instead of re-running the pattern.
const secretField = new Map<string, boolean>();

/** Masks fields whose names suggest secrets, so a careless call site cannot leak one. */
export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    let secret = secretField.get(key);
    if (secret === undefined) {
      secret = SECRET_FIELD.test(key);
      if (secretField.size < 1000) secretField.set(key, secret);
    }
    out[key] = secret ? '[redacted]' : value;
  }
  return out;
}

/**
 * Writes JSON lines (`{"time","level","msg",…}`) to `write` (stdout by default). Lines are
 * batched and flushed once per event-loop turn: one write per burst instead of one per request.
 */
export function jsonLogger(write: (chunk: string) => void = (chunk) => process.stdout.write(chunk)): Logger {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    write(chunk);
  };
  process.once('exit', flush);
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const entry = { time: new Date().toISOString(), level, msg, ...(fields ? redact(fields) : {}) };
    pending += `${JSON.stringify(entry)}\n`;
    if (level === 'error' || pending.length > 65_536) {
      flush();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

/** A logger that discards everything (tests that do not look at logs). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
