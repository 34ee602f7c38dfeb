// No circular imports among the TypeScript modules under src/ and vtm/ (type-only imports count too: a module
// pair that needs each other's declarations belongs in one module or needs a third that both import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROOTS = ['src', 'vtm'];

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules') tsFiles(p, out); } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Relative module specifiers of every static import/export-from (type-only included) and dynamic import(). */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  const patterns = [/\b(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1].startsWith('.')) specs.push(m[1]);
  return specs;
}

function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, path.join(base, 'index.ts')]) if (c.endsWith('.ts') && existsSync(c)) return c;
  return null;
}

/** Every cycle's members (strongly connected components with more than one module, or a self-import). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('findCycles finds a two-module circle and a self-import, and nothing in a chain', () => {
  assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', ['a']], ['c', ['a']]])), [['a', 'b']]);
  assert.deepEqual(findCycles(new Map([['a', ['a']]])), [['a']]);
  assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]])), []);
  assert.deepEqual(importSpecifiers(`import type { X } from './x.js';\nexport { y } from "../y.js";\nimport {\n  z,\n} from './z.js';\n// import { no } from './no.js';\nimport fs from 'node:fs';\nconst m = await import('./dyn.js');`).sort(),
    ['../y.js', './dyn.js', './x.js', './z.js']);
});

test('no circular imports under src/ and vtm/', () => {
  const files = ROOTS.flatMap((r) => tsFiles(path.join(REPO, r)));
  assert.ok(files.length > 30, `found only ${files.length} .ts files`);
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const f of files) {
    const deps: string[] = [];
    for (const spec of importSpecifiers(readFileSync(f, 'utf8'))) {
      const target = resolve(f, spec);
      if (target) deps.push(target); else if (!spec.endsWith('.json') && !spec.endsWith('.mjs')) unresolved.push(`${path.relative(REPO, f)}: ${spec}`);
    }
    graph.set(f, deps);
  }
  assert.deepEqual(unresolved, [], 'every relative import resolves to a file');
  const cycles = findCycles(graph).map((c) => c.map((f) => path.relative(REPO, f)).join(' <-> '));
  assert.deepEqual(cycles, [], `circular imports:\n  ${cycles.join('\n  ')}`);
});
