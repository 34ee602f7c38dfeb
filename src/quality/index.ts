// Rate-distortion quality API (PSNR, bit rate, BD-rate, the challenge rules, anchors, report) used by the worker's measure/report stages and the benches.
export { psnrYuvFiles, psnrFromSsd, combinePsnr, PSNR_PEAK_10BIT, type PsnrResult, type PlanePsnr } from './psnr.js';
export { bitrateKbps } from './bitrate.js';
export { bdRate, bdPsnr, BdError, type RdPoint, type BdMethod } from './bdrate.js';
export { evaluateRules, allRequiredPass, RATE_WINDOW, EXTREME_WINDOW, MAX_TIME_RATIO, type RuleResult } from './rules.js';
export { matchRate, type RateMatchResult, type RateTrial } from './rate-match.js';
export { AnchorStore, anchorKey, parseAnchorCsv, validateAnchorPoints, ANCHOR_QPS, type AnchorTable, type AnchorPoint } from './anchors.js';
export { buildReport, reportMarkdown, reportSvg, REPORT_JSON_SCHEMA, type Report } from './report.js';
export { machineInfo, type MachineInfo } from './machine.js';
export { summarize, readReports } from './summary.js';
