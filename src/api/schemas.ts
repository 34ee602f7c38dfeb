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
    preset: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$' },
    encoder: { type: 'string', enum: ['nnvvc', 'vtm'] },
    kind: { type: 'string', enum: ['encode', 'anchor'] },
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
          id: { type: 'string' }, point: { type: 'integer' }, state: { type: 'string', enum: ['waiting', 'active', 'completed', 'failed', 'cancelled', 'retrying'] },
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
