// A CSV download written as it is read, page by page, so memory holds one page whatever the size
// (the impact report's shopper list over a million accounts). The first page is read before anything is
// sent: a failure there is an ordinary error answer (a 503 problem). Once the 200 and the header row are
// out, a failure cannot change the status any more, so the response is cut off instead: the socket is
// destroyed without the chunked encoding's last, empty chunk, which every HTTP client reports as an
// incomplete body (fetch: "terminated"; curl: exit 18) — never a shorter file that looks complete. A
// client that goes away stops the reading (the page source is returned early). Backpressure: the next page
// is read only once the socket has taken the previous one.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { csvText } from './csv.ts';

export interface CsvDownload {
  filename: string;
  header: readonly string[];
  rows: AsyncIterable<string[][]>;
}

/** Streams the download; resolves when it is sent, cut off (the failure passed to onBroken) or abandoned by the client. */
export async function streamCsv(res: Response, download: CsvDownload, onBroken: (err: unknown) => void): Promise<void> {
  const pages = download.rows[Symbol.asyncIterator]();
  const first = await pages.next(); // a failure here is the caller's to answer
  async function* body(): AsyncGenerator<string> {
    yield csvText([download.header]);
    for (let page = first; !page.done; page = await pages.next()) if (page.value.length) yield csvText(page.value);
  }
  res.type('text/csv; charset=utf-8').attachment(download.filename);
  try {
    await pipeline(Readable.from(body()), res);
  } catch (err) {
    res.destroy(); // already done by pipeline on a failure; said here because the cut-off is the contract
    if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') onBroken(err);
  } finally {
    await pages.return?.();
  }
}
