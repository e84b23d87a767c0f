/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and says where a process spent its CPU:
 * self time grouped by where the code lives (a package in node_modules, a folder of ours, Node's
 * own internals, the garbage collector), and the functions that took the most. Used by the
 * benches' `BENCH_PROFILE_DIR` option to show what bounds a figure; Chrome DevTools opens the same
 * file for the full picture. Written here because the profile format is small and stable, and the
 * tools that summarise it (0x, clinic) are whole visualisers this needs none of.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** In µs of the monotonic clock that `process.hrtime` reads too, so another process can mark a window. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A stretch of time, in µs of `process.hrtime.bigint() / 1000n` (the profile's own clock on Linux). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Now, on the clock a profile's timestamps use. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Where a frame's code lives: `node_modules/<package>`, our own top folder/file, Node, or V8. */
export function bucketOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const ours = /\/(server|stripe-emulator|contract|bench|scripts)\/(?:src\/)?([^/]+)/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]!.replace(/\.ts$/, '')}`;
  return url;
}

export interface ProfileSummary {
  totalMs: number;
  buckets: { name: string; ms: number; share: number }[];
  functions: { name: string; where: string; ms: number; share: number }[];
}

/** Self time per bucket and per function, idle time left out, over the window (or the whole profile). */
export function summariseProfile(profile: CpuProfile, top = 15, window?: ProfileWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const buckets = new Map<string, number>();
  const functions = new Map<string, { where: string; us: number }>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    totalUs += us;
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${url}:${lineNumber + 1}`;
    const entry = functions.get(key) ?? { where: bucket, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  const share = (us: number) => Math.round((1000 * us) / totalUs) / 10;
  return {
    totalMs: Math.round(totalUs / 1000),
    buckets: [...buckets]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: share(us) })),
    functions: [...functions]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([key, { where, us }]) => ({
        name: key.split(' ')[0]!,
        where,
        ms: Math.round(us / 1000),
        share: share(us),
      })),
  };
}

/**
 * Prints where the main thread's time went (the `.cpuprofile` node writes for thread 0 of the
 * newest process in `dir`) as two Markdown tables, and one line for each worker thread. A worker
 * (the store's checkpointer) spends its time blocked in SQLite's file I/O, which V8 samples as busy:
 * its figure is time, not CPU.
 */
export function printProfile(dir: string, title: string, window?: ProfileWindow, buckets = 12): void {
  // node names them CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile.
  const files = readdirSync(dir)
    .map((name) => ({ name, parts: name.split('.') }))
    .filter((f) => f.name.endsWith('.cpuprofile') && f.parts.length === 7);
  const pid = files
    .map((f) => f.parts[3]!)
    .sort()
    .at(-1);
  const threads = files.filter((f) => f.parts[3] === pid);
  const main = threads.find((f) => f.parts[4] === '0');
  if (!main) throw new Error(`no main-thread .cpuprofile in ${dir}`);
  const read = (name: string) =>
    summariseProfile(JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile, 15, window);
  const summary = read(main.name);
  const span = window ? ` between ${window.fromUs} and ${window.toUs} µs` : '';
  console.log(
    `\n${title}: main thread ${summary.totalMs} ms busy${span} (idle left out), ${join(dir, main.name)}`,
  );
  console.log('| where | self ms | share |\n|---|---|---|');
  for (const b of summary.buckets.slice(0, buckets)) console.log(`| ${b.name} | ${b.ms} | ${b.share}% |`);
  console.log('\n| function | where | self ms | share |\n|---|---|---|---|');
  for (const f of summary.functions) console.log(`| ${f.name} | ${f.where} | ${f.ms} | ${f.share}% |`);
  for (const worker of threads.filter((f) => f !== main)) {
    const w = read(worker.name);
    const top = w.functions[0];
    console.log(
      `worker thread ${worker.parts[4]}: ${w.totalMs} ms busy, most in ${top ? `${top.name} (${top.where}, ${top.share}%)` : 'nothing'}`,
    );
  }
}
