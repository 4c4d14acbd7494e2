import { parseArgs } from 'node:util';
import { createRandom, mixSeed as deriveSeed, shuffleInPlace } from '@mmrecall/random';
import { selectBackend } from '@mmrecall/runtime';
import { trainStep } from '@mmrecall/towers';
import * as tf from '@tensorflow/tfjs-core';
import { resolveTrainerConfig, type TrainerBackend, type TrainerModelKind } from './config';
import { loadTrainingData, type TrainingData } from './data';
import { buildModelSetup } from './model-setup';
import { buildTrainingPairs, createBatchAssembler, lossOptionsOf } from './train';

/** Figures of one backend. */
export interface BackendBench {
  backend: string;
  /** Positive pairs per second over the timed steps (assembly + trainStep). */
  examplesPerSecond: number;
  /** Mean wall time of one step (assembly + trainStep), ms. */
  stepMs: number;
  /** Mean batch assembly (feature slicing, logQ, negatives; pure JS), ms. */
  assemblyMs: number;
  /** Share of the step's wall time spent in batch assembly. */
  assemblyShare: number;
  /** Share of trainStep's wall time (profiled run) spent inside tfjs kernels. */
  kernelShare: number;
  /** Share of the whole step outside tfjs kernels (assembly + op dispatch, tape, sparse table updates). */
  outsideKernelShare: number;
  /** Kernels launched per step. */
  kernelsPerStep: number;
  /** Estimated floating point operations per step (matmuls 2MNK, element-wise 1 per output). */
  flopsPerStep: number;
  /** Achieved FLOP/s of training (flopsPerStep / stepMs). */
  achievedFlops: number;
  /** FLOP/s of a large matMul timed in the same run. */
  peakMatMulFlops: number;
  /** achievedFlops / peakMatMulFlops. */
  peakRatio: number;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** FLOPs of one kernel from its shapes: BatchMatMul 2MNK, _FusedMatMul the same, else one per output element. */
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

/** Options of {@link benchBackend}. */
export interface BenchBackendOptions {
  /** Data set. */
  data: TrainingData;
  /** Model kind. */
  kind: TrainerModelKind;
  /** Embedding dimension. */
  dim: number;
  /** Batch size. */
  batchSize: number;
  /** Timed steps (after warm-up). */
  steps: number;
  /** Profiled steps. */
  profileSteps: number;
  /** Size of the reference matMul. */
  matMulSize: number;
}

/** Trains `steps` steps on the active backend and measures throughput, time split and FLOP/s. */
export async function benchBackend(options: BenchBackendOptions): Promise<Omit<BackendBench, 'backend'>> {
  const { data, batchSize, steps } = options;
  const config = resolveTrainerConfig({
    overrides: {
      model: { kind: options.kind, dim: options.dim },
      train: { batchSize },
      output: 'bench-output',
    },
  });
  const setup = buildModelSetup({ config, data });
  const optimizer = tf.train.adam(config.train.learningRate);
  try {
    const pairs = buildTrainingPairs({ data, mode: 'u2i', userPositives: setup.userPositives });
    const assemble = createBatchAssembler({ setup, train: config.train, targetCounts: pairs.targetCounts });
    const order = shuffleInPlace(
      Int32Array.from(pairs.targets, (_, i) => i),
      createRandom(deriveSeed(1, 0)),
    );
    const maxSteps = Math.floor(order.length / batchSize);
    let stepIndex = 0;
    const nextBatch = () => {
      const s = stepIndex++ % maxSteps;
      const rows = order.subarray(s * batchSize, (s + 1) * batchSize);
      return assemble({
        queries: Int32Array.from(rows, (r) => pairs.queries[r] as number),
        targets: Int32Array.from(rows, (r) => pairs.targets[r] as number),
        step: s,
      });
    };
    const runStep = (batch: ReturnType<typeof nextBatch>, step: number): number =>
      trainStep({
        variables: setup.model.variables,
        tables: setup.model.tables,
        optimizer,
        loss: () =>
          setup.model.computeLoss({ batch, loss: lossOptionsOf(config.train), training: true, step }).total,
      });
    for (let w = 0; w < 5; w++) runStep(nextBatch(), w);
    let assemblyMs = 0;
    let trainMs = 0;
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const batch = nextBatch();
      const t1 = performance.now();
      runStep(batch, s);
      trainMs += performance.now() - t1;
      assemblyMs += t1 - t0;
    }
    // Profiled steps: kernel time and FLOPs (tf.profile times each kernel synchronously on cpu/wasm).
    let kernelMs = 0;
    let profiledMs = 0;
    let flops = 0;
    let kernels = 0;
    for (let s = 0; s < options.profileSteps; s++) {
      const batch = nextBatch();
      const start = performance.now();
      const info = await tf.profile(() => {
        runStep(batch, s);
      });
      profiledMs += performance.now() - start;
      const backendName = tf.getBackend();
      for (const kernel of info.kernels) {
        // Entries that are not registered kernels (custom-gradient scopes) wrap other kernels: skip them.
        if (tf.getKernel(kernel.name, backendName) === undefined) continue;
        kernelMs += Number(kernel.kernelTimeMs) || 0;
        flops += kernelFlops(kernel);
        kernels++;
      }
    }
    const stepMs = (assemblyMs + trainMs) / steps;
    const kernelShare = kernelMs / profiledMs;
    const meanTrainMs = trainMs / steps;
    const flopsPerStep = flops / options.profileSteps;
    const achievedFlops = flopsPerStep / (stepMs / 1000);
    const peakMatMulFlops = await peakMatMul(options.matMulSize, 3);
    return {
      examplesPerSecond: (steps * batchSize) / ((assemblyMs + trainMs) / 1000),
      stepMs,
      assemblyMs: assemblyMs / steps,
      assemblyShare: assemblyMs / (assemblyMs + trainMs),
      kernelShare,
      outsideKernelShare: 1 - (kernelShare * meanTrainMs) / stepMs,
      kernelsPerStep: kernels / options.profileSteps,
      flopsPerStep,
      achievedFlops,
      peakMatMulFlops,
      peakRatio: achievedFlops / peakMatMulFlops,
    };
  } finally {
    optimizer.dispose();
    setup.model.dispose();
  }
}

const HELP = `Usage: node dist-bench/bench.js [options]

Training throughput of one model kind on each tfjs backend that loads (wasm, cpu; node when installed),
the share of step time outside tfjs kernels (batch assembly measured separately), and achieved FLOP/s
as a ratio of a large matMul's FLOP/s timed in the same run.

  --backends <list>    comma-separated, default wasm,cpu
  --kind <kind>        model kind, default gated-additive
  --preset <name>      synthetic preset, default default
  --dim <n>            embedding dim, default 32
  --batch-size <n>     default 256
  --steps <n>          timed steps per backend, default 40
  --profile-steps <n>  profiled steps per backend, default 5
  --matmul <n>         reference matMul size n (n x n x n), default 1024
  --json               print JSON only
  -h, --help`;

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        backends: { type: 'string' },
        kind: { type: 'string' },
        preset: { type: 'string' },
        dim: { type: 'string' },
        'batch-size': { type: 'string' },
        steps: { type: 'string' },
        'profile-steps': { type: 'string' },
        matmul: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`mmrecall-bench: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const int = (name: string, fallback: number): number => {
    const text = values[name];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name}: expected an integer >= 1, got ${JSON.stringify(text)}`);
    return value;
  };
  const backends = String(values.backends ?? 'wasm,cpu').split(',') as TrainerBackend[];
  const kind = (values.kind ?? 'gated-additive') as TrainerModelKind;
  const preset = String(values.preset ?? 'default');
  const config = resolveTrainerConfig({
    overrides: { data: { preset: preset as 'default' }, model: { kind } },
  });
  const results: BackendBench[] = [];
  let data: TrainingData | undefined;
  for (const backend of backends) {
    let selected: Awaited<ReturnType<typeof selectBackend>>;
    try {
      selected = await selectBackend({ backend, log: (line) => process.stderr.write(`${line}\n`) });
    } catch (error) {
      process.stderr.write(
        `[bench] ${backend}: not available (${(error as Error).message.split('\n')[0]})\n`,
      );
      continue;
    }
    data ??= await loadTrainingData({ data: config.data });
    process.stderr.write(`[bench] ${selected.name}: ${data.summary}\n`);
    const figures = await benchBackend({
      data,
      kind,
      dim: int('dim', 32),
      batchSize: int('batch-size', 256),
      steps: int('steps', 40),
      profileSteps: int('profile-steps', 5),
      matMulSize: int('matmul', 1024),
    });
    results.push({ backend: selected.name + (selected.simd ? '+simd' : ''), ...figures });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ kind, preset, results }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    '| backend | examples/s | step ms | assembly ms (share) | outside kernels | kernels/step | MFLOP/step | achieved GFLOP/s | matMul GFLOP/s | ratio |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.backend} | ${r.examplesPerSecond.toFixed(0)} | ${r.stepMs.toFixed(1)} | ${r.assemblyMs.toFixed(2)} (${(100 * r.assemblyShare).toFixed(1)}%) | ${(100 * r.outsideKernelShare).toFixed(1)}% | ${r.kernelsPerStep.toFixed(0)} | ${(r.flopsPerStep / 1e6).toFixed(1)} | ${(r.achievedFlops / 1e9).toFixed(3)} | ${(r.peakMatMulFlops / 1e9).toFixed(2)} | ${(100 * r.peakRatio).toFixed(2)}% |`,
    ),
  ];
  process.stdout.write(`${kind} on synthetic-${preset}\n${lines.join('\n')}\n`);
  return 0;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`mmrecall-bench: error: ${(error as Error).message}\n`);
  return 1;
});
