import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createModelFromConfig,
  fitOptionsOf,
  type LoadedTrainingData,
  loadTrainingData,
} from '@mmrecall/experiments';
import { createRandom, mixSeed as deriveSeed, shuffleInPlace } from '@mmrecall/random';
import { selectBackend } from '@mmrecall/runtime';
import { createSparseOptimizer, trainStep } from '@mmrecall/towers/training';
import {
  buildTrainingPairs,
  createBatchAssembler,
  createDenseAdam,
  resolveFitOptions,
} from '@mmrecall/training';
import * as tf from '@tensorflow/tfjs-core';
import {
  type PartialTrainerConfig,
  readConfigFile,
  resolveTrainerConfig,
  type TrainerBackend,
  type TrainerConfig,
} from '../src/config';

/**
 * One way of running the training step. `stock` is the path the trainer took before fused kernels:
 * `tf.train.adam` and the stock tfjs ops; `fused` is `train.fusedKernels` with the flat Adam.
 * `threads` > 1 loads the threaded wasm build.
 */
export interface BenchArm {
  /** `stock` or `fused`. */
  path: 'stock' | 'fused';
  /** wasm threads (1 = single-thread SIMD build). */
  threads: number;
  /** Positive pairs per step; default the config's `train.batchSize`. */
  batchSize?: number;
}

/** What one child process measured for one arm. */
export interface ArmFigures {
  /** Positive pairs per second over the timed steps (assembly + trainStep). */
  examplesPerSecond: number;
  /** Mean wall time of one step, ms. */
  stepMs: number;
  /** Kernels launched per step (tf.profile, registered kernels only). */
  kernelsPerStep: number;
  /** Estimated floating point operations per step (matmuls 2MNK, element-wise 1 per output). */
  flopsPerStep: number;
  /** Process CPU time / wall time over the timed steps (all threads). */
  coresUsed: number;
  /** FLOP/s of an n^3 matMul on this arm's backend and threads (best of 3). */
  matMulFlops: number;
  /** Mean loss over the timed steps (sanity: both paths train the same model). */
  meanLoss: number;
  /** Threads the backend reports. */
  threads: number;
  /** Kernels per step by kernel name. */
  kernelCounts: Record<string, number>;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** FLOPs of one kernel from its shapes: BatchMatMul / _FusedMatMul 2MNK, else one per output element. */
function kernelFlops(kernel: { name: string; inputShapes: number[][]; outputShapes: number[][] }): number {
  const out = kernel.outputShapes[0] ?? [];
  if (kernel.name === 'BatchMatMul' || kernel.name === '_FusedMatMul') {
    const a = kernel.inputShapes[0] ?? [];
    const m = out[out.length - 2] ?? 1;
    const n = out[out.length - 1] ?? 1;
    const batch = product(out.slice(0, -2));
    const k = product(a) / Math.max(1, batch * m);
    return 2 * batch * m * n * k;
  }
  return kernel.outputShapes.reduce((sum, shape) => sum + product(shape), 0);
}

/** FLOP/s of an n x n x n matMul (best of `repeats`). */
async function peakMatMul(n: number, repeats: number): Promise<number> {
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats + 1; r++) {
    const start = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    const ms = performance.now() - start;
    c.dispose();
    if (r > 0) best = Math.min(best, ms);
  }
  tf.dispose([a, b]);
  return (2 * n * n * n) / (best / 1000);
}

/** Options of {@link benchArm}. */
export interface BenchArmOptions {
  /** Resolved config (data, model, batch size); `train.fusedKernels` is set from the arm. */
  config: TrainerConfig;
  /** The arm. */
  arm: BenchArm;
  /** Timed steps (after 5 warm-up steps). */
  steps: number;
  /** Instead of `steps`: time ceil(examples / batch size) steps (arms of different batch sizes). */
  examples?: number;
  /** Profiled steps (kernel count and FLOPs). */
  profileSteps: number;
  /** Size of the reference matMul; 0 = skip it. */
  matMulSize: number;
  /** Data already loaded from `config.data` (several arms in one process); default: loaded here. */
  data?: LoadedTrainingData;
}

/** Trains `steps` steps of one arm on the active backend and measures it. */
export async function benchArm(options: BenchArmOptions): Promise<Omit<ArmFigures, 'threads'>> {
  const kernelCounts: Record<string, number> = {};
  const { arm } = options;
  const config: TrainerConfig = {
    ...options.config,
    train: {
      ...options.config.train,
      fusedKernels: arm.path === 'fused',
      ...(arm.batchSize === undefined ? {} : { batchSize: arm.batchSize }),
    },
  };
  const batchSize = config.train.batchSize;
  const steps = options.examples ? Math.max(1, Math.ceil(options.examples / batchSize)) : options.steps;
  const data = options.data ?? (await loadTrainingData({ data: config.data }));
  const setup = createModelFromConfig(config, data);
  const sparseOptimizers = setup.model.tables.map((table) =>
    createSparseOptimizer({ table, ...setup.model.config.tableOptimizer }),
  );
  const optimizer =
    arm.path === 'fused'
      ? createDenseAdam({ variables: setup.model.variables, learningRate: config.train.learningRate })
      : tf.train.adam(config.train.learningRate);
  try {
    const pairs = buildTrainingPairs({ data, mode: config.model.mode, userPositives: setup.userPositives });
    const assemble = createBatchAssembler({
      model: setup,
      targetCounts: pairs.targetCounts,
      logQ: config.train.logQ,
      extraNegatives: config.train.extraNegatives,
      seed: config.train.seed,
    });
    const order = shuffleInPlace(
      Int32Array.from(pairs.targets, (_, i) => i),
      createRandom(deriveSeed(config.train.seed, 0)),
    );
    const maxSteps = Math.floor(order.length / batchSize);
    let stepIndex = 0;
    const nextBatch = () => {
      const s = stepIndex++ % maxSteps;
      const rows = order.subarray(s * batchSize, (s + 1) * batchSize);
      return {
        step: s,
        batch: assemble({
          queries: Int32Array.from(rows, (r) => pairs.queries[r] as number),
          targets: Int32Array.from(rows, (r) => pairs.targets[r] as number),
          step: s,
        }),
      };
    };
    const lossOptions = resolveFitOptions(fitOptionsOf(config)).loss;
    const runStep = (): number => {
      const { batch, step } = nextBatch();
      return trainStep({
        variables: setup.model.variables,
        sparseOptimizers,
        optimizer,
        loss: () => setup.model.computeLoss({ batch, loss: lossOptions, training: true, step }).total,
      });
    };
    for (let w = 0; w < 5; w++) runStep();
    let lossSum = 0;
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    for (let s = 0; s < steps; s++) lossSum += runStep();
    const wallMs = performance.now() - wallStart;
    const cpu = process.cpuUsage(cpuStart);
    let flops = 0;
    let kernels = 0;
    const backendName = tf.getBackend();
    for (let s = 0; s < options.profileSteps; s++) {
      const info = await tf.profile(() => {
        runStep();
      });
      for (const kernel of info.kernels) {
        // Entries that are not registered kernels (custom-gradient scopes) wrap other kernels: skip them.
        if (tf.getKernel(kernel.name, backendName) === undefined) continue;
        flops += kernelFlops(kernel);
        kernels++;
        kernelCounts[kernel.name] = (kernelCounts[kernel.name] ?? 0) + 1 / options.profileSteps;
      }
    }
    const stepMs = wallMs / steps;
    return {
      examplesPerSecond: (steps * batchSize) / (wallMs / 1000),
      stepMs,
      kernelsPerStep: kernels / Math.max(1, options.profileSteps),
      flopsPerStep: flops / Math.max(1, options.profileSteps),
      coresUsed: (cpu.user + cpu.system) / 1000 / wallMs,
      matMulFlops: options.matMulSize > 0 ? await peakMatMul(options.matMulSize, 3) : Number.NaN,
      meanLoss: lossSum / steps,
      kernelCounts,
    };
  } finally {
    optimizer.dispose();
    for (const sparse of sparseOptimizers) sparse.dispose();
    setup.dispose();
  }
}

const HELP = `Usage: node dist-bench/bench.js [options]

Training throughput of several ways of running the same training step ("arms"), each in its own
process, interleaved round by round so that a busy machine slows all arms alike; prints medians.
Per arm: examples/s, step ms, kernels per step, cores used (CPU time / wall time), achieved FLOP/s
and its ratio to the matMul rate of the 2-thread wasm build, and the speed-up over the first arm.

  --arms <list>        comma-separated <path>[@threads], path stock (tf.train.adam, stock ops: the
                       trainer before fused kernels) or fused (train.fusedKernels + flat Adam);
                       default stock,fused
  --config <file>      trainer config (e.g. configs/tiktok.yaml); default: the synthetic default
  --preset <name>      synthetic preset when no --config, default default
  --kind <kind>        model kind (default: the config's)
  --backend <name>     wasm (default), cpu or node
  --rounds <n>         rounds (each runs every arm once), default 5
  --steps <n>          timed steps per arm and round, default 30
  --examples <n>       instead of --steps: ceil(n / batch size) timed steps per arm and round
  --profile-steps <n>  profiled steps per arm and round, default 2
  --matmul <n>         reference matMul size n (n x n x n), default 1024; 0 = skip
  --batch-sizes <list> run every arm at each of these batch sizes (e.g. 256,1024,2048)
  --one-process        run every arm and round in one process on one data load (for presets whose
                       generation dominates, e.g. xl); all arms then share one thread count
  --kernels            also list kernels per step by name for each arm
  --json               print JSON only
  -h, --help`;

function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function parseArm(text: string): BenchArm {
  const [path, threadsText] = text.split('@');
  const threads = threadsText === undefined ? 1 : Number(threadsText);
  if ((path !== 'stock' && path !== 'fused') || !Number.isInteger(threads) || threads < 1) {
    throw new Error(`--arms: "${text}" is not <stock|fused>[@threads]`);
  }
  return { path, threads };
}

const armName = (arm: BenchArm): string =>
  `${arm.path}${arm.threads > 1 ? `@${arm.threads}` : ''}${arm.batchSize === undefined ? '' : `/b${arm.batchSize}`}`;

interface ChildRequest {
  config: TrainerConfig;
  arm: BenchArm;
  backend: TrainerBackend;
  steps: number;
  examples?: number;
  profileSteps: number;
  matMulSize: number;
  /** Only time the matMul (the 2-thread reference). */
  matMulOnly?: boolean;
  /** One-process mode: every arm, `rounds` times (rotating order), on one data load. */
  arms?: BenchArm[];
  rounds?: number;
}

/** Child mode: one arm in this process, one JSON line on stdout. */
async function runChild(request: ChildRequest): Promise<void> {
  const selected = await selectBackend({ backend: request.backend, threads: request.arm.threads });
  const threads = selected.threads ?? 1;
  if (request.matMulOnly) {
    const matMulFlops = await peakMatMul(request.matMulSize, 3);
    process.stdout.write(`${JSON.stringify({ matMulFlops, threads })}\n`);
    return;
  }
  if (request.arms) {
    // Every arm and round on one data load: one JSON array per round, in arm order.
    const data = await loadTrainingData({ data: request.config.data });
    const arms = request.arms;
    for (let round = 0; round < (request.rounds ?? 1); round++) {
      const figures: Omit<ArmFigures, 'threads'>[] = new Array(arms.length);
      for (let k = 0; k < arms.length; k++) {
        const index = (k + round) % arms.length;
        const arm = arms[index] as BenchArm;
        figures[index] = await benchArm({ ...request, arm, data });
        process.stderr.write(
          `[bench] round ${round + 1}/${request.rounds ?? 1} ${armName(arm)}: ${(figures[index] as ArmFigures).examplesPerSecond.toFixed(0)} examples/s\n`,
        );
      }
      process.stdout.write(`${JSON.stringify(figures.map((f) => ({ ...f, threads })))}\n`);
    }
    return;
  }
  const figures = await benchArm(request);
  process.stdout.write(`${JSON.stringify({ ...figures, threads })}\n`);
}

function spawnChild(request: ChildRequest): Promise<Partial<ArmFigures>> {
  return spawnChildLines(request).then(
    (lines) => JSON.parse(lines[lines.length - 1] ?? '') as Partial<ArmFigures>,
  );
}

/** Runs one child and resolves with its stdout lines. */
function spawnChildLines(request: ChildRequest): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', JSON.stringify(request)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out
        .trim()
        .split('\n')
        .filter((line) => line !== '');
      if (code !== 0 || lines.length === 0) {
        reject(new Error(`${armName(request.arm)}: child exited with ${code}`));
        return;
      }
      resolve(lines);
    });
  });
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        child: { type: 'string' },
        arms: { type: 'string' },
        config: { type: 'string' },
        preset: { type: 'string' },
        kind: { type: 'string' },
        backend: { type: 'string' },
        rounds: { type: 'string' },
        steps: { type: 'string' },
        'profile-steps': { type: 'string' },
        matmul: { type: 'string' },
        json: { type: 'boolean' },
        kernels: { type: 'boolean' },
        'batch-sizes': { type: 'string' },
        'one-process': { type: 'boolean' },
        examples: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`mmrecall-bench: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  if (typeof values.child === 'string') {
    await runChild(JSON.parse(values.child) as ChildRequest);
    return 0;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const int = (name: string, fallback: number, min = 1): number => {
    const text = values[name];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(text)}`);
    return value;
  };
  const paths = String(values.arms ?? 'stock,fused')
    .split(',')
    .map((text) => parseArm(text.trim()));
  const batchSizes =
    typeof values['batch-sizes'] === 'string'
      ? values['batch-sizes'].split(',').map((text) => {
          const value = Number(text.trim());
          if (!Number.isInteger(value) || value < 2)
            throw new Error(`--batch-sizes: "${text}" is not an integer >= 2`);
          return value;
        })
      : undefined;
  const arms: BenchArm[] = batchSizes
    ? batchSizes.flatMap((batchSize) => paths.map((arm) => ({ ...arm, batchSize })))
    : paths;
  const oneProcess = values['one-process'] === true;
  if (oneProcess && new Set(arms.map((arm) => arm.threads)).size > 1)
    throw new Error('--one-process: every arm must use the same thread count');
  const backend = String(values.backend ?? 'wasm') as TrainerBackend;
  const overrides: PartialTrainerConfig = {};
  if (values.config === undefined)
    overrides.data = { preset: String(values.preset ?? 'default') as 'default' };
  if (typeof values.kind === 'string')
    overrides.model = { kind: values.kind as TrainerConfig['model']['kind'] };
  const file = typeof values.config === 'string' ? await readConfigFile({ path: values.config }) : undefined;
  const config = resolveTrainerConfig({
    ...(file !== undefined ? { file } : {}),
    ...(typeof values.config === 'string' ? { fileName: values.config } : {}),
    overrides,
  });
  const rounds = int('rounds', 5);
  const base = {
    config,
    backend,
    steps: int('steps', 30),
    ...(values.examples === undefined ? {} : { examples: int('examples', 1) }),
    profileSteps: int('profile-steps', 2, 0),
    matMulSize: int('matmul', 1024, 0),
  };
  const loadBefore = loadavg();
  const perArm: Partial<ArmFigures>[][] = arms.map(() => []);
  const reference: number[] = [];
  let referenceThreads = 0;
  if (oneProcess) {
    const lines = await spawnChildLines({ ...base, arm: arms[0] as BenchArm, arms, rounds });
    for (const line of lines) {
      const figures = JSON.parse(line) as Partial<ArmFigures>[];
      figures.forEach((f, index) => {
        (perArm[index] as Partial<ArmFigures>[]).push(f);
      });
    }
  }
  for (let round = 0; round < (oneProcess ? 0 : rounds); round++) {
    // Rotate the order so that no arm always runs first (or right after the reference).
    for (let k = 0; k < arms.length; k++) {
      const index = (k + round) % arms.length;
      const arm = arms[index] as BenchArm;
      const figures = await spawnChild({ ...base, arm });
      (perArm[index] as Partial<ArmFigures>[]).push(figures);
      process.stderr.write(
        `[bench] round ${round + 1}/${rounds} ${armName(arm)}: ${(figures.examplesPerSecond ?? 0).toFixed(0)} examples/s\n`,
      );
    }
    if (backend === 'wasm' && base.matMulSize > 0) {
      try {
        const figures = await spawnChild({ ...base, arm: { path: 'stock', threads: 2 }, matMulOnly: true });
        reference.push(figures.matMulFlops ?? Number.NaN);
        referenceThreads = figures.threads ?? 0;
      } catch (error) {
        process.stderr.write(`[bench] 2-thread matMul reference failed: ${(error as Error).message}\n`);
      }
    }
  }
  const loadAfter = loadavg();
  const referenceFlops = median(reference);
  const firstRates = (perArm[0] ?? []).map((f) => f.examplesPerSecond ?? Number.NaN);
  const rows = arms.map((arm, index) => {
    const runs = perArm[index] as Partial<ArmFigures>[];
    const pick = (key: keyof ArmFigures) => median(runs.map((f) => Number(f[key])));
    const examplesPerSecond = pick('examplesPerSecond');
    const stepMs = pick('stepMs');
    const flopsPerStep = pick('flopsPerStep');
    const achievedFlops = flopsPerStep / (stepMs / 1000);
    return {
      arm: armName(arm),
      threads: pick('threads'),
      examplesPerSecond,
      examplesPerSecondRange: [
        Math.min(...runs.map((f) => f.examplesPerSecond ?? Number.NaN)),
        Math.max(...runs.map((f) => f.examplesPerSecond ?? Number.NaN)),
      ],
      stepMs,
      kernelsPerStep: pick('kernelsPerStep'),
      flopsPerStep,
      coresUsed: pick('coresUsed'),
      achievedFlops,
      matMulFlops: pick('matMulFlops'),
      ratioToTwoThreadMatMul: achievedFlops / referenceFlops,
      meanLoss: pick('meanLoss'),
      kernelCounts: runs[0]?.kernelCounts ?? {},
      // Median over rounds of (this arm / first arm) in the same round.
      speedup: median(
        runs.map((f, r) => (f.examplesPerSecond ?? Number.NaN) / (firstRates[r] ?? Number.NaN)),
      ),
    };
  });
  const summary = {
    data: config.data.source === 'synthetic' ? `synthetic-${config.data.preset}` : config.data.source,
    kind: config.model.kind,
    batchSize: batchSizes ? batchSizes.join(',') : config.train.batchSize,
    backend,
    rounds,
    steps: base.steps,
    loadAverage: { before: loadBefore, after: loadAfter },
    twoThreadMatMulFlops: referenceFlops,
    twoThreadMatMulThreads: referenceThreads,
    arms: rows,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
  const lines = [
    `${summary.kind} on ${summary.data}, batch ${summary.batchSize}, ${backend}, medians of ${rounds} interleaved rounds x ${base.examples === undefined ? `${base.steps} steps` : `${base.examples} examples`}${oneProcess ? ', one process' : ''}`,
    `load average ${loadBefore.map((v) => v.toFixed(2)).join(' ')} before, ${loadAfter.map((v) => v.toFixed(2)).join(' ')} after; 2-thread matMul (${base.matMulSize}^3): ${base.matMulSize > 0 ? `${fixed(referenceFlops / 1e9, 2)} GFLOP/s` : 'skipped'}`,
    '| arm | examples/s (min-max) | vs first | step ms | kernels/step | MFLOP/step | cores used | achieved GFLOP/s | own matMul GFLOP/s | ratio to 2-thread matMul | mean loss |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.arm} | ${fixed(r.examplesPerSecond, 0)} (${fixed(r.examplesPerSecondRange[0] as number, 0)}-${fixed(r.examplesPerSecondRange[1] as number, 0)}) | ${fixed(r.speedup, 2)}x | ${fixed(r.stepMs, 1)} | ${fixed(r.kernelsPerStep, 0)} | ${fixed(r.flopsPerStep / 1e6, 1)} | ${fixed(r.coresUsed, 2)} | ${fixed(r.achievedFlops / 1e9, 3)} | ${fixed(r.matMulFlops / 1e9, 2)} | ${fixed(100 * r.ratioToTwoThreadMatMul, 2)}% | ${fixed(r.meanLoss, 4)} |`,
    ),
  ];
  if (values.kernels) {
    const names = [...new Set(rows.flatMap((r) => Object.keys(r.kernelCounts)))].sort();
    lines.push(
      '',
      `| kernel | ${rows.map((r) => r.arm).join(' | ')} |`,
      `|---|${rows.map(() => '---:').join('|')}|`,
    );
    for (const name of names)
      lines.push(`| ${name} | ${rows.map((r) => fixed(r.kernelCounts[name] ?? 0, 0)).join(' | ')} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`mmrecall-bench: error: ${(error as Error).message}\n`);
  return 1;
});
