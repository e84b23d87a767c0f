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
  samples: number[];
  timeDeltas: number[];
}

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

/** Self time per bucket and per function over the whole profile, idle time left out. */
export function summariseProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
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

/** Prints the summary of the newest `.cpuprofile` in `dir` as two Markdown tables. */
export function printProfile(dir: string, title: string, buckets = 12): void {
  const newest = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .at(-1);
  if (!newest) throw new Error(`no .cpuprofile in ${dir}`);
  const path = join(dir, newest);
  const summary = summariseProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  console.log(`\n${title}: ${summary.totalMs} ms of CPU (idle left out), profile ${path}`);
  console.log('| where | self ms | share |\n|---|---|---|');
  for (const b of summary.buckets.slice(0, buckets)) console.log(`| ${b.name} | ${b.ms} | ${b.share}% |`);
  console.log('\n| function | where | self ms | share |\n|---|---|---|---|');
  for (const f of summary.functions) console.log(`| ${f.name} | ${f.where} | ${f.ms} | ${f.share}% |`);
}
