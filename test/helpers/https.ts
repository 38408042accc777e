/**
 * A local HTTPS server for page URLs, with a throwaway self-signed
 * certificate (test/fixtures/tls, valid for localhost and 127.0.0.1 from
 * 2000 to 2125), and a `fetch` that trusts exactly that certificate.
 * Nothing in the generator is weakened for tests: it still fetches https
 * only, and through the normal certificate checks.
 */
import { readFileSync } from "node:fs";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ROOT } from "./project.ts";

const TLS = join(ROOT, "test/fixtures/tls");
export const TEST_CA_FILE = join(TLS, "localhost.crt");
const CERT = readFileSync(TEST_CA_FILE);
const KEY = readFileSync(join(TLS, "localhost.key"));

export interface ServedPage {
  readonly body: string;
  readonly contentType?: string;
  readonly status?: number;
}

export interface PageServer {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  /** Paths requested so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startPageServer(pages: Readonly<Record<string, ServedPage>>): Promise<PageServer> {
  const requests: string[] = [];
  const server = createServer({ key: KEY, cert: CERT }, (req, res) => {
    requests.push(req.url ?? "");
    const page = pages[new URL(req.url ?? "/", "https://x").pathname];
    res.writeHead(page?.status ?? (page ? 200 : 404), {
      "content-type": page?.contentType ?? "text/html; charset=utf-8",
    });
    res.end(page?.body ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A minimal `fetch` (GET, text bodies) over node:https that trusts the test certificate and nothing else. */
export const fetchTrustingTestCa: typeof fetch = (input, init) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const req = request(
      url,
      {
        method: "GET",
        ca: CERT,
        headers: { ...(init?.headers as Record<string, string> | undefined) },
        signal: init?.signal ?? undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === "string") headers.set(name, value);
          resolve(
            new Response(Buffer.concat(chunks), {
              status: res.statusCode ?? 500,
              statusText: res.statusMessage ?? "",
              headers,
            }),
          );
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
