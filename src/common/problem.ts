import { HttpException } from '@nestjs/common';

export interface ProblemFieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ProblemFieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/**
 * An RFC 9457 problem. `type` is a stable slug clients can branch on (`/problems/stale-version`);
 * `detail` is for people and never carries case content, SQL or internal names.
 */
export class Problem extends HttpException {
  constructor(
    readonly statusCode: number,
    readonly slug: string,
    readonly detail: string,
    readonly errors?: ProblemFieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail, statusCode);
  }

  toBody(): ProblemBody {
    return {
      type: `/problems/${this.slug}`,
      title: problemTitle(this.statusCode),
      status: this.statusCode,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }

  static badRequest(detail: string, errors?: ProblemFieldError[]): Problem {
    return new Problem(400, 'validation', detail, errors);
  }
  static unauthorized(detail = 'Authentication is required'): Problem {
    return new Problem(401, 'unauthorized', detail);
  }
  static forbidden(detail = 'You may not do this'): Problem {
    return new Problem(403, 'forbidden', detail);
  }
  static notFound(detail = 'Not found'): Problem {
    return new Problem(404, 'not-found', detail);
  }
  static conflict(slug: string, detail: string): Problem {
    return new Problem(409, slug, detail);
  }
  static gone(slug: string, detail: string): Problem {
    return new Problem(410, slug, detail);
  }
  static unprocessable(slug: string, detail: string): Problem {
    return new Problem(422, slug, detail);
  }
  static tooManyRequests(detail: string, retryAfterSeconds: number): Problem {
    return new Problem(429, 'too-many-requests', detail, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
  /** A dependency is down and nothing was changed; like every 503 of the API, it says when to try again. */
  static unavailable(detail: string, retryAfterSeconds = 5): Problem {
    return new Problem(503, 'unavailable', detail, undefined, { 'retry-after': String(retryAfterSeconds) });
  }
}
