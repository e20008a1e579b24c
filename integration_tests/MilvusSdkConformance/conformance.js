// Drives the official Milvus Node SDK (@zilliz/milvus2-sdk-node 3.0.6) HttpClient against a Milvus REST v2 server
// and checks its answers. Usage: node conformance.js <endpoint> [token]
// Prints one JSON line per check ({"check":..,"ok":..,"detail":..}) and exits 1 when any check fails.
'use strict';
const { HttpClient } = require('@zilliz/milvus2-sdk-node');

const endpoint = process.argv[2] || process.env.MILVUS_URI || 'http://127.0.0.1:19530';
const token = process.argv[3] || process.env.MILVUS_TOKEN || undefined;
const database = process.env.MILVUS_DB || undefined;
const client = new HttpClient({ endpoint, token, database, timeout: 30000 });

let failures = 0;
function check(name, ok, detail) {
  if (!ok) failures++;
  console.log(JSON.stringify({ check: name, ok: !!ok, detail: detail === undefined ? null : detail }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Real Milvus reads with Bounded consistency: poll until the expected count shows up (the test server answers at once).
async function queryUntil(params, predicate) {
  let res;
  for (let i = 0; i < 50; i++) {
    res = await client.query(params);
    if (res.code === 0 && predicate(res.data)) return res;
    await sleep(200);
  }
  return res;
}

async function main() {
  const suffix = Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);
  const quick = 'conf_quick_' + suffix;
  const full = 'conf_full_' + suffix;

  // Quick setup: Int64 "id", "vector" with COSINE, dynamic fields on, indexed and loaded.
  let res = await client.createCollection({ collectionName: quick, dimension: 4 });
  check('quick create succeeds', res.code === 0, res);

  res = await client.hasCollection({ collectionName: quick });
  check('has reports the new collection', res.code === 0 && res.data.has === true, res);

  res = await client.listCollections();
  check('list includes the new collection', res.code === 0 && Array.isArray(res.data) && res.data.includes(quick), res);

  res = await client.describeCollection({ collectionName: quick });
  const idField = res.data && res.data.fields.find((f) => f.name === 'id');
  const vecField = res.data && res.data.fields.find((f) => f.name === 'vector');
  check('describe shows the vector index with COSINE',
    res.code === 0 && res.data.indexes[0].fieldName === 'vector' && res.data.indexes[0].metricType === 'COSINE', res);
  check('describe shows an Int64 primary key and dim in params',
    idField && idField.type === 'Int64' && idField.primaryKey === true &&
    vecField && vecField.type === 'FloatVector' && vecField.params.some((p) => p.key === 'dim' && p.value === '4'), res.data);
  check('describe shows dynamic fields enabled and no $meta field',
    res.data.enableDynamicField === true && !res.data.fields.some((f) => f.name === '$meta'), res.data);

  res = await client.getCollectionLoadState({ collectionName: quick });
  check('quick collection is loaded', res.code === 0 && res.data.loadState === 'LoadStateLoaded', res);

  res = await client.insert({
    collectionName: quick,
    data: [
      { id: 1, vector: [1, 0, 0, 0], color: 'red', tag: 'a"b\\c' },
      { id: 2, vector: [0, 1, 0, 0], color: 'blue', tag: 'x' },
      { id: 3, vector: [0.9, 0.1, 0, 0], color: 'red', tag: "it's" },
    ],
  });
  check('insert returns count and string ids', res.code === 0 && res.data.insertCount === 3 &&
    JSON.stringify(res.data.insertIds) === JSON.stringify(['1', '2', '3']), res);

  res = await queryUntil({ collectionName: quick, filter: 'color == "red"', outputFields: ['id', 'color'] }, (d) => d.length === 2);
  check('query by dynamic key returns matching rows with string Int64 ids',
    res.code === 0 && res.data.length === 2 && res.data.every((r) => r.color === 'red' && typeof r.id === 'string'), res);

  res = await client.query({ collectionName: quick, filter: 'tag == "a\\"b\\\\c"', outputFields: ['id', 'tag'] });
  check('query with escaped quote and backslash matches exactly', res.code === 0 && res.data.length === 1 && res.data[0].tag === 'a"b\\c', res);

  res = await client.query({ collectionName: quick, filter: "tag == 'it\\'s'", outputFields: ['id'] });
  check('single-quoted literal with escaped quote matches', res.code === 0 && res.data.length === 1 && res.data[0].id === '3', res);

  res = await client.query({ collectionName: quick, filter: '$meta["color"] in ["blue"] and not (id == 1)', outputFields: ['id'] });
  check('$meta, in, and, not work together', res.code === 0 && res.data.length === 1 && res.data[0].id === '2', res);

  res = await client.search({ collectionName: quick, data: [[1, 0, 0, 0]], limit: 2, outputFields: ['color'] });
  check('search returns best first with numeric COSINE distance',
    res.code === 0 && res.data.length === 2 && res.data[0].id === '1' && typeof res.data[0].distance === 'number' &&
    Math.abs(res.data[0].distance - 1) < 1e-5 && res.data[0].distance >= res.data[1].distance && res.data[0].color === 'red', res);

  res = await client.search({ collectionName: quick, data: [[1, 0, 0, 0]], limit: 5, filter: 'color == "blue"', outputFields: ['*'] });
  check('search with a filter and outputFields *', res.code === 0 && res.data.length === 1 && res.data[0].id === '2' && res.data[0].tag === 'x', res);

  res = await client.upsert({ collectionName: quick, data: [{ id: 2, vector: [0, 1, 0, 0], color: 'green' }] });
  check('upsert returns count and string ids', res.code === 0 && res.data.upsertCount === 1 && JSON.stringify(res.data.upsertIds) === '["2"]', res);

  res = await queryUntil({ collectionName: quick, filter: 'id == 2', outputFields: ['color'] }, (d) => d.length === 1 && d[0].color === 'green');
  check('upsert replaced the row', res.code === 0 && res.data.length === 1 && res.data[0].color === 'green', res);

  res = await client.get({ collectionName: quick, id: [2], outputFields: ['color'] });
  check('get by id', res.code === 0 && res.data.length === 1 && res.data[0].color === 'green', res);

  res = await client.delete({ collectionName: quick, filter: 'id in [1]' });
  check('delete by primary key', res.code === 0, res);

  res = await queryUntil({ collectionName: quick, filter: 'id > 0', outputFields: ['count(*)'] }, (d) => Number(d[0]['count(*)']) === 2);
  check('count(*) after delete', res.code === 0 && Number(res.data[0]['count(*)']) === 2, res);

  res = await client.describeCollection({ collectionName: 'conf_missing_' + suffix });
  check('missing collection answers code 100', res.code === 100 && /collection not found/.test(res.message), res);

  res = await client.search({ collectionName: quick, data: [[1, 0, 0]], limit: 1 });
  check('search with a wrong dimension answers code 1801', res.code === 1801, res);

  res = await client.query({ collectionName: quick, filter: 'color == ', outputFields: ['id'] });
  check('a filter parse error answers code 1100', res.code === 1100, res);

  res = await client.insert({ collectionName: quick, data: [{ id: 9, vector: [1, 0, 0] }] });
  check('insert with a wrong dimension answers code 1804', res.code === 1804, res);

  // Full schema: VarChar key, no index at create time, so not loaded until indexed and loaded.
  res = await client.createCollection({
    collectionName: full,
    schema: {
      autoID: false,
      enableDynamicField: true,
      fields: [
        { fieldName: 'pk', dataType: 'VarChar', isPrimary: true, elementTypeParams: { max_length: 64 } },
        { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
        { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 256 } },
      ],
    },
  });
  check('full-schema create succeeds', res.code === 0, res);

  res = await client.getCollectionLoadState({ collectionName: full });
  check('full-schema collection without index is not loaded', res.code === 0 && res.data.loadState === 'LoadStateNotLoad', res);

  res = await client.createIndex({
    collectionName: full,
    indexParams: [{ fieldName: 'vector', indexName: 'vector', metricType: 'L2', params: { index_type: 'AUTOINDEX' } }],
  });
  check('create index succeeds', res.code === 0, res);

  res = await client.listIndexes({ collectionName: full });
  check('list indexes shows it', res.code === 0 && res.data.includes('vector'), res);

  res = await client.describeIndex({ collectionName: full, indexName: 'vector' });
  check('describe index shows the L2 metric', res.code === 0 && res.data[0].metricType === 'L2' && res.data[0].fieldName === 'vector', res);

  res = await client.loadCollection({ collectionName: full });
  check('load succeeds', res.code === 0, res);
  for (let i = 0; i < 50; i++) {
    res = await client.getCollectionLoadState({ collectionName: full });
    if (res.data && res.data.loadState === 'LoadStateLoaded') break;
    await sleep(200);
  }
  check('full-schema collection becomes loaded', res.code === 0 && res.data.loadState === 'LoadStateLoaded', res);

  res = await client.insert({
    collectionName: full,
    data: [
      { pk: 'a', vector: [0, 0], text: 'origin' },
      { pk: 'b', vector: [3, 4], text: 'far' },
      { pk: 'c', vector: [1, 1], text: 'near' },
    ],
  });
  check('insert with VarChar keys', res.code === 0 && JSON.stringify(res.data.insertIds) === '["a","b","c"]', res);

  res = await queryUntil({ collectionName: full, filter: 'pk in ["a","b","c"]', outputFields: ['pk'] }, (d) => d.length === 3);
  res = await client.search({ collectionName: full, data: [[0, 0]], limit: 3, outputFields: ['pk', 'text'] });
  const distances = res.data ? res.data.map((r) => r.distance) : [];
  check('L2 search is ascending squared distance',
    res.code === 0 && res.data.length === 3 && res.data[0].pk === 'a' && res.data[2].pk === 'b' &&
    Math.abs(distances[1] - 2) < 1e-5 && Math.abs(distances[2] - 25) < 1e-5, res);

  res = await client.insert({ collectionName: full, data: [{ pk: 'x'.repeat(65), vector: [0, 0], text: 't' }] });
  check('a key longer than max_length is rejected', res.code !== 0, res);

  for (const name of [quick, full]) {
    res = await client.dropCollection({ collectionName: name });
    check('drop ' + name.split('_')[1], res.code === 0, res);
  }

  res = await client.hasCollection({ collectionName: quick });
  check('dropped collection is gone', res.code === 0 && res.data.has === false, res);
}

main()
  .catch((e) => check('no exception', false, String(e && e.stack ? e.stack : e)))
  .finally(() => {
    console.log(JSON.stringify({ summary: true, failures }));
    process.exit(failures === 0 ? 0 : 1);
  });
