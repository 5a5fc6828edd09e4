// The training worker's tasks and messages: how its events reach the page (one list per task, so the page
// draws them in one frame), the work it queues after a run (one short task each, in order), and the time
// each kind of task takes (?debug's timings: no task should stall the worker). No state of the run here.
import type { FromWorker, TaskTimes, ToWorker } from './protocol';

interface Scope {
  postMessage(message: FromWorker[], transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
  name: string; // the options from client.ts's workerName: build=nosimd forces the scalar build, threads=N
}
export const scope = self as unknown as Scope;

// Events go out as lists: one event at once, or a slice's events together (together()), so the page handles
// them in one task and draws them in one frame (an epoch's end posts its progress, its row and its units).
let gathered: { events: FromWorker[]; transfer: Transferable[] } | null = null;
export function post(message: FromWorker, transfer: Transferable[] = []): void {
  if (!gathered) return scope.postMessage([message], transfer);
  gathered.events.push(message);
  gathered.transfer.push(...transfer);
}
export function together(f: () => void): void {
  const mine = (gathered = { events: [], transfer: [] });
  try {
    f();
  } finally {
    gathered = null;
    if (mine.events.length) scope.postMessage(mine.events, mine.transfer);
  }
}

// Work that follows a run (its test, the model's file, the units), one piece per task in order, each timed.
const queue: Array<[string, () => void]> = [];
const queueChannel = new MessageChannel();
queueChannel.port1.onmessage = () => {
  const task = queue.shift();
  if (task) timed(task[0], task[1]);
};
export function later(kind: string, f: () => void): void {
  queue.push([kind, f]);
  queueChannel.port2.postMessage(null);
}

export const timings: Record<string, TaskTimes> = {}; // per message type and 'slice' (debug 'timings')
let taskKind: string | null = null; // renames the running task's kind: a slice that ended an epoch or the run
let depth = 0; // of timed() calls: 0 outside any task

// Runs a task and adds its time to its kind's (for the measurements: no task should stall the worker).
export function timed(task: string, f: () => void): void {
  const start = performance.now();
  const outer = taskKind;
  taskKind = null;
  depth += 1;
  try {
    f();
  } finally {
    depth -= 1;
    const ms = performance.now() - start;
    record(taskKind ?? task, ms);
    if (depth === 0) record('(every task)', ms); // the worker's busy time and its longest task
    taskKind = outer;
  }
}

/** The running task counts as `kind` (a slice that ended an epoch or the run). */
export function countTaskAs(kind: string): void {
  taskKind = kind;
}

export function record(kind: string, ms: number): void {
  const t = (timings[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
  t.count += 1;
  t.totalMs += ms;
  t.maxMs = Math.max(t.maxMs, ms);
}

export function resetTimings(): void {
  for (const kind of Object.keys(timings)) delete timings[kind];
}
