// Every JSON schema of the /v1 routes in one place: the shared ones are registered by buildApp and referenced by
// $ref (SequenceMeta#, JobRequest#, JobView#); the rest are imported by the route plugins.

/** Every 4xx answer: `error` is a stable code, `message` says what was wrong. */
export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, details: {} },
  required: ['error', 'message'],
} as const;

/** `:id` path parameter of the sequence and job routes (the ids themselves are checked by their stores). */
export const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;

/** POST /v1/sequences query: raw uploads need width, height and fps (checked in upload.ts: a y4m header carries them). */
export const uploadQuerySchema = {
  type: 'object',
  properties: {
    width: { type: 'integer' }, height: { type: 'integer' }, bitDepth: { type: 'integer' },
    fps: { type: 'number' }, name: { type: 'string', maxLength: 200 },
  },
} as const;

export const sequenceMetaSchema = {
  $id: 'SequenceMeta',
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' },
    bitDepth: { type: 'integer', enum: [8, 10] }, fps: { type: 'number' }, frames: { type: 'integer' },
    bytes: { type: 'integer' }, sha256: { type: 'string' }, createdAt: { type: 'string' },
    sourceFormat: { type: 'string', enum: ['yuv', 'y4m'] },
  },
} as const;

export const jobRequestSchema = {
  $id: 'JobRequest',
  type: 'object',
  additionalProperties: false,
  required: ['sequenceId', 'config'],
  properties: {
    sequenceId: { type: 'string', maxLength: 64 },
    config: { type: 'string', enum: ['ra', 'ai'] },
    qps: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 63 }, minItems: 1, maxItems: 12, uniqueItems: true },
    targetKbps: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1, maxItems: 12 },
    frames: { type: 'integer', minimum: 1 },
    intraPeriod: { type: 'integer', minimum: 1, maximum: 1024 },
    gopSize: { type: 'integer', enum: [16, 32] },
    preset: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$' },
    encoder: { type: 'string', enum: ['nnvvc', 'vtm'] },
    kind: { type: 'string', enum: ['encode', 'anchor'] },
    segmentIntraPeriods: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;

/** JobProgress (src/queue/types.ts documents each field). */
export const jobProgressSchema = {
  type: 'object',
  properties: {
    stage: { type: 'string' }, ratePoint: { type: 'integer' }, ratePointsTotal: { type: 'integer' },
    stagePointsDone: { type: 'integer' }, pointFramesDone: { type: 'integer' }, framesPerPoint: { type: 'integer' },
    percent: { type: 'number' },
  },
} as const;

export const jobViewSchema = {
  $id: 'JobView',
  type: 'object',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['waiting', 'active', 'completed', 'failed', 'cancelled'] },
    request: { type: 'object', additionalProperties: true },
    sequence: { $ref: 'SequenceMeta#' },
    progress: jobProgressSchema,
    createdAt: { type: 'string' },
    startedAt: { type: ['string', 'null'] },
    finishedAt: { type: ['string', 'null'] },
    error: { type: 'string' },
    attempts: { type: 'integer' },
    /** Flow jobs: one entry per rate-point child job. */
    children: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' }, point: { type: 'integer' }, segment: { type: 'integer' }, state: { type: 'string', enum: ['waiting', 'active', 'completed', 'failed', 'cancelled', 'retrying'] },
          attempts: { type: 'integer' }, stage: { type: 'string' }, percent: { type: 'number' },
          startedAt: { type: ['string', 'null'] }, finishedAt: { type: ['string', 'null'] }, elapsedSeconds: { type: ['number', 'null'] }, error: { type: 'string' },
        },
      },
    },
    /** e.g. which rate point is being retried after its worker stopped */
    note: { type: 'string' },
  },
} as const;

/** GET /v1/jobs query. */
export const jobListQuerySchema = {
  type: 'object', additionalProperties: false,
  properties: {
    state: { type: 'string', enum: ['waiting', 'active', 'completed', 'failed', 'cancelled'] },
    sequenceId: { type: 'string', maxLength: 64 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

/** GET /v1/encoders answer (EncoderInfo in plugins/jobs.ts). */
export const encoderListSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' }, program: { type: 'string' }, available: { type: 'boolean' },
          configs: { type: 'array', items: { type: 'string' } }, defaultConfig: { type: 'string' },
          presets: { type: 'array', items: { type: 'string' } }, defaultPreset: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;

/** POST /v1/challenges body (src/quality/challenge.ts describes the run). */
export const challengeRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sequences'],
  properties: {
    sequences: {
      type: 'array', minItems: 1, maxItems: 64,
      items: {
        type: 'object', additionalProperties: false, required: ['sequenceId'],
        properties: { sequenceId: { type: 'string', maxLength: 64 }, anchorKey: { type: 'string', maxLength: 100 } },
      },
    },
    preset: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$' },
    frames: { type: 'integer', minimum: 1 },
    config: { type: 'string', enum: ['ra', 'ai'], default: 'ra' },
  },
} as const;

const nnum = { type: ['number', 'null'] } as const;
const tri = { type: ['boolean', 'null'] } as const;
const nstr = { type: ['string', 'null'] } as const;

/** GET /v1/challenges/:id (ChallengeView in src/quality/challenge.ts). */
export const challengeViewSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, createdAt: { type: 'string' }, config: { type: 'string' }, preset: nstr, frames: { type: ['integer', 'null'] },
    state: { type: 'string', enum: ['waiting', 'active', 'completed', 'failed'] },
    sequences: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sequenceId: { type: 'string' }, name: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' }, frames: { type: 'integer' },
          jobId: { type: 'string' }, jobState: { type: 'string' }, error: { type: 'string' }, anchorKey: { type: 'string' }, anchorSource: { type: 'string' },
          anchorSameMachine: tri, t2Note: nstr, bdRate: nnum, bdRateNote: { type: 'string' }, pass: tri,
          points: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                anchorQp: { type: 'number' }, anchorKbps: { type: 'number' }, anchorPsnrYuv: { type: 'number' }, label: nstr, qp: nnum, kbps: nnum,
                rateRatio: nnum, rateInWindow: tri, rateMatched: tri, t1: nnum, t2: nnum, timeRatio: nnum, timePass: tri,
                psnr: { type: ['object', 'null'], properties: { y: { type: 'number' }, u: { type: 'number' }, v: { type: 'number' }, yuv: { type: 'number' } } },
                vtmDecodeMd5: tri, pass: tri, notes: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    summary: {
      type: 'object',
      properties: {
        sequences: { type: 'integer' }, completedSequences: { type: 'integer' }, averageBdRate: nnum,
        worstRateRatio: nnum, worstRateRatioAt: nstr, worstTimeRatio: nnum, worstTimeRatioAt: nstr, allPass: tri,
        rules: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, description: { type: 'string' }, pass: tri, detail: { type: 'string' } } } },
      },
    },
    links: { type: 'object', properties: { self: { type: 'string' }, table: { type: 'string' }, archive: { type: 'string' } } },
  },
} as const;

/** GET /v1/challenges answer: one line per challenge, newest first. */
export const challengeListSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' }, createdAt: { type: 'string' }, config: { type: 'string' }, preset: nstr,
          state: { type: 'string' }, sequences: { type: 'array', items: { type: 'string' } }, completedSequences: { type: 'integer' },
          averageBdRate: nnum, worstRateRatio: nnum, worstTimeRatio: nnum, allPass: tri,
        },
      },
    },
  },
} as const;
