import { ConfigError, readConfig } from "./config.ts";
import { startServer } from "./server.ts";

// Node entry: configuration from the environment, then serve. Everything else lives in the app factory.
try {
  const config = readConfig(process.env);
  const server = await startServer(config, { log: (line) => console.error(line) });
  console.log(`Herald is serving ${config.page.name} on ${server.url} (database ${redactUrl(config.databaseUrl)})`);
  const keys = await server.deps?.db.client.execute("SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL");
  if (keys && Number(keys.rows[0]?.n ?? 0) === 0) {
    console.log("No API keys yet. Create one with: npx herald keys create --name admin --role admin");
  }
  const stop = async (signal: string) => {
    console.log(`${signal}: shutting down`);
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
} catch (error) {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
}

function redactUrl(url: string): string {
  // A libsql:// URL may carry credentials in its query string; never print them.
  return url.replace(/\?.*$/, "");
}
