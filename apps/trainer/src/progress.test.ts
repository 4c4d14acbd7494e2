import { describe, expect, it } from 'vitest';
import { createProgressBar, createStageProgress } from './progress';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => writes.push(text) }, writes };
}

describe('createProgressBar', () => {
  it('prints plain lines at every quarter when stderr is not a TTY, with rate and ETA from the clock', () => {
    const { stream, writes } = fakeStream(false);
    let now = 0;
    const bar = createProgressBar({
      label: 'epoch 1/2',
      total: 8,
      examplesPerStep: 100,
      stream,
      now: () => now,
    });
    for (let step = 1; step <= 8; step++) {
      now = step * 500; // 0.5 s per step = 200 examples/s
      bar.update({ step, loss: 10 / step });
    }
    bar.finish({ extra: 'valid Recall@20 0.1234' });
    expect(writes).toEqual([
      'epoch 1/2  25% 2/8 loss 5.0000 200 ex/s ETA 3s\n',
      'epoch 1/2  50% 4/8 loss 2.5000 200 ex/s ETA 2s\n',
      'epoch 1/2  75% 6/8 loss 1.6667 200 ex/s ETA 1s\n',
      'epoch 1/2 done 8/8 steps loss 1.2500 200 ex/s in 4s valid Recall@20 0.1234\n',
    ]);
  });

  it('redraws one line with a bar on a TTY and throttles redraws', () => {
    const { stream, writes } = fakeStream(true);
    let now = 0;
    const bar = createProgressBar({
      label: 'e',
      total: 4,
      examplesPerStep: 10,
      stream,
      now: () => now,
      redrawMs: 100,
    });
    now = 50;
    bar.update({ step: 1, loss: 1 });
    now = 60;
    bar.update({ step: 2, loss: 1 }); // within 100 ms of the last draw: skipped
    now = 200;
    bar.update({ step: 3, loss: 1 });
    bar.finish();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe(`\re [=====>${' '.repeat(18)}]  25% 1/4 loss 1.0000 200 ex/s ETA 0s\u001b[K`);
    expect(writes[1]).toMatch(/^\re \[=================> {6}\] {2}75% 3\/4/);
    expect(writes[2]).toMatch(/^\re done 3\/4 steps .*\n$/);
  });
});

describe('createStageProgress', () => {
  it('prints a plain line at most every plainEveryMs, with the stage rate and ETA; a short step prints none', () => {
    const { stream, writes } = fakeStream(false);
    let now = 0;
    const progress = createStageProgress({
      label: 'validation',
      units: { ranking: 'queries' },
      stream,
      now: () => now,
      plainEveryMs: 1000,
    });
    // items: 1000 per 100 ms = 10k items/s; ranking: 10 queries per 100 ms = 100 queries/s.
    for (let b = 1; b <= 30; b++) {
      now = b * 100;
      progress.report({ stage: 'items', done: b * 1000, total: 30_000 });
    }
    for (let b = 1; b <= 20; b++) {
      now = 3000 + b * 100;
      progress.report({ stage: 'ranking', done: b * 10, total: 200 });
    }
    expect(writes).toEqual([
      'validation: items 10000/30000 (33%) 10.0k items/s ETA 2s\n',
      'validation: items 20000/30000 (66%) 10.0k items/s ETA 1s\n',
      'validation: items 30000/30000 (100%) 10.0k items/s ETA 0s\n',
      'validation: ranking 100/200 (50%) 100 queries/s ETA 1s\n',
      'validation: ranking 200/200 (100%) 100 queries/s ETA 0s\n',
    ]);
    const quiet = fakeStream(false);
    const short = createStageProgress({ label: 'test', stream: quiet.stream, now: () => 5 });
    short.report({ stage: 'ranking', done: 64, total: 64 });
    expect(quiet.writes).toEqual([]);
  });

  it('redraws one line on a TTY (throttled, always at the end of a stage) and clears it', () => {
    const { stream, writes } = fakeStream(true);
    let now = 0;
    const progress = createStageProgress({ label: 'test', stream, now: () => now, redrawMs: 200 });
    now = 100;
    progress.report({ stage: 'items', done: 1, total: 4 }); // within 200 ms of the start: skipped
    now = 250;
    progress.report({ stage: 'items', done: 2, total: 4 });
    now = 300;
    progress.report({ stage: 'items', done: 4, total: 4 }); // the end of a stage is always drawn
    progress.clear();
    expect(writes).toEqual([
      '\rtest: items 2/4 (50%) 8 items/s ETA 0s\u001b[K',
      '\rtest: items 4/4 (100%) 13 items/s ETA 0s\u001b[K',
      '\r\u001b[K',
    ]);
  });
});
