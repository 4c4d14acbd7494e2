import { defaultExperimentConfig } from '@mmrecall/experiments';
import type { TrainingData } from '@mmrecall/training';
import { describe, expect, it } from 'vitest';
import { renderClusterReport } from './run-report';

describe('renderClusterReport', () => {
  it('draws validation loss and Recall against the leaf count, with the table and the config', () => {
    const row = (name: string, validLoss: number, recall: number, leaves?: number) => ({
      name,
      validLoss,
      recall,
      coldRecall: 0,
      ndcg: 0,
      ...(leaves === undefined ? {} : { leaves, branching: [leaves] }),
    });
    const html = renderClusterReport({
      config: defaultExperimentConfig(),
      data: { name: 'tiny<set>', summary: 'a summary' } as TrainingData,
      backend: 'cpu',
      rows: [row('ID-only', 3, 0.1), row('raw', 2.5, 0.2), row('node ids', 2.8, 0.15, 8)],
      markdown: '| model | leaves |\n|---|---:|\n| node ids | 8 |',
    });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<td>node ids</td>');
    expect(html).toContain('&quot;gated-additive&quot;');
  });
});
