// npm run bench:codec [-- --config ai|ra ...]: the codec benchmark against VTM-23.2.
//   --config ai (default): all intra, bench/codec-ai.ts (options as BENCH_* environment variables)
//   --config ra: random access, bench/codec-ra.ts (options on the command line; --help lists them)
const argv = process.argv.slice(2);
const at = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
const config = at < 0 ? 'ai' : argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1];
if (config === 'ra') {
  const { main } = await import('./codec-ra.js');
  process.exitCode = await main(argv);
} else if (config === 'ai') {
  const rest = argv.filter((_, i) => at < 0 || (i !== at && (argv[at].includes('=') || i !== at + 1)));
  if (rest.length) {
    console.error(`bench:codec --config ai takes its options from BENCH_FRAMES, BENCH_PRESET, BENCH_QPS, BENCH_SEQUENCES (see bench/codec-ai.ts), not ${rest.join(' ')}`);
    process.exit(2);
  }
  await import('./codec-ai.js');
} else {
  console.error(`bench:codec: --config ${config ?? ''}: expected ai or ra`);
  process.exit(2);
}
