// Every 4xx answer is {error, message, details?}: `error` is a stable code, `message` says what was wrong.
export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'HttpError';
  }
}
