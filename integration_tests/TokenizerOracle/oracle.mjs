// Reference tokenizer for the C# Cl100kTokenizer: OpenAI's tiktoken (Rust, compiled to WASM) from npm tiktoken@1.0.22.
// Special tokens are plain text (encode_ordinary == Python's disallowed_special=()).
//   node oracle.mjs encode        stdin: one JSON string per line; stdout: one JSON array of token ids per line
//   node oracle.mjs bench FILE    FILE: one JSON string per line (documents); stdout: one JSON object with
//                                 {documents, bytes, tokens, seconds, tokensPerSecond} for one timed pass after a warm-up
import { readFileSync, writeSync } from "node:fs";
import { get_encoding } from "tiktoken";

const enc = get_encoding("cl100k_base");
const mode = process.argv[2];

function readLines(fd) {
  const text = readFileSync(fd, "utf8");
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => JSON.parse(l));
}

if (mode === "encode") {
  const inputs = readLines(0);
  const out = [];
  for (const s of inputs) out.push("[" + enc.encode_ordinary(s).join(",") + "]");
  const data = Buffer.from(out.join("\n") + "\n", "utf8");
  let off = 0;
  while (off < data.length) off += writeSync(1, data, off, data.length - off);
} else if (mode === "bench") {
  const docs = readLines(process.argv[3]);
  let bytes = 0;
  for (const d of docs) bytes += Buffer.byteLength(d, "utf8");
  const warm = Math.max(1, Math.floor(docs.length / 10));
  for (let i = 0; i < warm; i++) enc.encode_ordinary(docs[i]);
  const start = process.hrtime.bigint();
  let tokens = 0;
  for (const d of docs) tokens += enc.encode_ordinary(d).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ documents: docs.length, bytes, tokens, seconds, tokensPerSecond: tokens / seconds }));
} else {
  console.error("usage: node oracle.mjs encode | bench FILE");
  process.exit(2);
}
enc.free();
