// Regenerates ../cl100k_base.bin (embedded in the connector) from the npm package tiktoken@1.0.22 (MIT),
// which ships OpenAI's cl100k_base ranks as encoders/cl100k_base.json.
//   cd tools && npm ci && node make-cl100k.mjs
// Format (raw deflate, RFC 1951): uint32 LE token count N, then N length bytes (token i's byte length,
// i = rank), then the token bytes concatenated in rank order. Ranks must be exactly 0..N-1.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { createHash } from "node:crypto";

const require = createRequire(import.meta.url);
const jsonPath = require.resolve("tiktoken/encoders/cl100k_base.json");
const pkg = JSON.parse(readFileSync(join(dirname(jsonPath), "..", "package.json"), "utf8"));
if (pkg.version !== "1.0.22") throw new Error(`expected tiktoken 1.0.22, found ${pkg.version}`);
const source = readFileSync(jsonPath);
const data = JSON.parse(source.toString("utf8"));

const byRank = new Map();
for (const line of data.bpe_ranks.split("\n").filter(Boolean)) {
  const [, offset, ...tokens] = line.split(" ");
  tokens.forEach((b64, i) => byRank.set(Number(offset) + i, Buffer.from(b64, "base64")));
}
const n = byRank.size;
for (let r = 0; r < n; r++) {
  const t = byRank.get(r);
  if (!t) throw new Error(`rank ${r} missing: ranks are not contiguous`);
  if (t.length === 0 || t.length > 255) throw new Error(`rank ${r} has length ${t.length}`);
}
const header = Buffer.alloc(4);
header.writeUInt32LE(n);
const lengths = Buffer.from([...Array(n).keys()].map((r) => byRank.get(r).length));
const bytes = Buffer.concat([...Array(n).keys()].map((r) => byRank.get(r)));
const out = deflateRawSync(Buffer.concat([header, lengths, bytes]), { level: 9 });
const target = new URL("../cl100k_base.bin", import.meta.url);
writeFileSync(target, out);
const sha = (b) => createHash("sha256").update(b).digest("hex");
console.log(`tokens ${n}, raw ${4 + n + bytes.length} bytes, deflated ${out.length} bytes`);
console.log(`source cl100k_base.json sha256 ${sha(source)}`);
console.log(`wrote ${target.pathname} sha256 ${sha(out)}`);
console.log(`pat_str ${data.pat_str}`);
console.log(`special_tokens ${JSON.stringify(data.special_tokens)}`);
