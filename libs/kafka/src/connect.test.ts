import pino from 'pino';
import { registerSchemas } from '@stableyield/schemas';
import { topicSpec } from './catalog';
import { connectKafka } from './connect';
import { provisionTopics } from './provision';
import { TopicSerde } from './serde';

jest.mock('./provision', () => ({ provisionTopics: jest.fn(() => Promise.resolve({})) }));
jest.mock('@stableyield/schemas', () => ({
  ...jest.requireActual<object>('@stableyield/schemas'),
  registerSchemas: jest.fn(() => Promise.resolve([])),
}));

const silent = pino({ level: 'silent' });
// Nothing listens there: without provisioning nothing connects.
const config = {
  KAFKA_BROKERS: ['127.0.0.1:1'],
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
  KAFKA_REPLICATION_FACTOR: 3,
  PROVISION_TOPICS: true,
};

describe('connectKafka', () => {
  beforeEach(() => jest.clearAllMocks());

  it('builds the clients and the serde without touching the cluster when it does not provision', async () => {
    const connection = await connectKafka(config, silent, { clientId: 'demo', provision: false });
    expect(connection.serde).toBeInstanceOf(TopicSerde);
    expect(typeof connection.kafka.admin).toBe('function');
    expect(provisionTopics).not.toHaveBeenCalled();
    expect(registerSchemas).not.toHaveBeenCalled();
  });

  it('provisions the given topics, then registers the schemas on its registry client', async () => {
    const topics = [topicSpec('syi.calculated')];
    const connection = await connectKafka(config, silent, { clientId: 'demo', provision: topics });
    expect(provisionTopics).toHaveBeenCalledWith(connection.kafka, silent, { replicationFactor: 3, topics });
    expect(registerSchemas).toHaveBeenCalledWith(connection.registryClient);
  });

  it('with PROVISION_TOPICS false leaves the topics alone and still registers the schemas', async () => {
    const topics = [topicSpec('syi.calculated')];
    const connection = await connectKafka({ ...config, PROVISION_TOPICS: false }, silent, {
      clientId: 'demo',
      provision: topics,
    });
    expect(provisionTopics).not.toHaveBeenCalled();
    expect(registerSchemas).toHaveBeenCalledWith(connection.registryClient);
  });

  it('with PROVISION_TOPICS false starts through a registry that does not answer, not one that refuses', async () => {
    const provisionApart = { ...config, PROVISION_TOPICS: false };
    const options = { clientId: 'demo', provision: [topicSpec('syi.calculated')] };
    // the registry client's request failed: no HTTP answer
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { isAxiosError: true, code: 'ECONNREFUSED' });
    jest.mocked(registerSchemas).mockRejectedValueOnce(refused);
    await expect(connectKafka(provisionApart, silent, options)).resolves.toBeDefined();
    jest.mocked(registerSchemas).mockRejectedValueOnce(Object.assign(new Error('unavailable'), { status: 503 }));
    await expect(connectKafka(provisionApart, silent, options)).resolves.toBeDefined();
    // an error of our own is not an outage
    jest.mocked(registerSchemas).mockRejectedValueOnce(new TypeError('schema is not JSON'));
    await expect(connectKafka(provisionApart, silent, options)).rejects.toThrow('not JSON');
    const incompatible = Object.assign(new Error('Schema being registered is incompatible'), { status: 409 });
    jest.mocked(registerSchemas).mockRejectedValueOnce(incompatible);
    await expect(connectKafka(provisionApart, silent, options)).rejects.toThrow('incompatible');
    // where the app provisions, any failure stops it
    jest.mocked(registerSchemas).mockRejectedValueOnce(refused);
    await expect(connectKafka(config, silent, options)).rejects.toThrow('ECONNREFUSED');
  });
});
