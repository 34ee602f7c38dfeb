// Route schema pieces shared by several API plugins.

/** `:id` path parameter of the sequence and job routes (the ids themselves are checked by their stores). */
export const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;
