/**
 * The Node limit for serving one published file: a bare node:http server writing precomputed bytes
 * (the gzipped home page) with the same headers Herald sends, no routing, no lookups. Started by
 * bench/serve.ts as its own process: `node bench/bare-server.ts <file.gz> <port>`.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const [file, port] = process.argv.slice(2);
const body = readFileSync(file!);
const headers = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Encoding": "gzip",
  "Content-Length": String(body.length),
  ETag: '"bare"',
  "Last-Modified": new Date().toUTCString(),
  "Cache-Control": "public, max-age=5, stale-while-revalidate=30, stale-if-error=86400",
  Vary: "Accept-Encoding",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Content-Security-Policy": "default-src 'none'",
  "X-Frame-Options": "DENY",
};
createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
}).listen(Number(port), "127.0.0.1", () => console.log("ready"));
