import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildAsyncApiDocument } from './asyncapi.js';
import { eventCatalog, eventKeys, schemaFileName } from './catalog.js';
import { packageRoot, readJson, readText } from './test-support.js';
import { allTopics, deadLetterHeaders, topics } from './topics.js';
import { toYaml } from './yaml.js';

const { version } = readJson('package.json') as { version: string };
const committedText = readText('asyncapi.yaml');
const doc = parse(committedText) as any;

describe('asyncapi.yaml', () => {
  it('is exactly what the generator writes (otherwise run `pnpm --filter @lendstack/contracts generate`)', () => {
    expect(committedText).toBe(toYaml(buildAsyncApiDocument(version)));
  });

  it('parses as YAML to the document the generator built', () => {
    expect(doc).toEqual(buildAsyncApiDocument(version));
  });

  it('is AsyncAPI 3.0 with the local Kafka server', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info.version).toBe(version);
    expect(doc.servers.local).toMatchObject({ host: '127.0.0.1:9092', protocol: 'kafka' });
  });

  it('has one channel per topic, addressed by topic name, with its partitions and retention', () => {
    const channels = Object.values(doc.channels) as any[];
    expect(channels.map((c) => c.address).sort()).toEqual(allTopics.map((t) => t.name).sort());
    for (const topic of allTopics) {
      const channel = channels.find((c) => c.address === topic.name);
      expect(channel.bindings.kafka).toMatchObject({
        topic: topic.name,
        partitions: topic.partitions,
        topicConfiguration: { 'cleanup.policy': [topic.cleanupPolicy ?? 'delete'], 'retention.ms': topic.retentionMs },
      });
    }
  });

  it.each(eventKeys)('describes %s: keyed by its aggregate id, payload is the committed JSON Schema', (key) => {
    const message = doc.components.messages[key];
    const schemaRef: string = message.payload.schema.$ref;
    expect(schemaRef).toBe(`./schemas/${schemaFileName(key)}`);
    expect(existsSync(join(packageRoot, schemaRef))).toBe(true);
    expect(message.payload.schemaFormat).toBe('application/schema+json;version=draft-2020-12');
    expect(message.bindings.kafka.key).toMatchObject({ type: 'string' });
    expect(message.bindings.kafka.key.description).toMatch({ products: /<tenant>:<code>/, applications: /application id/ }[eventCatalog[key].topic as string] ?? /loan id/);
    const channel = doc.channels[eventCatalog[key].topic];
    expect(channel.messages[key]).toEqual({ $ref: `#/components/messages/${key}` });
  });

  it('has LOS send and LMS receive operations for LoanApproved v1', () => {
    const ops = Object.values(doc.operations) as any[];
    const onLoanApproved = ops.filter((o) => o.channel.$ref === '#/channels/loanApproved');
    expect(onLoanApproved.map((o) => o.action).sort()).toEqual(['receive', 'send']);
    expect(doc.operations.losSendLoanApprovedV1.action).toBe('send');
    expect(doc.operations.lmsReceiveLoanApprovedV1.action).toBe('receive');
  });

  it('describes the dead-letter channel and every dead-letter header', () => {
    const channel = Object.values(doc.channels).find((c: any) => c.address === topics.lmsDeadLetter.name) as any;
    expect(channel).toBeDefined();
    const headers = doc.components.messages.DeadLetter.headers;
    const names = Object.values(deadLetterHeaders);
    expect(Object.keys(headers.properties)).toEqual(names);
    expect(headers.required).toEqual(names);
    expect(doc.operations.lmsSendDeadLetter).toMatchObject({ action: 'send', channel: { $ref: '#/channels/lmsDeadLetter' } });
  });

  it('only references things that exist in the document', () => {
    const refs = [...committedText.matchAll(/\$ref: "#\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const target = ref.split('/').reduce((node: any, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      expect(target, `#/${ref}`).toBeDefined();
    }
    expect(readFileSync(join(packageRoot, 'asyncapi.yaml'), 'utf8').endsWith('\n')).toBe(true);
  });
});
