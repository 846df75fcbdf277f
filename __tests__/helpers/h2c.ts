/** What h2c-traffic.mjs's client writes for each exchange it made (the ground truth of the h2c tests). */
export interface Exchange {
  conn: string;
  via: 'prior-knowledge' | 'upgrade';
  method: string;
  path: string;
  authority: string;
  /** The extra request headers the client sent (besides the pseudo-headers and user-agent). */
  requestHeaders: Record<string, string>;
  requestBody: string;
  status: number;
  responseBody: string;
}

export interface Header {
  name: string;
  value: string;
}

/** The value of the first header called name (any case). */
export const headerValue = (list: Header[], name: string) => list.find((h) => h.name.toLowerCase() === name)?.value;
