// Literal JS transcription of langchain_text_splitters RecursiveCharacterTextSplitter (keep_separator bool), for offline checks.
const { get_encoding } = require("tiktoken");
function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&"); }
function pySplit(text, pattern) { // python re.split with capture group support
  const re = new RegExp(pattern, "gu"); const out = []; let last = 0; let m;
  while ((m = re.exec(text)) !== null) { if (m[0].length === 0) { re.lastIndex++; continue; }
    out.push(text.slice(last, m.index)); for (let i = 1; i < m.length; i++) out.push(m[i]); last = m.index + m[0].length; }
  out.push(text.slice(last)); return out; }
function splitter(seps, keep, isRegex, size, overlap, len) {
  const strip = s => s.replace(/^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$/gu, "");
  function splitWithRegex(text, sep) {
    let splits;
    if (sep) { if (keep) { const p = pySplit(text, "(" + sep + ")"); splits = [p[0]]; for (let i = 1; i < p.length; i += 2) splits.push(p[i] + p[i + 1]); }
      else splits = pySplit(text, sep); }
    else splits = Array.from(text);
    return splits.filter(s => s !== ""); }
  function merge(splits, sep) {
    const sl = len(sep); const docs = []; let cur = []; let total = 0;
    for (const d of splits) { const l = len(d);
      if (total + l + (cur.length > 0 ? sl : 0) > size) { if (cur.length > 0) { const doc = strip(cur.join(sep)); if (doc) docs.push(doc);
          while (total > overlap || (total + l + (cur.length > 0 ? sl : 0) > size && total > 0)) { total -= len(cur[0]) + (cur.length > 1 ? sl : 0); cur = cur.slice(1); } } }
      cur.push(d); total += l + (cur.length > 1 ? sl : 0); }
    const doc = strip(cur.join(sep)); if (doc) docs.push(doc); return docs; }
  function rec(text, seps) {
    const final = []; let sep = seps[seps.length - 1]; let ns = [];
    for (let i = 0; i < seps.length; i++) { const s = seps[i]; const p = isRegex ? s : escapeRe(s);
      if (s === "") { sep = s; break; } if (new RegExp(p, "u").test(text)) { sep = s; ns = seps.slice(i + 1); break; } }
    const splits = splitWithRegex(text, isRegex ? sep : escapeRe(sep)); let good = []; const js = keep ? "" : sep;
    for (const s of splits) { if (len(s) < size) good.push(s); else { if (good.length) { final.push(...merge(good, js)); good = []; }
        if (!ns.length) final.push(s); else final.push(...rec(s, ns)); } }
    if (good.length) final.push(...merge(good, js)); return final; }
  return text => rec(text, seps);
}
const md = ["(?:^|\n)# ", "(?:^|\n)## ", "(?:^|\n)### ", "(?:^|\n)#### ", "(?:^|\n)##### ", "(?:^|\n)###### "];
const java = ["\nclass ", "\npublic ", "\nprotected ", "\nprivate ", "\nstatic ", "\nif ", "\nfor ", "\nwhile ", "\nswitch ", "\ncase ", "\n\n", "\n", " ", ""];
const proto = ["\nmessage ", "\nservice ", "\nenum ", "\noption ", "\nimport ", "\nsyntax ", "\n\n", "\n", " ", ""];
const def = ["\n\n", "\n", " ", ""];
const cases = [
 ["By default, splits are done \non multi newlines,\n\n then single newlines, then spaces", 10, 0, def, false, false],
 ["One two three four five six seven eight nine ten eleven twelve thirteen", 15, 5, def, false, false],
 ["Special tokens like <|endoftext|> are treated like regular text", 15, 0, def, false, false],
 ["Custom \nseparatorxxxDoes not split on \n\nnewlines", 10, 0, ["xxx"], false, false],
 ["Does yyynot usexxxseparators yyyif not needed", 10, 0, ["xxx", "yyy"], false, false],
 ["Does alwaysyyy usexxxmain separators yyyfirst", 10, 0, ["yyy", "xxx"], false, false],
 ["# Heading 1\nText 1\n\n# Heading 2\nText 2\n\n# Heading 3\nText 3", 10, 0, md.slice(0, 1), true, true],
 ["# Heading 1\nText 1\n\n## Sub-Heading 1\nText 2\n\n# Heading 2\nText 3", 10, 0, md.slice(0, 2), true, true],
 ["## Heading 1\nText 1\n\n## Heading 2\nText 2\n\n## Heading 3\nText 3", 10, 0, md.slice(0, 1), true, true],
 ["## Does not split if everything fits. Heading 1\nText 1\n\n## Heading 2\nText 2\n\n## Heading 3\nText 3", 1000, 0, md.slice(0, 5), true, true],
 ["class A { /* \n\nthis is the first class */ }\nclass B {}", 20, 0, java, true, false],
 ["class A { /* \n\nthis is the first class */ }\nclass B {}", 20, 0, proto, true, false],
];
const enc = get_encoding(process.argv[2]);
const len = s => s === "" ? 0 : enc.encode(s, [], []).length;
for (const [t, size, ov, seps, keep, isRe] of cases) console.log(JSON.stringify(splitter(seps, keep, isRe, size, ov, len)("text: " + t + "\n")));
